"""The tariff: ad valorem duty and VAT rates by commodity code prefix, over time.

A rate applies to every code that starts with its prefix from its ``valid_from`` date until a
later row for the same prefix; the longest matching prefix wins, so a national subheading can
carry a rate different from its heading's.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from dostyk.domain.bounds import REMARK_MAX, Checks
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.money import to_amount

PREFIX = re.compile(r"[0-9]{2,10}", re.ASCII)
HUNDRED = Decimal(100)
#: The highest duty and VAT rates, in percent; the bounds on what is owed rest on them.
MAX_DUTY_RATE = HUNDRED * 10
MAX_VAT_RATE = HUNDRED


@dataclass(frozen=True, slots=True)
class TariffRate:
    code_prefix: str
    valid_from: date
    duty_rate: Decimal
    vat_rate: Decimal
    note: str | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        if not PREFIX.fullmatch(self.code_prefix):
            checks.add("code_prefix", f"{self.code_prefix!r} is not 2-10 digits")
        if not Decimal(0) <= self.duty_rate <= MAX_DUTY_RATE:
            checks.add("duty_rate", f"{self.duty_rate} is not a percentage up to {MAX_DUTY_RATE}")
        if not Decimal(0) <= self.vat_rate <= MAX_VAT_RATE:
            checks.add("vat_rate", f"{self.vat_rate} is not a percentage up to {MAX_VAT_RATE}")
        if self.note is not None:
            checks.text("note", self.note, REMARK_MAX, prose=True, required=False)
        checks.done()


@dataclass(frozen=True, slots=True)
class DutyLine:
    """Duty and VAT on one item: duty on the customs value, VAT on value plus duty."""

    declaration_id: str
    item_no: int
    customs_value: Decimal
    duty_rate: Decimal
    duty: Decimal
    vat_rate: Decimal
    vat: Decimal

    @property
    def total(self) -> Decimal:
        return self.duty + self.vat


@dataclass
class Tariff:
    """A lookup over tariff rates: longest prefix, latest ``valid_from`` not after the date."""

    _by_prefix: dict[str, list[TariffRate]] = field(default_factory=dict)

    @classmethod
    def of(cls, rates: Iterable[TariffRate]) -> Tariff:
        tariff = cls()
        for rate in rates:
            tariff._by_prefix.setdefault(rate.code_prefix, []).append(rate)
        for versions in tariff._by_prefix.values():
            versions.sort(key=lambda r: r.valid_from)
        return tariff

    def rate_for(self, commodity_code: str, on: date) -> TariffRate:
        for length in range(len(commodity_code), 1, -1):
            versions = self._by_prefix.get(commodity_code[:length])
            if not versions:
                continue
            position = bisect.bisect_right([v.valid_from for v in versions], on)
            if position:
                return versions[position - 1]
        raise InvariantViolation(
            "commodity_code", f"no tariff rate for {commodity_code} in force on {on}"
        )

    def duty_line(
        self, declaration_id: str, item_no: int, commodity_code: str, value: Decimal, on: date
    ) -> DutyLine:
        rate = self.rate_for(commodity_code, on)
        base = to_amount(value)
        duty = to_amount(base * rate.duty_rate / HUNDRED)
        vat = to_amount((base + duty) * rate.vat_rate / HUNDRED)
        return DutyLine(declaration_id, item_no, base, rate.duty_rate, duty, rate.vat_rate, vat)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_prefix.values())
