"""Starting and finishing inspections: only the assigned inspector, and in turn.

An inspector serves his own queue — the inspections assigned to him at his post in one channel —
oldest assignment first. Starting a younger one first is how priority is sold at inspection;
it needs a written reason and leaves a queue exception (queue ``inspection``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Engine

from dostyk.domain.declarations import Channel, DeclarationItem, DeclarationStatus
from dostyk.domain.inspections import Finding, FindingKind, Inspection
from dostyk.domain.queues import QueueException, QueueKind
from dostyk.domain.spelling import utc_text
from dostyk.services.errors import Conflict, NotAuthorised, NotFound, ValidationFailed
from dostyk.services.queues import serve
from dostyk.services.steps import check_move, load_for_move, move
from dostyk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class StartedInspection:
    inspection: Inspection
    #: Set when the inspection was started out of turn.
    queue_exception: QueueException | None


@dataclass(frozen=True, slots=True)
class FinishedInspection:
    inspection: Inspection
    findings: tuple[Finding, ...]


def start_inspection(
    engine: Engine,
    inspection_id: str,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
) -> StartedInspection:
    """The assigned inspector starts (assessed → under_inspection).

    Starting before an older inspection waiting in the same queue needs ``reason``.
    """
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        inspection = _own_inspection(uow, inspection_id, actor)
        if inspection.started_at is not None:
            raise Conflict(
                f"inspection {inspection_id} started at {utc_text(inspection.started_at)}"
            )
        declaration, last = load_for_move(uow, inspection.declaration_id)
        check_move(declaration, DeclarationStatus.UNDER_INSPECTION, actor=actor)
        channel: Channel | None = declaration.channel
        assert channel is not None, "the lifecycle inspects only yellow and red declarations"
        queue: list[Inspection] = uow.inspections.waiting(actor, declaration.post_code, channel)
        mine = (inspection.assigned_at, inspection.inspection_id)
        ahead = [
            (waiting.declaration_id, waiting.assigned_at)
            for waiting in queue
            if (waiting.assigned_at, waiting.inspection_id) < mine
        ]
        exception = serve(
            uow,
            queue=QueueKind.INSPECTION,
            key=inspection_id,
            post_code=declaration.post_code,
            channel=channel,
            declaration_id=declaration.declaration_id,
            ahead=ahead,
            reason=reason,
            actor=actor,
            at=at,
        )
        move(
            uow, declaration, DeclarationStatus.UNDER_INSPECTION, actor=actor, at=at, previous=last
        )
        started = replace(inspection, started_at=at)
        uow.inspections.replace(started)
    return StartedInspection(started, exception)


def finish_inspection(
    engine: Engine,
    inspection_id: str,
    findings: Sequence[Finding],
    *,
    actor: str,
    at: datetime,
) -> FinishedInspection:
    """The assigned inspector records what he found (under_inspection → inspected).

    Findings are numbered from 1 and name items of the declaration; their extra duties are
    added to the duties assessed next. No findings is a finding too: nothing irregular.
    """
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        inspection = _own_inspection(uow, inspection_id, actor)
        if inspection.started_at is None:
            raise Conflict(f"inspection {inspection_id} has not started")
        if inspection.ended_at is not None:
            raise Conflict(
                f"inspection {inspection_id} ended at {utc_text(inspection.ended_at)}; "
                "its findings are on record and are not changed"
            )
        declaration, last = load_for_move(uow, inspection.declaration_id)
        items: list[DeclarationItem] = uow.items.of(declaration.declaration_id)
        reasons = _check_findings(inspection_id, findings, {item.item_no for item in items})
        if reasons:
            raise ValidationFailed(reasons, subject=f"findings of {inspection_id}")
        move(uow, declaration, DeclarationStatus.INSPECTED, actor=actor, at=at, previous=last)
        finished = replace(inspection, ended_at=at)
        uow.inspections.replace(finished)
        uow.findings.add_many(findings)
    return FinishedInspection(finished, tuple(findings))


def _own_inspection(uow: UnitOfWork, inspection_id: str, actor: str) -> Inspection:
    inspection: Inspection | None = uow.inspections.get(inspection_id)
    if inspection is None:
        raise NotFound("inspection", inspection_id)
    if inspection.inspector_id != actor:
        raise NotAuthorised(
            f"inspection {inspection_id} is assigned to {inspection.inspector_id}; only he "
            f"may carry it out, not {actor}"
        )
    return inspection


def _check_findings(
    inspection_id: str, findings: Sequence[Finding], item_numbers: set[int]
) -> list[str]:
    reasons = []
    numbers = sorted(finding.finding_no for finding in findings)
    if numbers != list(range(1, len(findings) + 1)):
        reasons.append(f"findings are numbered 1 to {len(findings)} without gaps, not {numbers}")
    for finding in findings:
        where = f"finding {finding.finding_no}"
        if finding.inspection_id != inspection_id:
            reasons.append(f"{where} belongs to inspection {finding.inspection_id}")
        if finding.item_no is not None and finding.item_no not in item_numbers:
            reasons.append(f"{where} names item {finding.item_no}, which is not declared")
        if finding.kind is FindingKind.UNRECORDED:
            reasons.append(
                f"{where}: 'unrecorded' is the kind of imported findings whose kind the old "
                "system did not keep; an inspector names what he found"
            )
    return reasons
