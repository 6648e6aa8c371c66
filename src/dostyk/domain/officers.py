"""Officers, their ranks, their chain of command and where they serve.

The chain of command matters to integrity: a channel override is approved only by someone above
the requester, and the "pass-up" scheme runs along exactly these lines, so analytics walk them too.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dostyk.domain.bounds import Checks
from dostyk.domain.errors import InvariantViolation

OFFICER_ID = re.compile(r"[A-Z0-9][A-Z0-9-]{1,23}", re.ASCII)


class Rank(StrEnum):
    INSPECTOR = "inspector"
    SHIFT_SUPERVISOR = "shift_supervisor"
    POST_CHIEF = "post_chief"
    REGIONAL_CHIEF = "regional_chief"
    HQ = "hq"

    @property
    def seniority(self) -> int:
        return list(Rank).index(self)


@dataclass(frozen=True, slots=True)
class Officer:
    officer_id: str
    name: str
    rank: Rank
    supervisor_id: str | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        if not OFFICER_ID.fullmatch(self.officer_id):
            checks.add("officer_id", f"{self.officer_id!r} is not a service number")
        if not self.name.strip():
            checks.add("name", "an officer needs a name")
        else:
            checks.text("name", self.name, 120)
        if self.supervisor_id is not None:
            checks.identifier("supervisor_id", self.supervisor_id, 24)
        if self.supervisor_id == self.officer_id:
            checks.add("supervisor_id", "an officer cannot supervise himself")
        checks.done()


@dataclass(frozen=True, slots=True)
class Posting:
    """An officer's assignment to a post for a period; ``end_date`` is None while it lasts."""

    officer_id: str
    post_code: str
    start_date: date
    end_date: date | None = None

    def __post_init__(self) -> None:
        if self.end_date is not None and self.end_date < self.start_date:
            raise InvariantViolation(
                "end_date", f"{self.end_date} is before the start {self.start_date}"
            )

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


def chain_of_command(officer_id: str, officers: Mapping[str, Officer]) -> list[str]:
    """The officer's superiors, nearest first, up to the top of the hierarchy."""
    chain: list[str] = []
    seen = {officer_id}
    current = officers[officer_id].supervisor_id
    while current is not None:
        if current in seen:
            raise InvariantViolation("supervisor_id", f"the chain of command loops at {current}")
        if current not in officers:
            raise InvariantViolation("supervisor_id", f"unknown supervisor {current}")
        chain.append(current)
        seen.add(current)
        current = officers[current].supervisor_id
    return chain


def check_hierarchy(officers: Mapping[str, Officer]) -> None:
    """Every supervisor exists, outranks his subordinate, and no chain loops."""
    for officer in officers.values():
        chain_of_command(officer.officer_id, officers)
        if officer.supervisor_id is not None:
            boss = officers[officer.supervisor_id]
            if boss.rank.seniority <= officer.rank.seniority:
                raise InvariantViolation(
                    "supervisor_id",
                    f"{officer.officer_id} ({officer.rank}) reports to {boss.officer_id} "
                    f"({boss.rank}), who does not outrank him",
                )


def may_approve(approver_id: str, requester_id: str, officers: Mapping[str, Officer]) -> bool:
    """Four eyes: a second officer, above the requester in his chain of command."""
    if approver_id == requester_id:
        return False
    return approver_id in chain_of_command(requester_id, officers)


def check_postings(postings: Iterable[Posting]) -> None:
    """An officer serves at one post at a time: his postings do not overlap."""
    by_officer: dict[str, list[Posting]] = {}
    for posting in postings:
        by_officer.setdefault(posting.officer_id, []).append(posting)
    for officer_id, own in by_officer.items():
        own.sort(key=lambda p: p.start_date)
        for earlier, later in itertools.pairwise(own):
            if earlier.end_date is None or earlier.end_date >= later.start_date:
                raise InvariantViolation(
                    "start_date",
                    f"{officer_id}'s posting to {later.post_code} from {later.start_date} overlaps "
                    f"his posting to {earlier.post_code} from {earlier.start_date}",
                )
