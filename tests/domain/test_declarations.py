from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dostyk.domain.conveyances import Crossing, Direction
from dostyk.domain.declarations import (
    Channel,
    Declaration,
    DeclarationItem,
    DeclarationKind,
    DeclarationUnit,
    check_units,
)
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.nomenclature import HsEntry, Nomenclature

from .helpers import NAIVE, T0, violates

IMPORT = Declaration(
    declaration_id="D-1",
    kind=DeclarationKind.IMPORT,
    post_code="DOSTYK",
    declarant_id="broker-7",
    reference="10204010/010325/0000123",
    lodged_at=T0,
    importer_id="kz-000123",
)
EXPORT = replace(
    IMPORT,
    declaration_id="D-2",
    kind=DeclarationKind.EXPORT,
    importer_id=None,
    exporter_id="kz-000456",
)
ITEM = DeclarationItem(
    declaration_id="D-1",
    item_no=1,
    commodity_code="8517130000",
    description="Smartphones",
    origin="CN",
    quantity=Decimal(1200),
    unit="H87",
    gross_mass_kg=1_800.0,
    net_mass_kg=1_500.0,
    customs_value=Decimal("240000.00"),
    currency="USD",
    exchange_rate=Decimal("470.25"),
)


# --- declarations -------------------------------------------------------------------------


def test_kinds_map_to_the_direction_their_units_crossed() -> None:
    assert DeclarationKind.IMPORT.unit_direction is Direction.IN
    assert DeclarationKind.TRANSIT.unit_direction is Direction.IN
    assert DeclarationKind.EXPORT.unit_direction is Direction.OUT


def test_channels_are_ordered_by_severity() -> None:
    assert Channel.GREEN.severity < Channel.YELLOW.severity < Channel.RED.severity


def test_valid_import_export_and_transit_declarations_are_accepted() -> None:
    assert IMPORT.importer_id == "kz-000123"
    assert EXPORT.exporter_id == "kz-000456"
    transit = replace(IMPORT, kind=DeclarationKind.TRANSIT, importer_id=None)
    assert transit.importer_id is None


@pytest.mark.parametrize("reference", ["", " leading-space", "x" * 65, "\nD-1"])
def test_bad_reference_is_refused(reference: str) -> None:
    with violates("reference"):
        replace(IMPORT, reference=reference)


def test_a_reference_of_64_characters_is_accepted() -> None:
    assert len(replace(IMPORT, reference="R" * 64).reference) == 64


def test_a_naive_lodgement_time_is_refused() -> None:
    with violates("lodged_at"):
        replace(IMPORT, lodged_at=NAIVE)


def test_an_import_declaration_names_its_importer() -> None:
    with violates("importer_id"):
        replace(IMPORT, importer_id=None)


def test_an_export_declaration_names_its_exporter() -> None:
    with violates("exporter_id"):
        replace(EXPORT, exporter_id=None)


# --- items --------------------------------------------------------------------------------


def test_a_valid_item_is_accepted() -> None:
    assert ITEM.hs6 == "851713"


def test_value_in_national_currency_is_rounded_to_cents() -> None:
    assert ITEM.value_national == Decimal("112860000.00")
    item = replace(ITEM, customs_value=Decimal("10.01"), exchange_rate=Decimal("470.255"))
    assert item.value_national == Decimal("4707.25")  # 4707.25255 -> 4707.25


def test_items_are_numbered_from_one() -> None:
    with violates("item_no"):
        replace(ITEM, item_no=0)


def test_an_item_needs_a_description() -> None:
    with violates("description"):
        replace(ITEM, description="\t")


@pytest.mark.parametrize("origin", ["CHN", "XX", "cn"])
def test_origin_must_be_an_iso_country(origin: str) -> None:
    with violates("origin"):
        replace(ITEM, origin=origin)


@pytest.mark.parametrize("unit", ["PCS", "kg", ""])
def test_unit_must_be_a_known_unit_of_measure(unit: str) -> None:
    with violates("unit"):
        replace(ITEM, unit=unit)


@pytest.mark.parametrize("currency", ["US$", "usd", "DOL"])
def test_currency_must_be_iso_4217(currency: str) -> None:
    with violates("currency"):
        replace(ITEM, currency=currency)


@pytest.mark.parametrize("quantity", [Decimal(0), Decimal("-1"), Decimal("-0.001")])
def test_quantity_must_be_positive(quantity: Decimal) -> None:
    with violates("quantity"):
        replace(ITEM, quantity=quantity)


def test_a_fractional_quantity_is_accepted() -> None:
    assert replace(ITEM, unit="KGM", quantity=Decimal("0.001")).quantity == Decimal("0.001")


@pytest.mark.parametrize("net", [0.0, -1.0])
def test_net_mass_must_be_positive(net: float) -> None:
    with violates("net_mass_kg"):
        replace(ITEM, net_mass_kg=net)


