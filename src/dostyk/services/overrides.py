"""Channel overrides: one officer asks with a written reason, a superior decides.

Turning red into green is exactly what a bribe buys, so no officer can do it alone: the request
names its reason, and only an officer above the requester in his chain of command can approve it
(four eyes, :func:`~dostyk.domain.officers.may_approve`). An approved override changes the
declaration's channel through its lifecycle, as a step from assessed to assessed that names the
override, so the history shows the channel the risk engine chose and who changed it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import Engine

from dostyk.domain.conflicts import ExclusionAction
from dostyk.domain.declarations import Channel, Declaration, DeclarationStatus
from dostyk.domain.events import StatusChange
from dostyk.domain.officers import chain_of_command, may_approve
from dostyk.domain.overrides import Override, OverrideDecision
from dostyk.services.actors import officer, posted_officer
from dostyk.services.conflicts import refusal_of_conflicted
from dostyk.services.errors import Conflict, NotAuthorised, NotFound, ValidationFailed
from dostyk.services.ids import make_id
from dostyk.services.steps import load_declaration, load_for_move, move
from dostyk.store.unit_of_work import UnitOfWork

#: The shortest written reason for an override.
MIN_REASON = 10


def request_override(
    engine: Engine,
    declaration_id: str,
    to_channel: Channel,
    reason: str,
    *,
    actor: str,
    at: datetime,
) -> Override:
    """An officer at the declaration's post asks to change its channel.

    Only while the declaration is assessed and no inspection of it has started, and one
    pending request at a time.
    """
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        declaration = load_declaration(uow, declaration_id)
        posted_officer(uow, actor, declaration.post_code, at, "request an override")
        _check_open(declaration)
        earlier: list[Override] = uow.overrides.of(declaration_id)
        pending = [o for o in earlier if o.decision is OverrideDecision.PENDING]
        if pending:
            raise Conflict(
                f"override {pending[0].override_id} of declaration {declaration_id} is still "
                "pending; one request at a time"
            )
        reasons = []
        if to_channel == declaration.channel:
            reasons.append(f"declaration {declaration_id} is already {to_channel}")
        if len((reason or "").strip()) < MIN_REASON:
            reasons.append(f"an override needs a written reason of {MIN_REASON} characters")
        if reasons:
            raise ValidationFailed(reasons, subject=f"override of {declaration_id}")
        assert declaration.channel is not None, "an assessed declaration has its channel"
        override = Override(
            override_id=make_id("O", declaration_id, len(earlier) + 1),
            declaration_id=declaration_id,
            from_channel=declaration.channel,
            to_channel=to_channel,
            reason=reason.strip(),
            requested_by=actor,
            requested_at=at,
        )
        uow.overrides.add(override)
    return override


def decide_override(
    engine: Engine, override_id: str, approve: bool, *, actor: str, at: datetime
) -> Override:
    """A superior of the requester approves or refuses; approval changes the channel.

    An officer with a declared conflict of interest with the declaration's importer, exporter or
    declarant may do neither: the attempt is refused, and recorded as an exclusion.
    """
    refusal: str | None = None
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        override: Override | None = uow.overrides.get(override_id)
        if override is None:
            raise NotFound("override", override_id)
        officer(uow, actor, "decide an override")
        if actor == override.requested_by:
            raise NotAuthorised(
                f"{actor} requested override {override_id}; nobody decides his own request"
            )
        officers = uow.officers.chain_of(override.requested_by)
        if not may_approve(actor, override.requested_by, officers):
            above = ", ".join(chain_of_command(override.requested_by, officers)) or "nobody"
            raise NotAuthorised(
                f"{actor} is not in the chain of command of {override.requested_by} "
                f"({above}), and may not decide his override"
            )
        if override.decision is not OverrideDecision.PENDING:
            raise Conflict(
                f"override {override_id} was {override.decision} by {override.decided_by}"
            )
        declaration, last = load_for_move(uow, override.declaration_id)
        refusal = refusal_of_conflicted(
            uow,
            actor,
            declaration,
            ExclusionAction.OVERRIDE_DECISION,
            override_id,
            f"decide override {override_id}",
            at,
        )
        if refusal is not None:
            return_value = override
        else:
            return_value = _decide(uow, override, declaration, last, approve, actor=actor, at=at)
    if refusal is not None:
        raise ConflictedOfficer(refusal)
    return return_value


class ConflictedOfficer(NotAuthorised):
    """The officer has a declared conflict of interest with a party to the declaration.

    Unlike other refusals, this one leaves a record behind: the exclusion."""

    recorded = True


def _decide(
    uow: UnitOfWork,
    override: Override,
    declaration: Declaration,
    last: StatusChange | None,
    approve: bool,
    *,
    actor: str,
    at: datetime,
) -> Override:
    override_id = override.override_id
    decision = OverrideDecision.APPROVED if approve else OverrideDecision.REFUSED
    decided = replace(override, decision=decision, decided_by=actor, decided_at=at)
    if approve:
        _check_open(declaration)
        if declaration.channel != override.from_channel:
            raise Conflict(
                f"declaration {declaration.declaration_id} is {declaration.channel} now, "
                f"not {override.from_channel} as when override {override_id} was requested"
            )
        move(
            uow,
            declaration,
            DeclarationStatus.ASSESSED,
            actor=actor,
            at=at,
            channel=override.to_channel,
            reason=(
                f"override {override_id} approved by {actor}: {override.from_channel} to "
                f"{override.to_channel}, requested by {override.requested_by}"
            ),
            previous=last,
        )
    uow.overrides.replace(decided)
    return decided


def _check_open(declaration: Declaration) -> None:
    """The channel can change only between risk assessment and the start of an inspection,
    which moves the declaration on to under_inspection."""
    if declaration.status is not DeclarationStatus.ASSESSED:
        raise Conflict(
            f"declaration {declaration.declaration_id} is {declaration.status}; its channel "
            "can change only while it is assessed, before any inspection starts"
        )
