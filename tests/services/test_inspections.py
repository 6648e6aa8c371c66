"""Inspections: only the assigned inspector, in the order they were assigned to him."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel, DeclarationStatus
from dostyk.domain.inspections import Finding, FindingKind
from dostyk.domain.queues import QueueException, QueueKind
from dostyk.services.errors import Conflict, NotAuthorised, ValidationFailed
from dostyk.services.inspections import finish_inspection, start_inspection
from dostyk.services.queues import OutOfTurn
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import T0, Flow, ledger_size, lodging, read_declaration

#: The night shift has a single inspector, IN-DST3, so every draw falls on him.
NIGHT = T0 + timedelta(hours=12, minutes=30)


def night_queue(engine: Engine, channels: list[Channel]) -> tuple[Flow, list[str]]:
    """Declarations D1, D2, ... assessed in these channels and assigned to IN-DST3 in order."""
    flow = Flow(engine, NIGHT)
    inspections = []
    for n, channel in enumerate(channels, start=1):
        flow.lodge(lodging(n))
        flow.assess(f"D{n}", channel)
    for n in range(1, len(channels) + 1):
        inspection = flow.assign(f"D{n}")
        assert inspection.inspector_id == "IN-DST3"
        inspections.append(inspection.inspection_id)
    return flow, inspections


def test_starting_out_of_turn_needs_a_reason_and_is_recorded(world: Engine) -> None:
    flow, (first, second, third) = night_queue(world, [Channel.RED, Channel.RED, Channel.RED])
    size = ledger_size(world)
    with pytest.raises(
        OutOfTurn, match="2 declaration\\(s\\) wait ahead of it, first D1"
    ) as refused:
        start_inspection(world, third, actor="IN-DST3", at=flow.tick())
    assert refused.value.ahead == ("D1", "D2")
    assert isinstance(refused.value, Conflict)
    assert ledger_size(world) == size
    assert read_declaration(world, "D3").status is DeclarationStatus.ASSESSED

    with pytest.raises(ValidationFailed, match="at least 10 characters"):
        start_inspection(world, third, actor="IN-DST3", at=flow.tick(), reason="urgent")

    reason = "Refrigerated railcar losing temperature"
    started = start_inspection(world, third, actor="IN-DST3", at=flow.tick(), reason=reason)
    assert started.queue_exception == QueueException(
        "Q-I-D3-1",
        "DST",
        QueueKind.INSPECTION,
        Channel.RED,
        "D3",
        2,
        "D1",
        reason,
        "IN-DST3",
        flow.now,
    )
    with UnitOfWork(world) as uow:
        assert uow.queue_exceptions.of("D3") == [started.queue_exception]
    # The oldest is served next without any exception.
    assert start_inspection(world, first, actor="IN-DST3", at=flow.tick()).queue_exception is None
    assert start_inspection(world, second, actor="IN-DST3", at=flow.tick()).queue_exception is None


def test_each_channel_is_its_own_queue(lite: Engine) -> None:
    flow, (_, yellow) = night_queue(lite, [Channel.RED, Channel.YELLOW])
    assert start_inspection(lite, yellow, actor="IN-DST3", at=flow.tick()).queue_exception is None


def test_only_the_assigned_inspector_starts_and_finishes(lite: Engine) -> None:
    flow, (inspection_id,) = night_queue(lite, [Channel.RED])
    for actor in ("IN-DST1", "SS-DST2", "BRK1"):
        with pytest.raises(NotAuthorised, match="assigned to IN-DST3; only he may carry it out"):
            start_inspection(lite, inspection_id, actor=actor, at=flow.tick())
    with pytest.raises(Conflict, match="has not started"):
        finish_inspection(lite, inspection_id, [], actor="IN-DST3", at=flow.tick())
    start_inspection(lite, inspection_id, actor="IN-DST3", at=flow.tick())
    with pytest.raises(Conflict, match="started at"):
        start_inspection(lite, inspection_id, actor="IN-DST3", at=flow.tick())
    with pytest.raises(NotAuthorised):
        finish_inspection(lite, inspection_id, [], actor="IN-DST1", at=flow.tick())
    finished = finish_inspection(lite, inspection_id, [], actor="IN-DST3", at=flow.tick())
    assert finished.findings == ()
    assert read_declaration(lite, "D1").status is DeclarationStatus.INSPECTED
    with pytest.raises(Conflict, match="its findings are on record"):
        finish_inspection(lite, inspection_id, [], actor="IN-DST3", at=flow.tick())


def test_findings_are_checked_all_at_once(lite: Engine) -> None:
    flow, (inspection_id,) = night_queue(lite, [Channel.RED])
    start_inspection(lite, inspection_id, actor="IN-DST3", at=flow.tick())
    findings = [
        Finding(inspection_id, 1, FindingKind.UNDECLARED_GOODS, "Two pallets of phones", item_no=4),
        Finding("I-OTHER", 3, FindingKind.MASS_DISCREPANCY, "Weighs 8 % more"),
    ]
    with pytest.raises(ValidationFailed) as refused:
        finish_inspection(lite, inspection_id, findings, actor="IN-DST3", at=flow.tick())
    assert refused.value.reasons == [
        "findings are numbered 1 to 2 without gaps, not [1, 3]",
        "finding 1 names item 4, which is not declared",
        "finding 3 belongs to inspection I-OTHER",
    ]
    seized = Finding(
        inspection_id,
        1,
        FindingKind.PROHIBITED_GOODS,
        "Counterfeit toys",
        extra_duty=Decimal("10.00"),
        seized=True,
        item_no=1,
    )
    finished = finish_inspection(lite, inspection_id, [seized], actor="IN-DST3", at=flow.tick())
    assert finished.findings == (seized,)
    with UnitOfWork(lite) as uow:
        assert uow.findings.of_declaration("D1") == [seized]
