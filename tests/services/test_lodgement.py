"""Lodgement: idempotent on the reference, every reason at once, and cancellation."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from dostyk.domain.conveyances import Conveyance, ConveyanceKind, Crossing, Direction
from dostyk.domain.declarations import Channel, DeclarationStatus, DeclarationUnit
from dostyk.domain.lifecycle import IllegalTransition
from dostyk.services import declarations
from dostyk.services.declarations import rejection_reasons
from dostyk.services.errors import NotAuthorised, ValidationFailed
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import (
    T0,
    Flow,
    history,
    item,
    ledger_size,
    lodging,
    path,
    read_declaration,
)


def test_lodging_the_same_reference_again_returns_the_first_lodgement(world: Engine) -> None:
    flow = Flow(world)
    first = flow.lodge(lodging(1))
    size = ledger_size(world)
    again = flow.lodge(lodging(1))
    assert not again.new and again.accepted
    assert again.declaration == first.declaration
    assert ledger_size(world) == size
    # Even after it moved on, and under another id: the reference is the declarant's key.
    flow.assess("D1", Channel.GREEN)
    retry = flow.lodge(
        replace(lodging(1), declaration=replace(lodging(1).declaration, declaration_id="D1-RETRY"))
    )
    assert retry.declaration.declaration_id == "D1"
    assert retry.declaration.status is DeclarationStatus.ASSESSED


def test_the_lodgement_time_is_the_systems(lite: Engine) -> None:
    backdated = lodging(1, lodged_at=T0 - timedelta(days=3))
    lodged = Flow(lite).lodge(backdated)
    assert lodged.declaration.lodged_at == T0 + timedelta(minutes=1)
    assert read_declaration(lite, "D1").lodged_at == T0 + timedelta(minutes=1)


def test_a_taken_reference_with_other_content_is_refused(lite: Engine) -> None:
    flow = Flow(lite)
    flow.lodge(lodging(1))
    changed = lodging(1, items=[item("D1", customs_value=Decimal("15000.00"), manifest_line_no=1)])
    with pytest.raises(ValidationFailed, match="reference REF-0001 is taken by declaration D1"):
        flow.lodge(changed)
    other_units = lodging(1, railcars=[1, 2])
    with pytest.raises(ValidationFailed, match="is taken"):
        flow.lodge(other_units)


def test_a_rejection_lists_every_reason_at_once(world: Engine) -> None:
    bad_items = [
        item("D9", 1, commodity_code="9999990000", manifest_line_no=1),
        item("D9", 3, customs_value=Decimal("0.00"), quantity=Decimal("100"), manifest_line_no=9),
    ]
    bad = lodging(9, railcars=[1], items=bad_items, exporter_id="BRK2")
    bad = replace(bad, units=(*bad.units, DeclarationUnit("D9", "X-TR1")))
    size = ledger_size(world)
    lodged = Flow(world).lodge(bad)
    expected = [
        "party BRK2 is not registered as exporter",
        "items are numbered 1 to 2 without gaps, not [1, 3]",
        "item 1: '9999990000': 999999 is not a subheading of the HS 2022 nomenclature",
        "item 3: a customs value of zero declares goods as worthless",
        "item 3: quantity 100 KGM is 100.0 kg, but the net mass is 38,000.0 kg",
        "unit X-TR1 is a train, which carries no cargo of its own",
        "item 3: manifest M1 has no line 9",
    ]
    assert not lodged.accepted
    assert list(lodged.reasons) == expected
    assert lodged.declaration.status is DeclarationStatus.REJECTED
    steps = history(world, "D9")
    assert [(s.seq, s.from_status, s.to_status, s.actor) for s in steps] == [
        (1, None, DeclarationStatus.LODGED, "BRK1"),
        (2, DeclarationStatus.LODGED, DeclarationStatus.REJECTED, "system"),
    ]
    assert rejection_reasons(steps[1]) == tuple(expected)
    # The attempt is on the ledger, and asking again gets the same answer.
    assert ledger_size(world) > size
    assert Flow(world).lodge(bad).reasons == tuple(expected)


def test_units_must_have_crossed_in_at_the_post_laden(lite: Engine) -> None:
    truck = Conveyance("TK1", ConveyanceKind.TRUCK, "045ABC02", "KZ")
    wagon = Conveyance("RC9", ConveyanceKind.RAILCAR, "50000009", "KZ", None, 23_500.0)
    with UnitOfWork(lite, actor="setup", at=T0) as uow:
        uow.conveyances.add_many([truck, wagon])
        uow.crossings.add_many(
            [
                Crossing("X-TK1", "KHR", "TK1", Direction.IN, T0 - timedelta(hours=1), True),
                Crossing("X-RC9", "DST", "RC9", Direction.OUT, T0 - timedelta(hours=1), False),
            ]
        )
    units = (DeclarationUnit("D6", "X-TK1"), DeclarationUnit("D6", "X-RC9"))
    lodged = Flow(lite).lodge(replace(lodging(6), units=units))
    assert list(lodged.reasons) == [
        "unit X-RC9 crossed out; import declarations cover units that crossed in",
        "unit X-RC9 crossed empty",
        "unit X-TK1 crossed at KHR, not at DST where the declaration is lodged",
    ]


def test_a_manifest_line_is_declared_once(lite: Engine) -> None:
    flow = Flow(lite)
    flow.lodge(lodging(1))
    second = lodging(2, items=[item("D2", manifest_line_no=1)], reference="REF-0002")
    assert flow.lodge(second).reasons == (
        "item 1: line 1 of manifest M1 is already declared on D1",
    )
    # Once the first declaration is cancelled, the line is free again.
    declarations.cancel(lite, "D1", actor="BRK1", at=flow.tick(), reason="wrong consignee")
    third = lodging(3, items=[item("D3", manifest_line_no=1)])
    assert flow.lodge(third).accepted


def test_a_declaration_naming_missing_records_is_not_recorded(lite: Engine) -> None:
    ghost = lodging(8, importer_id="NOBODY", manifest_id="M-NONE", post_code="XXX")
    ghost = replace(
        ghost,
        units=(DeclarationUnit("D8", "X-NONE"),),
        items=(item("D8", 1, customs_value=Decimal("1.005"), manifest_line_no=None),),
    )
    size = ledger_size(lite)
    with pytest.raises(ValidationFailed) as refused:
        Flow(lite).lodge(ghost)
    assert refused.value.reasons == [
        "no post XXX",
        "no party NOBODY (named as importer)",
        "no manifest M-NONE",
        "item 1: customs_value 1.005 has more than 2 decimal places",
        "no crossing X-NONE",
    ]
    assert "declaration REF-0008 is not valid" in str(refused.value)
    assert ledger_size(lite) == size
    with UnitOfWork(lite) as uow:
        assert uow.declarations.get("D8") is None


def test_a_declarant_lodges_only_for_himself(lite: Engine) -> None:
    lodged = lodging(1)
    with pytest.raises(NotAuthorised, match="BRK2 cannot lodge declaration REF-0001"):
        declarations.lodge(
            lite, lodged.declaration, lodged.items, lodged.units, actor="BRK2", at=T0
        )
    with UnitOfWork(lite) as uow:
        assert uow.declarations.count() == 0


def test_the_declarant_cancels_before_release(lite: Engine) -> None:
    flow = Flow(lite)
    flow.lodge(lodging(1))
    flow.assess("D1", Channel.RED)
    with pytest.raises(IllegalTransition, match="only the declarant BRK1 may cancel"):
        declarations.cancel(lite, "D1", actor="SS-DST1", at=flow.tick())
    cancelled = declarations.cancel(
        lite, "D1", actor="BRK1", at=flow.tick(), reason="goods sold in transit"
    )
    assert cancelled.status is DeclarationStatus.CANCELLED
    assert path(lite, "D1") == ["lodged", "accepted", "assessed", "cancelled"]
    with pytest.raises(IllegalTransition, match="a cancelled declaration is final"):
        declarations.cancel(lite, "D1", actor="BRK1", at=flow.tick())
