"""Whole lifecycles through the use cases, on both backends, with their ledger entries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel, DeclarationStatus
from dostyk.domain.inspections import Finding, FindingKind
from dostyk.domain.payments import Payment
from dostyk.services import assignment, declarations, overrides, payments, reconciliation
from dostyk.store.repositories import StatusChanges
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import Flow, ledger_size, lodging, path, read_declaration

INSPECTED_PATH = [
    "lodged",
    "accepted",
    "assessed",
    "under_inspection",
    "inspected",
    "duties_assessed",
    "paid",
    "released",
]
#: Toys worth 10,000,000.00: duty 10 % and VAT 12 % on value plus duty.
DUTY = Decimal("1000000.00")
VAT = Decimal("1320000.00")


def test_a_green_declaration_goes_from_lodgement_to_release(world: Engine) -> None:
    flow = Flow(world)
    lodged = flow.lodge(lodging(1))
    assert lodged.accepted and lodged.new
    assert lodged.declaration.status is DeclarationStatus.ACCEPTED
    assessment = flow.assess("D1", Channel.GREEN)
    assert assessment.assessment_id == "A-D1-1"
    assert assessment.channel is Channel.GREEN
    duties = flow.duties("D1")
    assert [(line.duty, line.vat) for line in duties.lines] == [(DUTY, VAT)]
    assert duties.total == DUTY + VAT
    payment = flow.pay("D1")
    assert payment.amount == DUTY + VAT
    released = flow.release("D1")
    assert released.queue_exception is None
    assert released.declaration.status is DeclarationStatus.RELEASED
    assert read_declaration(world, "D1") == released.declaration
    assert path(world, "D1") == [
        "lodged",
        "accepted",
        "assessed",
        "duties_assessed",
        "paid",
        "released",
    ]


@pytest.mark.parametrize("channel", [Channel.YELLOW, Channel.RED])
def test_yellow_and_red_declarations_are_inspected_on_the_way(
    world: Engine, channel: Channel
) -> None:
    flow = Flow(world)
    flow.lodge(lodging(2))
    flow.assess("D2", channel)
    inspection = flow.assign("D2")
    assert inspection.inspector_id in {"IN-DST1", "IN-DST2"}
    started = flow.start(inspection)
    assert read_declaration(world, "D2").status is DeclarationStatus.UNDER_INSPECTION
    finding = Finding(
        inspection.inspection_id,
        1,
        FindingKind.UNDERVALUATION,
        "Invoice shows twice the declared value",
        extra_duty=Decimal("250000.00"),
        item_no=1,
    )
    finished = flow.finish(started, [finding])
    assert finished.ended_at is not None
    duties = flow.duties("D2")
    assert duties.extra_duty == Decimal("250000.00")
    assert duties.total == DUTY + VAT + Decimal("250000.00")
    flow.pay("D2")
    flow.release("D2")
    declaration = read_declaration(world, "D2")
    assert (declaration.status, declaration.channel) == (DeclarationStatus.RELEASED, channel)
    assert path(world, "D2") == INSPECTED_PATH
    with UnitOfWork(world) as uow:
        assert uow.findings.of(inspection.inspection_id) == [finding]
        payment: Payment | None = uow.payments.get("P-KZ-TRS-D2")
    assert payment is not None and payment.amount == duties.total


def test_every_use_case_appends_to_the_ledger(world: Engine) -> None:
    flow = Flow(world)
    size = ledger_size(world)

    def grew() -> None:
        nonlocal size
        now = ledger_size(world)
        assert now > size
        size = now

    flow.lodge(lodging(3))
    grew()
    flow.assess("D3", Channel.RED)
    grew()
    request = overrides.request_override(
        world,
        "D3",
        Channel.YELLOW,
        "Same exporter cleared clean ten times",
        actor="IN-DST1",
        at=flow.tick(),
    )
    grew()
    overrides.decide_override(world, request.override_id, True, actor="SS-DST1", at=flow.tick())
    grew()
    inspection = flow.assign("D3")
    grew()
    other = "IN-DST2" if inspection.inspector_id == "IN-DST1" else "IN-DST1"
    inspection = assignment.reassign(
        world,
        inspection.inspection_id,
        other,
        actor="SS-DST1",
        at=flow.tick(),
        reason="The drawn inspector is at the weighbridge",
    )
    grew()
    inspection = flow.start(inspection)
    grew()
    flow.finish(inspection)
    grew()
    flow.duties("D3")
    grew()
    flow.pay("D3")
    grew()
    reconciliation.reconcile(world, "X-TR1", actor="SS-DST1", at=flow.tick())
    grew()
    flow.release("D3")
    grew()
    flow.lodge(lodging(4))
    grew()
    declarations.cancel(world, "D4", actor="BRK1", at=flow.tick())
    grew()
    # A read-only use case, and a repeated lodgement, leave the ledger as it is.
    payments.duties_due(world, "D3")
    flow.lodge(lodging(3))
    assert ledger_size(world) == size


def test_a_use_case_failing_half_way_leaves_nothing_behind(
    world: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = Flow(world)
    flow.lodge(lodging(5))
    flow.assess("D5", Channel.GREEN)
    before = ledger_size(world)

    def broken(self: object, change: object) -> object:
        raise RuntimeError("the disk is full")

    # assess_duties writes the duty lines and the declaration, then fails on its step.
    monkeypatch.setattr(StatusChanges, "add", broken)
    with pytest.raises(RuntimeError, match="disk is full"):
        flow.duties("D5")
    monkeypatch.undo()
    assert ledger_size(world) == before
    assert read_declaration(world, "D5").status is DeclarationStatus.ASSESSED
    with UnitOfWork(world) as uow:
        assert uow.duty_lines.of("D5") == []
    assert path(world, "D5") == ["lodged", "accepted", "assessed"]
    # And the use case works once the fault is gone.
    assert flow.duties("D5").total == DUTY + VAT
