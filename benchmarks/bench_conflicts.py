"""Benchmark the register of conflicts of interest on the live path.

Every random draw of an inspector and every override decision asks the register one question:
which of these officers has a conflict in force with this declaration's parties
(:meth:`dostyk.store.integrity_repositories.Conflicts.between`). It must not grow with the
register. The lookup is timed on an empty register (the baseline, in the same run) and on
registers of 1,000 and 50,000 declared conflicts, each time for four officers on duty and a
declaration's three parties, one of which is conflicted with one of them in the larger registers.

Run with ``uv run --frozen python -m benchmarks bench_conflicts`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from benchmarks.common import machine, show, sqlite_engine
from dostyk.store import tables as t
from dostyk.store.integrity_repositories import Conflicts
from dostyk.store.migrations import upgrade
from dostyk.store.unit_of_work import UnitOfWork

AT = datetime(2025, 3, 1, 8, tzinfo=UTC)
ON_DUTY = ["IN-0000001", "IN-0000002", "IN-0000003", "IN-0000004"]
PARTIES = ["IMP-0000007", "EXP-0000007", "BRK-0000007"]


def fill(engine: Engine, conflicts: int) -> None:
    officers = max(conflicts // 10, len(ON_DUTY))
    parties = max(conflicts // 5, len(PARTIES))
    with UnitOfWork(engine, actor="bench", at=AT) as uow:
        uow.load(
            t.officers,
            [(f"IN-{i:07d}", f"Officer {i}", "inspector", None) for i in range(1, officers + 1)],
        )
        kinds = ("IMP", "EXP", "BRK")
        uow.load(
            t.parties,
            [
                (f"{k}-{i:07d}", f"Party {k} {i}", f"{i:012d}", "KZ", "importer|exporter|declarant")
                for k in kinds
                for i in range(1, parties // 3 + 8)
            ],
        )
        rows = []
        for n in range(conflicts):
            officer = f"IN-{n % officers + 1:07d}"
            party = f"{kinds[n % 3]}-{(n * 7) % (parties // 3) + 8:07d}"
            rows.append(
                (
                    f"C-{n}",
                    officer,
                    party,
                    "kin",
                    "declared",
                    AT - timedelta(days=1),
                    "HQ",
                    None,
                    None,
                )
            )
        if conflicts:  # one conflict that the lookup finds
            day = AT - timedelta(days=1)
            rows.append(
                ("C-hit", ON_DUTY[1], PARTIES[0], "financial", "declared", day, "HQ", None, None)
            )
        uow.load(t.conflicts_of_interest, rows)
        uow.commit()


def lookups(engine: Engine, times: int) -> tuple[float, int]:
    samples = []
    found = 0
    with engine.connect() as connection:
        register = Conflicts(connection)
        for _ in range(times):
            started = time.perf_counter()
            found = len(register.between(ON_DUTY, PARTIES, AT))
            samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    times = 200 if quick else 2000
    rows = []
    for size in (0, 1_000) if quick else (0, 1_000, 50_000):
        with sqlite_engine() as engine:
            upgrade(engine)
            fill(engine, size)
            median, found = lookups(engine, times)
            rows.append([f"{size:,}", f"{found}", f"{median:.0f}"])
    show(
        f"Conflict lookup per draw or decision (SQLite; {machine()})",
        ["declared conflicts", "found", "median µs per lookup"],
        rows,
    )


if __name__ == "__main__":
    main()
