"""Running a simulation: set up the population through the registry, run the world, keep the
truth apart, and report the figures beside the public ones."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from dostyk.domain.ports import Post
from dostyk.services import partner_trade, registry
from dostyk.services.actors import NATIONAL_TIME
from dostyk.services.risk_admin import ModelShelf
from dostyk.simulate.behaviour import Behaviour
from dostyk.simulate.calibration import volume_for
from dostyk.simulate.cargo import check_catalogue
from dostyk.simulate.population import HQ_ID, build
from dostyk.simulate.truth import GroundTruth
from dostyk.simulate.world import TAIL_DAYS, World
from dostyk.store.batch import Batch
from dostyk.store.unit_of_work import UnitOfWork

DEFAULT_START = date(2025, 1, 1)
#: Use cases per transaction, and the longest a batch stays open: a crash loses at most this
#: much simulated work, and a reader sees the world at most this far behind.
BATCH = 500
BATCH_SECONDS = 2.0


@dataclass
class SimulationReport:
    start: date
    days: int
    posts: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    truth_folder: Path | None = None
    seconds: float = 0.0
    #: (post, local day) -> railcars_in, trucks_in, empty_returns, passenger_trains,
    #: declarations, tonnes, as generated.
    tally: dict[tuple[str, date], dict[str, float]] = field(default_factory=dict)


def simulate(
    engine: Engine,
    *,
    days: int,
    seed: int,
    posts: Sequence[str] | None = None,
    start: date = DEFAULT_START,
    behaviour: Behaviour | None = None,
    scale: float = 1.0,
    truth_folder: Path | None = None,
    progress: Callable[[date], None] | None = None,
    dry_run: bool = False,
    batch: int | None = BATCH,
    until: datetime | None = None,
    models: ModelShelf | None = None,
) -> SimulationReport:
    """Simulate ``days`` days from ``start`` at the chosen posts (all when None).

    The store must be initialised and hold no earlier simulation: the population is registered
    afresh. The same seed, posts and dates give the same store and the same ground truth.
    A dry run generates the same traffic and declarations but drives nothing: it only counts
    them (``report.tally``), for planning and for checking the calibration over long periods.

    The world's use cases run in batches (:class:`~dostyk.store.batch.Batch`): ``batch`` use
    cases per transaction, each in its own savepoint, or one transaction each when None. The
    store, its ledger and the ground truth are the same either way.

    ``until`` stops the world at that moment: nothing later happens, so the store holds what a
    post holds at that moment — trains on the track, declarations waiting, inspections under
    way. The demo runs up to the present this way, for its people to find work to do.
    """
    check_catalogue()
    behaviour = behaviour or Behaviour()
    with UnitOfWork(engine) as uow:
        every = {p.code: p for p in uow.posts.all()}
        if not dry_run and uow.officers.get(HQ_ID) is not None:
            raise ValueError("the store already holds a simulated population: use a fresh store")
    chosen = _chosen(every, posts)
    volumes = {p.code: volume_for(p, scale) for p in chosen}
    population = build(chosen, volumes, behaviour, seed)
    registered = datetime.combine(start, time(0, 0), tzinfo=NATIONAL_TIME).astimezone(UTC)
    registered -= timedelta(days=1)
    if not dry_run:
        registry.register_officers(
            engine, population.officers, population.postings, actor=HQ_ID, at=registered
        )
        registry.register_parties(engine, population.parties, actor=HQ_ID, at=registered)
        registry.register_conveyances(engine, population.conveyances, actor=HQ_ID, at=registered)
    truth = GroundTruth(agents=list(population.truths))
    world = World(
        engine,
        population,
        behaviour,
        seed,
        start,
        days,
        truth,
        live=not dry_run,
        until=until,
        models=models,
    )
    started = datetime.now(UTC)
    if batch is None or dry_run:
        world.run(progress)
    else:
        with Batch(engine, every=batch, seconds=BATCH_SECONDS):
            world.run(progress)
    if not dry_run:
        # The partners publish their figures once the months are over: here, when the world stops.
        published = world.end + timedelta(days=TAIL_DAYS)
        if until is not None:
            published = min(published, until)
        partner_trade.record_partner_exports(
            engine, world.partners.records(), actor=HQ_ID, at=min(published, datetime.now(UTC))
        )
    report = SimulationReport(start, days, sorted(volumes))
    report.counts = dict(sorted(world.stats.items()))
    report.tally = world.tally
    report.seconds = (datetime.now(UTC) - started).total_seconds()
    if truth_folder is not None:
        truth.write(truth_folder, _parameters(seed, start, days, report.posts, behaviour, scale))
        inspectors = {k: c.inspector for k, c in world.cases.items() if c.inspector is not None}
        world.partners.write_truth(truth_folder, inspectors)
        report.truth_folder = truth_folder
    return report


def _chosen(every: dict[str, Post], posts: Sequence[str] | None) -> list[Post]:
    if not posts:
        return [every[code] for code in sorted(every)]
    unknown = sorted(set(posts) - set(every))
    if unknown:
        raise ValueError(f"unknown posts: {', '.join(unknown)}")
    return [every[code] for code in sorted(set(posts))]


def _parameters(
    seed: int, start: date, days: int, posts: list[str], behaviour: Behaviour, scale: float
) -> dict[str, Any]:
    return {
        "seed": seed,
        "start": start.isoformat(),
        "days": days,
        "posts": posts,
        "scale": scale,
        "behaviour": behaviour.as_dict(),
    }
