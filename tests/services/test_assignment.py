"""Inspectors are drawn at random among those on duty; only a superior reassigns, with reason."""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel
from dostyk.domain.inspections import Inspection
from dostyk.domain.lifecycle import IllegalTransition
from dostyk.ledger.store import root_at
from dostyk.services.assignment import (
    DrawMismatch,
    NoInspectorOnDuty,
    assign_inspector,
    reassign,
    recheck_draw,
)
from dostyk.services.errors import Conflict, NotAuthorised, ValidationFailed
from dostyk.store.engine import make_engine
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import T0, Flow, ledger_size, lodging

REASON = "The drawn inspector is at the weighbridge"


def assessed(engine: Engine, n: int = 1, channel: Channel = Channel.RED, **flow: object) -> Flow:
    driver = Flow(engine, **flow)  # type: ignore[arg-type]
    driver.lodge(lodging(n))
    driver.assess(f"D{n}", channel)
    return driver


def ledger_root(engine: Engine, size: int) -> bytes:
    with engine.connect() as connection:
        return root_at(connection, size)


def other_inspector(inspection: Inspection) -> str:
    return "IN-DST2" if inspection.inspector_id == "IN-DST1" else "IN-DST1"


def test_the_draw_is_among_those_on_duty_and_anyone_can_redo_it(world: Engine) -> None:
    flow = assessed(world)
    inspection = flow.assign("D1")
    assert inspection.inspection_id == "I-D1-1"
    draw = json.loads(inspection.draw)
    assert draw["candidates"] == ["IN-DST1", "IN-DST2"]
    assert draw["declaration_id"] == "D1"
    assert draw["inspector"] == inspection.inspector_id
    assert draw["candidates"][draw["index"]] == inspection.inspector_id
    root = ledger_root(world, draw["tree_size"])
    assert draw["root"] == root.hex()
    assert recheck_draw(inspection.draw, root) == inspection.inspector_id


def test_a_doctored_draw_does_not_check_out(lite: Engine) -> None:
    inspection = assessed(lite).assign("D1")
    draw = json.loads(inspection.draw)
    root = ledger_root(lite, draw["tree_size"])
    swapped = dict(draw, index=1 - draw["index"], inspector=draw["candidates"][1 - draw["index"]])
    with pytest.raises(DrawMismatch, match="the draw yields index"):
        recheck_draw(json.dumps(swapped), root)
    with pytest.raises(DrawMismatch, match="but the ledger's root there is"):
        recheck_draw(inspection.draw, ledger_root(lite, draw["tree_size"] - 1))
    with pytest.raises(DrawMismatch, match="not a record of a draw"):
        recheck_draw("seed=0;chosen=IN-DST1", root)


def test_the_same_world_draws_the_same_inspector(
    lite: Engine, lite_template: Path, tmp_path: Path
) -> None:
    """The draw depends on the records only, so a simulation replays exactly."""
    twin_path = tmp_path / "twin.db"
    shutil.copyfile(lite_template, twin_path)
    twin = make_engine(f"sqlite:///{twin_path}")
    try:
        assert assessed(lite).assign("D1").draw == assessed(twin).assign("D1").draw
    finally:
        twin.dispose()


def test_the_night_shift_has_its_own_inspector_and_nobody_is_drawn_off_duty(
    lite: Engine,
) -> None:
    night = assessed(lite, start=T0 + timedelta(hours=13))
    assert night.assign("D1").inspector_id == "IN-DST3"
    later = assessed(lite, 2, start=T0 + timedelta(days=2))
    with pytest.raises(NoInspectorOnDuty, match="no inspector is on duty at DST"):
        later.assign("D2")


def test_brokers_cannot_choose_and_green_is_not_inspected(lite: Engine) -> None:
    flow = assessed(lite)
    with pytest.raises(NotAuthorised, match="only an officer may assign an inspector"):
        assign_inspector(lite, "D1", actor="BRK1", at=flow.tick())
    flow.assign("D1")
    with pytest.raises(Conflict, match="already assigned"):
        flow.assign("D1")
    green = assessed(lite, 2, Channel.GREEN)
    with pytest.raises(IllegalTransition, match="green declaration is not inspected"):
        green.assign("D2")


