"""The limits every value must keep, whatever the entrance it comes in by.

A JSON document, a data package row, a CLI option and (later) an API request all build the
domain's records, and the records' constructors check these rules: so there is one rule set, and
a value one entrance accepts every other entrance, every later step and every export accepts
too. docs/rules.md states them for users; this module is where they are enforced.

Instants
    Every recorded instant lies in the *history window*, from :data:`HISTORY_START` (1990-01-01,
    before the first crossing Dostyk can hold: the Dostyk-Alashankou line opened in 1990) to one
    day (:data:`RECORD_AHEAD`) past the clock, which allows for clocks and time zones at posts
    and keeps year-9999 typos and year-1 overflows out. A *live step* (a command's ``--at``) is
    held closer: no more than :data:`LIVE_AHEAD` past the clock, so that one mistyped year
    cannot put a declaration's last step in the future and refuse every real step after it.
    Planned records (duty shifts) may look :data:`PLAN_AHEAD` ahead.

Identifiers
    Every identifier, of whatever kind, matches :data:`IDENTIFIER`: a letter or digit, then
    letters, digits, '.', '_' or '-', at most :data:`MAX_ID_LENGTH` (the store's key columns).
    Officers' service numbers and post codes are further restricted to upper case and shorter
    (their own columns), but never widened.

Text
    No text holds control characters (Unicode category Cc: NUL, ESC, BEL, DEL, C1...), lone
    surrogates (which no encoding can store) or bidirectional overrides (U+202A-U+202E,
    U+2066-U+2069, which make text read differently from what it holds); text that is free
    prose (descriptions, reasons, remarks) may hold tab and newline, names, references and codes
    may not. PostgreSQL refuses NUL in text and SQLite does not, so refusing it here is what
    makes both back ends accept the same records. Lengths: :data:`NAME_MAX`,
    :data:`REFERENCE_MAX`, :data:`DESCRIPTION_MAX`, :data:`REMARK_MAX`, :data:`RECORDED_MAX`.

Masses
    Kilograms, finite, above zero, and within what a conveyance can carry: :data:`MASS_LIMITS`
    gives each kind its heaviest empty (tare) and weighed (gross) mass; a declared or manifested
    mass is at most the heaviest gross mass of any kind (:data:`MAX_MASS_KG`).

Money
    Every sum the lifecycle computes fits the store's ``NUMERIC(18, 2)`` money columns, whose
    largest value is :data:`MONEY_MAX` (16 digits before the point). What a declaration owes is

        total = sum over items of (duty + VAT) + sum over findings of extra duty

    with, per item, value V in national currency (customs value times exchange rate), duty
    ``V * d`` and VAT ``(V + duty) * v``. The tariff caps the duty rate d at 1000 % and the VAT
    rate v at 100 %, so one item owes at most ``V * (10 + 11 * 1) = 21 V``. A declaration has at
    most :data:`MAX_ITEMS` = 999 items (numbered 1 to 999 without gaps); the lifecycle inspects
    it once (under inspection -> inspected has no way back), and an inspection records at most
    :data:`MAX_FINDINGS` = 99 findings. With ``V <=`` :data:`MAX_ITEM_VALUE` = 10^11 and each
    extra duty ``<=`` :data:`MAX_EXTRA_DUTY` = 10^12:

        total <= 999 * 21 * 10^11 + 99 * 10^12 = 2.0979e15 + 9.9e13 < 2.2e15 < MONEY_MAX ~ 1e16

    leaving a factor of four for rounding and for an imported history with more inspections than
    the lifecycle makes. The item's own columns fit too: the customs value (at most
    :data:`MAX_CUSTOMS_VALUE` = 10^13 in its currency, for currencies worth a fraction of a
    tenge), the exchange rate (at most :data:`MAX_EXCHANGE_RATE`; ``NUMERIC(18, 6)``) and the
    quantity (at most :data:`MAX_QUANTITY`; ``NUMERIC(18, 3)``). A payment is at most what is
    due, so it fits as well. ``tests/services/test_worst_case.py`` runs this worst case from
    lodgement to release.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from dostyk.domain.errors import InvariantViolation, InvariantViolations

# --- instants ----------------------------------------------------------------------------------

#: The earliest instant Dostyk records.
HISTORY_START = datetime(1990, 1, 1, tzinfo=UTC)
#: How far past the clock a recorded instant (an imported one, say) may lie.
RECORD_AHEAD = timedelta(days=1)
#: How far past the clock a live step (``--at``) may be taken.
LIVE_AHEAD = timedelta(minutes=15)
#: How far ahead a plan (a duty roster) may reach.
PLAN_AHEAD = timedelta(days=400)


def clock() -> datetime:
    """Now, in UTC; the one place the rules read the time."""
    return datetime.now(UTC)


def check_instant(field: str, value: datetime, *, ahead: timedelta = RECORD_AHEAD) -> datetime:
    """An aware instant within the history window (``ahead`` past the clock at most)."""
    if not isinstance(value, datetime):
        raise InvariantViolation(field, f"{value!r} is not a date and time")
    if value.tzinfo is None:
        raise InvariantViolation(field, "needs its time zone")
    if value < HISTORY_START:
        raise InvariantViolation(
            field,
            f"{show_instant(value)} is before {show_instant(HISTORY_START)}, where Dostyk's "
            "history starts",
        )
    latest = clock() + ahead
    if value > latest:
        raise InvariantViolation(
            field, f"{show_instant(value)} is in the future (later than {show_instant(latest)})"
        )
    return value


def check_live_instant(field: str, value: datetime) -> datetime:
    """The time of a step taken now: in the history window, at most :data:`LIVE_AHEAD` ahead."""
    return check_instant(field, value, ahead=LIVE_AHEAD)


def show_instant(value: datetime) -> str:
    """An instant as the store writes it, to the second: 2024-03-01T09:00:00Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- identifiers -------------------------------------------------------------------------------

