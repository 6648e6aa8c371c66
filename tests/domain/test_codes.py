from __future__ import annotations

import pytest

from dostyk.domain.codes import (
    UNITS_OF_MEASURE,
    check_country,
    check_currency,
    check_unit,
    country_codes,
    currency_codes,
)

from .helpers import violates


@pytest.mark.parametrize("code", ["KZ", "CN", "RU", "DE", "US"])
def test_iso_country_codes_are_accepted(code: str) -> None:
    assert check_country("origin", code) == code


@pytest.mark.parametrize("code", ["XX", "kz", "KAZ", "", " KZ", "SU"])
def test_non_iso_country_codes_are_refused_on_the_named_field(code: str) -> None:
    with violates("origin"):
        check_country("origin", code)


@pytest.mark.parametrize("code", ["KZT", "CNY", "USD", "EUR", "RUB"])
def test_iso_currency_codes_are_accepted(code: str) -> None:
    assert check_currency("currency", code) == code


@pytest.mark.parametrize("code", ["XYZ", "usd", "US", "KZTT", ""])
def test_non_iso_currency_codes_are_refused_on_the_named_field(code: str) -> None:
    with violates("currency"):
        check_currency("currency", code)


@pytest.mark.parametrize("code", sorted(UNITS_OF_MEASURE))
def test_known_units_of_measure_are_accepted(code: str) -> None:
    assert check_unit("unit", code) == code


@pytest.mark.parametrize("code", ["kg", "KG", "PCS", "", "kgm"])
def test_unknown_units_of_measure_are_refused_on_the_named_field(code: str) -> None:
    with violates("unit"):
        check_unit("unit", code)


def test_code_lists_are_frozen_and_cached() -> None:
    assert isinstance(country_codes(), frozenset)
    assert country_codes() is country_codes()
    assert isinstance(currency_codes(), frozenset)
    assert all(len(c) == 2 for c in country_codes())
    assert all(len(c) == 3 for c in currency_codes())
