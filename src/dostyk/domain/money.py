"""Money: exact decimal amounts with two fractional digits.

Customs values, duties and payments are kept exactly, never as binary floats, so that the sum of
the duties on a declaration's items equals what the broker is asked to pay to the last tiyn.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_amount(value: Decimal | int | str) -> Decimal:
    """Round to two fractional digits, half up, as customs duty calculations do."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_minor_units(amount: Decimal) -> int:
    """The amount in hundredths, as the store keeps it."""
    return int(to_amount(amount) * 100)


def from_minor_units(minor: int) -> Decimal:
    return (Decimal(minor) / 100).quantize(CENT)
