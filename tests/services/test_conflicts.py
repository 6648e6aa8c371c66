"""Declared conflicts of interest keep officers out of the draw and out of override decisions."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from dostyk.domain.conflicts import ConflictKind, ExclusionAction
from dostyk.domain.declarations import Channel
from dostyk.domain.overrides import OverrideDecision
from dostyk.ledger.store import root_at
from dostyk.services.assignment import NoInspectorOnDuty, reassign, recheck_draw
from dostyk.services.conflicts import (
    declare_conflict,
    list_conflicts,
    list_exclusions,
    withdraw_conflict,
)
from dostyk.services.errors import Conflict, NotAuthorised, ValidationFailed
from dostyk.services.overrides import ConflictedOfficer, decide_override, request_override
from dostyk.store import tables as t
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import T0, Flow, ledger_size, lodging

NOTE = "His brother-in-law owns the importer"
REASON = "Same goods from the same exporter inspected last week"


def declare(engine: Engine, officer: str, party: str, minutes: int = 0) -> str:
    conflict = declare_conflict(
        engine,
        officer,
        party,
        ConflictKind.KIN,
        NOTE,
        actor="HQ-0001",
        at=T0 - timedelta(hours=1) + timedelta(minutes=minutes),
    )
    return conflict.conflict_id


def assessed(flow: Flow, n: int, channel: Channel = Channel.RED) -> None:
    flow.lodge(lodging(n))
    flow.assess(f"D{n}", channel)


def test_a_conflicted_inspector_is_never_drawn_and_the_draw_says_so(world: Engine) -> None:
    conflict_id = declare(world, "IN-DST1", "IMP1")
    flow = Flow(world)
    for n in range(1, 7):
        assessed(flow, n)
        inspection = flow.assign(f"D{n}")
        assert inspection.inspector_id == "IN-DST2"
        draw = json.loads(inspection.draw)
        assert draw["candidates"] == ["IN-DST2"]
        assert draw["excluded"] == [
            {"officer": "IN-DST1", "party": "IMP1", "conflict": conflict_id, "kind": "kin"}
        ]
        with world.connect() as connection:
            root = root_at(connection, draw["tree_size"])
        assert recheck_draw(inspection.draw, root) == "IN-DST2"
    exclusions = list_exclusions(world)
    assert len(exclusions) == 6
    assert {(x.officer_id, x.party_id, x.action) for x in exclusions} == {
        ("IN-DST1", "IMP1", ExclusionAction.DRAW)
    }
    assert {x.subject_id for x in exclusions} == {f"I-D{n}-1" for n in range(1, 7)}


def test_a_conflict_with_the_declarant_or_exporter_counts_too(world: Engine) -> None:
    declare(world, "IN-DST2", "BRK1")
    declare(world, "IN-DST1", "EXP1", minutes=1)
    flow = Flow(world)
    assessed(flow, 1)
    with pytest.raises(NoInspectorOnDuty, match="has a declared conflict of interest"):
        flow.assign("D1")
    assert list_exclusions(world) == []  # nothing was drawn, so nothing is recorded


def test_a_withdrawn_conflict_no_longer_excludes(world: Engine) -> None:
    conflict_id = declare(world, "IN-DST1", "IMP1")
    withdrawn = withdraw_conflict(world, conflict_id, actor="HQ-0001", at=T0)
    assert withdrawn.withdrawn_by == "HQ-0001"
    flow = Flow(world)
    assessed(flow, 1)
    draw = json.loads(flow.assign("D1").draw)
    assert draw["candidates"] == ["IN-DST1", "IN-DST2"]
    assert "excluded" not in draw
    with pytest.raises(Conflict, match="was withdrawn"):
        withdraw_conflict(world, conflict_id, actor="HQ-0001", at=T0)
    assert [c.conflict_id for c in list_conflicts(world)] == [conflict_id]
    assert list_conflicts(world, current_only=True) == []


def test_a_conflict_declared_later_does_not_reach_back(world: Engine) -> None:
    declare_conflict(
        world, "IN-DST1", "IMP1", ConflictKind.FINANCIAL, NOTE, actor="HQ-0001",
        at=T0 + timedelta(days=1),
    )  # fmt: skip
    flow = Flow(world)
    assessed(flow, 1)
    assert json.loads(flow.assign("D1").draw)["candidates"] == ["IN-DST1", "IN-DST2"]


def test_a_conflicted_superior_may_not_decide_and_the_attempt_is_recorded(world: Engine) -> None:
    conflict_id = declare(world, "SS-DST1", "IMP1")
    flow = Flow(world)
    assessed(flow, 1)
    asked = request_override(world, "D1", Channel.GREEN, REASON, actor="IN-DST1", at=flow.tick())
    size = ledger_size(world)
    with pytest.raises(ConflictedOfficer, match=r"conflict of interest .* the attempt is recorded"):
        decide_override(world, asked.override_id, True, actor="SS-DST1", at=flow.tick())
    assert ledger_size(world) == size + 1  # the exclusion, and nothing else
    [exclusion] = list_exclusions(world)
    assert (exclusion.conflict_id, exclusion.action, exclusion.subject_id) == (
        conflict_id,
        ExclusionAction.OVERRIDE_DECISION,
        asked.override_id,
    )
    with UnitOfWork(world) as uow:
        override = uow.overrides.get(asked.override_id)
        assert override is not None and override.decision is OverrideDecision.PENDING
    # A second attempt is recorded again; the post chief, unconflicted, decides.
    with pytest.raises(ConflictedOfficer):
        decide_override(world, asked.override_id, False, actor="SS-DST1", at=flow.tick())
    assert len(list_exclusions(world)) == 2
    decided = decide_override(world, asked.override_id, True, actor="PC-DST1", at=flow.tick())
    assert decided.decision is OverrideDecision.APPROVED


def test_reassigning_to_a_conflicted_inspector_is_refused(world: Engine) -> None:
    flow = Flow(world)
    assessed(flow, 1)
    inspection = flow.assign("D1")
    other = "IN-DST2" if inspection.inspector_id == "IN-DST1" else "IN-DST1"
    declare(world, other, "IMP1")
    with pytest.raises(ValidationFailed, match="declared conflict of interest"):
        reassign(
            world, inspection.inspection_id, other, actor="SS-DST1", at=flow.tick(),
            reason="The drawn inspector is at the weighbridge",
        )  # fmt: skip


def test_only_headquarters_keeps_the_register_and_it_checks_what_it_names(world: Engine) -> None:
    with pytest.raises(NotAuthorised, match="rank"):
        declare_conflict(world, "IN-DST1", "IMP1", ConflictKind.KIN, NOTE, actor="SS-DST1", at=T0)
    with pytest.raises(ValidationFailed) as refused:
        declare_conflict(world, "IN-NONE", "NOBODY", ConflictKind.KIN, " ", actor="HQ-0001", at=T0)
    assert refused.value.reasons == [
        "no officer IN-NONE",
        "no party NOBODY",
        "a declared relationship needs a note of 5 characters",
    ]
    declare(world, "IN-DST1", "IMP1")
    with pytest.raises(Conflict, match="already has a kin conflict"):
        declare(world, "IN-DST1", "IMP1")
    with world.connect() as connection:
        count = connection.execute(select(func.count()).select_from(t.conflicts_of_interest))
        assert count.scalar_one() == 1
