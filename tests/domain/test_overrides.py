from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from dostyk.domain.declarations import Channel
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.overrides import Override, OverrideDecision

from .helpers import NAIVE, T0, violates

PENDING = Override(
    override_id="O-1",
    declaration_id="D-1",
    from_channel=Channel.RED,
    to_channel=Channel.YELLOW,
    reason="Same goods from the same exporter inspected last week",
    requested_by="INSP-1",
    requested_at=T0,
)
APPROVED = replace(
    PENDING,
    decision=OverrideDecision.APPROVED,
    decided_by="SUP-A",
    decided_at=T0 + timedelta(minutes=10),
)


def test_a_valid_pending_override_is_accepted() -> None:
    assert PENDING.decision is OverrideDecision.PENDING


@pytest.mark.parametrize("decision", [OverrideDecision.APPROVED, OverrideDecision.REFUSED])
def test_a_valid_decided_override_is_accepted(decision: OverrideDecision) -> None:
    assert replace(APPROVED, decision=decision).decided_by == "SUP-A"


def test_an_override_must_change_the_channel() -> None:
    with violates("to_channel"):
        replace(PENDING, to_channel=Channel.RED)


@pytest.mark.parametrize("reason", ["", "because", "  short   ", "123456789", " " * 20])
def test_an_override_needs_a_written_reason_of_ten_characters(reason: str) -> None:
    with violates("reason"):
        replace(PENDING, reason=reason)


def test_a_reason_of_exactly_ten_characters_is_accepted() -> None:
    assert replace(PENDING, reason="  abcdefghij  ").reason.strip() == "abcdefghij"


def test_nobody_decides_his_own_override() -> None:
    with violates("decided_by"):
        replace(APPROVED, decided_by=PENDING.requested_by)


@pytest.mark.parametrize(
    ("decided_by", "decided_at"),
    [(None, None), ("SUP-A", None), (None, T0 + timedelta(minutes=10))],
)
@pytest.mark.parametrize("decision", [OverrideDecision.APPROVED, OverrideDecision.REFUSED])
def test_a_decided_override_names_who_decided_and_when(
    decision: OverrideDecision, decided_by: str | None, decided_at: datetime | None
) -> None:
    with violates("decision"):
        replace(PENDING, decision=decision, decided_by=decided_by, decided_at=decided_at)


def test_a_pending_override_with_a_decider_and_time_is_refused() -> None:
    with violates("decision"):
        replace(APPROVED, decision=OverrideDecision.PENDING)


@pytest.mark.parametrize("half", ["decided_by", "decided_at"])
def test_a_pending_override_with_half_a_decision_is_refused(half: str) -> None:
    with violates("decision"):
        if half == "decided_by":
            replace(PENDING, decided_by="SUP-A")
        else:
            replace(PENDING, decided_at=T0 + timedelta(minutes=10))


def test_a_naive_request_time_is_refused() -> None:
    with violates("requested_at"):
        replace(PENDING, requested_at=NAIVE)


def test_a_decision_before_the_request_is_refused() -> None:
    with pytest.raises(InvariantViolation):
        replace(APPROVED, decided_at=T0 - timedelta(minutes=10))


@pytest.mark.parametrize(
    ("from_channel", "to_channel", "downgrade"),
    [
        (Channel.RED, Channel.GREEN, True),
        (Channel.RED, Channel.YELLOW, True),
        (Channel.YELLOW, Channel.GREEN, True),
        (Channel.GREEN, Channel.RED, False),
        (Channel.GREEN, Channel.YELLOW, False),
        (Channel.YELLOW, Channel.RED, False),
    ],
)
def test_is_downgrade_means_towards_less_control(
    from_channel: Channel, to_channel: Channel, downgrade: bool
) -> None:
    override = replace(PENDING, from_channel=from_channel, to_channel=to_channel)
    assert override.is_downgrade is downgrade
