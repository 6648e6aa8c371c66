"""Benchmark the whole integrity indicator suite over 10,000,000 declarations on DuckDB.

Run with ``uv run python -m benchmarks bench_integrity`` (options after ``--`` when run as a
script: ``--source WAREHOUSE`` a warehouse built from a simulated store, ``--declarations N``).

No store holds ten million declarations here, so the benchmark makes a synthetic warehouse of
that size by scaling a simulated one: every table that grows with traffic (declarations, items,
risk assessments, inspections, findings, overrides, queue exceptions, discrepancies, status
changes, crossings, duty shifts) is repeated k times, each copy with its identifiers suffixed
``~k`` and its instants moved k whole periods later — the same posts, officers and brokers over a
k times longer history, with the same mix of honest and corrupt behaviour. The baseline is the
suite over the source warehouse itself, measured in the same run.

Without ``--source`` it first simulates five days at the Dostyk pair of posts (a few minutes).
"""

from __future__ import annotations

import argparse
import math
import tempfile
from datetime import timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from benchmarks.common import show, timed
from dostyk.integrity.suite import run
from dostyk.warehouse.backends import open_warehouse

SCALED = (
    "declarations",
    "declaration_items",
    "risk_assessments",
    "inspections",
    "findings",
    "overrides",
    "queue_exceptions",
    "discrepancies",
    "status_changes",
    "crossings",
    "duty_shifts",
)
IDENTIFIERS = frozenset(
    {
        "declaration_id",
        "inspection_id",
        "assessment_id",
        "override_id",
        "exception_id",
        "discrepancy_id",
        "crossing_id",
        "part_of",
        "shift_id",
        "manifest_id",
        "first_overtaken_id",
    }
)


def simulated_source(folder: Path) -> Path:
    from dostyk.services.setup import initialise
    from dostyk.simulate.run import simulate
    from dostyk.store.engine import make_engine
    from dostyk.warehouse.extract import build

    engine = make_engine(f"sqlite:///{folder / 'dostyk.db'}")
    initialise(engine)
    simulate(engine, days=5, seed=3, posts=["DST", "DSR"])
    build(engine, folder / "warehouse")
    engine.dispose()
    return folder / "warehouse"


def scale(source: Path, target: Path, declarations: int) -> tuple[int, int]:
    """Write the scaled warehouse; returns (copies, declarations written)."""
    target.mkdir(parents=True, exist_ok=True)
    base = pq.ParquetFile(source / "declarations.parquet").metadata.num_rows
    copies = math.ceil(declarations / base)
    duck = duckdb.connect()
    low, high = duck.execute(
        f"SELECT min(lodged_at), max(lodged_at) FROM read_parquet('{source}/declarations.parquet')"
    ).fetchone() or (None, None)
    assert low is not None and high is not None
    # A whole number of four-day crew rotations, so shifted copies keep the roster's pattern.
    days = ((high - low) // timedelta(days=1) // 4 + 2) * 4
    for path in sorted(source.glob("*.parquet")):
        name = path.stem
        out = target / path.name
        if name not in SCALED:
            out.write_bytes(path.read_bytes())
            continue
        schema = pq.read_schema(path)
        columns = []
        for field in schema:
            quoted = f'"{field.name}"'
            if field.name in IDENTIFIERS:
                columns.append(f"{quoted} || '~' || k AS {quoted}")
            elif str(field.type).startswith("timestamp"):
                columns.append(f"{quoted} + to_days(CAST(k * {days} AS INTEGER)) AS {quoted}")
            else:
                columns.append(quoted)
        cut = f" QUALIFY row_number() OVER () <= {declarations}" if name == "declarations" else ""
        duck.execute(
            f"COPY (SELECT {', '.join(columns)} FROM read_parquet('{path}'), "
            f"range({copies}) AS r(k){cut}) TO '{out}' (FORMAT parquet)"
        )
    written = pq.ParquetFile(target / "declarations.parquet").metadata.num_rows
    duck.close()
    return copies, written


def suite_seconds(folder: Path) -> tuple[float, int]:
    w = open_warehouse(folder)
    result, seconds = timed(lambda: run(w))
    return seconds, len(result.indicators)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, help="warehouse to scale (default: simulate one)")
    parser.add_argument("--declarations", type=int, default=10_000_000)
    parser.add_argument("--keep", type=Path, help="write the scaled warehouse here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dostyk-bench-integrity-") as scratch:
        source = args.source or simulated_source(Path(scratch))
        target = args.keep or Path(scratch) / "scaled"
        (copies, written), scaling = timed(lambda: scale(source, target, args.declarations))
        base_rows = pq.ParquetFile(source / "declarations.parquet").metadata.num_rows
        base_seconds, base_indicators = suite_seconds(source)
        seconds, indicators = suite_seconds(target)
        loadavg = Path("/proc/loadavg")
        load = loadavg.read_text().split()[:3] if loadavg.exists() else []
        show(
            "Integrity indicator suite on DuckDB",
            ["warehouse", "declarations", "indicators", "seconds"],
            [
                [
                    "source (baseline)",
                    f"{base_rows:,}",
                    f"{base_indicators:,}",
                    f"{base_seconds:.1f}",
                ],
                [f"scaled ×{copies}", f"{written:,}", f"{indicators:,}", f"{seconds:.1f}"],
            ],
        )
        print(f"scaling took {scaling:.0f} s; load average {' '.join(load)}")


if __name__ == "__main__":
    main()
