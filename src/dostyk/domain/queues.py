"""First-in-first-out queues and the recorded exceptions to them.

Paying for priority means being served before those who came first. Each post serves its
inspection queue and its release queue in order, per channel; serving someone out of turn is
allowed only with a written reason, and each such exception is a record the integrity unit reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dostyk.domain.bounds import REMARK_MAX, Checks
from dostyk.domain.declarations import Channel


class QueueKind(StrEnum):
    INSPECTION = "inspection"
    RELEASE = "release"


@dataclass(frozen=True, slots=True)
class QueueException:
    """A declaration served before ``overtaken`` others that were ahead of it."""

    exception_id: str
    post_code: str
    queue: QueueKind
    channel: Channel
    declaration_id: str
    overtaken: int
    first_overtaken_id: str
    reason: str
    officer_id: str
    at: datetime

    def __post_init__(self) -> None:
        checks = Checks()
        for name in ("exception_id", "declaration_id", "first_overtaken_id"):
            checks.identifier(name, getattr(self, name))
        checks.identifier("post_code", self.post_code, 12)
        checks.identifier("officer_id", self.officer_id, 24)
        checks.instant("at", self.at)
        if self.overtaken < 1:
            checks.add("overtaken", "an exception overtakes at least one")
        if len(self.reason.strip()) < 10:
            checks.add("reason", "serving out of turn needs a written reason")
        else:
            checks.text("reason", self.reason, REMARK_MAX, prose=True)
        checks.done()
