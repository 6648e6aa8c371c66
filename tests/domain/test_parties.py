from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dostyk.domain.parties import Party, PartyRole, format_roles, parse_roles

from .helpers import violates

IMPORTER = Party(
    party_id="kz-000123",
    name="Dostyk Trade LLP",
    tax_id="123456789012",
    country="KZ",
    roles=frozenset({PartyRole.IMPORTER}),
)


def test_a_valid_kazakh_party_is_accepted() -> None:
    assert IMPORTER.has_role(PartyRole.IMPORTER)
    assert not IMPORTER.has_role(PartyRole.CARRIER)


def test_a_foreign_party_keeps_its_own_tax_number() -> None:
    party = replace(IMPORTER, party_id="cn.42", country="CN", tax_id="91650000MA77X1234Q")
    assert party.tax_id == "91650000MA77X1234Q"


@pytest.mark.parametrize("tax_id", ["12345678901", "1234567890123", "12345678901A", "BIN123456789"])
def test_kazakh_tax_id_must_be_12_digits(tax_id: str) -> None:
    with violates("tax_id"):
        replace(IMPORTER, tax_id=tax_id)


@pytest.mark.parametrize("tax_id", ["١٢٣٤٥٦٧٨٩٠١٢", "123456789012\n"])
def test_kazakh_tax_id_must_be_12_ascii_digits_and_nothing_else(tax_id: str) -> None:
    with violates("tax_id"):
        replace(IMPORTER, tax_id=tax_id)


def test_blank_tax_id_is_refused_for_any_country() -> None:
    with violates("tax_id"):
        replace(IMPORTER, country="CN", tax_id="   ")


@pytest.mark.parametrize("party_id", ["", "-abc", "a b", "a" * 41, "ä1"])
def test_bad_party_id_is_refused(party_id: str) -> None:
    with violates("party_id"):
        replace(IMPORTER, party_id=party_id)


def test_blank_name_is_refused() -> None:
    with violates("name"):
        replace(IMPORTER, name="")


def test_country_must_be_iso() -> None:
    with violates("country"):
        replace(IMPORTER, country="KAZ")


def test_a_party_without_roles_is_refused() -> None:
    with violates("roles"):
        replace(IMPORTER, roles=frozenset())


def test_parse_roles_reads_pipe_separated_names() -> None:
    assert parse_roles("importer|declarant") == {PartyRole.IMPORTER, PartyRole.DECLARANT}
    assert parse_roles("carrier") == {PartyRole.CARRIER}


@pytest.mark.parametrize("text", ["", "|", "||"])
def test_parse_roles_refuses_no_roles(text: str) -> None:
    with violates("roles"):
        parse_roles(text)


@pytest.mark.parametrize("text", ["importer|smuggler", "Importer", "importer, declarant"])
def test_parse_roles_refuses_unknown_names(text: str) -> None:
    with violates("roles"):
        parse_roles(text)


def test_format_roles_writes_roles_in_a_canonical_order() -> None:
    roles = frozenset({PartyRole.CARRIER, PartyRole.IMPORTER})
    assert format_roles(roles) == "importer|carrier"


role_sets = st.frozensets(st.sampled_from(PartyRole), min_size=1)


@settings(database=None)
@given(role_sets)
def test_roles_round_trip_through_their_text_form(roles: frozenset[PartyRole]) -> None:
    assert parse_roles(format_roles(roles)) == roles


@settings(database=None)
@given(st.lists(st.sampled_from(PartyRole), min_size=1))
def test_formatting_parsed_roles_is_canonical(order: list[PartyRole]) -> None:
    text = "|".join(role.value for role in order)
    canonical = format_roles(parse_roles(text))
    assert canonical == format_roles(frozenset(order))
    assert format_roles(parse_roles(canonical)) == canonical
