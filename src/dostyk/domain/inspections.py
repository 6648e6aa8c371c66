"""Inspections, assigned at random among the inspectors on duty, and what they find."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from dostyk.domain.bounds import (
    MAX_EXTRA_DUTY,
    MAX_FINDINGS,
    RECORDED_MAX,
    REMARK_MAX,
    Checks,
)
from dostyk.domain.errors import check_aware


class FindingKind(StrEnum):
    UNDECLARED_GOODS = "undeclared_goods"
    MISCLASSIFICATION = "misclassification"
    UNDERVALUATION = "undervaluation"
    QUANTITY_DISCREPANCY = "quantity_discrepancy"
    MASS_DISCREPANCY = "mass_discrepancy"
    PROHIBITED_GOODS = "prohibited_goods"
    #: An imported finding whose kind the old system did not record; never an inspector's choice.
    UNRECORDED = "unrecorded"


#: The kinds an inspector records today (``unrecorded`` is for imported history only).
INSPECTOR_KINDS: tuple[FindingKind, ...] = tuple(
    k for k in FindingKind if k is not FindingKind.UNRECORDED
)


@dataclass(frozen=True, slots=True)
class Inspection:
    """An inspection and how its inspector was chosen.

    ``draw`` records the random draw (the seed and the candidates it chose among) so that anyone
    can re-run it and see that nobody picked the inspector by hand; a reassignment keeps the
    original inspector and the supervisor's written reason.
    """

    inspection_id: str
    declaration_id: str
    inspector_id: str
    assigned_at: datetime
    draw: str
    started_at: datetime | None = None
    ended_at: datetime | None = None
    reassigned_from: str | None = None
    reassigned_by: str | None = None
    reassign_reason: str | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        for name in ("inspection_id", "declaration_id"):
            checks.identifier(name, getattr(self, name))
        checks.identifier("inspector_id", self.inspector_id, 24)
        for name in ("reassigned_from", "reassigned_by"):
            if getattr(self, name) is not None:
                checks.identifier(name, getattr(self, name), 24)
        checks.text("draw", self.draw, RECORDED_MAX, prose=True, required=False)
        for name in ("assigned_at", "started_at", "ended_at"):
            value = getattr(self, name)
            if value is not None and checks.check(check_aware, name, value):
                checks.instant(name, value)
        if checks.failed("assigned_at", "started_at", "ended_at"):
            checks.done()
        if self.started_at is not None and self.started_at < self.assigned_at:
            checks.add("started_at", "an inspection starts after it is assigned")
        if self.ended_at is not None:
            if self.started_at is None:
                checks.add("ended_at", "an inspection ends only after it starts")
            elif self.ended_at < self.started_at:
                checks.add("ended_at", "is before the start")
        if self.reassigned_from is not None and not (self.reassign_reason or "").strip():
            checks.add("reassign_reason", "a reassignment needs a written reason")
        elif self.reassign_reason is not None:
            checks.text("reassign_reason", self.reassign_reason, REMARK_MAX, prose=True)
        checks.done()


@dataclass(frozen=True, slots=True)
class Finding:
    inspection_id: str
    finding_no: int
    kind: FindingKind
    description: str
    extra_duty: Decimal = Decimal("0.00")
    seized: bool = False
    item_no: int | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("inspection_id", self.inspection_id)
        if not 1 <= self.finding_no <= MAX_FINDINGS:
            checks.add("finding_no", f"findings are numbered from 1 to {MAX_FINDINGS}")
        if not self.description.strip():
            checks.add("description", "a finding says what was found")
        else:
            checks.text("description", self.description, REMARK_MAX, prose=True)
        checks.decimal("extra_duty", self.extra_duty, MAX_EXTRA_DUTY)
        checks.done()
