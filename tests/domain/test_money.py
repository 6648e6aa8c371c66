from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dostyk.domain.money import CENT, from_minor_units, to_amount, to_minor_units


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.675", "2.68"),
        ("2.674", "2.67"),
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("-2.675", "-2.68"),  # half up is half away from zero, as in accounting
        ("10", "10.00"),
        (7, "7.00"),
        (Decimal("1234.5"), "1234.50"),
    ],
)
def test_to_amount_rounds_half_up_to_cents(value: Decimal | int | str, expected: str) -> None:
    amount = to_amount(value)
    assert amount == Decimal(expected)
    assert amount.as_tuple().exponent == -2


def test_to_amount_never_uses_binary_floats() -> None:
    # 1.005 is 1.00499999... as a float; as a decimal string it rounds up.
    assert to_amount("1.005") == Decimal("1.01")


def test_minor_units_examples() -> None:
    assert to_minor_units(Decimal("168.00")) == 16800
    assert to_minor_units(Decimal("0.015")) == 2
    assert from_minor_units(16800) == Decimal("168.00")
    assert from_minor_units(-5) == Decimal("-0.05")


# Store columns are 64-bit integers of tiyn.
minor_units = st.integers(min_value=-(2**63), max_value=2**63 - 1)


@settings(database=None)
@given(minor_units)
def test_minor_units_round_trip_from_integers(minor: int) -> None:
    amount = from_minor_units(minor)
    assert amount.as_tuple().exponent == -2
    assert to_minor_units(amount) == minor


@settings(database=None)
@given(st.decimals(min_value=-(10**15), max_value=10**15, places=2))
def test_minor_units_round_trip_from_amounts(amount: Decimal) -> None:
    assert from_minor_units(to_minor_units(amount)) == amount


@settings(database=None)
@given(st.decimals(min_value=-(10**15), max_value=10**15, places=6))
def test_to_amount_is_within_half_a_cent_and_idempotent(value: Decimal) -> None:
    amount = to_amount(value)
    assert abs(amount - value) <= CENT / 2
    assert to_amount(amount) == amount
