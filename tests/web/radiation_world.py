"""Radiation alarms in the web tests' world: one on Dostyk's train, one at Khorgos."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from dostyk.domain.monitors import PortalMonitor
from dostyk.domain.ports import TransportMode
from dostyk.services import radiation
from dostyk.store.unit_of_work import UnitOfWork
from tests.radiation.occupancies import occupancy
from tests.services import world as w

DST_ALARM = "RA-OC-DST-1"
KHR_ALARM = "RA-OC-KHR-1"


def dostyk_alarm(engine: Engine, crossing_id: str = "X-TR1") -> str:
    """An open alarm on ``crossing_id`` at Dostyk (a man-made source), and a quiet passage."""
    radiation.ensure_monitors(engine, "DST", actor="PC-DST1", at=w.ARRIVED)
    done = radiation.record_occupancies(
        engine,
        [
            occupancy("OC-DST-1", started_at=w.ARRIVED, crossing_id=crossing_id, source_cps=3000),
            occupancy(
                "OC-DST-2",
                started_at=w.ARRIVED + timedelta(minutes=1),
                crossing_id="X-RC2",
                seed=2,
            ),
        ],
        actor="system",
        at=w.ARRIVED + timedelta(minutes=2),
        source="test",
    )
    assert done[0].alarm is not None and done[0].alarm.alarm_id == DST_ALARM
    assert done[1].alarm is None
    return DST_ALARM


def khorgos_alarm(engine: Engine, crossing_id: str | None = "X-KHR1") -> str:
    """An open alarm at Khorgos, outside Dostyk's staff's reach."""
    at = w.ARRIVED + timedelta(minutes=30)
    with UnitOfWork(engine, actor="setup", at=at) as uow:
        uow.portal_monitors.add(PortalMonitor("RPM-KHR-1", "KHR", 1, TransportMode.ROAD))
    done = radiation.record_occupancies(
        engine,
        [
            occupancy(
                "OC-KHR-1",
                started_at=at,
                monitor_id="RPM-KHR-1",
                post_code="KHR",
                crossing_id=crossing_id,
                source_cps=3000,
            )
        ],
        actor="system",
        at=at + timedelta(minutes=1),
    )
    assert done[0].alarm is not None and done[0].alarm.alarm_id == KHR_ALARM
    return KHR_ALARM
