"""The posts' radiation portal monitors in the simulated world, and their operators at work.

Every railcar and truck crossing at a post with equipped lanes (``posts.rpm_lanes``, road and
rail posts) passes a monitor: :class:`~dostyk.radiation.simulation.PortalSimulator` makes the
occupancy from what the unit really carries (its goods' HS codes: ceramic tiles and fertiliser
are NORM, most goods are not), now and then with a man-made source in the cab or the load, and
:func:`dostyk.services.radiation.record_occupancies` stores and analyses it. Each alarm is then
adjudicated by the post's radiation operator on duty (the crew's last inspector) through the
real use case: a second pass through the monitor (simulated again and analysed, not stored), a
handheld search, an identification (the identifier names what is there: the world's identifier
is perfect), and the outcome — NORM and medical patients innocent, industrial sources innocent
when their papers are in order (:data:`LICENSED_SHARE`), the rest escalated, which keeps the
goods from release until the nuclear regulator's review (:data:`REVIEW`) accounts for the source.
The real sources go to the ground truth (``radiation.csv``).

Each post's sources come from a random stream of their own and each lane's counts from its own
simulator, so a seed gives the same occupancies, alarms and adjudications every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine

from dostyk.domain.alarms import Alarm, Disposition, StepKind
from dostyk.domain.conveyances import Crossing
from dostyk.domain.monitors import monitor_id_for
from dostyk.domain.ports import Post, TransportMode
from dostyk.radiation.algorithms import analyse_many
from dostyk.radiation.simulation import (
    BENIGN,
    NORM_CARGO,
    SOURCES,
    Cargo,
    PortalSimulator,
    Simulated,
    Source,
    SourceClass,
    Vehicle,
)
from dostyk.services import radiation
from dostyk.services.actors import SYSTEM

#: How often a man-made source passes, per occupancy, and which (medical most often): the
#: mix of the radiation portal programmes' reported alarms (Kouzes et al. 2008).
SOURCE_RATE = 0.003
SOURCE_WEIGHTS = np.array([0.35, 0.25, 0.1, 0.08, 0.1, 0.04, 0.04, 0.04])
#: Industrial sources travelling with their licence and transport papers.
LICENSED_SHARE = 0.8
#: Minutes from the alarm to each step of its adjudication.
STEP_MINUTES = (6, 12, 20, 30)
#: How long the nuclear regulator takes to review an escalated alarm; the goods wait.
REVIEW = timedelta(hours=6)
#: NORM nuclides the identifier names for each kind of load.
NORM_NUCLIDES = {
    "6907": ("K-40", "Th-232", "Ra-226"),
    "6802": ("K-40", "Th-232", "U-238"),
    "2516": ("K-40", "Th-232", "U-238"),
    "3104": ("K-40",),
    "3105": ("K-40",),
    "0803": ("K-40",),
    "2508": ("K-40", "Ra-226"),
    "2615": ("Th-232", "U-238"),
}
_DEFAULT = Cargo("0000", "general cargo", 0.3)


def cargo_for(hs_codes: list[str]) -> Cargo:
    """What the monitor sees of a unit's load: its first NORM goods, else its first known
    benign load, else general cargo (by the goods' HS headings)."""
    headings = [code[:4] for code in hs_codes]
    for heading in headings:
        for cargo in NORM_CARGO:
            if cargo.hs_code == heading:
                return cargo
    for heading in headings:
        for cargo in BENIGN:
            if cargo.hs_code == heading:
                return cargo
    return _DEFAULT if hs_codes else BENIGN[-1]


@dataclass
class Pending:
    """An alarm the world's operator is adjudicating, with what really passed."""

    alarm: Alarm
    simulated: Simulated
    railcar: bool
    rng: np.random.Generator
    #: Steps recorded so far.
    done: int = 0


class Portals:
    """The monitors of the world's posts; ``live`` records through the use cases."""

    def __init__(self, engine: Engine, seed: int, post_index: dict[str, int], live: bool) -> None:
        self.engine = engine
        self.seed = seed
        self.post_index = post_index
        self.live = live
        self.lanes: dict[str, list[PortalSimulator]] = {}
        self.rngs: dict[str, np.random.Generator] = {}
        self.turn: dict[str, int] = {}
        #: Ground truth: one row per occupancy with a source (NORM or man-made) or an alarm.
        self.truth: list[dict[str, Any]] = []
        self.counts: dict[str, int] = {}

    def equip(self, post: Post, at: datetime) -> None:
        """Register the post's monitors, if it has any."""
        if post.rpm_lanes <= 0 or post.mode not in (TransportMode.ROAD, TransportMode.RAIL):
            return
        index = self.post_index[post.code]
        self.lanes[post.code] = [
            PortalSimulator(
                self.seed * 10_007 + index * 101 + lane,
                post_code=post.code,
                monitor_id=monitor_id_for(post.code, lane),
            )
            for lane in range(1, post.rpm_lanes + 1)
        ]
        self.rngs[post.code] = np.random.default_rng([self.seed, 7, index])
        if self.live:
            radiation.ensure_monitors(self.engine, post.code, actor=SYSTEM, at=at)

    def equipped(self, post_code: str) -> bool:
        return post_code in self.lanes

    def _count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def passes(
        self, post_code: str, units: list[tuple[Crossing, list[str]]], at: datetime
    ) -> tuple[list[tuple[Simulated, bool]], datetime]:
        """Pass each unit (its crossing and its goods' HS codes) through a lane's monitor, one
        after another from ``at``; the occupancies and when the last one ended."""
        lanes = self.lanes.get(post_code)
        if not lanes or not self.live:
            return [], at
        rng = self.rngs[post_code]
        lane = lanes[self.turn.get(post_code, 0) % len(lanes)]
        self.turn[post_code] = self.turn.get(post_code, 0) + 1
        vehicles: list[Vehicle] = []
        weights = SOURCE_WEIGHTS / SOURCE_WEIGHTS.sum()
        for crossing, hs_codes in units:
            source: Source | None = None
            if rng.random() < SOURCE_RATE:
                source = SOURCES[int(rng.choice(len(SOURCES), p=weights))]
            vehicles.append(
                Vehicle(
                    cargo_for(hs_codes),
                    source,
                    railcar=crossing.part_of is not None,
                    conveyance_ref=crossing.conveyance_id,
                    crossing_id=crossing.crossing_id,
                )
            )
        # The whole train (or queue) in one vectorised pass.
        simulated = lane.pass_train(at, vehicles)
        passes = [(s, v.railcar) for s, v in zip(simulated, vehicles, strict=True)]
        when = simulated[-1].occupancy.ended_at + timedelta(seconds=1) if simulated else at
        return passes, when

    def record(
        self, post_code: str, passes: list[tuple[Simulated, bool]], at: datetime
    ) -> list[Pending]:
        """Store and analyse the occupancies; the alarms opened, for the operator."""
        done = radiation.record_occupancies(
            self.engine,
            [s.occupancy for s, _ in passes],
            actor=SYSTEM,
            at=at,
            source="simulation",
        )
        self.counts["occupancies"] = self.counts.get("occupancies", 0) + len(done)
        rng = self.rngs[post_code]
        pending = []
        for (simulated, railcar), recorded in zip(passes, done, strict=True):
            truth = simulated.truth
            if recorded.alarm is not None:
                self._count("radiation_alarms")
                pending.append(Pending(recorded.alarm, simulated, railcar, rng))
            if truth.source_class is not SourceClass.NONE or recorded.alarm is not None:
                self.truth.append(
                    {
                        "occupancy_id": simulated.occupancy.occupancy_id,
                        "crossing_id": simulated.occupancy.crossing_id or "",
                        "post_code": post_code,
                        "source_class": truth.source_class.value,
                        "nuclide": truth.nuclide or "",
                        "cargo_hs": truth.cargo.hs_code,
                        "strength_cps": round(truth.strength_cps, 1),
                        "alarm_id": recorded.alarm.alarm_id if recorded.alarm else "",
                    }
                )
        return pending

    def step(self, pending: Pending, operator: str, at: datetime) -> datetime | None:
        """The operator's next step on one alarm, at ``at``; when the one after it is due."""
        alarm_id = pending.alarm.alarm_id
        truth = pending.simulated.truth
        source = next((s for s in SOURCES if s.nuclide == truth.nuclide), None)
        klass = truth.source_class

        def record(kind: StepKind, **fields: Any) -> None:
            radiation.adjudicate(self.engine, alarm_id, kind, actor=operator, at=at, **fields)

        done = pending.done
        pending.done += 1
        if done == 0:
            lane = next(
                x
                for x in self.lanes[pending.alarm.post_code]
                if x.monitor_id == pending.alarm.monitor_id
            )
            again = lane.pass_vehicle(
                at,
                cargo=truth.cargo,
                source=source,
                strength_cps=truth.strength_cps if source is not None else None,
                railcar=pending.railcar,
            )
            confirmed = radiation.primary(analyse_many([again.occupancy])[0]) is not None
            record(StepKind.SECOND_PASS, confirmed=confirmed)
            if not confirmed:
                self._count("radiation_cleared")
                return None
        elif done == 1:
            where = "cab" if source is not None and source.in_cab else "load"
            record(StepKind.LOCATE, location=f"in the {where}, found with a handheld survey")
        elif done == 2:
            record(StepKind.IDENTIFY, nuclides=_nuclides(klass, truth.cargo.hs_code, truth.nuclide))
        elif done == 3:
            nuclides = ", ".join(_nuclides(klass, truth.cargo.hs_code, truth.nuclide))
            disposition: Disposition | None = None
            if klass is SourceClass.NORM:
                disposition = Disposition.NORM
                note = f"{truth.cargo.description}: naturally occurring radioactivity ({nuclides})"
            elif klass is SourceClass.MEDICAL:
                disposition = Disposition.MEDICAL
                note = "driver treated with a radiopharmaceutical; hospital letter seen"
            elif klass is SourceClass.INDUSTRIAL and pending.rng.random() < LICENSED_SHARE:
                disposition = Disposition.LEGAL_SHIPMENT
                note = "licensed source, transport papers and package labels in order"
            else:
                note = f"{nuclides} without papers; handed to the nuclear regulator"
            if disposition is None:
                record(StepKind.ESCALATE, note=note)
                self._count("radiation_escalated")
                return at + REVIEW
            record(StepKind.INNOCENT, disposition=disposition, note=note)
            self._count("radiation_innocent")
            return None
        if done == len(STEP_MINUTES):
            # The regulator's review of an escalated alarm, recorded by the operator on duty.
            record(
                StepKind.INNOCENT,
                disposition=Disposition.LEGAL_SHIPMENT,
                note="nuclear regulator's review: the source is accounted for; released on "
                "its authority",
            )
            self._count("radiation_reviewed")
            return None
        return at + timedelta(minutes=STEP_MINUTES[pending.done] - STEP_MINUTES[done])


def _nuclides(klass: SourceClass, hs_code: str, nuclide: str | None) -> list[str]:
    if klass is SourceClass.NORM:
        return list(NORM_NUCLIDES.get(hs_code, ("K-40",)))
    return [nuclide] if nuclide else ["none identified"]
