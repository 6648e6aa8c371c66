"""Moving a stored declaration through its lifecycle, one recorded step at a time.

Every use case that changes a declaration's status or channel goes through :func:`move`, which
asks the domain's state machine (:mod:`dostyk.domain.lifecycle`) and writes the new declaration
and its step together, so the status column and the history can never disagree.
"""

from __future__ import annotations

from datetime import datetime

from dostyk.domain.declarations import Channel, Declaration, DeclarationStatus
from dostyk.domain.events import StatusChange
from dostyk.domain.lifecycle import IllegalTransition, advance, refusal
from dostyk.services.errors import NotFound
from dostyk.store.unit_of_work import UnitOfWork


def load_declaration(uow: UnitOfWork, declaration_id: str) -> Declaration:
    found: Declaration | None = uow.declarations.get(declaration_id)
    if found is None:
        raise NotFound("declaration", declaration_id)
    return found


def last_step(uow: UnitOfWork, declaration_id: str) -> StatusChange:
    steps: list[StatusChange] = uow.status_changes.of(declaration_id)
    if not steps:
        raise LookupError(f"declaration {declaration_id} has no recorded steps")
    return max(steps, key=lambda step: step.seq)


def check_move(
    declaration: Declaration,
    to_status: DeclarationStatus,
    *,
    actor: str,
    channel: Channel | None = None,
    reason: str | None = None,
) -> None:
    """Refuse early, before a use case does work for a move the lifecycle will not allow."""
    why = refusal(declaration, to_status, actor=actor, reason=reason, channel=channel)
    if why is not None:
        raise IllegalTransition(declaration.declaration_id, declaration.status, to_status, why)


def move(
    uow: UnitOfWork,
    declaration: Declaration,
    to_status: DeclarationStatus,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
    channel: Channel | None = None,
) -> Declaration:
    """Advance ``declaration`` and store it with its step; returns the moved declaration."""
    step = advance(
        declaration,
        to_status,
        last_step(uow, declaration.declaration_id),
        actor=actor,
        at=at,
        reason=reason,
        channel=channel,
    )
    uow.declarations.replace(step.declaration)
    uow.status_changes.add(step.change)
    return step.declaration