def test_a_supervisor_above_the_inspector_reassigns_with_a_reason(lite: Engine) -> None:
    flow = assessed(lite)
    drawn = flow.assign("D1")
    size = ledger_size(lite)
    moved = reassign(
        lite,
        drawn.inspection_id,
        other_inspector(drawn),
        actor="SS-DST1",
        at=flow.tick(),
        reason=REASON,
    )
    assert moved.inspector_id == other_inspector(drawn)
    assert (moved.reassigned_from, moved.reassigned_by, moved.reassign_reason) == (
        drawn.inspector_id,
        "SS-DST1",
        REASON,
    )
    assert moved.assigned_at == drawn.assigned_at
    assert ledger_size(lite) == size + 1
    # Back again, by the post chief: the inspector first drawn stays on record.
    back = reassign(
        lite,
        drawn.inspection_id,
        drawn.inspector_id,
        actor="PC-DST1",
        at=flow.tick(),
        reason="The weighbridge is closed for repair",
    )
    assert (back.inspector_id, back.reassigned_from, back.reassigned_by) == (
        drawn.inspector_id,
        drawn.inspector_id,
        "PC-DST1",
    )
    # The draw itself is untouched and still checks out.
    assert back.draw == drawn.draw


@pytest.mark.parametrize("reason", ["", "busy", "         x"])
def test_a_reassignment_needs_a_written_reason(lite: Engine, reason: str) -> None:
    flow = assessed(lite)
    drawn = flow.assign("D1")
    with pytest.raises(ValidationFailed, match="written reason of 10 characters"):
        reassign(
            lite,
            drawn.inspection_id,
            other_inspector(drawn),
            actor="SS-DST1",
            at=flow.tick(),
            reason=reason,
        )
    with UnitOfWork(lite) as uow:
        assert uow.inspections.get(drawn.inspection_id) == drawn


@pytest.mark.parametrize(
    ("actor", "refusal"),
    [
        ("SS-DST2", "not in the chain of command of inspector"),
        ("PC-KHR1", "not in the chain of command of inspector"),
        ("IN-DST1", "only a shift_supervisor or above may reassign"),
        ("BRK1", "only an officer may reassign"),
    ],
)
def test_only_the_inspectors_superiors_reassign(lite: Engine, actor: str, refusal: str) -> None:
    flow = assessed(lite)
    drawn = flow.assign("D1")
    with pytest.raises(NotAuthorised, match=refusal):
        reassign(
            lite,
            drawn.inspection_id,
            other_inspector(drawn),
            actor=actor,
            at=flow.tick(),
            reason=REASON,
        )


def test_the_new_inspector_is_an_inspector_on_duty(lite: Engine) -> None:
    flow = assessed(lite)
    drawn = flow.assign("D1")
    for new, refusal in [
        ("IN-DST3", "IN-DST3 is not on duty at DST"),
        ("SS-DST1", "SS-DST1 is a shift_supervisor, not an inspector"),
        (drawn.inspector_id, "is already the inspector"),
        ("IN-NONE", "no officer IN-NONE"),
    ]:
        with pytest.raises(ValidationFailed, match=refusal):
            reassign(lite, drawn.inspection_id, new, actor="SS-DST1", at=flow.tick(), reason=REASON)


def test_a_started_inspection_is_not_reassigned(lite: Engine) -> None:
    flow = assessed(lite)
    started = flow.start(flow.assign("D1"))
    with pytest.raises(Conflict, match="a started inspection is not reassigned"):
        reassign(
            lite,
            started.inspection_id,
            other_inspector(started),
            actor="SS-DST1",
            at=flow.tick(),
            reason=REASON,
        )