#: The one pattern of every identifier.
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*", re.ASCII)
#: The longest identifier the store keeps.
MAX_ID_LENGTH = 40


#: The pattern with its length, for the lengths the store's key columns have.
_ID_PATTERNS = {
    n: re.compile(f"[A-Za-z0-9][A-Za-z0-9._-]{{0,{n - 1}}}", re.ASCII) for n in (12, 24, 40)
}


def is_identifier(value: object, max_length: int = MAX_ID_LENGTH) -> bool:
    """Whether ``value`` is an identifier of at most ``max_length`` characters."""
    return isinstance(value, str) and len(value) <= max_length and bool(IDENTIFIER.fullmatch(value))


def check_identifier(field: str, value: str, max_length: int = MAX_ID_LENGTH) -> str:
    """An identifier of any kind: ``[A-Za-z0-9][A-Za-z0-9._-]*``, at most ``max_length``."""
    if is_identifier(value, max_length):
        return value
    if not isinstance(value, str):
        raise InvariantViolation(field, f"{value!r} is not an identifier")
    if len(value) > max_length:
        raise InvariantViolation(field, f"is longer than {max_length} characters")
    raise InvariantViolation(
        field,
        f"{value!r} is not an identifier: a letter or digit, then letters, digits, '.', '_' or '-'",
    )


# --- text --------------------------------------------------------------------------------------

#: A person's, company's or place's name.
NAME_MAX = 200
#: A declarant's, carrier's or bank's reference.
REFERENCE_MAX = 64
#: A description of goods (a declaration item, a manifest line).
DESCRIPTION_MAX = 512
#: What an officer writes: a finding, a reason, a remark.
REMARK_MAX = 2000
#: What Dostyk writes down itself: a rejection's every reason, a random draw, a discrepancy.
RECORDED_MAX = 1_000_000

_NEVER = "\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
#: Characters no text may hold; single-line text holds neither tab nor newline.
PROSE_FORBIDDEN = re.compile(f"[{_NEVER}]")
LINE_FORBIDDEN = re.compile(f"[\t\n{_NEVER}]")


