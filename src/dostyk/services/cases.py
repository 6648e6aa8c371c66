"""The integrity unit's cases: open one on a subject, assign it, record what it established.

Every step is a record under the ledger, written by an officer of headquarters' rank (the
integrity unit's members are HQ officers). Nobody works a case about himself: an officer is not
assigned a case whose subject he is. The outcomes are records like the others, so `dostyk export`
and the warehouse carry them to the next evaluation of the indicators.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, Engine, select

from dostyk.domain.cases import CaseOutcome, IntegrityCase, SubjectKind
from dostyk.domain.officers import Rank
from dostyk.domain.parties import PartyRole
from dostyk.services.actors import senior_officer
from dostyk.services.errors import Conflict, NotFound, Reason, ValidationFailed
from dostyk.services.ids import make_id
from dostyk.store import tables as t
from dostyk.store.integrity_repositories import Cases
from dostyk.store.repositories import Officers, Parties, Posts
from dostyk.store.unit_of_work import UnitOfWork

#: The shortest reason or outcome note.
MIN_TEXT = 10
_DOING = "work the integrity unit's cases"


def new_case_id() -> str:
    """A case's number, drawn at random. Numbered in sequence, the gap an integrity officer
    sees in his listing (K-1, K-3) would tell him that a case he may not see — one about
    himself — exists."""
    return make_id("K", secrets.token_hex(5).upper())


def open_case(
    engine: Engine,
    subject_kind: SubjectKind,
    subject_id: str,
    reason: str,
    *,
    actor: str,
    at: datetime,
) -> IntegrityCase:
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        senior_officer(uow, actor, Rank.HQ, _DOING)
        reasons = []
        wrong = _not_subject(uow.connection, subject_kind, subject_id)
        if wrong is not None:
            reasons.append(Reason("subject_id", wrong))
        if subject_id == actor:
            reasons.append(Reason("subject_id", "nobody opens a case about himself"))
        if len((reason or "").strip()) < MIN_TEXT:
            reasons.append(
                Reason("reason", f"a case needs a written reason of {MIN_TEXT} characters")
            )
        if reasons:
            raise ValidationFailed(reasons, subject="case")
        cases = Cases(uow.connection, uow.ledger)
        case = IntegrityCase(
            case_id=new_case_id(),
            subject_kind=subject_kind,
            subject_id=subject_id,
            reason=reason.strip(),
            opened_at=at,
            opened_by=actor,
        )
        cases.add(case)
    return case


def assign_case(
    engine: Engine, case_id: str, officer_id: str, *, actor: str, at: datetime
) -> IntegrityCase:
    """Give an open case to an integrity officer (again, to hand it on)."""
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        senior_officer(uow, actor, Rank.HQ, _DOING)
        cases = Cases(uow.connection, uow.ledger)
        case = _open(cases, case_id)
        assignee = uow.officers.get(officer_id)
        if assignee is None or assignee.rank is not Rank.HQ:
            raise ValidationFailed(
                [
                    Reason(
                        "officer_id",
                        f"{officer_id} is not an officer of headquarters (the integrity unit)",
                    )
                ],
                subject=f"assignment of {case_id}",
            )
        if officer_id == case.subject_id:
            raise ValidationFailed(
                [Reason("officer_id", f"{officer_id} is the subject of case {case_id}")],
                subject=f"assignment of {case_id}",
            )
        if at < case.opened_at:
            raise Conflict(f"case {case_id} was opened after {at.isoformat()}")
        assigned = replace(case, assigned_to=officer_id, assigned_at=at)
        cases.replace(assigned)
    return assigned


def record_outcome(
    engine: Engine,
    case_id: str,
    outcome: CaseOutcome,
    note: str,
    *,
    actor: str,
    at: datetime,
) -> IntegrityCase:
    """Close a case with what it established; only its assigned officer does."""
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        senior_officer(uow, actor, Rank.HQ, _DOING)
        cases = Cases(uow.connection, uow.ledger)
        case = _open(cases, case_id)
        if case.assigned_to is None:
            raise Conflict(f"case {case_id} is not assigned yet; assign it first")
        if case.assigned_to != actor:
            raise Conflict(
                f"case {case_id} is assigned to {case.assigned_to}, who records its outcome"
            )
        if len((note or "").strip()) < MIN_TEXT:
            raise ValidationFailed(
                [Reason("note", f"an outcome needs a note of {MIN_TEXT} characters")],
                subject=f"case {case_id}",
            )
        closed = replace(
            case, outcome=outcome, outcome_note=note.strip(), closed_at=at, closed_by=actor
        )
        cases.replace(closed)
    return closed


def subject_problem(engine: Engine, kind: SubjectKind, subject_id: str) -> str | None:
    """Why nobody of ``kind`` has ``subject_id`` ("no inspector IN-9", "IMP1 is not a broker:
    …"), or None when he is one: what a case may be opened on, and a subject page shows."""
    with engine.connect() as connection:
        return _not_subject(connection, kind, subject_id)


def list_cases(engine: Engine) -> list[IntegrityCase]:
    with engine.connect() as connection:
        return Cases(connection).listing()


def get_case(engine: Engine, case_id: str) -> IntegrityCase:
    with engine.connect() as connection:
        case = Cases(connection).get(case_id)
    if case is None:
        raise NotFound("case", case_id)
    return case


def _open(cases: Cases, case_id: str) -> IntegrityCase:
    case = cases.get(case_id)
    if case is None:
        raise NotFound("case", case_id)
    if case.outcome is not None:
        raise Conflict(f"case {case_id} was closed as {case.outcome} by {case.closed_by}")
    return case


def _not_subject(connection: Connection, kind: SubjectKind, subject_id: str) -> str | None:
    """Why ``subject_id`` cannot be the subject of a case of ``kind``, or None when he can.

    The kind is what the ranking calls him: a case filed under another (an importer as a broker)
    would sit on a subject page nobody opens and be missing from his own. An inspector is an
    officer of that rank or one who carried out an inspection (imported history may hold
    others'); a supervisor an officer above inspector; a broker a party that lodges
    declarations (declarant); an importer a party that imports.
    """
    if kind is SubjectKind.POST:
        return None if Posts(connection).get(subject_id) is not None else f"no post {subject_id}"
    if kind in (SubjectKind.INSPECTOR, SubjectKind.SUPERVISOR):
        found = Officers(connection).get(subject_id)
        if found is None:
            return f"no {kind} {subject_id}"
        if kind is SubjectKind.SUPERVISOR:
            fits = found.rank is not Rank.INSPECTOR
        else:
            fits = found.rank is Rank.INSPECTOR or _has_inspected(connection, subject_id)
        return None if fits else f"{subject_id} is not {_a(kind)}: he is a {found.rank}"
    party = Parties(connection).get(subject_id)
    if party is None:
        return f"no {kind} {subject_id}"
    role = PartyRole.DECLARANT if kind is SubjectKind.BROKER else PartyRole.IMPORTER
    if role in party.roles:
        return None
    roles = ", ".join(sorted(r.value for r in party.roles))
    return f"{subject_id} is not {_a(kind)}: its roles are {roles}"


def _a(kind: SubjectKind) -> str:
    return f"{'an' if kind.value[0] in 'aeiou' else 'a'} {kind}"


def _has_inspected(connection: Connection, officer_id: str) -> bool:
    column = t.inspections.c.inspector_id
    query = select(column).where(column == officer_id).limit(1)
    return connection.execute(query).first() is not None
