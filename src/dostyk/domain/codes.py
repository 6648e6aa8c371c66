"""Standard code lists: ISO 3166 countries, ISO 4217 currencies, UN/ECE units of measure.

Country and currency lists come from pycountry, which ships the ISO tables; they are read once
and kept as frozen sets because validation runs once per row on bulk imports.
"""

from __future__ import annotations

from functools import cache

import pycountry

from dostyk.domain.errors import InvariantViolation


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes."""
    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 alphabetic codes."""
    return frozenset(c.alpha_3 for c in pycountry.currencies)


#: Units of measure from UN/ECE Recommendation 20 that customs declarations use for quantities.
UNITS_OF_MEASURE: dict[str, str] = {
    "KGM": "kilogram",
    "TNE": "tonne",
    "GRM": "gram",
    "H87": "piece",
    "NAR": "number of articles",
    "PR": "pair",
    "LTR": "litre",
    "MTQ": "cubic metre",
    "MTK": "square metre",
    "MTR": "metre",
    "KWH": "kilowatt hour",
    "CT": "carton",
    "LPA": "litre of pure alcohol",
    "CEN": "hundred",
    "MIL": "thousand",
}


def check_country(field: str, code: str) -> str:
    if code not in country_codes():
        raise InvariantViolation(field, f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def check_currency(field: str, code: str) -> str:
    if code not in currency_codes():
        raise InvariantViolation(field, f"{code!r} is not an ISO 4217 currency code")
    return code


def check_unit(field: str, code: str) -> str:
    if code not in UNITS_OF_MEASURE:
        known = ", ".join(sorted(UNITS_OF_MEASURE))
        raise InvariantViolation(field, f"{code!r} is not a known unit of measure ({known})")
    return code
