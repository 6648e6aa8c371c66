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


def load_for_move(uow: UnitOfWork, declaration_id: str) -> tuple[Declaration, StatusChange | None]:
    """The declaration and its last step in one query, for a use case that will :func:`move` it:
    pass the step to :func:`move` as ``previous`` and it is not read again."""
    found = uow.moved_in_batch(declaration_id) or uow.declarations.with_last_step(declaration_id)
    if found is None:
        raise NotFound("declaration", declaration_id)
    uow.loaded_for_move(found[0])
    return found


def last_step(uow: UnitOfWork, declaration_id: str) -> StatusChange:
    step: StatusChange | None = uow.status_changes.last(declaration_id)
    if step is None:
        raise LookupError(f"declaration {declaration_id} has no recorded steps")
    return step


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
    previous: StatusChange | None = None,
) -> Declaration:
    """Advance ``declaration`` and store it with its step; returns the moved declaration.

    ``previous`` is the declaration's last recorded step when the use case already holds it
    (read with the declaration by :func:`load_for_move`, or just written); otherwise it is read.
    """
    step = advance(
        declaration,
        to_status,
        previous if previous is not None else last_step(uow, declaration.declaration_id),
        actor=actor,
        at=at,
        reason=reason,
        channel=channel,
    )
    uow.declarations.replace(step.declaration)
    uow.status_changes.add(step.change)
    uow.stored_move(declaration, step.declaration, step.change)
    return step.declaration
