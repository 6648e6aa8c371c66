"""Inspections, assigned at random among the inspectors on duty, and what they find."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from dostyk.domain.errors import InvariantViolation, check_aware


class FindingKind(StrEnum):
    UNDECLARED_GOODS = "undeclared_goods"
    MISCLASSIFICATION = "misclassification"
    UNDERVALUATION = "undervaluation"
    QUANTITY_DISCREPANCY = "quantity_discrepancy"
    MASS_DISCREPANCY = "mass_discrepancy"
    PROHIBITED_GOODS = "prohibited_goods"


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
        check_aware("assigned_at", self.assigned_at)
        check_aware("started_at", self.started_at)
        check_aware("ended_at", self.ended_at)
        if self.started_at is not None and self.started_at < self.assigned_at:
            raise InvariantViolation("started_at", "an inspection starts after it is assigned")
        if self.ended_at is not None:
            if self.started_at is None:
                raise InvariantViolation("ended_at", "an inspection ends only after it starts")
            if self.ended_at < self.started_at:
                raise InvariantViolation("ended_at", "is before the start")
        if self.reassigned_from is not None and not (self.reassign_reason or "").strip():
            raise InvariantViolation("reassign_reason", "a reassignment needs a written reason")


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
        if self.finding_no < 1:
            raise InvariantViolation("finding_no", "findings are numbered from 1")
        if not self.description.strip():
            raise InvariantViolation("description", "a finding says what was found")
        if self.extra_duty < 0:
            raise InvariantViolation("extra_duty", "cannot be negative")
