"""One rule set for every value: instants, identifiers, text, masses and amounts, each refused
by the record's constructor whatever the entrance, with every broken rule reported at once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from dostyk.domain import bounds
from dostyk.domain.conveyances import Conveyance, ConveyanceKind, Crossing, Direction
from dostyk.domain.declarations import Declaration, DeclarationItem, DeclarationKind
from dostyk.domain.errors import InvariantViolation, InvariantViolations
from dostyk.domain.inspections import Finding, FindingKind
from dostyk.domain.parties import Party, PartyRole
from dostyk.domain.payments import Payment
from tests.domain.helpers import T0, violates

ITEM = DeclarationItem(
    "D-1", 1, "9503000000", "Toys", "CN", Decimal(38_000), "KGM", 40_000.0, 38_000.0,
    Decimal("20000.00"), "USD", Decimal(500),
)  # fmt: skip
DECLARATION = Declaration(
    "D-1", DeclarationKind.IMPORT, "DST", "BRK1", "REF-1", T0, importer_id="IMP1"
)
CROSSING = Crossing("X-1", "DST", "RC1", Direction.IN, T0, True, 63_500.0, "X-TR1")
RAILCAR = Conveyance("RC1", ConveyanceKind.RAILCAR, "50000001", "KZ", None, 23_500.0)


def fields_of(error: InvariantViolation) -> list[tuple[str, str]]:
    return [(v.field, v.message) for v in error.violations]


# --- every broken rule -------------------------------------------------------------------------


def test_every_broken_rule_of_a_record_is_reported_not_the_first() -> None:
    with pytest.raises(InvariantViolations) as raised:
        replace(ITEM, origin="XX", currency="ZZZ", unit="FOO")
    assert [field for field, _ in fields_of(raised.value)] == ["origin", "unit", "currency"]
    # Still an InvariantViolation to a caller that knows only the single form, and its text
    # names all three.
    assert isinstance(raised.value, InvariantViolation)
    assert raised.value.field == "origin"
    assert "'ZZZ' is not an ISO 4217" in str(raised.value) and "'FOO'" in str(raised.value)


def test_a_lone_violation_lists_itself() -> None:
    with pytest.raises(InvariantViolation) as raised:
        replace(ITEM, origin="XX")
    assert fields_of(raised.value) == [("origin", "'XX' is not an ISO 3166-1 alpha-2 country code")]


# --- identifiers -------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["D\n1", "D\t1", "D\u00a01", "D 1", "-D1", "", "D[/x]", "x" * 41])
def test_a_declaration_id_follows_the_one_identifier_pattern(bad: str) -> None:
    with violates("declaration_id"):
        replace(DECLARATION, declaration_id=bad)


@pytest.mark.parametrize("bad", ["A\n1", "A\u00a01", "Ä1"])
def test_every_kind_of_id_follows_the_same_pattern(bad: str) -> None:
    with violates("conveyance_id"):
        replace(RAILCAR, conveyance_id=bad)
    with violates("crossing_id"):
        replace(CROSSING, crossing_id=bad)
    with violates("party_id"):
        Party(bad, "Broker", "662585919944", "KZ", frozenset({PartyRole.DECLARANT}))
    with violates("payment_id"):
        Payment(bad, "D-1", Decimal("1.00"), T0, "KZ-TRS-1")
    with violates("declarant_id"):
        replace(DECLARATION, declarant_id=bad)


def test_the_pattern_accepts_what_the_store_holds() -> None:
    for good in ("D-1", "X-DST-000001-01", "RC.1_a", "A" * 40):
        assert bounds.check_identifier("id", good) == good


# --- text --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("Toys\x00", "a control character (U+0000)"),
        ("Toys\x1b[31m", "a control character (U+001B)"),
        ("Toys\x07", "a control character (U+0007)"),
        ("Toys\r\n", "a control character (U+000D)"),
        ("syoT\u202e", "a bidirectional override (U+202E)"),
        ("Toys\ud800", "a lone surrogate (U+D800)"),
    ],
)
def test_descriptions_hold_no_control_characters(text: str, what: str) -> None:
    with pytest.raises(InvariantViolation) as raised:
        replace(ITEM, description=text)
    assert raised.value.field == "description"
    assert what in raised.value.message


def test_a_description_may_hold_newlines_and_tabs_but_a_reference_may_not() -> None:
    assert replace(ITEM, description="Toys\n\tplush, 400 cartons").description.startswith("Toys")
    for bad in ("REF\n1", "REF\t1", "REF\x00"):
        with violates("reference"):
            replace(DECLARATION, reference=bad)
    with violates("reference"):
        Payment("P-1", "D-1", Decimal("1.00"), T0, "KZ\nTRS")


def test_text_has_a_maximum_length() -> None:
    assert replace(ITEM, description="x" * bounds.DESCRIPTION_MAX).description
    with pytest.raises(InvariantViolation, match="is 5,000,000 characters long; at most 512"):
        replace(ITEM, description="x" * 5_000_000)
    with violates("description"):
        Finding("I-1", 1, FindingKind.MASS_DISCREPANCY, "x" * (bounds.REMARK_MAX + 1))


# --- instants ----------------------------------------------------------------------------------


def test_instants_lie_in_the_history_window() -> None:
    with violates("crossed_at"):
        replace(CROSSING, crossed_at=datetime(1900, 1, 1, tzinfo=UTC))
    with violates("lodged_at"):
        replace(DECLARATION, lodged_at=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC))
    tomorrow = bounds.clock() + timedelta(hours=23)
    assert replace(CROSSING, crossed_at=tomorrow).crossed_at == tomorrow
    with pytest.raises(InvariantViolation, match="is in the future"):
        replace(CROSSING, crossed_at=bounds.clock() + timedelta(days=2))


def test_a_live_step_is_held_closer_to_the_clock() -> None:
    soon = bounds.clock() + timedelta(minutes=5)
    assert bounds.check_live_instant("at", soon) == soon
    with pytest.raises(InvariantViolation, match="is in the future"):
        bounds.check_live_instant("at", bounds.clock() + timedelta(hours=2))


# --- masses ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mass", [1e308, float("inf"), float("nan"), 0.0, -1.0])
def test_impossible_masses_are_refused(mass: float) -> None:
    with violates("gross_mass_kg"):
        replace(CROSSING, gross_mass_kg=mass)
    with violates("gross_mass_kg"):
        replace(ITEM, gross_mass_kg=mass, net_mass_kg=1.0)
    with violates("tare_mass_kg"):
        replace(RAILCAR, tare_mass_kg=mass)


def test_a_tare_is_within_what_its_kind_weighs_empty() -> None:
    with pytest.raises(InvariantViolation, match="more than a railcar weighs empty"):
        replace(RAILCAR, tare_mass_kg=70_000.0)
    assert replace(RAILCAR, kind=ConveyanceKind.TRAIN, tare_mass_kg=70_000.0)


def test_a_mass_given_as_text_is_refused_naming_the_field() -> None:
    text: Any = "1000"
    with pytest.raises(InvariantViolation, match="must be a number of kilograms, not '1000'"):
        replace(CROSSING, gross_mass_kg=text)
    with violates("net_mass_kg"):
        replace(ITEM, net_mass_kg=text)


# --- amounts -----------------------------------------------------------------------------------


def test_an_extra_duty_that_no_payment_could_hold_is_refused_at_the_finding() -> None:
    with pytest.raises(InvariantViolation, match="more than the 1,000,000,000,000 limit"):
        Finding("I-1", 1, FindingKind.UNDERVALUATION, "x", Decimal("9999999999999999.99"))
    assert Finding("I-1", 1, FindingKind.UNDERVALUATION, "x", bounds.MAX_EXTRA_DUTY)


def test_an_item_is_worth_at_most_the_limit_in_national_currency() -> None:
    most = replace(ITEM, customs_value=Decimal(10) ** 8, exchange_rate=Decimal(1000))
    assert most.value_national == bounds.MAX_ITEM_VALUE
    with violates("customs_value"):
        replace(most, exchange_rate=Decimal("1000.000001"))
    with violates("exchange_rate"):
        replace(ITEM, exchange_rate=bounds.MAX_EXCHANGE_RATE + 1)
    with violates("quantity"):
        replace(ITEM, quantity=bounds.MAX_QUANTITY + 1)


def test_items_and_findings_are_numbered_within_their_limits() -> None:
    assert replace(ITEM, item_no=bounds.MAX_ITEMS)
    with violates("item_no"):
        replace(ITEM, item_no=bounds.MAX_ITEMS + 1)
    with violates("finding_no"):
        Finding("I-1", bounds.MAX_FINDINGS + 1, FindingKind.UNDERVALUATION, "x")


def test_the_worst_case_sum_fits_a_money_column() -> None:
    """The arithmetic of :mod:`dostyk.domain.bounds`: duty at 1000 % and VAT at 100 % on the
    largest items, plus the largest extra duties."""
    per_item = bounds.MAX_ITEM_VALUE * 10 + bounds.MAX_ITEM_VALUE * 11
    total = bounds.MAX_ITEMS * per_item + bounds.MAX_FINDINGS * bounds.MAX_EXTRA_DUTY
    assert total < bounds.MONEY_MAX / 4
