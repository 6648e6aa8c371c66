"""Benchmark portal monitor alarm analysis: occupancies analysed per second.

Run with ``uv run --frozen python -m benchmarks bench_radiation``. The occupancies are simulated
once (a post's traffic: trucks and railcars, NORM in about one in eight, a few sources), then
analysed by every algorithm of :data:`~dostyk.radiation.algorithms.ALGORITHMS`, from
:class:`~dostyk.domain.occupancies.Occupancy` objects to one
:class:`~dostyk.domain.occupancies.AlarmResult` per algorithm, in batches as a post's day would
be. The baseline in the same run is the same analysis one occupancy at a time (what a live
lane does as each vehicle passes), so the batch figure shows what vectorising over occupancies
buys. Best of three rounds, so a loaded machine's worst moments do not decide the figure; the rate
per CPU second (process time) is printed too, since on a shared machine the wall clock
measures the other jobs as much as this one.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.common import console, machine
from dostyk.radiation.algorithms import analyse, analyse_many
from dostyk.radiation.simulation import PortalSimulator

OCCUPANCIES = 20_000
BATCH = 5_000
SINGLE = 300


def main() -> None:
    simulator = PortalSimulator(1)
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    occupancies = [s.occupancy for s in simulator.traffic(OCCUPANCIES, start, source_rate=0.01)]
    slices = sum(o.n_slices for o in occupancies) / len(occupancies)
    analyse_many(occupancies[:BATCH])  # warm the threshold tables
    best = 0.0
    best_cpu = 0.0
    for _ in range(3):
        began = time.perf_counter()
        cpu = time.process_time()
        alarms = 0
        for i in range(0, len(occupancies), BATCH):
            for results in analyse_many(occupancies[i : i + BATCH]):
                alarms += sum(r.alarm for r in results)
        best = max(best, len(occupancies) / (time.perf_counter() - began))
        best_cpu = max(best_cpu, len(occupancies) / (time.process_time() - cpu))
    single = 0.0
    for _ in range(3):
        began = time.perf_counter()
        for occupancy in occupancies[:SINGLE]:
            analyse(occupancy)
        single = max(single, SINGLE / (time.perf_counter() - began))
    load = Path("/proc/loadavg").read_text().split()[:3]
    console.print(f"machine: {machine()}; load average {' '.join(load)}")
    console.print(
        f"{len(occupancies):,} occupancies of {slices:.0f} slices on average, "
        f"{alarms:,} alarm results raised"
    )
    console.print(
        f"batched ({BATCH:,} per batch): {best:,.0f} occupancies/s wall clock, "
        f"{best_cpu:,.0f} per CPU second"
    )
    console.print(f"one at a time (baseline):   {single:,.0f} occupancies/s")
    console.print(f"target >= 10,000 occupancies/s: {'met' if best >= 10_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
