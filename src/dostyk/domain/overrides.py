"""Channel overrides: changing the risk engine's channel takes two officers and a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dostyk.domain.bounds import REMARK_MAX, Checks
from dostyk.domain.declarations import Channel
from dostyk.domain.errors import check_aware


class OverrideDecision(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Override:
    override_id: str
    declaration_id: str
    from_channel: Channel
    to_channel: Channel
    reason: str
    requested_by: str
    requested_at: datetime
    decision: OverrideDecision = OverrideDecision.PENDING
    decided_by: str | None = None
    decided_at: datetime | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        for name in ("override_id", "declaration_id"):
            checks.identifier(name, getattr(self, name))
        checks.identifier("requested_by", self.requested_by, 24)
        if self.decided_by is not None:
            checks.identifier("decided_by", self.decided_by, 24)
        if self.from_channel == self.to_channel:
            checks.add("to_channel", "an override changes the channel")
        if len(self.reason.strip()) < 10:
            checks.add("reason", "an override needs a written reason")
        else:
            checks.text("reason", self.reason, REMARK_MAX, prose=True)
        if self.decided_by is not None and self.decided_by == self.requested_by:
            checks.add("decided_by", "nobody approves his own override")
        for name in ("requested_at", "decided_at"):
            value = getattr(self, name)
            if value is not None and checks.check(check_aware, name, value):
                checks.instant(name, value)
        if self.decision is OverrideDecision.PENDING:
            if self.decided_by is not None or self.decided_at is not None:
                checks.add("decision", "a pending override names no decider")
        elif self.decided_by is None or self.decided_at is None:
            checks.add("decision", "a decided override names who decided and when")
        if (
            not checks.failed("requested_at", "decided_at")
            and self.decided_at is not None
            and self.decided_at < self.requested_at
        ):
            checks.add("decided_at", "an override is decided after it is requested")
        checks.done()

    @property
    def is_downgrade(self) -> bool:
        """Towards less control: the direction a bribe pushes."""
        return self.to_channel.severity < self.from_channel.severity
