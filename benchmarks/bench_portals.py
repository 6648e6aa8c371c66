"""What the radiation portals cost the simulator: per occupancy, and per simulated day.

Per occupancy, each stage on its own: simulating the counts (``PortalSimulator``: one
vehicle at a time, and a train's railcars in one vectorised ``pass_train``), analysing
them in a train's batch (``analyse_many``), their canonical text (``StoredOccupancy.of``), and
storing a train's occupancies through the use case with their ledger entries
(``record_occupancies``). Then the simulator at Dostyk with its monitors, against the same
world with the monitors switched off, in the same run.

Run: ``uv run python -m benchmarks.bench_portals [--occupancies N] [--days N]``.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from benchmarks.common import show, sqlite_engine, timed
from dostyk.domain.monitors import StoredOccupancy
from dostyk.radiation.algorithms import analyse_many
from dostyk.radiation.simulation import (
    BENIGN,
    NORM_CARGO,
    PortalSimulator,
    Simulated,
    Vehicle,
)
from dostyk.services import radiation
from dostyk.services.setup import initialise
from dostyk.simulate import portals
from dostyk.simulate.run import simulate

SETUP_AT = datetime(2024, 12, 1, tzinfo=UTC)
TRAIN = 50


def occupancies(count: int) -> list[Simulated]:
    lane = PortalSimulator(1, post_code="DST", monitor_id="RPM-DST-1")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    loads = [*BENIGN[:3], NORM_CARGO[0]]
    return [
        lane.pass_vehicle(
            start + timedelta(seconds=10 * i), cargo=loads[i % len(loads)], railcar=True
        )
        for i in range(count)
    ]


def trains_of(count: int) -> list[Simulated]:
    """The same loads, a train of :data:`TRAIN` railcars at a time in one vectorised pass."""
    lane = PortalSimulator(1, post_code="DST", monitor_id="RPM-DST-1")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    loads = [*BENIGN[:3], NORM_CARGO[0]]
    found: list[Simulated] = []
    for first in range(0, count, TRAIN):
        vehicles = [
            Vehicle(loads[i % len(loads)], railcar=True)
            for i in range(first, min(first + TRAIN, count))
        ]
        found.extend(lane.pass_train(start + timedelta(hours=first), vehicles))
    return found


def stages(count: int) -> list[list[str]]:
    _, one_by_one = timed(lambda: occupancies(count))
    simulated, generate = timed(lambda: trains_of(count))
    found = [s.occupancy for s in simulated]
    trains = [found[i : i + TRAIN] for i in range(0, count, TRAIN)]
    _, analyse = timed(lambda: [analyse_many(train) for train in trains])
    _, encode = timed(lambda: [StoredOccupancy.of(o) for o in found])
    with sqlite_engine() as engine:
        initialise(engine, at=SETUP_AT)
        radiation.ensure_monitors(engine, "DST", actor="system", at=SETUP_AT)
        _, store = timed(
            lambda: [
                radiation.record_occupancies(engine, train, actor="system", at=SETUP_AT)
                for train in trains
            ]
        )
    size = sum(len(StoredOccupancy.of(o).gamma_counts) for o in found[:200]) / min(200, count)
    rows = [
        ("simulate the counts, one at a time (pass_vehicle)", one_by_one),
        (f"simulate the counts, {TRAIN} at a time (pass_train)", generate),
        (f"analyse, {TRAIN} at a time", analyse),
        ("canonical text of the arrays", encode),
        ("record_occupancies (store, analyse, ledger)", store),
    ]
    table = [
        [name, f"{seconds * 1e6 / count:,.0f} µs", f"{count / seconds:,.0f}/s"]
        for name, seconds in rows
    ]
    table.append(["gamma counts text per occupancy", f"{size:,.0f} bytes", ""])
    return table


def world(days: int, with_portals: bool) -> tuple[dict[str, int], float]:
    real = portals.Portals.equip
    if not with_portals:
        portals.Portals.equip = lambda self, post, at: None  # type: ignore[method-assign]
    try:
        with sqlite_engine() as engine:
            initialise(engine, at=SETUP_AT)
            report, seconds = timed(
                lambda: simulate(engine, days=days, seed=1, posts=["DST"], batch=500)
            )
    finally:
        portals.Portals.equip = real  # type: ignore[method-assign]
    return report.counts, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description="Radiation portals in the simulator.")
    parser.add_argument("--occupancies", type=int, default=2000)
    parser.add_argument("--days", type=int, default=3, help="days of Dostyk to simulate")
    args = parser.parse_args()
    show(
        f"Per occupancy ({args.occupancies:,} railcars at Dostyk's lane 1)",
        ["stage", "per occupancy", "rate"],
        stages(args.occupancies),
    )
    on, on_seconds = world(args.days, True)
    _, off_seconds = world(args.days, False)
    extra = on_seconds - off_seconds
    count = on.get("occupancies", 0)
    show(
        f"The simulator at Dostyk, {args.days} days, with and without its portal monitors",
        ["world", "occupancies", "alarms", "seconds", "extra per occupancy"],
        [
            ["monitors off", "0", "0", f"{off_seconds:,.1f}", ""],
            [
                "monitors on",
                f"{count:,}",
                f"{on.get('radiation_alarms', 0):,}",
                f"{on_seconds:,.1f}",
                f"{extra * 1e3 / max(count, 1):,.2f} ms",
            ],
        ],
    )


if __name__ == "__main__":
    main()
