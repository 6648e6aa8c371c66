"""The declaration lifecycle: which status may follow which, and under what conditions.

Skipping a step is what corruption buys — release before payment, duties without the inspection
the channel demands, a quiet edit after the goods have gone — so every move of a declaration goes
through :func:`advance`, which refuses anything the lifecycle does not allow and produces the
recorded step (a :class:`~dostyk.domain.events.StatusChange`) together with the new declaration.
There is no other way to change a declaration's status or channel.

The channel decides the path after risk assessment: green goes to duties, yellow and red to an
inspection. Only an approved override changes the channel; it is recorded as a step from
``assessed`` to ``assessed``, the one self-transition the lifecycle allows, so that the change
has its place, its time, its actor and its reason in the declaration's history.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Final

from dostyk.domain.declarations import Channel, Declaration, DeclarationStatus
from dostyk.domain.errors import DomainError, InvariantViolation
from dostyk.domain.events import StatusChange
from dostyk.domain.spelling import utc_text

S = DeclarationStatus

#: Statuses after which nothing changes.
FINAL: Final = frozenset({S.RELEASED, S.REJECTED, S.CANCELLED})

#: Channels that send a declaration to an inspection.
INSPECTED_CHANNELS: Final = frozenset({Channel.YELLOW, Channel.RED})

_NON_FINAL = frozenset(S) - FINAL

#: The transitions the lifecycle allows, subject to the conditions :func:`refusal` checks;
#: :func:`successors` adds cancellation by the declarant to every non-final status.
TRANSITIONS: Final[Mapping[DeclarationStatus, frozenset[DeclarationStatus]]] = MappingProxyType(
    {
        S.LODGED: frozenset({S.ACCEPTED, S.REJECTED}),
        S.ACCEPTED: frozenset({S.ASSESSED}),
        S.ASSESSED: frozenset({S.ASSESSED, S.UNDER_INSPECTION, S.DUTIES_ASSESSED}),
        S.UNDER_INSPECTION: frozenset({S.INSPECTED}),
        S.INSPECTED: frozenset({S.DUTIES_ASSESSED}),
        S.DUTIES_ASSESSED: frozenset({S.PAID}),
        S.PAID: frozenset({S.RELEASED}),
        S.RELEASED: frozenset(),
        S.REJECTED: frozenset(),
        S.CANCELLED: frozenset(),
    }
)


def successors(status: DeclarationStatus) -> frozenset[DeclarationStatus]:
    """Every status that may follow ``status``; a declarant may cancel any non-final one."""
    following = TRANSITIONS[status]
    return following | {S.CANCELLED} if status in _NON_FINAL else following


class IllegalTransition(DomainError):
    """A declaration was asked to move in a way its lifecycle does not allow."""

    def __init__(
        self,
        declaration_id: str,
        from_status: DeclarationStatus,
        to_status: DeclarationStatus,
        why: str,
    ) -> None:
        super().__init__(
            f"declaration {declaration_id} cannot go from {from_status} to {to_status}: {why}"
        )
        self.declaration_id = declaration_id
        self.from_status = from_status
        self.to_status = to_status
        self.why = why


@dataclass(frozen=True, slots=True)
class Step:
    """A declaration after a transition, and the record of the transition."""

    declaration: Declaration
    change: StatusChange


def refusal(
    declaration: Declaration,
    to_status: DeclarationStatus,
    *,
    actor: str,
    reason: str | None = None,
    channel: Channel | None = None,
) -> str | None:
    """Why the transition is not allowed, or None when it is."""
    current = declaration.status
    if current in FINAL:
        if current is S.RELEASED:
            return "the goods are released; nothing about a declaration changes after release"
        return f"a {current} declaration is final"
    if to_status not in successors(current):
        allowed = ", ".join(sorted(successors(current)))
        return f"from {current} the lifecycle allows only {allowed}"
    if to_status is S.CANCELLED:
        if actor != declaration.declarant_id:
            return f"only the declarant {declaration.declarant_id} may cancel it, not {actor}"
        return _no_channel(channel)
    if to_status is S.REJECTED and not (reason or "").strip():
        return "a rejection lists its reasons"
    if current is S.ACCEPTED and to_status is S.ASSESSED:
        return None if channel is not None else "risk assessment sets the channel"
    if current is S.ASSESSED and to_status is S.ASSESSED:
        return _channel_change(declaration, channel, reason)
    if to_status is S.UNDER_INSPECTION and declaration.channel not in INSPECTED_CHANNELS:
        return (
            f"a {declaration.channel} declaration is not inspected unless an approved override "
            "moves it to yellow or red"
        )
    if (
        current is S.ASSESSED
        and to_status is S.DUTIES_ASSESSED
        and declaration.channel is not Channel.GREEN
    ):
        return (
            f"a {declaration.channel} declaration is inspected before its duties are "
            "assessed, unless an approved override moves it to green"
        )
    return _no_channel(channel)


def _no_channel(channel: Channel | None) -> str | None:
    if channel is not None:
        return "only risk assessment or an approved override sets the channel"
    return None


def _channel_change(
    declaration: Declaration, channel: Channel | None, reason: str | None
) -> str | None:
    if channel is None:
        return "staying assessed is allowed only to change the channel"
    if channel == declaration.channel:
        return f"the channel is already {channel}"
    if not (reason or "").strip():
        return "a change of channel records the override that approved it"
    return None


def advance(
    declaration: Declaration,
    to_status: DeclarationStatus,
    previous: StatusChange,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
    channel: Channel | None = None,
) -> Step:
    """Move ``declaration`` to ``to_status`` after its last recorded step ``previous``.

    ``channel`` is given by risk assessment (accepted → assessed) and by an approved override
    (assessed → assessed); every other transition keeps the channel. Raises
    :class:`IllegalTransition` naming the declaration, both statuses and why.
    """
    if previous.declaration_id != declaration.declaration_id:
        raise InvariantViolation(
            "previous",
            f"step {previous.seq} is of declaration {previous.declaration_id}, "
            f"not {declaration.declaration_id}",
        )
    if previous.to_status is not declaration.status:
        raise InvariantViolation(
            "previous",
            f"declaration {declaration.declaration_id} is {declaration.status}, but its last "
            f"recorded step {previous.seq} left it {previous.to_status}",
        )
    why = refusal(declaration, to_status, actor=actor, reason=reason, channel=channel)
    if why is not None:
        raise IllegalTransition(declaration.declaration_id, declaration.status, to_status, why)
    if at < previous.at:
        raise IllegalTransition(
            declaration.declaration_id,
            declaration.status,
            to_status,
            f"the step at {utc_text(at)} would come before the previous one at "
            f"{utc_text(previous.at)}",
        )
    moved = declaration.at_status(to_status, declaration.channel if channel is None else channel)
    change = StatusChange(
        declaration.declaration_id,
        previous.seq + 1,
        declaration.status,
        to_status,
        at,
        actor,
        reason,
    )
    return Step(moved, change)


def lodgement(declaration: Declaration, *, actor: str) -> StatusChange:
    """The first step of every declaration: lodged by ``actor`` at its lodgement time."""
    if declaration.status is not S.LODGED or declaration.channel is not None:
        raise IllegalTransition(
            declaration.declaration_id,
            declaration.status,
            S.LODGED,
            "a declaration is lodged new, without a status or a channel of its own",
        )
    return StatusChange(declaration.declaration_id, 1, None, S.LODGED, declaration.lodged_at, actor)
