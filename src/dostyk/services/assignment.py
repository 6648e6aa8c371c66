"""Assigning inspectors at random, and reassigning only with a supervisor's written reason.

A broker who can choose his inspector can buy him. So the inspector is drawn uniformly among the
inspectors on duty at the post, by a draw that nobody chooses (it is seeded by the ledger's root,
see :mod:`dostyk.services.draws`) and that anyone can redo with :func:`recheck_draw`. The record
of the draw, kept in :attr:`Inspection.draw`, is JSON::

    {"candidates": [...], "declaration_id": "...", "index": 0, "inspector": "...",
     "root": "<hex>", "tree_size": 123}

``index`` is SHA-256(root || "\\n" || declaration_id || "\\n" || candidate 1 || "\\n" || ...)
read as a big-endian integer, modulo the number of candidates, which are sorted.

An inspector on duty with a declared conflict of interest with the declaration's importer,
exporter or declarant is not a candidate: the record then also holds ``"excluded"``, a list of
``{"officer", "party", "conflict", "kind"}``, and each exclusion is written as a record of its own
(see :mod:`dostyk.services.conflicts`). A draw with nobody excluded has no such key.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, Engine

from dostyk.domain.conflicts import ExclusionAction
from dostyk.domain.declarations import Declaration, DeclarationStatus
from dostyk.domain.inspections import Inspection
from dostyk.domain.officers import Officer, Rank, may_approve
from dostyk.domain.shifts import DutyShift
from dostyk.domain.spelling import utc_text
from dostyk.services.actors import senior_officer, staff
from dostyk.services.conflicts import conflicts_among, record_exclusions
from dostyk.services.draws import choice_index, ledger_seed
from dostyk.services.errors import Conflict, NotAuthorised, NotFound, UseCaseError, ValidationFailed
from dostyk.services.ids import make_id
from dostyk.services.steps import check_move, load_declaration
from dostyk.store import repositories
from dostyk.store.unit_of_work import UnitOfWork

#: The shortest written reason for a reassignment.
MIN_REASON = 10


class NoInspectorOnDuty(Conflict):
    """Nobody can be drawn: no inspector is on duty at the post."""


class DrawMismatch(UseCaseError):
    """A recorded draw does not follow from its inputs."""


def assign_inspector(
    engine: Engine, declaration_id: str, *, actor: str, at: datetime
) -> Inspection:
    """Draw the inspector of a yellow or red declaration among those on duty at its post."""
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        staff(uow, actor, "assign an inspector")
        declaration = load_declaration(uow, declaration_id)
        check_move(declaration, DeclarationStatus.UNDER_INSPECTION, actor=actor)
        earlier: list[Inspection] = uow.inspections.of(declaration_id)
        for inspection in earlier:
            if inspection.ended_at is None:
                raise Conflict(
                    f"declaration {declaration_id} is already assigned to "
                    f"{inspection.inspector_id} (inspection {inspection.inspection_id})"
                )
        on_duty = inspectors_on_duty(uow.connection, declaration.post_code, at)
        conflicted = conflicts_among(uow, on_duty, declaration, at)
        candidates = [c for c in on_duty if c not in conflicted]
        if not candidates:
            if conflicted:
                raise NoInspectorOnDuty(
                    f"every inspector on duty at {declaration.post_code} at {utc_text(at)} "
                    f"({', '.join(sorted(conflicted))}) has a declared conflict of interest with "
                    "the declaration's parties; the declaration waits for another shift"
                )
            raise NoInspectorOnDuty(
                f"no inspector is on duty at {declaration.post_code} at {utc_text(at)}; "
                "the declaration waits until a shift starts"
            )
        seed = ledger_seed(uow.connection)
        index = choice_index(seed.root, len(candidates), declaration_id, *candidates)
        draw: dict[str, object] = {
            "tree_size": seed.size,
            "root": seed.root.hex(),
            "declaration_id": declaration_id,
            "candidates": candidates,
            "index": index,
            "inspector": candidates[index],
        }
        inspection_id = make_id("I", declaration_id, len(earlier) + 1)
        if conflicted:
            draw["excluded"] = [
                {
                    "officer": officer_id,
                    "party": conflict.party_id,
                    "conflict": conflict.conflict_id,
                    "kind": conflict.kind.value,
                }
                for officer_id, conflict in sorted(conflicted.items())
            ]
            record_exclusions(uow, conflicted, declaration, ExclusionAction.DRAW, inspection_id, at)
        inspection = Inspection(
            inspection_id=inspection_id,
            declaration_id=declaration_id,
            inspector_id=candidates[index],
            assigned_at=at,
            draw=json.dumps(draw, sort_keys=True, separators=(",", ":")),
        )
        uow.inspections.add(inspection)
    return inspection


def inspectors_on_duty(connection: Connection, post_code: str, at: datetime) -> list[str]:
    """Inspectors whose shift at the post covers ``at``, sorted by service number."""
    shifts: list[DutyShift] = repositories.DutyShifts(connection).on_duty(post_code, at)
    officers = repositories.Officers(connection).many(shift.officer_id for shift in shifts)
    return sorted(o.officer_id for o in officers.values() if o.rank is Rank.INSPECTOR)


def recheck_draw(draw_json: str, root_at_size: bytes) -> str:
    """Redo a recorded draw from the ledger root at its size; returns the inspector it yields.

    ``root_at_size`` must come from the ledger, not from the record (``root_at`` on the store,
    or a signed tree head of that size). Raises :class:`DrawMismatch` when the record does not
    follow from it.
    """
    try:
        draw = json.loads(draw_json)
        size = int(draw["tree_size"])
        recorded_root = bytes.fromhex(draw["root"])
        declaration_id = str(draw["declaration_id"])
        candidates = [str(c) for c in draw["candidates"]]
        index = int(draw["index"])
        inspector = str(draw["inspector"])
    except (ValueError, KeyError, TypeError) as error:
        raise DrawMismatch(f"not a record of a draw: {error}") from None
    if recorded_root != root_at_size:
        raise DrawMismatch(
            f"the draw claims root {recorded_root.hex()} at size {size}, "
            f"but the ledger's root there is {root_at_size.hex()}"
        )
    if candidates != sorted(candidates) or len(set(candidates)) != len(candidates):
        raise DrawMismatch("the candidates are not a sorted list of distinct service numbers")
    expected = choice_index(root_at_size, len(candidates), declaration_id, *candidates)
    if index != expected or inspector != candidates[expected]:
        raise DrawMismatch(
            f"the draw yields index {expected} ({candidates[expected]}), not {index} ({inspector})"
        )
    return inspector


def reassign(
    engine: Engine,
    inspection_id: str,
    new_inspector_id: str,
    *,
    actor: str,
    at: datetime,
    reason: str,
) -> Inspection:
    """A supervisor above the drawn inspector hands the inspection to another one on duty.

    Refused once the inspection has started. The inspector first drawn and the supervisor's
    reason stay on the record.
    """
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        inspection: Inspection | None = uow.inspections.get(inspection_id)
        if inspection is None:
            raise NotFound("inspection", inspection_id)
        senior_officer(uow, actor, Rank.SHIFT_SUPERVISOR, "reassign an inspection")
        officers = uow.officers.chain_of(inspection.inspector_id)
        if not may_approve(actor, inspection.inspector_id, officers):
            raise NotAuthorised(
                f"{actor} is not in the chain of command of inspector "
                f"{inspection.inspector_id}, and may not reassign his inspection"
            )
        if inspection.started_at is not None:
            raise Conflict(
                f"inspection {inspection_id} started at {utc_text(inspection.started_at)}; "
                "a started inspection is not reassigned"
            )
        declaration = load_declaration(uow, inspection.declaration_id)
        _check_waiting(declaration, inspection)
        reasons = _check_new_inspector(uow, declaration, inspection, new_inspector_id, at)
        if len((reason or "").strip()) < MIN_REASON:
            reasons.append(f"a reassignment needs a written reason of {MIN_REASON} characters")
        if reasons:
            raise ValidationFailed(reasons, subject=f"reassignment of {inspection_id}")
        reassigned = replace(
            inspection,
            inspector_id=new_inspector_id,
            reassigned_from=inspection.reassigned_from or inspection.inspector_id,
            reassigned_by=actor,
            reassign_reason=reason.strip(),
        )
        uow.inspections.replace(reassigned)
    return reassigned


def _check_waiting(declaration: Declaration, inspection: Inspection) -> None:
    if declaration.status is not DeclarationStatus.ASSESSED or inspection.ended_at is not None:
        raise Conflict(
            f"declaration {declaration.declaration_id} is {declaration.status}; "
            f"inspection {inspection.inspection_id} no longer waits"
        )


def _check_new_inspector(
    uow: UnitOfWork,
    declaration: Declaration,
    inspection: Inspection,
    new_inspector_id: str,
    at: datetime,
) -> list[str]:
    if new_inspector_id == inspection.inspector_id:
        return [f"{new_inspector_id} is already the inspector"]
    candidate: Officer | None = uow.officers.get(new_inspector_id)
    if candidate is None:
        return [f"no officer {new_inspector_id}"]
    if candidate.rank is not Rank.INSPECTOR:
        return [f"{new_inspector_id} is a {candidate.rank}, not an inspector"]
    if new_inspector_id not in inspectors_on_duty(uow.connection, declaration.post_code, at):
        return [f"{new_inspector_id} is not on duty at {declaration.post_code}"]
    conflicted = conflicts_among(uow, [new_inspector_id], declaration, at)
    if conflicted:
        conflict = conflicted[new_inspector_id]
        return [
            f"{new_inspector_id} has a declared conflict of interest ({conflict.kind}, "
            f"{conflict.conflict_id}) with {conflict.party_id}, a party to the declaration"
        ]
    return []
