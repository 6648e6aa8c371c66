"""Publishing a post's duty roster.

Inspections are drawn among the inspectors on duty, so the roster is published ahead of the
shift and kept: who was on duty when is evidence for the integrity unit, and a roster changed
after the fact would be visible in the ledger.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Engine

from dostyk.domain.officers import Posting
from dostyk.domain.shifts import DutyShift
from dostyk.services.actors import national_day
from dostyk.services.errors import ValidationFailed
from dostyk.store.unit_of_work import UnitOfWork


def publish_roster(engine: Engine, shifts: Sequence[DutyShift], *, actor: str, at: datetime) -> int:
    """Record shifts; each officer must be posted at the shift's post and not double-booked."""
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        reasons = []
        by_officer: dict[str, list[DutyShift]] = {}
        serving: dict[tuple[str, date], list[Posting]] = {}
        for shift in shifts:
            day = national_day(shift.starts_at)
            postings = serving.get((shift.post_code, day))
            if postings is None:  # a roster's shifts mostly share a post and a day
                postings = serving[(shift.post_code, day)] = uow.postings.serving_at(
                    shift.post_code, day
                )
            if not any(p.officer_id == shift.officer_id for p in postings):
                reasons.append(
                    f"{shift.shift_id}: {shift.officer_id} is not posted at {shift.post_code} "
                    f"on {day.isoformat()}"
                )
            by_officer.setdefault(shift.officer_id, []).append(shift)
        for officer_id, own in by_officer.items():
            own.sort(key=lambda s: s.starts_at)
            for earlier, later in itertools.pairwise(own):
                if later.starts_at < earlier.ends_at:
                    reasons.append(f"{officer_id}: {later.shift_id} overlaps {earlier.shift_id}")
        if reasons:
            raise ValidationFailed(reasons, subject="roster")
        uow.shifts.add_many(shifts)
    return len(shifts)
