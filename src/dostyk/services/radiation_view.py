"""What the radiation operator and the post's officers read: alarms, their record, held goods.

Read-only use cases. A post's alarms are read newest first through the (post, status, time)
index, a page at a time; an alarm's record is its occupancy's count profile (per panel, per
slice), every algorithm's result, its steps, and the crossing, conveyance and declarations it
holds. ``held_at_post`` is the post officer's list of conveyances an open or escalated alarm
keeps from release.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from dostyk.domain.alarms import HOLDING, AdjudicationStep, Alarm, AlarmFinding, AlarmStatus
from dostyk.domain.conveyances import Conveyance, Crossing
from dostyk.domain.declarations import DeclarationUnit
from dostyk.domain.monitors import StoredOccupancy
from dostyk.domain.spelling import utc_text
from dostyk.services.errors import NotFound
from dostyk.store.unit_of_work import UnitOfWork

#: Most alarms one page lists.
PAGE = 200


@dataclass(frozen=True, slots=True)
class AlarmRecord:
    alarm: Alarm
    occupancy: StoredOccupancy
    findings: tuple[AlarmFinding, ...]
    steps: tuple[AdjudicationStep, ...]
    crossing: Crossing | None
    conveyance: Conveyance | None
    declarations: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        occupancy = self.occupancy
        return {
            **alarm_json(self.alarm),
            "occupancy": {
                "occupancy_id": occupancy.occupancy_id,
                "started_at": utc_text(occupancy.started_at),
                "ended_at": utc_text(occupancy.ended_at),
                "slices": occupancy.slices,
                "slice_seconds": occupancy.slice_seconds,
                "speed_kmh": occupancy.speed_kmh,
                "conveyance_ref": occupancy.conveyance_ref,
                "windows": occupancy.windows.split("|"),
                "gamma_panels": occupancy.gamma_panels.split("|"),
                "neutron_panels": [p for p in occupancy.neutron_panels.split("|") if p],
                "gross_counts": occupancy.gross_profile(),
                "neutron_counts": occupancy.neutron_profile(),
                "faults": occupancy.faults,
                "source": occupancy.source,
            },
            "findings": [
                {
                    "algorithm": f.algorithm,
                    "kind": f.kind.value,
                    "alarm": f.alarm,
                    "statistic": f.statistic,
                    "threshold": f.threshold,
                    "verdict": None if f.verdict is None else f.verdict.value,
                    "peak_slice": f.peak_slice,
                    "explanation": f.explanation,
                }
                for f in self.findings
            ],
            "steps": [step_json(s) for s in self.steps],
            "conveyance_id": None if self.crossing is None else self.crossing.conveyance_id,
            "registration": None if self.conveyance is None else self.conveyance.registration,
            "declarations": list(self.declarations),
        }


@dataclass(frozen=True, slots=True)
class HeldConveyance:
    """A conveyance an alarm keeps from release, and the declarations waiting on it."""

    alarm: Alarm
    crossing: Crossing
    conveyance: Conveyance | None
    declarations: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "alarm_id": self.alarm.alarm_id,
            "status": self.alarm.status.value,
            "raised_at": utc_text(self.alarm.raised_at),
            "crossing_id": self.crossing.crossing_id,
            "conveyance_id": self.crossing.conveyance_id,
            "registration": None if self.conveyance is None else self.conveyance.registration,
            "declarations": list(self.declarations),
        }


def alarm_json(alarm: Alarm) -> dict[str, Any]:
    return {
        "alarm_id": alarm.alarm_id,
        "post_code": alarm.post_code,
        "monitor_id": alarm.monitor_id,
        "raised_at": utc_text(alarm.raised_at),
        "kind": alarm.kind.value,
        "algorithm": alarm.algorithm,
        "statistic": alarm.statistic,
        "threshold": alarm.threshold,
        "verdict": None if alarm.verdict is None else alarm.verdict.value,
        "status": alarm.status.value,
        "crossing_id": alarm.crossing_id,
        "closed_at": None if alarm.closed_at is None else utc_text(alarm.closed_at),
    }


def step_json(step: AdjudicationStep) -> dict[str, Any]:
    return {
        "seq": step.seq,
        "kind": step.kind.value,
        "operator_id": step.operator_id,
        "at": utc_text(step.at),
        "confirmed": step.confirmed,
        "location": step.location,
        "nuclides": [] if step.nuclides is None else step.nuclides.split("|"),
        "disposition": None if step.disposition is None else step.disposition.value,
        "note": step.note,
        "spectrum": step.spectrum is not None,
    }


def alarms_at(
    engine: Engine,
    post_codes: list[str],
    *,
    open_only: bool,
    limit: int = PAGE,
    before: datetime | None = None,
) -> list[Alarm]:
    """The alarms of ``post_codes``, newest first: open and escalated ones only, or all."""
    statuses = sorted(HOLDING) if open_only else list(AlarmStatus)
    found: list[Alarm] = []
    with UnitOfWork(engine) as uow:
        for code in post_codes:
            found.extend(uow.radiation_alarms.at_post(code, statuses, limit, before))
    found.sort(key=lambda a: (a.raised_at, a.alarm_id), reverse=True)
    return found[:limit]


def monitored_posts(engine: Engine) -> list[str]:
    """Posts with a registered portal monitor (a few hundred rows at most)."""
    with UnitOfWork(engine) as uow:
        return sorted({m.post_code for m in uow.portal_monitors.all()})


def alarm_post(engine: Engine, alarm_id: str) -> str:
    """The post of an alarm (for the reach of a request about it)."""
    with UnitOfWork(engine) as uow:
        alarm: Alarm | None = uow.radiation_alarms.get(alarm_id)
    if alarm is None:
        raise NotFound("radiation alarm", alarm_id)
    return alarm.post_code


def alarm_record(engine: Engine, alarm_id: str) -> AlarmRecord:
    with UnitOfWork(engine) as uow:
        alarm: Alarm | None = uow.radiation_alarms.get(alarm_id)
        if alarm is None:
            raise NotFound("radiation alarm", alarm_id)
        occupancy: StoredOccupancy | None = uow.occupancies.get(alarm.occupancy_id)
        assert occupancy is not None, "an alarm's occupancy is a foreign key"
        findings = tuple(uow.alarm_findings.of(alarm_id))
        steps = tuple(uow.adjudication_steps.of(alarm_id))
        crossing, conveyance, declarations = _held(uow, alarm)
    return AlarmRecord(alarm, occupancy, findings, steps, crossing, conveyance, declarations)


def held_at_post(engine: Engine, post_code: str) -> list[HeldConveyance]:
    """The conveyances an open or escalated alarm holds at ``post_code``, newest alarm first."""
    held: list[HeldConveyance] = []
    with UnitOfWork(engine) as uow:
        alarms = uow.radiation_alarms.at_post(post_code, sorted(HOLDING), PAGE, None)
        for alarm in alarms:
            crossing, conveyance, declarations = _held(uow, alarm)
            if crossing is not None:
                held.append(HeldConveyance(alarm, crossing, conveyance, declarations))
    return held


def _held(
    uow: UnitOfWork, alarm: Alarm
) -> tuple[Crossing | None, Conveyance | None, tuple[str, ...]]:
    """The alarm's crossing, its conveyance, and the declarations covering it or its units."""
    if alarm.crossing_id is None:
        return None, None, ()
    crossing: Crossing | None = uow.crossings.get(alarm.crossing_id)
    if crossing is None:
        return None, None, ()
    conveyance: Conveyance | None = uow.conveyances.get(crossing.conveyance_id)
    crossing_ids = [crossing.crossing_id] + [
        unit.crossing_id for unit in uow.crossings.of_movement(crossing.crossing_id)
    ]
    units: list[DeclarationUnit] = uow.units.covering_any(crossing_ids)
    return crossing, conveyance, tuple(sorted({u.declaration_id for u in units}))