def test_net_mass_equal_to_gross_mass_is_accepted() -> None:
    item = replace(ITEM, gross_mass_kg=1_500.0, net_mass_kg=1_500.0)
    assert item.net_mass_kg == item.gross_mass_kg


def test_net_mass_above_gross_mass_is_refused() -> None:
    with violates("net_mass_kg"):
        replace(ITEM, gross_mass_kg=1_500.0, net_mass_kg=1_500.5)


masses = st.floats(min_value=0.001, max_value=1e7, allow_nan=False)


@settings(database=None)
@given(masses, masses)
def test_an_item_is_accepted_exactly_when_net_mass_is_at_most_gross(
    net: float, gross: float
) -> None:
    if net <= gross:
        assert replace(ITEM, net_mass_kg=net, gross_mass_kg=gross).net_mass_kg == net
    else:
        with violates("net_mass_kg"):
            replace(ITEM, net_mass_kg=net, gross_mass_kg=gross)


def test_a_zero_customs_value_is_accepted() -> None:
    assert replace(ITEM, customs_value=Decimal("0.00")).value_national == Decimal("0.00")


def test_a_negative_customs_value_is_refused() -> None:
    with violates("customs_value"):
        replace(ITEM, customs_value=Decimal("-0.01"))


@pytest.mark.parametrize("rate", [Decimal(0), Decimal(-1)])
def test_exchange_rate_must_be_positive(rate: Decimal) -> None:
    with violates("exchange_rate"):
        replace(ITEM, exchange_rate=rate)


def test_a_nan_net_mass_is_refused() -> None:
    with pytest.raises(InvariantViolation):
        replace(ITEM, net_mass_kg=float("nan"))


NOMENCLATURE = Nomenclature.from_entries(
    "2022",
    [
        HsEntry("85", "Electrical machinery", "TOTAL", "XVI"),
        HsEntry("8517", "Telephone sets", "85", "XVI"),
        HsEntry("851713", "Smartphones", "8517", "XVI"),
    ],
)


def test_an_item_whose_code_is_in_the_nomenclature_is_accepted() -> None:
    ITEM.check_against(NOMENCLATURE)


@pytest.mark.parametrize("code", ["8517990000", "851713000", "9999990000"])
def test_an_item_whose_code_is_not_in_the_nomenclature_is_refused(code: str) -> None:
    with violates("commodity_code"):
        replace(ITEM, commodity_code=code).check_against(NOMENCLATURE)


# --- units --------------------------------------------------------------------------------


def crossing(
    crossing_id: str, post: str = "DOSTYK", direction: Direction = Direction.IN
) -> Crossing:
    return Crossing(
        crossing_id=crossing_id,
        post_code=post,
        conveyance_id=f"RC-{crossing_id}",
        direction=direction,
        crossed_at=T0 - timedelta(hours=2),
        laden=True,
    )


CROSSINGS = {
    c.crossing_id: c
    for c in [
        crossing("IN-1"),
        crossing("IN-2"),
        crossing("OUT-1", direction=Direction.OUT),
        crossing("ELSEWHERE", post="ALTYNKOL"),
    ]
}


def units(declaration: Declaration, *crossing_ids: str) -> list[DeclarationUnit]:
    return [DeclarationUnit(declaration.declaration_id, c) for c in crossing_ids]


def test_import_units_that_crossed_in_at_its_post_are_accepted() -> None:
    check_units(IMPORT, units(IMPORT, "IN-1", "IN-2"), CROSSINGS)


def test_transit_units_that_crossed_in_are_accepted() -> None:
    transit = replace(IMPORT, kind=DeclarationKind.TRANSIT)
    check_units(transit, units(transit, "IN-1"), CROSSINGS)


def test_export_units_that_crossed_out_at_its_post_are_accepted() -> None:
    check_units(EXPORT, units(EXPORT, "OUT-1"), CROSSINGS)


def test_a_declaration_without_units_passes_the_unit_check() -> None:
    check_units(IMPORT, [], CROSSINGS)


def test_an_import_covering_a_unit_that_left_the_country_is_refused() -> None:
    with violates("crossing_id"):
        check_units(IMPORT, units(IMPORT, "IN-1", "OUT-1"), CROSSINGS)


def test_an_export_covering_a_unit_that_came_in_is_refused() -> None:
    with violates("crossing_id"):
        check_units(EXPORT, units(EXPORT, "IN-1"), CROSSINGS)


def test_a_unit_that_crossed_at_another_post_is_refused() -> None:
    with violates("crossing_id"):
        check_units(IMPORT, units(IMPORT, "ELSEWHERE"), CROSSINGS)


def test_an_unknown_crossing_is_refused() -> None:
    with violates("crossing_id"):
        check_units(IMPORT, units(IMPORT, "NO-SUCH-CROSSING"), CROSSINGS)
