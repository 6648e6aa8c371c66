"""Partner-reported exports: what another country says it shipped here, for mirror analysis.

Every country reports its trade to the United Nations (UN Comtrade): its exports by partner,
HS subheading and month, valued free on board (FOB) at its own border, with the net mass and a
quantity in a standard unit. The exporter's figures for goods sent to this country are a
second, independent record of what this country imported; what it reports beyond what was
declared here — after freight and insurance (CIF/FOB) and the time in transit are allowed for
— is trade that entered undervalued, misdeclared or off the manifest (Fisman & Wei 2004).

One record is one figure of the reporter's: its exports to ``partner`` of subheading ``hs6``
in ``month``. It is reference data kept under the ledger like the tariff, imported with the
data package; Dostyk never derives it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dostyk.domain.bounds import Checks, clock
from dostyk.domain.codes import UNITS_OF_MEASURE, check_country

#: An HS subheading: six digits, whatever the HS revision the reporter uses.
HS6 = re.compile(r"[0-9]{6}", re.ASCII)
#: A calendar month, ``YYYY-MM``.
MONTH = re.compile(r"(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])", re.ASCII)
#: The first month a record may be for (the store keeps no earlier history either).
FIRST_MONTH = "1990-01"
#: The largest value one record may carry, in US dollars (a month of one subheading between
#: two countries is far below it; a figure beyond it is a unit error, thousands for ones).
MAX_FOB_USD = Decimal(10) ** 13
#: The heaviest one record may weigh, in kilograms.
MAX_NET_MASS_KG = 1e13
#: The largest quantity one record may carry.
MAX_QUANTITY = Decimal(10) ** 14
#: The longest ``source``.
SOURCE_MAX = 200


def month_of(day: date) -> str:
    """The ``YYYY-MM`` of a day."""
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True, slots=True)
class PartnerExport:
    """The reporter's exports to the partner of one subheading in one month."""

    reporter: str
    partner: str
    hs6: str
    month: str
    fob_usd: Decimal
    source: str
    net_mass_kg: float | None = None
    quantity: Decimal | None = None
    unit: str | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        reporter_ok = checks.check(check_country, "reporter", self.reporter)
        partner_ok = checks.check(check_country, "partner", self.partner)
        if reporter_ok and partner_ok and self.reporter == self.partner:
            checks.add("partner", "a country does not export to itself")
        if not (type(self.hs6) is str and HS6.fullmatch(self.hs6)):
            checks.add("hs6", f"{self.hs6!r} is not a six-digit HS subheading")
        if not (type(self.month) is str and MONTH.fullmatch(self.month)):
            checks.add("month", f"{self.month!r} is not a month written YYYY-MM")
        elif self.month < FIRST_MONTH:
            checks.add("month", f"{self.month} is before {FIRST_MONTH}")
        elif self.month > month_of(clock().date()):
            checks.add("month", f"{self.month} has not begun yet")
        checks.decimal("fob_usd", self.fob_usd, MAX_FOB_USD)
        if self.net_mass_kg is not None:
            checks.mass("net_mass_kg", self.net_mass_kg, MAX_NET_MASS_KG)
        if self.quantity is not None:
            checks.decimal("quantity", self.quantity, MAX_QUANTITY)
        if (self.quantity is None) != (self.unit is None):
            checks.add("unit", "a quantity and its unit are given together, or neither")
        elif self.unit is not None and self.unit not in UNITS_OF_MEASURE:
            known = ", ".join(sorted(UNITS_OF_MEASURE))
            checks.add("unit", f"{self.unit!r} is not a known unit of measure ({known})")
        checks.text("source", self.source, SOURCE_MAX)
        checks.done()

    @property
    def chapter(self) -> str:
        """The HS chapter: the subheading's first two digits."""
        return self.hs6[:2]
