"""The recorded steps of a declaration's life: who moved it, when, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from dostyk.domain.bounds import RECORDED_MAX, Checks
from dostyk.domain.copies import unchecked_copy
from dostyk.domain.declarations import DeclarationStatus


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
        checks = Checks()
        checks.identifier("declaration_id", self.declaration_id)
        if self.seq < 1:
            checks.add("seq", "steps are numbered from 1")
        checks.instant("at", self.at)
        if not self.actor.strip():
            checks.add("actor", "every step names who took it")
        else:
            checks.identifier("actor", self.actor)
        if self.reason is not None:
            checks.text("reason", self.reason, RECORDED_MAX, prose=True)
        checks.done()

    def in_utc(self) -> StatusChange:
        """This step with its time in UTC, as the store gives it back. The same instant, so the
        checks it passed hold and are not run again (a batch hands on every step it stores)."""
        if self.at.tzinfo is UTC:
            return self
        return unchecked_copy(self, at=self.at.astimezone(UTC))