def check_text(
    field: str,
    value: str,
    max_length: int,
    *,
    prose: bool = False,
    required: bool = True,
) -> str:
    """Text within ``max_length`` characters and free of the forbidden characters.

    ``prose`` allows tab and newline; ``required`` refuses text that is empty or only spaces.
    """
    if not isinstance(value, str):
        raise InvariantViolation(field, f"must be text, not {value!r}")
    if required and not value.strip():
        raise InvariantViolation(field, "is empty")
    if len(value) > max_length:
        raise InvariantViolation(
            field, f"is {len(value):,} characters long; at most {max_length:,} are kept"
        )
    bad = (PROSE_FORBIDDEN if prose else LINE_FORBIDDEN).search(value)
    if bad is not None:
        char = bad.group()
        kind = "a line break" if char in "\n\u2028\u2029" else "a control character"
        if char == "\t":
            kind = "a tab"
        elif "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
            kind = "a bidirectional override"
        elif "\ud800" <= char <= "\udfff":
            kind = "a lone surrogate"
        raise InvariantViolation(
            field, f"holds {kind} (U+{ord(char):04X}) at character {bad.start() + 1}"
        )
    return value


# --- masses ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MassLimits:
    """The heaviest a conveyance of one kind weighs empty (tare) and loaded (gross)."""

    max_tare_kg: float
    max_gross_kg: float


#: By conveyance kind (the values of :class:`~dostyk.domain.conveyances.ConveyanceKind`). Rail:
#: 1520 mm gauge, eight-axle wagons (tare under 50 t, gross under 190 t), freight trains to some
#: 12,000 t and locomotives of up to four sections; road: a tractor with ballast and an
#: overloaded combination; the heaviest freighter aircraft and bulk carriers.
MASS_LIMITS: dict[str, MassLimits] = {
    "train": MassLimits(max_tare_kg=1_000_000.0, max_gross_kg=20_000_000.0),
    "railcar": MassLimits(max_tare_kg=60_000.0, max_gross_kg=200_000.0),
    "passenger_train": MassLimits(max_tare_kg=2_000_000.0, max_gross_kg=2_000_000.0),
    "truck": MassLimits(max_tare_kg=30_000.0, max_gross_kg=100_000.0),
    "trailer": MassLimits(max_tare_kg=20_000.0, max_gross_kg=80_000.0),
    "vessel": MassLimits(max_tare_kg=100_000_000.0, max_gross_kg=500_000_000.0),
    "aircraft": MassLimits(max_tare_kg=300_000.0, max_gross_kg=650_000.0),
}
#: The heaviest anything Dostyk weighs or is declared can be.
MAX_MASS_KG = max(limits.max_gross_kg for limits in MASS_LIMITS.values())


