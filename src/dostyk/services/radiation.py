"""Radiation portal monitoring: occupancies in, alarms raised, alarms adjudicated.

:func:`record_occupancies` stores what the portal monitors measured (from an N42.42 file or
the simulator), runs every alarm algorithm on it (:func:`dostyk.radiation.algorithms.analyse`)
and opens an alarm on the occupancy's crossing when any algorithm alarms — all in one unit of
work, so an import of many files is stored whole or not at all. :func:`adjudicate` records one
step of an alarm's adjudication by a radiation operator posted at the alarm's post, in the order
:func:`dostyk.domain.alarms.next_status` allows; the alarm's status moves with it, and while it
is open or escalated the release use case refuses the goods on its crossing
(:mod:`dostyk.services.radiation_hold`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Engine

from dostyk.domain.alarms import (
    AdjudicationStep,
    Alarm,
    AlarmFinding,
    AlarmStatus,
    Disposition,
    IllegalAdjudication,
    StepKind,
    next_status,
)
from dostyk.domain.conveyances import Crossing
from dostyk.domain.monitors import PortalMonitor, StoredOccupancy, monitor_id_for
from dostyk.domain.occupancies import AlarmResult, Occupancy
from dostyk.domain.ports import Post, TransportMode
from dostyk.radiation.algorithms import ENERGY_WINDOW, NEUTRON, analyse_many
from dostyk.radiation.thresholds import Thresholds
from dostyk.services.actors import posted_officer
from dostyk.services.errors import Conflict, NotFound, ValidationFailed
from dostyk.store.unit_of_work import UnitOfWork

__all__ = [
    "Adjudicated",
    "IllegalAdjudication",
    "RecordedOccupancy",
    "StepRefused",
    "adjudicate",
    "ensure_monitors",
    "primary",
    "record_occupancies",
]


class StepRefused(Conflict):
    """A step the adjudication does not allow now (the domain's :class:`IllegalAdjudication`)."""

    def __init__(self, refused: IllegalAdjudication) -> None:
        super().__init__(str(refused))
        self.kind = refused.kind
        self.why = refused.why


@dataclass(frozen=True, slots=True)
class RecordedOccupancy:
    occupancy: StoredOccupancy
    results: tuple[AlarmResult, ...]
    #: The alarm opened, when any algorithm alarmed.
    alarm: Alarm | None


@dataclass(frozen=True, slots=True)
class Adjudicated:
    alarm: Alarm
    step: AdjudicationStep


def alarm_id_for(occupancy_id: str) -> str:
    return f"RA-{occupancy_id}"[:40]


def lane_monitors(post: Post) -> list[PortalMonitor]:
    """The monitors a post's equipped lanes carry, named ``RPM-<post>-<lane>``."""
    if post.mode not in (TransportMode.ROAD, TransportMode.RAIL):
        return []
    return [
        PortalMonitor(monitor_id_for(post.code, lane), post.code, lane, post.mode)
        for lane in range(1, post.rpm_lanes + 1)
    ]


def ensure_monitors(
    engine: Engine, post_code: str, *, actor: str, at: datetime
) -> list[PortalMonitor]:
    """Register the monitors of ``post_code``'s equipped lanes that are not yet registered;
    returns the post's monitors."""
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        post: Post | None = uow.posts.get(post_code)
        if post is None:
            raise NotFound("post", post_code)
        monitors: list[PortalMonitor] = uow.portal_monitors.of_post(post_code)
        known = {m.monitor_id for m in monitors}
        added = [m for m in lane_monitors(post) if m.monitor_id not in known]
        uow.portal_monitors.add_many(added)
    return sorted([*monitors, *added], key=lambda m: m.lane)


#: The algorithms whose alarm opens an alarm: the energy-window test for gamma (the gross count
#: and the SPRT alarm on NORM cargo too, which the window shape tells apart) and the neutron
#: test. Every algorithm's result is kept with the alarm for the operator to see.
OPERATING = frozenset({ENERGY_WINDOW, NEUTRON})


def primary(results: Sequence[AlarmResult]) -> AlarmResult | None:
    """The operating algorithms' alarming result furthest past its threshold, if any."""
    alarming = [r for r in results if r.alarm and r.algorithm in OPERATING]
    if not alarming:
        return None
    return max(alarming, key=lambda r: r.statistic / r.threshold if r.threshold else 0.0)


def record_occupancies(
    engine: Engine,
    occupancies: Sequence[Occupancy],
    *,
    actor: str,
    at: datetime,
    source: str | None = None,
    thresholds: Thresholds | None = None,
    monitors: Sequence[PortalMonitor] = (),
) -> list[RecordedOccupancy]:
    """Store and analyse ``occupancies``; open an alarm on each one that alarms.

    Each occupancy's monitor must be registered at its post (``monitors`` not yet registered
    are registered first: an imported file's instrument); a crossing it names must exist at the
    same post. Refused as a whole, naming every occupancy that is wrong.
    """
    done: list[RecordedOccupancy] = []
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        for monitor in monitors:
            if uow.portal_monitors.get(monitor.monitor_id) is None:
                uow.portal_monitors.add(monitor)
        _check(uow, occupancies)
        # Analysed together: the algorithms are vectorised over occupancies.
        analysed = analyse_many(occupancies, thresholds)
        stored = [StoredOccupancy.of(occupancy, source) for occupancy in occupancies]
        # One multi-row insert for the lot (a train's railcars), then the few alarms.
        uow.occupancies.add_many(stored)
        for row, found in zip(stored, analysed, strict=True):
            results = tuple(found)
            done.append(RecordedOccupancy(row, results, _open_alarm(uow, row, results)))
    return done


def _check(uow: UnitOfWork, occupancies: Sequence[Occupancy]) -> None:
    reasons: list[str] = []
    monitors: dict[str, PortalMonitor | None] = {}
    crossings = uow.crossings.many(o.crossing_id for o in occupancies if o.crossing_id)
    known = uow.occupancies.known([o.occupancy_id for o in occupancies])
    seen: set[str] = set()
    for o in occupancies:
        where = f"occupancy {o.occupancy_id}"
        if o.occupancy_id in known:
            reasons.append(f"{where} is already recorded")
        elif o.occupancy_id in seen:
            reasons.append(f"{where} appears twice")
        seen.add(o.occupancy_id)
        if o.monitor_id not in monitors:
            monitors[o.monitor_id] = uow.portal_monitors.get(o.monitor_id)
        monitor = monitors[o.monitor_id]
        if monitor is None:
            reasons.append(f"{where}: no portal monitor {o.monitor_id} is registered")
        elif monitor.post_code != o.post_code:
            reasons.append(
                f"{where}: monitor {o.monitor_id} stands at {monitor.post_code}, not {o.post_code}"
            )
        if o.crossing_id is not None:
            crossing: Crossing | None = crossings.get(o.crossing_id)
            if crossing is None:
                reasons.append(f"{where}: no crossing {o.crossing_id} is recorded")
            elif crossing.post_code != o.post_code:
                reasons.append(
                    f"{where}: crossing {o.crossing_id} is at {crossing.post_code}, "
                    f"not {o.post_code}"
                )
    if reasons:
        raise ValidationFailed(reasons, subject="occupancies")


def _open_alarm(
    uow: UnitOfWork, stored: StoredOccupancy, results: Sequence[AlarmResult]
) -> Alarm | None:
    top = primary(results)
    if top is None:
        return None
    verdict = next((r.verdict for r in results if r.verdict is not None), None)
    alarm = Alarm(
        alarm_id_for(stored.occupancy_id),
        stored.occupancy_id,
        stored.post_code,
        stored.monitor_id,
        stored.ended_at,
        top.kind,
        top.algorithm,
        float(top.statistic),
        float(top.threshold),
        AlarmStatus.OPEN,
        stored.crossing_id,
        verdict,
    )
    uow.radiation_alarms.add(alarm)
    uow.alarm_findings.add_many(
        AlarmFinding(
            alarm.alarm_id,
            r.algorithm,
            r.kind,
            bool(r.alarm),
            float(r.statistic),
            float(r.threshold),
            r.explanation,
            r.verdict,
            r.peak_slice,
        )
        for r in results
    )
    return alarm


def adjudicate(
    engine: Engine,
    alarm_id: str,
    kind: StepKind,
    *,
    actor: str,
    at: datetime,
    confirmed: bool | None = None,
    location: str | None = None,
    nuclides: Sequence[str] = (),
    spectrum: str | None = None,
    disposition: Disposition | None = None,
    note: str | None = None,
) -> Adjudicated:
    """The radiation operator ``actor``, posted at the alarm's post, records one step."""
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        alarm: Alarm | None = uow.radiation_alarms.get(alarm_id)
        if alarm is None:
            raise NotFound("radiation alarm", alarm_id)
        posted_officer(uow, actor, alarm.post_code, at, "adjudicate a radiation alarm")
        steps: list[AdjudicationStep] = uow.adjudication_steps.of(alarm_id)
        if steps and at < steps[-1].at:
            raise Conflict(
                f"alarm {alarm_id}'s last step was at {steps[-1].at.isoformat()}; "
                "a step cannot come before it"
            )
        if at < alarm.raised_at:
            raise Conflict(f"alarm {alarm_id} was raised at {alarm.raised_at.isoformat()}")
        step = AdjudicationStep(
            alarm_id,
            len(steps) + 1,
            kind,
            actor,
            at,
            confirmed,
            location or None,
            "|".join(n.strip() for n in nuclides if n.strip()) or None,
            spectrum,
            disposition,
            note or None,
        )
        try:
            status = next_status(alarm, frozenset(s.kind for s in steps), step)
        except IllegalAdjudication as refused:
            raise StepRefused(refused) from None
        moved = replace(alarm, status=status, closed_at=None if status.holds else at)
        uow.adjudication_steps.add(step)
        if moved != alarm:
            uow.radiation_alarms.replace(moved)
    return Adjudicated(moved, step)
