"""The simulator: a year at Dostyk and a year of the whole network, through the real system.

Each run drives the real use cases on an embedded SQLite store; the baseline in the same run is
the dry run, which generates the same traffic and declarations without driving anything, so the
difference is what recording everything (with its ledger) costs. ``--days`` shortens the live
runs for a quick look; the figures then say how many days were run.

Run: ``uv run python -m benchmarks.bench_simulation [--days N] [--network-days N]``.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from benchmarks.common import show, sqlite_engine, timed
from dostyk.services.setup import initialise
from dostyk.simulate.run import SimulationReport, simulate

SETUP_AT = datetime(2024, 12, 1, tzinfo=UTC)


def run(days: int, posts: list[str] | None, dry: bool) -> tuple[SimulationReport, float]:
    with sqlite_engine() as engine:
        initialise(engine, at=SETUP_AT)
        return timed(lambda: simulate(engine, days=days, seed=1, posts=posts, dry_run=dry))


def row(name: str, days: int, posts: list[str] | None) -> list[str]:
    live, live_seconds = run(days, posts, dry=False)
    _, dry_seconds = run(days, posts, dry=True)
    declarations = live.counts.get("declarations", 0)
    per_year = live_seconds * 365 / days
    return [
        name,
        f"{days}",
        f"{declarations:,}",
        f"{live_seconds:,.1f} s ({declarations / live_seconds:,.0f} decl/s)",
        f"{dry_seconds:,.1f} s",
        f"{per_year / 60:,.1f} min",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Simulator benchmarks on SQLite.")
    parser.add_argument("--days", type=int, default=365, help="days of Dostyk to simulate")
    parser.add_argument(
        "--network-days",
        type=int,
        default=30,
        help="days of the whole network to simulate (0: none; 365 for the year)",
    )
    args = parser.parse_args()
    rows = [row("Dostyk (DST, DSR)", args.days, ["DST", "DSR"])]
    if args.network_days > 0:
        rows.append(row("whole network (112 posts)", args.network_days, None))
    show(
        "Simulation through the real use cases, against a dry run of the same traffic",
        ["world", "days", "declarations", "live", "dry run", "live, per simulated year"],
        rows,
    )


if __name__ == "__main__":
    main()
