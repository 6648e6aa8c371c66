"""Occupancies, alarms and their adjudication, and the goods an open alarm holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine

from dostyk.domain.alarms import AlarmStatus, Disposition, StepKind
from dostyk.domain.declarations import Channel, DeclarationStatus
from dostyk.domain.monitors import StoredOccupancy
from dostyk.services import radiation
from dostyk.services.errors import NotAuthorised, ValidationFailed
from dostyk.services.radiation_hold import HeldByAlarm
from dostyk.store.unit_of_work import UnitOfWork
from tests.radiation.occupancies import occupancy
from tests.services.world import ARRIVED, T0, Flow, ledger_size, lodging

OPERATOR = "IN-DST1"


def _monitors(engine: Engine) -> None:
    radiation.ensure_monitors(engine, "DST", actor="PC-DST1", at=ARRIVED)


def _pass(
    engine: Engine, crossing_id: str, source_cps: float, n: int = 1
) -> radiation.RecordedOccupancy:
    (done,) = radiation.record_occupancies(
        engine,
        [
            occupancy(
                f"OC-{n}",
                started_at=ARRIVED + timedelta(minutes=n),
                crossing_id=crossing_id,
                source_cps=source_cps,
                seed=n,
            )
        ],
        actor="system",
        at=ARRIVED + timedelta(minutes=n, seconds=10),
        source="test",
    )
    return done


def _step(engine: Engine, alarm_id: str, kind: StepKind, minutes: int, **fields: Any) -> None:
    radiation.adjudicate(
        engine, alarm_id, kind, actor=OPERATOR, at=T0 + timedelta(minutes=minutes), **fields
    )


def test_an_occupancy_is_stored_whole_and_analysed(lite: Engine) -> None:
    _monitors(lite)
    size = ledger_size(lite)
    quiet = _pass(lite, "X-RC2", 0.0, n=1)
    assert quiet.alarm is None
    hot = _pass(lite, "X-RC1", 3000.0, n=2)
    assert hot.alarm is not None
    assert (hot.alarm.status, hot.alarm.crossing_id, hot.alarm.algorithm) == (
        AlarmStatus.OPEN,
        "X-RC1",
        "energy-window",
    )
    with UnitOfWork(lite) as uow:
        stored: StoredOccupancy | None = uow.occupancies.get("OC-2")
        findings = uow.alarm_findings.of(hot.alarm.alarm_id)
    assert stored is not None
    again = stored.occupancy()
    original = occupancy("OC-2", started_at=ARRIVED, crossing_id="X-RC1", source_cps=3000, seed=2)
    assert np.array_equal(again.gamma, original.gamma)
    assert np.array_equal(again.neutron, original.neutron)
    assert {f.algorithm for f in findings} == {"gross-count", "energy-window", "sprt", "neutron"}
    # Two occupancies, one alarm and its four findings, each in the ledger.
    assert ledger_size(lite) == size + 2 + 1 + 4


def test_a_refused_import_leaves_nothing(lite: Engine) -> None:
    _monitors(lite)
    size = ledger_size(lite)
    good = occupancy("OC-1", started_at=ARRIVED, crossing_id="X-RC1")
    unknown = occupancy("OC-2", started_at=ARRIVED, monitor_id="RPM-DST-9")
    elsewhere = occupancy("OC-3", started_at=ARRIVED, crossing_id="X-NOPE")
    with pytest.raises(ValidationFailed) as refused:
        radiation.record_occupancies(lite, [good, unknown, elsewhere], actor="system", at=ARRIVED)
    assert refused.value.reasons == [
        "occupancy OC-2: no portal monitor RPM-DST-9 is registered",
        "occupancy OC-3: no crossing X-NOPE is recorded",
    ]
    assert ledger_size(lite) == size


def test_goods_are_held_until_the_alarm_is_adjudicated_innocent(lite: Engine) -> None:
    _monitors(lite)
    alarm = _pass(lite, "X-RC1", 3000.0).alarm
    assert alarm is not None
    flow = Flow(lite)
    held = flow.to_payment(lodging(1), Channel.GREEN)
    free = flow.to_payment(lodging(2), Channel.GREEN)
    size = ledger_size(lite)
    with pytest.raises(HeldByAlarm, match=f"held by radiation alarm {alarm.alarm_id} \\(open"):
        flow.release(held)
    assert ledger_size(lite) == size
    # The other railcar's goods go, in turn: goods held by an alarm are not in the queue.
    done = flow.release(free)
    assert done.declaration.status is DeclarationStatus.RELEASED
    assert done.queue_exception is None
    _step(lite, alarm.alarm_id, StepKind.SECOND_PASS, 30, confirmed=True)
    _step(lite, alarm.alarm_id, StepKind.LOCATE, 40, location="front third, left side")
    with pytest.raises(HeldByAlarm):
        flow.release(held)
    _step(lite, alarm.alarm_id, StepKind.IDENTIFY, 50, nuclides=["K-40", "Th-232"])
    _step(
        lite,
        alarm.alarm_id,
        StepKind.INNOCENT,
        55,
        disposition=Disposition.NORM,
        note="Ceramic tiles: potassium and thorium as declared",
    )
    flow.now = T0 + timedelta(minutes=60)
    assert flow.release(held).declaration.status is DeclarationStatus.RELEASED
    with UnitOfWork(lite) as uow:
        closed = uow.radiation_alarms.get(alarm.alarm_id)
        steps = uow.adjudication_steps.of(alarm.alarm_id)
    assert closed is not None and closed.status is AlarmStatus.INNOCENT
    assert closed.closed_at == T0 + timedelta(minutes=55)
    assert [(s.seq, s.kind, s.operator_id) for s in steps] == [
        (1, StepKind.SECOND_PASS, OPERATOR),
        (2, StepKind.LOCATE, OPERATOR),
        (3, StepKind.IDENTIFY, OPERATOR),
        (4, StepKind.INNOCENT, OPERATOR),
    ]
    assert steps[2].nuclides == "K-40|Th-232"


def test_an_alarm_on_the_train_holds_every_railcar_of_it(lite: Engine) -> None:
    _monitors(lite)
    alarm = _pass(lite, "X-TR1", 3000.0).alarm
    assert alarm is not None
    flow = Flow(lite)
    held = flow.to_payment(lodging(3), Channel.GREEN)
    with pytest.raises(HeldByAlarm, match="crossing X-TR1"):
        flow.release(held)


def test_a_second_pass_that_does_not_alarm_clears_it(lite: Engine) -> None:
    _monitors(lite)
    alarm = _pass(lite, "X-RC1", 3000.0).alarm
    assert alarm is not None
    _step(lite, alarm.alarm_id, StepKind.SECOND_PASS, 5, confirmed=False)
    flow = Flow(lite, start=T0 + timedelta(minutes=10))
    assert flow.release(flow.to_payment(lodging(1), Channel.GREEN)).declaration.status is (
        DeclarationStatus.RELEASED
    )
    with pytest.raises(radiation.StepRefused, match="cleared and its adjudication is over"):
        _step(lite, alarm.alarm_id, StepKind.LOCATE, 20, location="rear")


def test_steps_come_in_order_and_an_escalated_alarm_keeps_holding(lite: Engine) -> None:
    _monitors(lite)
    alarm = _pass(lite, "X-RC1", 3000.0).alarm
    assert alarm is not None
    size = ledger_size(lite)
    with pytest.raises(radiation.StepRefused, match="a second pass through the monitor must"):
        _step(lite, alarm.alarm_id, StepKind.IDENTIFY, 1, nuclides=["Cs-137"])
    assert ledger_size(lite) == size
    with pytest.raises(radiation.StepRefused, match="a second pass through the monitor must"):
        _step(lite, alarm.alarm_id, StepKind.IDENTIFY, 1, nuclides=["Cs-137"])
    _step(lite, alarm.alarm_id, StepKind.SECOND_PASS, 2, confirmed=True)
    with pytest.raises(radiation.StepRefused, match="locate the source on the vehicle before"):
        _step(lite, alarm.alarm_id, StepKind.IDENTIFY, 3, nuclides=["Cs-137"])
    with pytest.raises(radiation.StepRefused, match="identify the source with a handheld"):
        _step(lite, alarm.alarm_id, StepKind.INNOCENT, 3, disposition=Disposition.NORM, note="x")
    _step(lite, alarm.alarm_id, StepKind.LOCATE, 4, location="behind the cab")
    _step(lite, alarm.alarm_id, StepKind.IDENTIFY, 5, nuclides=["Cs-137"])
    _step(lite, alarm.alarm_id, StepKind.ESCALATE, 6, note="Cs-137, no licence on the waybill")
    with pytest.raises(radiation.StepRefused, match="only an expert's innocent finding"):
        _step(lite, alarm.alarm_id, StepKind.LOCATE, 7, location="again")
    flow = Flow(lite, start=T0 + timedelta(minutes=10))
    with pytest.raises(HeldByAlarm, match="escalated"):
        flow.release(flow.to_payment(lodging(1), Channel.GREEN))
    # The refusals wrote nothing: four steps and one change of the alarm (to escalated).
    with UnitOfWork(lite) as uow:
        assert len(uow.adjudication_steps.of(alarm.alarm_id)) == 4
        escalated = uow.radiation_alarms.get(alarm.alarm_id)
    assert escalated is not None and escalated.status is AlarmStatus.ESCALATED
    assert escalated.closed_at is None


def test_only_an_officer_posted_at_the_post_adjudicates(lite: Engine) -> None:
    _monitors(lite)
    alarm = _pass(lite, "X-RC1", 3000.0).alarm
    assert alarm is not None
    for actor in ("PC-KHR1", "BRK1"):
        with pytest.raises(NotAuthorised):
            radiation.adjudicate(
                lite, alarm.alarm_id, StepKind.SECOND_PASS, actor=actor, at=T0, confirmed=True
            )
