"""Duty shifts: who is on duty at a post, and when.

Inspections are drawn at random among the inspectors on duty when the declaration is selected,
so the roster is what a corrupt broker would try to game by timing his lodgements; keeping it in
the store lets integrity analytics see that pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dostyk.domain.errors import InvariantViolation, check_aware


@dataclass(frozen=True, slots=True)
class DutyShift:
    shift_id: str
    officer_id: str
    post_code: str
    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        check_aware("starts_at", self.starts_at)
        check_aware("ends_at", self.ends_at)
        if self.ends_at <= self.starts_at:
            raise InvariantViolation("ends_at", "a shift ends after it starts")

    def covers(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at
