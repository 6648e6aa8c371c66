"""The register of conflicts of interest, and keeping conflicted officers out of decisions.

The integrity unit (an officer of headquarters' rank) declares a relationship between an officer
and a party, and withdraws it when it ends; both are records under the ledger. Two use cases
consult the register on every call, through one indexed query for the declaration's parties
(:meth:`~dostyk.store.integrity_repositories.Conflicts.between`):

* the random draw of an inspector leaves out every inspector on duty with a conflict in force
  with the declaration's importer, exporter or declarant, names them in the draw's record and
  writes a :class:`~dostyk.domain.conflicts.ConflictExclusion` for each;
* an override decision by an officer with such a conflict is refused, and the refusal is
  written as an exclusion all the same (the attempt is evidence).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine

from dostyk.domain.conflicts import (
    ConflictExclusion,
    ConflictKind,
    ConflictOfInterest,
    ExclusionAction,
)
from dostyk.domain.declarations import Declaration
from dostyk.domain.officers import Rank
from dostyk.services.actors import senior_officer
from dostyk.services.errors import Conflict, NotFound, Reason, ValidationFailed
from dostyk.services.ids import make_id
from dostyk.store.integrity_repositories import ConflictExclusions, Conflicts
from dostyk.store.unit_of_work import UnitOfWork

#: The shortest note that says what a declared relationship is.
MIN_NOTE = 5


def declare_conflict(
    engine: Engine,
    officer_id: str,
    party_id: str,
    kind: ConflictKind,
    note: str,
    *,
    actor: str,
    at: datetime,
) -> ConflictOfInterest:
    """Record a declared relationship between an officer and a party."""
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        senior_officer(uow, actor, Rank.HQ, "keep the register of conflicts of interest")
        reasons = []
        if uow.officers.get(officer_id) is None:
            reasons.append(Reason("officer_id", f"no officer {officer_id}"))
        if uow.parties.get(party_id) is None:
            reasons.append(Reason("party_id", f"no party {party_id}"))
        if len((note or "").strip()) < MIN_NOTE:
            reasons.append(
                Reason("note", f"a declared relationship needs a note of {MIN_NOTE} characters")
            )
        if reasons:
            raise ValidationFailed(reasons, subject="conflict of interest")
        register = Conflicts(uow.connection, uow.ledger)
        same = [
            c
            for c in register.of_officer(officer_id)
            if c.party_id == party_id and c.kind == kind and c.withdrawn_at is None
        ]
        if same:
            raise Conflict(
                f"{officer_id} already has a {kind} conflict with {party_id} "
                f"({same[0].conflict_id}) in force"
            )
        conflict = ConflictOfInterest(
            conflict_id=make_id("C", officer_id, len(register.of_officer(officer_id)) + 1),
            officer_id=officer_id,
            party_id=party_id,
            kind=kind,
            note=note.strip(),
            declared_at=at,
            declared_by=actor,
        )
        register.add(conflict)
    return conflict


def withdraw_conflict(
    engine: Engine, conflict_id: str, *, actor: str, at: datetime
) -> ConflictOfInterest:
    """End a declared relationship; the record stays on the register with its withdrawal."""
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        senior_officer(uow, actor, Rank.HQ, "keep the register of conflicts of interest")
        register = Conflicts(uow.connection, uow.ledger)
        conflict: ConflictOfInterest | None = register.get(conflict_id)
        if conflict is None:
            raise NotFound("conflict of interest", conflict_id)
        if conflict.withdrawn_at is not None:
            raise Conflict(f"conflict {conflict_id} was withdrawn by {conflict.withdrawn_by}")
        if at < conflict.declared_at:
            raise Conflict(f"conflict {conflict_id} was declared after {at.isoformat()}")
        withdrawn = replace(conflict, withdrawn_at=at, withdrawn_by=actor)
        register.replace(withdrawn)
    return withdrawn


def list_conflicts(engine: Engine, *, current_only: bool = False) -> list[ConflictOfInterest]:
    with engine.connect() as connection:
        return Conflicts(connection).listing(current_only=current_only)


def list_exclusions(engine: Engine, limit: int = 200) -> list[ConflictExclusion]:
    with engine.connect() as connection:
        return ConflictExclusions(connection).latest(limit)


def parties_of(declaration: Declaration) -> list[str]:
    """The parties whose relationships keep an officer out: importer, exporter, declarant."""
    named = (declaration.importer_id, declaration.exporter_id, declaration.declarant_id)
    return sorted({p for p in named if p})


def conflicts_among(
    uow: UnitOfWork, officer_ids: list[str], declaration: Declaration, at: datetime
) -> dict[str, ConflictOfInterest]:
    """Each of ``officer_ids`` with a conflict in force with the declaration's parties, and the
    first such conflict (by identifier)."""
    found: dict[str, ConflictOfInterest] = {}
    for conflict in Conflicts(uow.connection).between(officer_ids, parties_of(declaration), at):
        found.setdefault(conflict.officer_id, conflict)
    return found


def record_exclusions(
    uow: UnitOfWork,
    conflicts: dict[str, ConflictOfInterest],
    declaration: Declaration,
    action: ExclusionAction,
    subject_id: str,
    at: datetime,
) -> list[ConflictExclusion]:
    """Write one exclusion per conflicted officer, in the unit of work's transaction."""
    repository = ConflictExclusions(uow.connection, uow.ledger)
    # A draw's exclusions are the first records about its inspection; a decision may be tried
    # again (and a review's subject is the inspection drawn), so its numbers go on from there.
    before = 0 if action is ExclusionAction.DRAW else repository.count_of(subject_id)
    exclusions = [
        ConflictExclusion(
            exclusion_id=make_id("X", subject_id, before + number),
            conflict_id=conflict.conflict_id,
            officer_id=conflict.officer_id,
            party_id=conflict.party_id,
            declaration_id=declaration.declaration_id,
            action=action,
            subject_id=subject_id,
            at=at,
        )
        for number, conflict in enumerate((conflicts[o] for o in sorted(conflicts)), start=1)
    ]
    repository.add_many(exclusions)
    return exclusions


def refusal_of_conflicted(
    uow: UnitOfWork,
    actor: str,
    declaration: Declaration,
    action: ExclusionAction,
    subject_id: str,
    deed: str,
    at: datetime,
) -> str | None:
    """Why ``actor`` may not ``deed`` (e.g. "decide override O-1"), or None when he has no
    conflict in force with the declaration's parties.

    The exclusion is written in the unit of work's transaction, so the caller commits it and
    raises after: a refused attempt leaves its record, which is the point of the register.
    """
    conflicted = conflicts_among(uow, [actor], declaration, at)
    if not conflicted:
        return None
    conflict = conflicted[actor]
    record_exclusions(uow, conflicted, declaration, action, subject_id, at)
    return (
        f"{actor} has a declared conflict of interest ({conflict.kind}, "
        f"{conflict.conflict_id}) with {conflict.party_id}, a party to declaration "
        f"{declaration.declaration_id}, and may not {deed}; the attempt is recorded"
    )
