"""Declared conflicts of interest between officers and parties.

An official whose child's school fees a trading company pays cannot inspect that company's goods
or approve a change to its declarations' channel without the conflict showing. The integrity unit
keeps a register of declared relationships; random assignment leaves a conflicted inspector out
of the draw, and an override decision or a review of an inspection by a conflicted officer is
refused; each is recorded
(:class:`ConflictExclusion`). A withdrawn declaration stays on the register with its withdrawal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dostyk.domain.bounds import REMARK_MAX, Checks
from dostyk.domain.errors import check_aware


class ConflictKind(StrEnum):
    KIN = "kin"
    FINANCIAL = "financial"
    FORMER_EMPLOYER = "former_employer"


@dataclass(frozen=True, slots=True)
class ConflictOfInterest:
    conflict_id: str
    officer_id: str
    party_id: str
    kind: ConflictKind
    note: str
    declared_at: datetime
    declared_by: str
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("conflict_id", self.conflict_id)
        checks.identifier("officer_id", self.officer_id, 24)
        checks.identifier("party_id", self.party_id)
        checks.identifier("declared_by", self.declared_by)
        if self.withdrawn_by is not None:
            checks.identifier("withdrawn_by", self.withdrawn_by)
        if not self.note.strip():
            checks.add("note", "a declared relationship says what it is")
        else:
            checks.text("note", self.note, REMARK_MAX, prose=True)
        for name in ("declared_at", "withdrawn_at"):
            value = getattr(self, name)
            if value is not None and checks.check(check_aware, name, value):
                checks.instant(name, value)
        if (self.withdrawn_at is None) != (self.withdrawn_by is None):
            checks.add("withdrawn_by", "a withdrawal names who withdrew it and when")
        if (
            not checks.failed("declared_at", "withdrawn_at")
            and self.withdrawn_at is not None
            and self.withdrawn_at < self.declared_at
        ):
            checks.add("withdrawn_at", "a conflict is withdrawn after it is declared")
        checks.done()

    def in_force(self, moment: datetime) -> bool:
        """Declared by ``moment`` and not withdrawn by then."""
        return self.declared_at <= moment and (
            self.withdrawn_at is None or moment < self.withdrawn_at
        )


class ExclusionAction(StrEnum):
    """What a conflict kept an officer out of."""

    #: Left out of the random draw of an inspector.
    DRAW = "draw"
    #: Refused the decision on an override.
    OVERRIDE_DECISION = "override_decision"
    #: Refused the review of an inspection's result (an appeal or a post-clearance audit).
    REVIEW_DECISION = "review_decision"


@dataclass(frozen=True, slots=True)
class ConflictExclusion:
    """An officer kept out of a decision on a declaration by a declared conflict."""

    exclusion_id: str
    conflict_id: str
    officer_id: str
    party_id: str
    declaration_id: str
    action: ExclusionAction
    subject_id: str
    at: datetime

    def __post_init__(self) -> None:
        checks = Checks()
        for name in ("exclusion_id", "conflict_id", "party_id", "declaration_id", "subject_id"):
            checks.identifier(name, getattr(self, name))
        checks.identifier("officer_id", self.officer_id, 24)
        if checks.check(check_aware, "at", self.at):
            checks.instant("at", self.at)
        checks.done()
