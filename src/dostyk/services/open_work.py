"""The work open at a post: inspections drawn and not finished, overrides awaiting a decision,
reassignments standing on them, and the day's out-of-turn services.

These are the inspector's and the supervisor's lists. Each is read from what is open now — the
declarations of the post that are assessed or under inspection (the index on status and post) —
and from the officers serving at the post with the out-of-turn services each made since a moment
(the index on officer and time), so that none of them reads the post's finished history and none
grows slower as that history grows. Reads run on a connection that never writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from dostyk.domain.declarations import Declaration, DeclarationStatus
from dostyk.domain.inspections import Inspection
from dostyk.domain.officers import Officer, may_approve
from dostyk.domain.overrides import Override, OverrideDecision
from dostyk.domain.queues import QueueException
from dostyk.services.assignment import inspectors_on_duty
from dostyk.services.errors import NotFound
from dostyk.store import repositories as r

#: The steps of a declaration during which its inspection or its override is open.
OPEN = (DeclarationStatus.ASSESSED, DeclarationStatus.UNDER_INSPECTION)


@dataclass(frozen=True, slots=True)
class OpenInspection:
    """An inspection drawn and not yet finished, with the declaration it inspects."""

    inspection: Inspection
    declaration: Declaration

    @property
    def started(self) -> bool:
        return self.inspection.started_at is not None


@dataclass(frozen=True, slots=True)
class PendingOverride:
    """An override request still awaiting a decision, and whether the reader may decide it."""

    override: Override
    declaration: Declaration
    #: Four eyes: the reader is above the requester in his chain of command.
    decidable: bool


@dataclass(frozen=True, slots=True)
class PostSupervision:
    """What a supervisor watches at one post."""

    post_code: str
    pending_overrides: list[PendingOverride]
    #: Inspections not yet started, which a supervisor may still hand to another inspector.
    waiting: list[OpenInspection]
    #: Open inspections that a supervisor handed from the drawn inspector to another one.
    reassigned: list[OpenInspection]
    #: Declarations served out of turn since the moment asked for, oldest first.
    out_of_turn: list[QueueException]
    #: Inspectors on duty now: those an inspection may be handed to.
    inspectors_on_duty: list[str]


def _open_at(connection: Connection, post_code: str) -> dict[str, Declaration]:
    declarations = r.Declarations(connection)
    return {
        d.declaration_id: d for status in OPEN for d in declarations.with_status(post_code, status)
    }


def _open_inspections(
    connection: Connection, declarations: dict[str, Declaration]
) -> list[OpenInspection]:
    inspections: list[Inspection] = r.Inspections(connection).of_any(declarations)
    found = [
        OpenInspection(i, declarations[i.declaration_id]) for i in inspections if i.ended_at is None
    ]
    return sorted(found, key=lambda o: (o.inspection.assigned_at, o.inspection.inspection_id))


def inspections_of(
    engine: Engine, inspector_id: str, post_codes: Iterable[str]
) -> list[OpenInspection]:
    """The inspections drawn for ``inspector_id`` at these posts and not finished, oldest first."""
    with engine.connect() as connection:
        mine = [
            o
            for post_code in sorted(set(post_codes))
            for o in _open_inspections(connection, _open_at(connection, post_code))
            if o.inspection.inspector_id == inspector_id
        ]
    return sorted(mine, key=lambda o: (o.inspection.assigned_at, o.inspection.inspection_id))


def _with_declaration(
    engine: Engine, repository: type[r.Repository[Any]], kind: str, key: str
) -> tuple[Any, Declaration]:
    """A record that names a declaration, with that declaration."""
    with engine.connect() as connection:
        record = repository(connection).get(key)
        if record is None:
            raise NotFound(kind, key)
        declaration: Declaration | None = r.Declarations(connection).get(record.declaration_id)
    assert declaration is not None, f"an {kind}'s declaration is kept (foreign key)"
    return record, declaration


def open_inspection(engine: Engine, inspection_id: str) -> tuple[Inspection, Declaration]:
    """One inspection, finished or not, with its declaration."""
    inspection, declaration = _with_declaration(engine, r.Inspections, "inspection", inspection_id)
    assert isinstance(inspection, Inspection)
    return inspection, declaration


def override_of(engine: Engine, override_id: str) -> tuple[Override, Declaration]:
    """One override with its declaration (to check the reader's reach before deciding)."""
    override, declaration = _with_declaration(engine, r.Overrides, "override", override_id)
    assert isinstance(override, Override)
    return override, declaration


def post_codes(engine: Engine) -> list[str]:
    """Every post's code (a national reader's list: posts are few, about a hundred)."""
    with engine.connect() as connection:
        return sorted(post.code for post in r.Posts(connection).all())


def supervision(
    engine: Engine, post_code: str, reader_id: str, *, since: datetime, at: datetime
) -> PostSupervision:
    """A post's open overrides, waiting and reassigned inspections, and out-of-turn services."""
    with engine.connect() as connection:
        declarations = _open_at(connection, post_code)
        assessed = {
            key: d for key, d in declarations.items() if d.status is DeclarationStatus.ASSESSED
        }
        overrides: list[Override] = r.Overrides(connection).of_any(assessed)
        pending = [o for o in overrides if o.decision is OverrideDecision.PENDING]
        chains: dict[str, dict[str, Officer]] = {}
        officers = r.Officers(connection)
        for override in pending:
            if override.requested_by not in chains:
                chains[override.requested_by] = officers.chain_of(override.requested_by)
        inspections = _open_inspections(connection, declarations)
        serving = r.Postings(connection).serving_at(post_code, at.date())
        exceptions = r.QueueExceptions(connection)
        out_of_turn = [
            e
            for officer_id in sorted({p.officer_id for p in serving})
            for e in exceptions.of_officer_since(officer_id, since)
            if e.post_code == post_code
        ]
        on_duty = inspectors_on_duty(connection, post_code, at)
    return PostSupervision(
        post_code=post_code,
        pending_overrides=[
            PendingOverride(
                o,
                assessed[o.declaration_id],
                may_approve(reader_id, o.requested_by, chains[o.requested_by]),
            )
            for o in sorted(pending, key=lambda o: (o.requested_at, o.override_id))
        ],
        waiting=[o for o in inspections if not o.started],
        reassigned=[o for o in inspections if o.inspection.reassigned_from is not None],
        out_of_turn=sorted(out_of_turn, key=lambda e: (e.at, e.exception_id)),
        inspectors_on_duty=on_duty,
    )
