from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dostyk.domain.nomenclature import HsEntry, Nomenclature

from .helpers import violates

COMTRADE_TOTAL = "TOTAL"


def small_nomenclature() -> Nomenclature:
    return Nomenclature.from_entries(
        "2022",
        [
            HsEntry("85", "Electrical machinery and equipment", "TOTAL", "XVI"),
            HsEntry("8517", "Telephone sets", "85", "XVI"),
            HsEntry("851713", "Smartphones", "8517", "XVI"),
            HsEntry("851762", "Machines for the reception of data", "8517", "XVI"),
            HsEntry("27", "Mineral fuels", "TOTAL", "V"),
            HsEntry("2709", "Petroleum oils, crude", "27", "V"),
        ],
    )


def shared_data_dir() -> Path:
    override = os.environ.get("DOSTYK_SHARED_DATA")
    if override:
        return Path(override)
    return Path(__file__).parents[2] / ".." / "shared" / "data"


@pytest.fixture(scope="module")
def hs2022() -> Nomenclature:
    path = shared_data_dir() / "hs" / "harmonized-system.csv"
    if not path.is_file():
        pytest.skip(f"HS 2022 nomenclature not found at {path}; set DOSTYK_SHARED_DATA")
    with path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    # The file comes from UN Comtrade, which adds a pseudo-chapter 99 ("Commodities not
    # specified according to kind": 99, 9999, 999999) in section TOTAL. It is not part of the
    # WCO nomenclature, so it is dropped along with codes of other lengths.
    entries = [
        HsEntry(row["hscode"], row["description"], row["parent"], row["section"])
        for row in rows
        if row["section"] != COMTRADE_TOTAL
        and row["hscode"].isdigit()
        and len(row["hscode"]) in (2, 4, 6)
    ]
    return Nomenclature.from_entries("2022", entries)


def test_entry_level_is_its_code_length() -> None:
    assert HsEntry("85", "", "TOTAL", "XVI").level == 2
    assert HsEntry("8517", "", "85", "XVI").level == 4
    assert HsEntry("851713", "", "8517", "XVI").level == 6


def test_only_six_digit_entries_are_subheadings() -> None:
    nomenclature = small_nomenclature()
    assert nomenclature.is_subheading("851713")
    assert not nomenclature.is_subheading("8517")
    assert not nomenclature.is_subheading("85")
    assert not nomenclature.is_subheading("851799")


def test_listings_of_headings_and_subheadings_are_sorted() -> None:
    nomenclature = small_nomenclature()
    assert nomenclature.subheadings() == ["851713", "851762"]
    assert nomenclature.headings() == ["2709", "8517"]


def test_describe_uses_the_longest_known_prefix() -> None:
    nomenclature = small_nomenclature()
    assert nomenclature.describe("8517130000") == "Smartphones"
    assert nomenclature.describe("8517990000") == "Telephone sets"
    assert nomenclature.describe("8501000000") == "Electrical machinery and equipment"
    with pytest.raises(KeyError):
        nomenclature.describe("9999990000")


def test_ten_digit_code_under_a_known_subheading_is_accepted() -> None:
    assert small_nomenclature().check_commodity_code("commodity_code", "8517130000") == (
        "8517130000"
    )


@pytest.mark.parametrize(
    "code",
    ["851713000", "85171300000", "851713", "85171300AB", "8517 13000", "", "８５１７１３００００"],
)
def test_code_that_is_not_ten_ascii_digits_is_refused(code: str) -> None:
    with violates("commodity_code"):
        small_nomenclature().check_commodity_code("commodity_code", code)


@pytest.mark.parametrize(
    "code",
    [
        "8517990000",  # heading known, subheading not
        "8500000000",  # chapter only
        "2709000000",  # heading, not a subheading
        "9999990000",  # nothing at all
    ],
)
def test_ten_digit_code_outside_the_nomenclature_is_refused(code: str) -> None:
    with violates("commodity_code"):
        small_nomenclature().check_commodity_code("commodity_code", code)


def test_the_offending_field_is_the_one_the_caller_names() -> None:
    with violates("items[3].commodity_code"):
        small_nomenclature().check_commodity_code("items[3].commodity_code", "9999990000")


def test_code_with_a_trailing_newline_is_refused() -> None:
    with violates("commodity_code"):
        small_nomenclature().check_commodity_code("commodity_code", "8517130000\n")


@settings(database=None)
@given(st.sampled_from(["851713", "851762"]), st.text("0123456789", min_size=4, max_size=4))
def test_any_national_extension_of_a_subheading_is_accepted(subheading: str, tail: str) -> None:
    code = subheading + tail
    assert small_nomenclature().check_commodity_code("commodity_code", code) == code


def test_real_hs2022_file_loads_chapters_headings_and_subheadings(hs2022: Nomenclature) -> None:
    assert hs2022.entries["85"].level == 2
    assert hs2022.entries["8517"].parent == "85"
    assert hs2022.entries["851713"].section == "XVI"
    assert len(hs2022.subheadings()) > 5000
    assert len(hs2022.headings()) > 1000


def test_real_hs2022_accepts_a_smartphone_code(hs2022: Nomenclature) -> None:
    assert hs2022.check_commodity_code("commodity_code", "8517130000") == "8517130000"


def test_real_hs2022_refuses_a_code_of_no_subheading(hs2022: Nomenclature) -> None:
    with violates("commodity_code"):
        hs2022.check_commodity_code("commodity_code", "9999990000")


def test_real_hs2022_has_no_comtrade_pseudo_codes(hs2022: Nomenclature) -> None:
    assert not {"99", "9999", "999999"} & hs2022.entries.keys()
    assert all(entry.section != COMTRADE_TOTAL for entry in hs2022.entries.values())