def check_mass(field: str, value: float, maximum: float = MAX_MASS_KG) -> float:
    """Kilograms: a finite number above zero and at most ``maximum``; never text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvariantViolation(field, f"must be a number of kilograms, not {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise InvariantViolation(field, f"{value!r} is not a positive number")
    if value > maximum:
        raise InvariantViolation(field, f"{value:,.0f} kg is more than the {maximum:,.0f} kg limit")
    return value


def check_conveyance_mass(field: str, value: float, kind: str, *, tare: bool) -> float:
    """A tare or a weighed gross mass within what a conveyance of ``kind`` can weigh."""
    limits = MASS_LIMITS[str(kind)]
    maximum = limits.max_tare_kg if tare else limits.max_gross_kg
    check_mass(field, value)
    if value > maximum:
        what = "empty" if tare else "loaded"
        raise InvariantViolation(
            field, f"{value:,.0f} kg is more than a {kind} weighs {what} ({maximum:,.0f} kg)"
        )
    return value


# --- money and quantities ------------------------------------------------------------------------

#: The largest amount a money column (NUMERIC(18, 2)) holds.
MONEY_MAX = Decimal("9999999999999999.99")
#: Goods items per declaration.
MAX_ITEMS = 999
#: Findings per inspection.
MAX_FINDINGS = 99
#: An item's value in national currency (customs value times exchange rate).
MAX_ITEM_VALUE = Decimal(10) ** 11
#: An item's customs value in its own currency.
MAX_CUSTOMS_VALUE = Decimal(10) ** 13
#: National currency per unit of a foreign one.
MAX_EXCHANGE_RATE = Decimal(10) ** 6
#: An item's quantity in its unit.
MAX_QUANTITY = Decimal(10) ** 12
#: One finding's extra duty.
MAX_EXTRA_DUTY = Decimal(10) ** 12


def check_decimal(
    field: str, value: Decimal, maximum: Decimal, *, positive: bool = False
) -> Decimal:
    """A finite decimal from zero (or above zero, if ``positive``) to ``maximum``."""
    if not isinstance(value, (Decimal, int)) or isinstance(value, bool):
        raise InvariantViolation(field, f"must be a decimal number, not {value!r}")
    number = Decimal(value)
    if not number.is_finite():
        raise InvariantViolation(field, f"{value} is not a finite number")
    if positive and number <= 0:
        raise InvariantViolation(field, "must be positive")
    if number < 0:
        raise InvariantViolation(field, "cannot be negative")
    if number > maximum:
        raise InvariantViolation(field, f"{number:,f} is more than the {maximum:,f} limit")
    return number


# --- collecting every violation ------------------------------------------------------------


class Checks:
    """Collects the violations of one record's rules, so that all are reported together.

    ``check`` runs one rule and keeps its violation; ``failed`` says whether a field already broke
    a rule, so a rule over two fields runs only when both are sound; ``done`` raises them all.
    """

    __slots__ = ("found",)

    def __init__(self) -> None:
        self.found: list[InvariantViolation] = []

    def add(self, field: str, message: str) -> None:
        self.found.append(InvariantViolation(field, message))

    def check(self, rule: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
        """Run ``rule(*args)``; False (and the violation kept) when it raises."""
        try:
            rule(*args, **kwargs)
        except InvariantViolation as violation:
            self.found.extend(violation.violations)
            return False
        return True

    def identifier(self, field: str, value: str, max_length: int = MAX_ID_LENGTH) -> bool:
        """:func:`check_identifier`, at the cost of one match when the value is sound (most
        are, and a bulk import checks millions)."""
        pattern = _ID_PATTERNS.get(max_length)
        if pattern is not None and type(value) is str and pattern.fullmatch(value):
            return True
        return self.check(check_identifier, field, value, max_length)

    # Each of the following is its rule with the sound case decided inline, since a bulk import
    # builds millions of records and nearly all of their values are sound.

    def text(
        self,
        field: str,
        value: str,
        max_length: int,
        *,
        prose: bool = False,
        required: bool = True,
    ) -> bool:
        """:func:`check_text`."""
        if (
            type(value) is str
            and len(value) <= max_length
            and (not required or value.strip())
            and (PROSE_FORBIDDEN if prose else LINE_FORBIDDEN).search(value) is None
        ):
            return True
        return self.check(check_text, field, value, max_length, prose=prose, required=required)

    def instant(self, field: str, value: datetime, ahead: timedelta = RECORD_AHEAD) -> bool:
        """:func:`check_instant`."""
        if (
            type(value) is datetime
            and value.tzinfo is not None
            and HISTORY_START <= value <= clock() + ahead
        ):
            return True
        return self.check(check_instant, field, value, ahead=ahead)

    def mass(self, field: str, value: float, maximum: float = MAX_MASS_KG) -> bool:
        """:func:`check_mass`."""
        if type(value) is float and 0.0 < value <= maximum:
            return True
        return self.check(check_mass, field, value, maximum)

    def decimal(
        self, field: str, value: Decimal, maximum: Decimal, *, positive: bool = False
    ) -> bool:
        """:func:`check_decimal`."""
        if (
            type(value) is Decimal
            and value.is_finite()
            and (value > 0 if positive else value >= 0)
            and value <= maximum
        ):
            return True
        return self.check(check_decimal, field, value, maximum, positive=positive)

    def failed(self, *fields: str) -> bool:
        return any(v.field in fields for v in self.found)

    def done(self) -> None:
        if len(self.found) == 1:
            raise self.found[0]
        if self.found:
            raise InvariantViolations(self.found)
