"""Duty shifts: who is on duty at a post, and when.

Inspections are drawn at random among the inspectors on duty when the declaration is selected,
so the roster is what a corrupt broker would try to game by timing his lodgements; keeping it in
the store lets integrity analytics see that pattern.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dostyk.domain.bounds import PLAN_AHEAD, Checks


@dataclass(frozen=True, slots=True)
class DutyShift:
    shift_id: str
    officer_id: str
    post_code: str
    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("shift_id", self.shift_id)
        checks.identifier("officer_id", self.officer_id, 24)
        checks.identifier("post_code", self.post_code, 12)
        checks.instant("starts_at", self.starts_at, PLAN_AHEAD)
        checks.instant("ends_at", self.ends_at, PLAN_AHEAD)
        if not checks.failed("starts_at", "ends_at") and self.ends_at <= self.starts_at:
            checks.add("ends_at", "a shift ends after it starts")
        checks.done()

    def covers(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at
