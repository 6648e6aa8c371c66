"""Overrides: a written reason, a second officer above the first, and a recorded step."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel, DeclarationStatus
from dostyk.domain.lifecycle import IllegalTransition
from dostyk.domain.overrides import Override, OverrideDecision
from dostyk.services.errors import Conflict, NotAuthorised, ValidationFailed
from dostyk.services.overrides import decide_override, request_override
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import Flow, history, ledger_size, lodging, path, read_declaration

REASON = "Same goods from the same exporter inspected last week"


def assessed(engine: Engine, channel: Channel = Channel.RED) -> Flow:
    flow = Flow(engine)
    flow.lodge(lodging(1))
    flow.assess("D1", channel)
    return flow


def request(flow: Flow, to: Channel = Channel.GREEN, actor: str = "IN-DST1") -> Override:
    return request_override(flow.engine, "D1", to, REASON, actor=actor, at=flow.tick())


def test_an_approved_override_from_red_to_green_skips_the_inspection(world: Engine) -> None:
    flow = assessed(world)
    asked = request(flow)
    assert asked == Override(
        "O-D1-1", "D1", Channel.RED, Channel.GREEN, REASON, "IN-DST1", flow.now
    )
    approved = decide_override(world, "O-D1-1", True, actor="SS-DST1", at=flow.tick())
    assert (approved.decision, approved.decided_by, approved.decided_at) == (
        OverrideDecision.APPROVED,
        "SS-DST1",
        flow.now,
    )
    declaration = read_declaration(world, "D1")
    assert (declaration.status, declaration.channel) == (DeclarationStatus.ASSESSED, Channel.GREEN)
    step = history(world, "D1")[-1]
    assert (step.from_status, step.to_status, step.actor) == (
        DeclarationStatus.ASSESSED,
        DeclarationStatus.ASSESSED,
        "SS-DST1",
    )
    assert step.reason == (
        "override O-D1-1 approved by SS-DST1: red to green, requested by IN-DST1"
    )
    # The risk engine's own choice stays on record.
    with UnitOfWork(world) as uow:
        assert [a.channel for a in uow.assessments.of("D1")] == [Channel.RED]
    flow.duties("D1")
    flow.pay("D1")
    flow.release("D1")
    assert path(world, "D1") == [
        "lodged",
        "accepted",
        "assessed",
        "assessed",
        "duties_assessed",
        "paid",
        "released",
    ]


def test_an_override_to_red_sends_a_green_declaration_to_inspection(lite: Engine) -> None:
    flow = assessed(lite, Channel.GREEN)
    request(flow, Channel.RED)
    decide_override(lite, "O-D1-1", True, actor="PC-DST1", at=flow.tick())
    flow.inspect("D1")
    assert read_declaration(lite, "D1").status is DeclarationStatus.INSPECTED


def test_a_refused_override_leaves_the_channel(lite: Engine) -> None:
    flow = assessed(lite)
    request(flow)
    size = ledger_size(lite)
    refused = decide_override(lite, "O-D1-1", False, actor="SS-DST1", at=flow.tick())
    assert refused.decision is OverrideDecision.REFUSED
    assert ledger_size(lite) == size + 1
    assert read_declaration(lite, "D1").channel is Channel.RED
    with pytest.raises(IllegalTransition, match="red declaration is inspected before"):
        flow.duties("D1")
    # Decided once and for all; a new request may follow.
    with pytest.raises(Conflict, match="was refused by SS-DST1"):
        decide_override(lite, "O-D1-1", True, actor="PC-DST1", at=flow.tick())
    assert request(flow, Channel.YELLOW).override_id == "O-D1-2"


def test_nobody_approves_his_own_request(lite: Engine) -> None:
    flow = assessed(lite)
    request(flow, actor="SS-DST1")
    with pytest.raises(NotAuthorised, match="nobody decides his own request"):
        decide_override(lite, "O-D1-1", True, actor="SS-DST1", at=flow.tick())
    assert read_declaration(lite, "D1").channel is Channel.RED


@pytest.mark.parametrize("decider", ["SS-DST2", "PC-KHR1", "IN-DST2"])
def test_only_the_requesters_superiors_decide(lite: Engine, decider: str) -> None:
    flow = assessed(lite)
    request(flow)
    with pytest.raises(NotAuthorised, match="SS-DST1, PC-DST1, RC-0001, HQ-0001"):
        decide_override(lite, "O-D1-1", True, actor=decider, at=flow.tick())
    with UnitOfWork(lite) as uow:
        stored: Override | None = uow.overrides.get("O-D1-1")
    assert stored is not None and stored.decision is OverrideDecision.PENDING
    # HQ is at the top of every chain.
    assert decide_override(lite, "O-D1-1", True, actor="HQ-0001", at=flow.tick()).decided_by


def test_a_request_is_checked_before_it_is_recorded(lite: Engine) -> None:
    flow = assessed(lite)
    with pytest.raises(ValidationFailed) as refused:
        request_override(lite, "D1", Channel.RED, "because", actor="IN-DST1", at=flow.tick())
    assert refused.value.reasons == [
        "declaration D1 is already red",
        "an override needs a written reason of 10 characters",
    ]
    for actor in ("BRK1", "PC-KHR1"):
        with pytest.raises(NotAuthorised):
            request(flow, actor=actor)
    request(flow)
    with pytest.raises(Conflict, match="O-D1-1 of declaration D1 is still pending"):
        request(flow, Channel.YELLOW, actor="IN-DST2")


def test_the_channel_is_fixed_once_an_inspection_starts(lite: Engine) -> None:
    flow = assessed(lite)
    inspection = flow.assign("D1")
    request(flow)
    flow.start(inspection)
    with pytest.raises(Conflict, match="is under_inspection; its channel can change only"):
        decide_override(lite, "O-D1-1", True, actor="SS-DST1", at=flow.tick())
    with pytest.raises(Conflict, match="is under_inspection"):
        request(flow, Channel.YELLOW, actor="IN-DST2")
