from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dostyk.domain.money import to_amount
from dostyk.domain.tariff import DutyLine, Tariff, TariffRate

from .helpers import violates

VAT_CHANGE = date(2026, 1, 1)
TARIFF = Tariff.of(
    [
        TariffRate("85", date(2020, 1, 1), Decimal(5), Decimal(12)),
        TariffRate("85", VAT_CHANGE, Decimal(5), Decimal(16), note="VAT raised to 16 %"),
        TariffRate("8517", date(2020, 1, 1), Decimal(0), Decimal(12)),
        TariffRate("8517", VAT_CHANGE, Decimal(0), Decimal(16)),
        TariffRate("8517130000", date(2024, 7, 1), Decimal("2.5"), Decimal(12)),
        TariffRate("8517130000", VAT_CHANGE, Decimal("2.5"), Decimal(16)),
        TariffRate("87", date(2020, 1, 1), Decimal(15), Decimal(12)),
        TariffRate("8703", date(2027, 1, 1), Decimal(10), Decimal(16)),  # not yet in force
    ]
)
ON = date(2025, 6, 1)


def test_a_valid_rate_is_accepted() -> None:
    assert TariffRate("8517", ON, Decimal(0), Decimal(0)).code_prefix == "8517"
    assert TariffRate("8517", ON, Decimal(1000), Decimal(100)).duty_rate == 1000


@pytest.mark.parametrize("prefix", ["8", "85171300001", "85A7", ""])
def test_a_prefix_must_be_2_to_10_digits(prefix: str) -> None:
    with violates("code_prefix"):
        TariffRate(prefix, ON, Decimal(5), Decimal(12))


@pytest.mark.parametrize("duty", [Decimal("-0.01"), Decimal("1000.01")])
def test_a_duty_rate_outside_0_to_1000_percent_is_refused(duty: Decimal) -> None:
    with violates("duty_rate"):
        TariffRate("85", ON, duty, Decimal(12))


@pytest.mark.parametrize("vat", [Decimal("-1"), Decimal("100.01")])
def test_a_vat_rate_outside_0_to_100_percent_is_refused(vat: Decimal) -> None:
    with violates("vat_rate"):
        TariffRate("85", ON, Decimal(5), vat)


def test_len_counts_every_version() -> None:
    assert len(TARIFF) == 8
    assert len(Tariff()) == 0


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("8517130000", "8517130000"),  # the national subheading's own rate
        ("8517130001", "8517"),  # a sibling falls back on the heading
        ("8517620000", "8517"),
        ("8501100000", "85"),  # the chapter
    ],
)
def test_the_longest_matching_prefix_wins(code: str, prefix: str) -> None:
    assert TARIFF.rate_for(code, ON).code_prefix == prefix


def test_the_latest_version_not_after_the_date_wins() -> None:
    assert TARIFF.rate_for("8501100000", date(2025, 12, 31)).vat_rate == 12
    assert TARIFF.rate_for("8501100000", VAT_CHANGE).vat_rate == 16  # in force from its day
    assert TARIFF.rate_for("8501100000", date(2030, 1, 1)).vat_rate == 16


def test_a_longer_prefix_not_yet_in_force_falls_back_on_a_shorter_one() -> None:
    rate = TARIFF.rate_for("8517130000", date(2024, 6, 30))
    assert (rate.code_prefix, rate.duty_rate) == ("8517", Decimal(0))
    assert TARIFF.rate_for("8703210000", ON).code_prefix == "87"
    assert TARIFF.rate_for("8703210000", date(2027, 1, 1)).code_prefix == "8703"


def test_versions_given_out_of_order_are_sorted_by_date() -> None:
    tariff = Tariff.of(
        [
            TariffRate("85", VAT_CHANGE, Decimal(5), Decimal(16)),
            TariffRate("85", date(2020, 1, 1), Decimal(5), Decimal(12)),
        ]
    )
    assert tariff.rate_for("8501100000", ON).vat_rate == 12
    assert tariff.rate_for("8501100000", VAT_CHANGE).vat_rate == 16


def test_no_rate_for_the_code_is_a_violation_on_the_commodity_code() -> None:
    with violates("commodity_code"):
        TARIFF.rate_for("0101210000", ON)


def test_no_rate_in_force_yet_is_a_violation_on_the_commodity_code() -> None:
    with violates("commodity_code"):
        TARIFF.rate_for("8501100000", date(2019, 12, 31))


def test_duty_on_value_and_vat_on_value_plus_duty() -> None:
    line = TARIFF.duty_line("D-1", 1, "8501100000", Decimal("1000.00"), VAT_CHANGE)
    assert line == DutyLine(
        "D-1", 1, Decimal("1000.00"), Decimal(5), Decimal("50.00"), Decimal(16), Decimal("168.00")
    )
    assert line.total == Decimal("218.00")


def test_the_vat_change_on_2026_01_01_is_picked_by_date() -> None:
    before = TARIFF.duty_line("D-1", 1, "8501100000", Decimal("1000.00"), date(2025, 12, 31))
    after = TARIFF.duty_line("D-1", 1, "8501100000", Decimal("1000.00"), date(2026, 1, 1))
    assert (before.vat_rate, before.vat) == (Decimal(12), Decimal("126.00"))
    assert (after.vat_rate, after.vat) == (Decimal(16), Decimal("168.00"))


def test_duty_and_vat_round_half_up_to_cents() -> None:
    # 10.10 x 5 % = 0.505 -> 0.51; (10.10 + 0.51) x 12 % = 1.2732 -> 1.27
    line = TARIFF.duty_line("D-1", 1, "8501100000", Decimal("10.10"), ON)
    assert (line.duty, line.vat) == (Decimal("0.51"), Decimal("1.27"))
    # the customs value itself is rounded to cents first: 0.125 -> 0.13
    assert TARIFF.duty_line("D-1", 1, "8517620000", Decimal("0.125"), ON).customs_value == (
        Decimal("0.13")
    )


def test_a_zero_duty_rate_still_carries_vat() -> None:
    line = TARIFF.duty_line("D-1", 2, "8517620000", Decimal("500.00"), ON)
    assert (line.duty, line.vat, line.total) == (
        Decimal("0.00"),
        Decimal("60.00"),
        Decimal("60.00"),
    )


def test_duty_line_without_a_rate_is_a_violation() -> None:
    with violates("commodity_code"):
        TARIFF.duty_line("D-1", 1, "0101210000", Decimal("1000.00"), ON)


@settings(database=None)
@given(
    st.decimals(min_value=0, max_value=10**12, places=2),
    st.decimals(min_value=0, max_value=1000, places=2),
    st.decimals(min_value=0, max_value=100, places=2),
)
def test_duty_and_vat_are_exact_cents_of_the_rates(
    value: Decimal, duty_rate: Decimal, vat_rate: Decimal
) -> None:
    tariff = Tariff.of([TariffRate("85", ON, duty_rate, vat_rate)])
    line = tariff.duty_line("D-1", 1, "8517130000", value, ON)
    assert line.duty == to_amount(value * duty_rate / 100)
    assert line.vat == to_amount((value + line.duty) * vat_rate / 100)
    assert line.total == line.duty + line.vat
    for amount in (line.customs_value, line.duty, line.vat):
        assert amount.as_tuple().exponent == -2
