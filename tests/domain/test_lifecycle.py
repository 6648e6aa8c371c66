"""The declaration lifecycle refuses every move it does not list, and records those it allows."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta

import pytest

from dostyk.domain.declarations import Channel, Declaration, DeclarationKind, DeclarationStatus
from dostyk.domain.errors import DomainError
from dostyk.domain.events import StatusChange
from dostyk.domain.lifecycle import (
    FINAL,
    TRANSITIONS,
    IllegalTransition,
    Step,
    advance,
    lodgement,
    successors,
)

from .helpers import T0, violates

S = DeclarationStatus
BROKER = "BRK1"

LODGED = Declaration("D1", DeclarationKind.IMPORT, "DST", BROKER, "REF-1", T0, importer_id="IMP1")

#: A channel suits every status it can have: none before assessment, yellow after.
CHANNEL_OF = {S.LODGED: None, S.ACCEPTED: None, S.REJECTED: None}


def at_status(status: DeclarationStatus, channel: Channel | None = None) -> Declaration:
    default = CHANNEL_OF.get(status, Channel.YELLOW)
    return replace(LODGED, status=status, channel=channel or default)


def previous(declaration: Declaration, seq: int = 3) -> StatusChange:
    return StatusChange(declaration.declaration_id, seq, None, declaration.status, T0, "system")


def move(
    declaration: Declaration,
    to: DeclarationStatus,
    *,
    actor: str = "SS-DST1",
    reason: str | None = None,
    channel: Channel | None = None,
) -> Step:
    return advance(
        declaration,
        to,
        previous(declaration),
        actor=actor,
        at=T0 + timedelta(minutes=5),
        reason=reason,
        channel=channel,
    )


ALL_PAIRS = list(itertools.product(S, S))
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in successors(a)]
REFUSED = [(a, b) for a, b in ALL_PAIRS if b not in successors(a)]


def test_the_lifecycle_lists_the_expected_moves() -> None:
    assert len(ALLOWED) == 17
    assert set(TRANSITIONS) == set(S)
    assert {S.RELEASED, S.REJECTED, S.CANCELLED} == FINAL
    for status in FINAL:
        assert successors(status) == frozenset()
    for status in set(S) - FINAL:
        assert S.CANCELLED in successors(status)


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED, ids=lambda s: str(s))
def test_every_move_the_lifecycle_does_not_list_is_refused(
    from_status: DeclarationStatus, to_status: DeclarationStatus
) -> None:
    declaration = at_status(from_status)
    # Even with every condition met: the declarant acts, a reason and a channel are given.
    for actor, channel in ((BROKER, None), ("SS-DST1", Channel.GREEN)):
        with pytest.raises(IllegalTransition) as refused:
            move(declaration, to_status, actor=actor, reason="for any reason", channel=channel)
        message = str(refused.value)
        assert "D1" in message
        assert f"from {from_status} to {to_status}" in message
        assert refused.value.why in message


def allowed_move(
    declaration: Declaration, from_status: DeclarationStatus, to_status: DeclarationStatus
) -> Step:
    """A listed move, made by the right actor with the reason and channel it needs."""
    if to_status is S.CANCELLED:
        return move(declaration, to_status, actor=BROKER)
    if to_status is S.REJECTED:
        return move(declaration, to_status, reason="item 1: not a subheading")
    if to_status is S.ASSESSED:
        channel = Channel.GREEN if from_status is S.ACCEPTED else Channel.RED
        return move(declaration, to_status, channel=channel, reason="override O-D1-1 approved")
    return move(declaration, to_status)


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED, ids=lambda s: str(s))
def test_every_listed_move_is_allowed_under_its_conditions(
    from_status: DeclarationStatus, to_status: DeclarationStatus
) -> None:
    channel = Channel.GREEN if to_status is S.DUTIES_ASSESSED else None
    if from_status is S.INSPECTED:
        channel = Channel.RED
    declaration = at_status(from_status, channel)
    step = allowed_move(declaration, from_status, to_status)
    assert step.declaration.status is to_status
    assert step.change.from_status is from_status
    assert step.change.to_status is to_status


def test_a_step_is_numbered_after_the_previous_one_and_records_who_when_and_why() -> None:
    accepted = at_status(S.ACCEPTED)
    step = advance(
        accepted,
        S.ASSESSED,
        previous(accepted, seq=2),
        actor="system",
        at=T0 + timedelta(minutes=1),
        channel=Channel.RED,
    )
    assert step.change == StatusChange(
        "D1", 3, S.ACCEPTED, S.ASSESSED, T0 + timedelta(minutes=1), "system", None
    )
    assert step.declaration == replace(accepted, status=S.ASSESSED, channel=Channel.RED)
    # The channel stays as it is on later steps.
    later = advance(
        step.declaration,
        S.UNDER_INSPECTION,
        step.change,
        actor="IN-DST1",
        at=T0 + timedelta(hours=1),
    )
    assert later.declaration.channel is Channel.RED
    assert later.change.seq == 4


def test_nothing_changes_after_release() -> None:
    released = at_status(S.RELEASED)
    for target in S:
        with pytest.raises(IllegalTransition, match="after release"):
            move(released, target, actor=BROKER, reason="correcting the value", channel=Channel.RED)


@pytest.mark.parametrize("channel", [Channel.YELLOW, Channel.RED])
def test_yellow_and_red_are_inspected_before_duties(channel: Channel) -> None:
    assessed = at_status(S.ASSESSED, channel)
    with pytest.raises(IllegalTransition, match="inspected before its duties"):
        move(assessed, S.DUTIES_ASSESSED)
    assert move(assessed, S.UNDER_INSPECTION).declaration.status is S.UNDER_INSPECTION


def test_green_goes_to_duties_and_is_not_inspected() -> None:
    green = at_status(S.ASSESSED, Channel.GREEN)
    with pytest.raises(IllegalTransition, match="not inspected unless an approved override"):
        move(green, S.UNDER_INSPECTION)
    assert move(green, S.DUTIES_ASSESSED).declaration.status is S.DUTIES_ASSESSED


def test_an_override_changes_the_channel_as_a_step_from_assessed_to_assessed() -> None:
    red = at_status(S.ASSESSED, Channel.RED)
    reason = "override O-D1-1 approved by SS-DST1"
    step = move(red, S.ASSESSED, channel=Channel.GREEN, reason=reason)
    assert step.declaration.channel is Channel.GREEN
    assert (step.change.from_status, step.change.to_status) == (S.ASSESSED, S.ASSESSED)
    assert step.change.reason == reason
    # Now green: straight to duties, and no inspection.
    assert move(step.declaration, S.DUTIES_ASSESSED).declaration.status is S.DUTIES_ASSESSED
    with pytest.raises(IllegalTransition):
        move(step.declaration, S.UNDER_INSPECTION)


@pytest.mark.parametrize(
    ("channel", "reason", "why"),
    [
        (None, "override O-1 approved", "only to change the channel"),
        (Channel.RED, "override O-1 approved", "already red"),
        (Channel.GREEN, None, "records the override"),
        (Channel.GREEN, "  ", "records the override"),
    ],
)
def test_staying_assessed_needs_a_new_channel_and_the_override(
    channel: Channel | None, reason: str | None, why: str
) -> None:
    with pytest.raises(IllegalTransition, match=why):
        move(at_status(S.ASSESSED, Channel.RED), S.ASSESSED, channel=channel, reason=reason)


def test_risk_assessment_sets_the_channel_and_nothing_else_does() -> None:
    with pytest.raises(IllegalTransition, match="sets the channel"):
        move(at_status(S.ACCEPTED), S.ASSESSED)
    with pytest.raises(IllegalTransition, match="only risk assessment or an approved override"):
        move(at_status(S.PAID), S.RELEASED, channel=Channel.GREEN)
    with pytest.raises(IllegalTransition, match="only risk assessment or an approved override"):
        move(at_status(S.PAID), S.CANCELLED, actor=BROKER, channel=Channel.GREEN)


@pytest.mark.parametrize("status", sorted(set(S) - FINAL))
def test_only_the_declarant_cancels(status: DeclarationStatus) -> None:
    declaration = at_status(status)
    with pytest.raises(IllegalTransition, match="only the declarant BRK1"):
        move(declaration, S.CANCELLED, actor="SS-DST1")
    assert move(declaration, S.CANCELLED, actor=BROKER).declaration.status is S.CANCELLED


def test_a_rejection_lists_its_reasons() -> None:
    with pytest.raises(IllegalTransition, match="lists its reasons"):
        move(LODGED, S.REJECTED, reason=" ")
    step = move(LODGED, S.REJECTED, reason="item 1: bad code\nitem 2: bad code")
    assert step.change.reason == "item 1: bad code\nitem 2: bad code"


def test_a_step_cannot_come_before_the_previous_one() -> None:
    with pytest.raises(IllegalTransition, match="before the previous one"):
        advance(LODGED, S.ACCEPTED, previous(LODGED), actor="system", at=T0 - timedelta(seconds=1))


def test_the_previous_step_must_be_the_declarations_last() -> None:
    with violates("previous"):
        advance(LODGED, S.ACCEPTED, previous(at_status(S.ACCEPTED)), actor="system", at=T0)
    other = replace(previous(LODGED), declaration_id="D2")
    with violates("previous"):
        advance(LODGED, S.ACCEPTED, other, actor="system", at=T0)


def test_lodgement_is_the_first_step() -> None:
    assert lodgement(LODGED, actor=BROKER) == StatusChange("D1", 1, None, S.LODGED, T0, BROKER)
    with pytest.raises(IllegalTransition, match="lodged new"):
        lodgement(at_status(S.ACCEPTED), actor=BROKER)
    with pytest.raises(IllegalTransition):
        lodgement(replace(LODGED, channel=Channel.GREEN), actor=BROKER)


def test_an_illegal_transition_is_a_domain_error_naming_everything() -> None:
    error = IllegalTransition("D9", S.ASSESSED, S.RELEASED, "not paid")
    assert str(error) == "declaration D9 cannot go from assessed to released: not paid"
    assert isinstance(error, DomainError)
