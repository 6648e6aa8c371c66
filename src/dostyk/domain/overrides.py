"""Channel overrides: changing the risk engine's channel takes two officers and a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dostyk.domain.declarations import Channel
from dostyk.domain.errors import InvariantViolation, check_aware


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
        if self.from_channel == self.to_channel:
            raise InvariantViolation("to_channel", "an override changes the channel")
        if len(self.reason.strip()) < 10:
            raise InvariantViolation("reason", "an override needs a written reason")
        if self.decided_by is not None and self.decided_by == self.requested_by:
            raise InvariantViolation("decided_by", "nobody approves his own override")
        check_aware("requested_at", self.requested_at)
        check_aware("decided_at", self.decided_at)
        if self.decision is OverrideDecision.PENDING:
            if self.decided_by is not None or self.decided_at is not None:
                raise InvariantViolation("decision", "a pending override names no decider")
        elif self.decided_by is None or self.decided_at is None:
            raise InvariantViolation("decision", "a decided override names who decided and when")
        if self.decided_at is not None and self.decided_at < self.requested_at:
            raise InvariantViolation("decided_at", "an override is decided after it is requested")

    @property
    def is_downgrade(self) -> bool:
        """Towards less control: the direction a bribe pushes."""
        return self.to_channel.severity < self.from_channel.severity
