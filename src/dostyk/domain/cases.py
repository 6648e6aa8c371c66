"""Integrity cases: a subject the indicators point at, worked by an integrity officer.

A ranked list accuses nobody; a case officer checks the evidence and records what he found. The
outcome (substantiated, unsubstantiated, referred to prosecution or discipline) is kept with the
case, so the next evaluation of the indicators can be judged against what cases established
where no simulator knows the truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dostyk.domain.bounds import REMARK_MAX, Checks
from dostyk.domain.errors import check_aware


class SubjectKind(StrEnum):
    INSPECTOR = "inspector"
    SUPERVISOR = "supervisor"
    BROKER = "broker"
    IMPORTER = "importer"
    POST = "post"


class CaseOutcome(StrEnum):
    SUBSTANTIATED = "substantiated"
    UNSUBSTANTIATED = "unsubstantiated"
    REFERRED = "referred"


@dataclass(frozen=True, slots=True)
class IntegrityCase:
    case_id: str
    subject_kind: SubjectKind
    subject_id: str
    reason: str
    opened_at: datetime
    opened_by: str
    assigned_to: str | None = None
    assigned_at: datetime | None = None
    outcome: CaseOutcome | None = None
    outcome_note: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("case_id", self.case_id)
        checks.identifier("subject_id", self.subject_id)
        checks.identifier("opened_by", self.opened_by)
        for name in ("assigned_to", "closed_by"):
            if getattr(self, name) is not None:
                checks.identifier(name, getattr(self, name))
        if not self.reason.strip():
            checks.add("reason", "a case says why it is opened")
        else:
            checks.text("reason", self.reason, REMARK_MAX, prose=True)
        for name in ("opened_at", "assigned_at", "closed_at"):
            value = getattr(self, name)
            if value is not None and checks.check(check_aware, name, value):
                checks.instant(name, value)
        if (self.assigned_to is None) != (self.assigned_at is None):
            checks.add("assigned_to", "an assignment names the officer and when")
        closed = (self.outcome, self.closed_at, self.closed_by)
        if any(v is not None for v in closed) and any(v is None for v in closed):
            checks.add("outcome", "a closed case has its outcome, who closed it and when")
        if self.outcome is not None and not (self.outcome_note or "").strip():
            checks.add("outcome_note", "an outcome says what was established")
        elif self.outcome_note is not None:
            checks.text("outcome_note", self.outcome_note, REMARK_MAX, prose=True)
        if checks.failed("opened_at", "assigned_at", "closed_at"):
            checks.done()
        for name in ("assigned_at", "closed_at"):
            value = getattr(self, name)
            if value is not None and value < self.opened_at:
                checks.add(name, "is before the case was opened")
        checks.done()

    @property
    def is_open(self) -> bool:
        return self.outcome is None
