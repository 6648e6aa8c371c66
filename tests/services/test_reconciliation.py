"""Reconciling the train X-TR1 with its waybill M1 and the declarations covering its railcars."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from dostyk.domain.conveyances import Conveyance, ConveyanceKind, Crossing, Direction
from dostyk.domain.declarations import Channel
from dostyk.domain.discrepancies import Discrepancy, DiscrepancyKind
from dostyk.services import declarations
from dostyk.services.crossings import register_crossing
from dostyk.services.errors import NotAuthorised, NotFound, ValidationFailed
from dostyk.services.reconciliation import reconcile
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import T0, Flow, item, ledger_size, lodging

K = DiscrepancyKind


def kinds(found: tuple[Discrepancy, ...]) -> list[tuple[DiscrepancyKind, str]]:
    return [(d.kind, d.discrepancy_id) for d in found]


def test_each_kind_of_discrepancy_is_found_once(world: Engine) -> None:
    flow = Flow(world)
    # Railcar 1: declared as on the waybill. Railcar 2: 30 t declared, 40 t aboard.
    assert flow.lodge(lodging(1)).accepted
    light = item(
        "D2",
        gross_mass_kg=30_000.0,
        net_mass_kg=28_500.0,
        quantity=Decimal(28_500),
        manifest_line_no=2,
    )
    assert flow.lodge(lodging(2, items=[light])).accepted
    # Railcars 3 and 4: one declaration for both, all 80 t declared, but only line 3 claimed.
    both = lodging(
        3,
        railcars=[3, 4],
        items=[
            item(
                "D3",
                gross_mass_kg=80_000.0,
                net_mass_kg=76_000.0,
                quantity=Decimal(76_000),
                manifest_line_no=3,
            )
        ],
    )
    assert flow.lodge(both).accepted
    # Railcar 5: its declaration was cancelled, so nobody covers it; railcar 6: never declared.
    flow.lodge(lodging(5))
    declarations.cancel(world, "D5", actor="BRK1", at=flow.tick())

    result = reconcile(world, "X-TR1", actor="SS-DST1", at=flow.tick())
    assert kinds(result.discrepancies) == [
        (K.UNDECLARED_UNIT, "Z-UU-X-RC5"),
        (K.UNDECLARED_UNIT, "Z-UU-X-RC6"),
        (K.UNDECLARED_MANIFEST_LINE, "Z-UL-M1-4"),
        (K.UNDECLARED_MANIFEST_LINE, "Z-UL-M1-5"),
        (K.UNDECLARED_MANIFEST_LINE, "Z-UL-M1-6"),
        (K.MASS_EXCESS, "Z-MX-X-RC2"),
    ]
    assert result.added == 6
    by_id = {d.discrepancy_id: d for d in result.discrepancies}
    excess = by_id["Z-MX-X-RC2"]
    assert (excess.crossing_id, excess.declaration_id, excess.post_code) == ("X-RC2", "D2", "DST")
    assert excess.detail == (
        "units X-RC2 weigh 63,500 kg; tare 23,500 kg plus gross mass 30,000 kg declared on D2: "
        "10,000 kg (18.7 %) more than explained"
    )
    line = by_id["Z-UL-M1-4"]
    assert (line.manifest_id, line.line_no, line.crossing_id) == ("M1", 4, "X-RC4")
    assert "line 4 of manifest M1 (950300, Toys, 40,000 kg)" in line.detail
    assert by_id["Z-UU-X-RC6"].found_by == "SS-DST1"

    # Again: the same discrepancies, nothing added, nothing on the ledger.
    size = ledger_size(world)
    again = reconcile(world, "X-TR1", actor="system", at=flow.tick())
    assert again.added == 0
    assert again.discrepancies == result.discrepancies
    assert ledger_size(world) == size
    with UnitOfWork(world) as uow:
        assert uow.discrepancies.count() == 6


def test_a_fully_declared_train_reconciles_clean(lite: Engine) -> None:
    flow = Flow(lite)
    for n in range(1, 7):
        flow.lodge(lodging(n))
    flow.assess("D1", Channel.GREEN)
    result = reconcile(lite, "X-TR1", actor="system", at=flow.tick())
    assert result.discrepancies == ()
    assert result.added == 0


def test_only_a_movement_is_reconciled_and_only_by_customs(lite: Engine) -> None:
    flow = Flow(lite)
    with pytest.raises(ValidationFailed, match="X-RC1 is a unit of movement X-TR1"):
        reconcile(lite, "X-RC1", actor="system", at=flow.tick())
    with pytest.raises(NotFound, match="no crossing X-NONE"):
        reconcile(lite, "X-NONE", actor="system", at=flow.tick())
    with pytest.raises(NotAuthorised):
        reconcile(lite, "X-TR1", actor="BRK1", at=flow.tick())


def test_a_lone_truck_is_its_own_cargo_unit(lite: Engine) -> None:
    truck = Conveyance("TK1", ConveyanceKind.TRUCK, "045ABC02", "CN", None, 9_000.0)
    at = T0 + timedelta(minutes=10)
    crossing = Crossing("X-TK1", "KHR", "TK1", Direction.IN, T0, True, 30_000.0)
    register_crossing(lite, crossing, [], [truck], actor="PC-KHR1", at=at)
    result = reconcile(lite, "X-TK1", actor="PC-KHR1", at=at)
    assert kinds(result.discrepancies) == [(K.UNDECLARED_UNIT, "Z-UU-X-TK1")]
    assert result.discrepancies[0].post_code == "KHR"


def test_two_declarations_claiming_one_railcars_load_fall_short_of_its_mass(lite: Engine) -> None:
    """RC1 weighs its tare plus 40 t; D1 and D7 each declare 40 t on it: 40 t never crossed."""
    flow = Flow(lite)
    assert flow.lodge(lodging(1)).accepted
    twice = lodging(7, railcars=[1], items=[item("D7", manifest_line_no=None)])
    assert flow.lodge(twice).accepted
    result = reconcile(lite, "X-TR1", actor="SS-DST1", at=flow.tick())
    [short] = [d for d in result.discrepancies if d.kind is K.MASS_SHORTFALL]
    assert (short.discrepancy_id, short.crossing_id, short.declaration_id) == (
        "Z-MS-X-RC1",
        "X-RC1",
        "D1",
    )
    assert short.detail == (
        "units X-RC1 weigh 63,500 kg; tare 23,500 kg plus gross mass 80,000 kg declared on D1, "
        "D7: 40,000 kg (38.6 %) less than declared"
    )
    assert not [d for d in result.discrepancies if d.kind is K.MASS_EXCESS]


def test_cargo_declared_on_a_unit_never_weighed_is_a_discrepancy(lite: Engine) -> None:
    arrives = T0 + timedelta(hours=1)
    wagon = Conveyance("RC7", ConveyanceKind.RAILCAR, "50000007", "KZ", "KTZ", 23_500.0)
    train = Crossing("X-TR3", "DST", "TR1", Direction.IN, arrives, laden=True)
    unweighed = Crossing("X-RC7", "DST", "RC7", Direction.IN, arrives, True, None, "X-TR3")
    register_crossing(lite, train, [unweighed], [wagon], actor="IN-DST1", at=arrives)
    flow = Flow(lite, start=arrives)
    declared = lodging(7, railcars=[7], items=[item("D7", manifest_line_no=None)], manifest_id=None)
    assert flow.lodge(declared).accepted
    result = reconcile(lite, "X-TR3", actor="SS-DST1", at=flow.tick())
    assert kinds(result.discrepancies) == [(K.UNWEIGHED_CARGO, "Z-UW-X-RC7")]
    assert result.discrepancies[0].detail.endswith("the declared cargo was never weighed")
    assert result.discrepancies[0].declaration_id == "D7"
