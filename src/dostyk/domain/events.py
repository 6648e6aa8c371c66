"""The recorded steps of a declaration's life: who moved it, when, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dostyk.domain.declarations import DeclarationStatus
from dostyk.domain.errors import InvariantViolation


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One transition of a declaration; ``actor`` is an officer's or a party's identifier."""

    declaration_id: str
    seq: int
    from_status: DeclarationStatus | None
    to_status: DeclarationStatus
    at: datetime
    actor: str
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.seq < 1:
            raise InvariantViolation("seq", "steps are numbered from 1")
        if self.at.tzinfo is None:
            raise InvariantViolation("at", "needs its time zone")
        if not self.actor.strip():
            raise InvariantViolation("actor", "every step names who took it")
