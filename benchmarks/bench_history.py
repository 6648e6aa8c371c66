"""What one assessment and one whole lifecycle cost as history grows: 10,000 against 500,000.

Two stores hold the world of :mod:`benchmarks.bench_lifecycle` (post DST, its brokers, 60
importers, 80 HS subheadings) and a history of released declarations: 10,000 in one, 500,000 in
the other, each with an item under one of the world's subheadings and its release step,
bulk-loaded straight into the tables (the running statistics rebuilt from them afterwards), so
that the history takes seconds to build rather than the hours its lifecycles would. The same
trains of lifecycles then run on both stores in turn, one transaction per use case; the figures
are the medians of the trains' costs per lifecycle and per risk assessment (which reads the
subheadings' usual values and the importer's history). A cost that grows with history shows as
a ratio above 1. The last row is what ``ledger verify`` spends rebuilding the running statistics
from the records and comparing them: it grows with history, as verifying does, off the live path.

The ledger's own tables are not filled with the history's entries: appending and drawing read
O(log n) of them (see ``bench_ledger`` for a log of 10,000,000 entries).

Run: ``uv run python -m benchmarks.bench_history [--small N] [--large N] [--trains N]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Table

from benchmarks.bench_lifecycle import (
    BROKERS,
    EXPORTERS,
    IMPORTERS,
    POST,
    Clock,
    Train,
    _codes,
    build_world,
    run_train,
)
from benchmarks.common import show, sqlite_engine
from dostyk.store import bulk, running
from dostyk.store import tables as t

HISTORY_STARTS = datetime(2020, 1, 1, tzinfo=UTC)
CHUNK = 20_000


def _rows(table: Table, values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(values.get(c.name) for c in table.columns)


def _history(count: int, codes: list[str]) -> Iterator[tuple[list[Any], list[Any], list[Any]]]:
    """Released declarations H1..H<count>, in chunks: (declarations, items, status changes)."""
    rng = random.Random(count)
    for start in range(0, count, CHUNK):
        declarations, items, steps = [], [], []
        for n in range(start + 1, min(count, start + CHUNK) + 1):
            declaration_id = f"H{n}"
            at = HISTORY_STARTS + timedelta(minutes=n)
            declarations.append(
                _rows(
                    t.declarations,
                    {
                        "declaration_id": declaration_id,
                        "kind": "import",
                        "post_code": POST,
                        "declarant_id": f"BRK{rng.randrange(1, BROKERS + 1)}",
                        "reference": f"REF-{declaration_id}",
                        "lodged_at": at,
                        "status": "released",
                        "importer_id": f"IMP{rng.randrange(1, IMPORTERS + 1)}",
                        "exporter_id": f"EXP{rng.randrange(1, EXPORTERS + 1)}",
                        "channel": "green",
                    },
                )
            )
            net = float(rng.randrange(8_000, 18_000))
            items.append(
                _rows(
                    t.declaration_items,
                    {
                        "declaration_id": declaration_id,
                        "item_no": 1,
                        "commodity_code": rng.choice(codes),
                        "description": "Goods",
                        "origin": "CN",
                        "quantity": Decimal(int(net)),
                        "unit": "KGM",
                        "gross_mass_kg": net + 600.0,
                        "net_mass_kg": net,
                        "customs_value": Decimal(rng.randrange(500_000, 5_000_000)) / 100,
                        "currency": "USD",
                        "exchange_rate": Decimal("512.34"),
                    },
                )
            )
            steps.append(
                _rows(
                    t.status_changes,
                    {
                        "declaration_id": declaration_id,
                        "seq": 1,
                        "from_status": "paid",
                        "to_status": "released",
                        "at": at,
                        "actor": "SS-DST1",
                    },
                )
            )
        yield declarations, items, steps


def with_history(engine: Engine, count: int, trains: int) -> tuple[list[Train], float]:
    """The lifecycle world and ``count`` released declarations of history; seconds taken."""
    started = time.perf_counter()
    world = build_world(engine, trains)
    codes = _codes(random.Random(7))  # the world's subheadings, as build_world draws them
    with engine.begin() as connection:
        for declarations, items, steps in _history(count, codes):
            bulk.load(connection, t.declarations, declarations)
            bulk.load(connection, t.declaration_items, items)
            bulk.load(connection, t.status_changes, steps)
        running.rebuild(connection)
    return world, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description="Use-case costs against the size of history.")
    parser.add_argument("--small", type=int, default=10_000, help="declarations of history")
    parser.add_argument("--large", type=int, default=500_000, help="declarations of history")
    parser.add_argument("--trains", type=int, default=24, help="trains of 20 lifecycles each")
    args = parser.parse_args()
    warm_up = 2
    with sqlite_engine() as small, sqlite_engine() as large:
        worlds = {}
        built = {}
        for name, engine, count in [("small", small, args.small), ("large", large, args.large)]:
            worlds[name], built[name] = with_history(engine, count, args.trains + warm_up)
        clocks = {"small": Clock(), "large": Clock()}
        per_lifecycle: dict[str, list[float]] = {"small": [], "large": []}
        per_assessment: dict[str, list[float]] = {"small": [], "large": []}
        for number in range(args.trains + warm_up):
            for name, engine in [("small", small), ("large", large)]:
                train = worlds[name][number]
                phases: dict[str, float] = {}
                started = time.perf_counter()
                run_train(engine, train, clocks[name], phases)
                seconds = time.perf_counter() - started
                if number >= warm_up:
                    per_lifecycle[name].append(seconds / len(train.plans))
                    per_assessment[name].append(phases["assess"] / len(train.plans))
        rebuilt = {}
        for name, engine in [("small", small), ("large", large)]:
            with engine.connect() as connection:
                started = time.perf_counter()
                assert running.differences(connection) == [], "statistics match the records"
                rebuilt[name] = time.perf_counter() - started
    rows = []
    for what, figures in [("one assessment", per_assessment), ("one lifecycle", per_lifecycle)]:
        small_cost = statistics.median(figures["small"])
        large_cost = statistics.median(figures["large"])
        rows.append(
            [
                what,
                f"{1000 * small_cost:.2f} ms",
                f"{1000 * large_cost:.2f} ms",
                f"{large_cost / small_cost:.2f}",
            ]
        )
    rows.append(
        [
            "verify: rebuild and compare the running statistics",
            f"{rebuilt['small']:.2f} s",
            f"{rebuilt['large']:.2f} s",
            f"{rebuilt['large'] / rebuilt['small']:.0f}",
        ]
    )
    show(
        f"Cost against history, SQLite, one transaction per use case (medians of {args.trains} "
        f"trains; history built in {built['small']:.0f} s and {built['large']:.0f} s)",
        [
            "what",
            f"{args.small:,} declarations of history",
            f"{args.large:,} declarations of history",
            "ratio",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
