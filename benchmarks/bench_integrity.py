"""Benchmark the whole integrity indicator suite over 10,000,000 declarations on DuckDB.

Run with ``uv run python -m benchmarks bench_integrity`` (options after ``--`` when run as a
script, ``python -m benchmarks.bench_integrity --help``).

No store holds ten million declarations here, so the benchmark makes a synthetic warehouse of
that size by scaling a simulated one k times: the same posts, officers and brokers over a history
k months long, each month holding one copy of the source's traffic with its identifiers suffixed
``~k`` and its instants moved to the same day of the k-th next month (a whole number of days,
the same for every instant of the copy, so every duration and every order within it is kept).
Copies go a month apart, not back to back, for the mirror analysis: the partner's figures are by
calendar month, and only a copy that starts on the same day of its month as the source keeps
each of the partner's figures in one month (its own month moved k months on); two copies'
figures that fall in the same month (the end of one month's exports before the next copy's
first lodgements) are added up, as the partner would report them. So every chapter-month's gap
is the source's own, and the mirror analysis at scale compares what it compares on a long
history. A source whose lodgements span more than about seven weeks cannot be so placed and is
refused.

Only the tables the suite reads are written (it is run on the source first, recording them):
those that grow with traffic scaled, the people (officers, parties, the conflict register)
copied unchanged. The scaled warehouse is kept under ``var/bench_integrity/`` keyed by the
source's contents and the size, so a rerun times the suite without rebuilding it; without
``--source`` the source is simulated once (ten days of the whole network, about a minute) and
kept there too.

The suite runs in this process on DuckDB over the source (the baseline) and over the scaled
warehouse; the figures are wall time per indicator module, the peak resident memory during the
scaled run, and the load average of the machine before and after it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from benchmarks.common import show, timed
from dostyk.integrity.suite import run
from dostyk.warehouse.backends import Warehouse, open_warehouse

HERE = Path(__file__).resolve().parents[1]
CACHE = HERE / "var" / "bench_integrity"
#: Changes whenever the scaled warehouse would come out differently for the same source.
SCALING_VERSION = 2
#: Tables that grow with traffic: repeated once per copy.
SCALED = frozenset(
    {
        "declarations",
        "declaration_items",
        "risk_assessments",
        "inspections",
        "findings",
        "finding_reviews",
        "overrides",
        "queue_exceptions",
        "discrepancies",
        "status_changes",
        "crossings",
        "duty_shifts",
        "partner_exports",
    }
)
#: Tables of the people and the register: the same in every copy, written once.
UNCHANGED = frozenset({"officers", "parties", "posts", "conflicts_of_interest"})
#: Columns naming a record of a scaled table: suffixed with the copy.
IDENTIFIERS = frozenset(
    {
        "declaration_id",
        "inspection_id",
        "assessment_id",
        "review_id",
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
#: The longest transit the simulator draws (rail): exports leave this long before lodgement.
TRANSIT_DAYS = 4
#: The shortest month: a copy's instants stay within this many days either side of the first
#: of its month, so each keeps its month.
MONTH_DAYS = 28


def simulated_source(days: int, seed: int, posts: list[str]) -> Path:
    """A warehouse of ``days`` simulated days (kept under var/, made once)."""
    from dostyk.services.setup import initialise
    from dostyk.simulate.run import simulate
    from dostyk.store.engine import make_engine
    from dostyk.warehouse.extract import build

    folder = CACHE / f"simulated-{'-'.join(posts) or 'all'}-{days}d-seed{seed}"
    warehouse = folder / "warehouse"
    if (warehouse / "declarations.parquet").exists():
        return warehouse
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{folder / 'dostyk.db'}")
    initialise(engine)
    print(f"simulating {days} days at {', '.join(posts) or 'every post'} (seed {seed})", flush=True)
    simulate(engine, days=days, seed=seed, posts=posts or None)
    build(engine, folder / "warehouse.tmp")
    engine.dispose()
    (folder / "warehouse.tmp").rename(warehouse)
    return warehouse


def recorded_tables(w: Warehouse) -> set[str]:
    """Record the names of the tables the suite opens on ``w``, or asks for and ``w`` holds
    (the source's history may be too short for an indicator to open a table it would read at
    scale, as the mirror analysis with no whole month covered)."""
    opened: set[str] = set()
    table, has = w.table, w.has

    def opening(name: str) -> Any:
        opened.add(name)
        return table(name)

    def asking(name: str) -> bool:
        held = has(name)
        if held:
            opened.add(name)
        return held

    w.table = opening  # type: ignore[method-assign]
    w.has = asking  # type: ignore[method-assign]
    return opened


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def anchor(source: Path) -> date:
    """The first of the month the source's copies are placed by.

    It is the month start nearest the middle of the source's lodgements and duty shifts; every
    one of them, and every export (up to TRANSIT_DAYS before its lodgement), must lie within
    MONTH_DAYS of it, so that moved to the first of another month it stays in the same month
    relative to it.
    """
    duck = duckdb.connect()
    try:
        low, high = duck.execute(
            "SELECT least(min(lodged_at), (SELECT min(starts_at) FROM read_parquet($2))), "
            "greatest(max(lodged_at), (SELECT max(ends_at) FROM read_parquet($2))) "
            "FROM read_parquet($1)",
            [str(source / "declarations.parquet"), str(source / "duty_shifts.parquet")],
        ).fetchone() or (None, None)
    finally:
        duck.close()
    if low is None or high is None:
        raise SystemExit(f"{source / 'declarations.parquet'}: no declarations to scale")
    earliest = low - timedelta(days=TRANSIT_DAYS)
    middle = (earliest + (high - earliest) / 2).date()
    starts = [_add_months(middle, 0), _add_months(middle, 1)]
    first = min(starts, key=lambda d: abs(d - middle))
    start = datetime(first.year, first.month, 1, tzinfo=UTC)
    limit = timedelta(days=MONTH_DAYS)
    if not (start - limit <= earliest and high < start + limit):
        raise SystemExit(
            f"{source}: lodgements and shifts from {low:%Y-%m-%d} to {high:%Y-%m-%d} do not fit "
            f"within {MONTH_DAYS} days of one month's start; scale a source of at most about "
            "seven weeks"
        )
    return first


def _columns(path: Path) -> list[str]:
    """The select list of one copy of a traffic table: identifiers suffixed, instants moved."""
    columns = []
    for field in pq.read_schema(path):
        quoted = f'"{field.name}"'
        if field.name in IDENTIFIERS:
            columns.append(f"{quoted} || '~' || c.k AS {quoted}")
        elif str(field.type).startswith("timestamp"):
            columns.append(f"{quoted} + to_days(c.shift) AS {quoted}")
        else:
            columns.append(quoted)
    return columns


def _partner_select(path: Path) -> str:
    """The partner's figures of every copy, each month moved by the copy's months, and those
    of one reporter, subheading and month added up."""
    keys = ["reporter", "partner", "hs6", "month"]
    names = [f.name for f in pq.read_schema(path)]
    rest = []
    for name in names:
        if name in keys:
            continue
        if name in ("fob_usd", "quantity"):
            rest.append(f'sum("{name}") AS "{name}"')
        elif name == "net_mass_kg":
            # A figure without its mass stays without it when added to another.
            rest.append(
                'CASE WHEN count("net_mass_kg") = count(*) THEN sum("net_mass_kg") END '
                'AS "net_mass_kg"'
            )
        else:
            rest.append(f'min("{name}") AS "{name}"')
    moved = "strftime(strptime(\"month\" || '-01', '%Y-%m-%d') + to_months(c.k), '%Y-%m') AS month"
    values = ", ".join(f'"{n}"' for n in names if n not in keys)
    inner = (
        f"SELECT reporter, partner, hs6, {moved}, {values} FROM read_parquet('{path}'), copies AS c"
    )
    return (
        f"SELECT {', '.join(keys)}, {', '.join(rest)} FROM ({inner}) "
        f"GROUP BY {', '.join(keys)} ORDER BY {', '.join(keys)}"
    )


def scale(source: Path, target: Path, declarations: int, tables: set[str]) -> int:
    """Write the scaled warehouse of ``tables`` to ``target``; returns the copies made."""
    unknown = sorted(tables - SCALED - UNCHANGED)
    if unknown:
        raise SystemExit(
            f"the suite reads {', '.join(unknown)}, which the benchmark does not know how to "
            "scale: add each to SCALED (grows with traffic) or UNCHANGED in bench_integrity.py"
        )
    base = pq.ParquetFile(source / "declarations.parquet").metadata.num_rows
    copies = math.ceil(declarations / int(base))
    first = anchor(source)
    moved = datetime(first.year, first.month, 1)
    shifts = [
        (k, (datetime.combine(_add_months(first, k), datetime.min.time()) - moved).days)
        for k in range(copies)
    ]
    target.mkdir(parents=True, exist_ok=True)
    duck = duckdb.connect(
        config={
            "memory_limit": "6GB",
            "preserve_insertion_order": False,
        }
    )
    try:
        duck.execute("SET enable_progress_bar = false")
        duck.execute("CREATE TABLE copies (k INTEGER, shift INTEGER)")
        duck.executemany("INSERT INTO copies VALUES (?, ?)", shifts)
        for name in sorted(tables):
            path = source / f"{name}.parquet"
            out = target / f"{name}.parquet"
            if not path.exists():
                continue
            if name in UNCHANGED:
                shutil.copyfile(path, out)
                continue
            if name == "partner_exports":
                query = _partner_select(path)
            else:
                listed = ", ".join(_columns(path))
                query = f"SELECT {listed} FROM read_parquet('{path}'), copies AS c"
            started = time.perf_counter()
            duck.execute(f"COPY ({query}) TO '{out}' (FORMAT parquet, COMPRESSION zstd)")
            rows = pq.ParquetFile(out).metadata.num_rows
            print(f"  {name}: {rows:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    finally:
        duck.close()
    return copies


def source_key(source: Path, declarations: int) -> str:
    """What the scaled warehouse depends on: the source's files, the size, the scaling."""
    digest = hashlib.sha256(f"{SCALING_VERSION}:{declarations}".encode())
    for path in sorted(source.glob("*.parquet")):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:12]


def scaled_warehouse(source: Path, declarations: int, tables: set[str]) -> tuple[Path, int, bool]:
    """The scaled warehouse (kept under var/), its copies, and whether it was built now."""
    folder = CACHE / f"scaled-{declarations}-{source_key(source, declarations)}"
    manifest = folder / "scaled.json"
    if manifest.exists():
        held = json.loads(manifest.read_text(encoding="utf-8"))
        if tables <= set(held["tables"]):
            return folder, int(held["copies"]), False
    building = folder.with_name(folder.name + ".tmp")
    if building.exists():
        shutil.rmtree(building)
    print(f"scaling {source} to {declarations:,} declarations into {folder}", flush=True)
    copies = scale(source, building, declarations, tables)
    (building / "scaled.json").write_text(
        json.dumps({"source": str(source), "copies": copies, "tables": sorted(tables)}) + "\n",
        encoding="utf-8",
    )
    if folder.exists():
        shutil.rmtree(folder)
    building.rename(folder)
    return folder, copies, True


def _rss() -> int:
    """This process's resident memory, bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


@contextmanager
def peak_memory() -> Iterator[list[int]]:
    """Sample the resident memory while the block runs; yields [peak bytes] once done."""
    peak = [_rss()]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.1):
            peak[0] = max(peak[0], _rss())

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()
        peak[0] = max(peak[0], _rss())


def load() -> str:
    path = Path("/proc/loadavg")
    return " ".join(path.read_text().split()[:3]) if path.exists() else "unknown"


def suite_run(w: Warehouse, profile: Path | None = None) -> tuple[float, int, dict[str, float]]:
    """Seconds for the whole suite, its indicator rows, and seconds per step."""
    steps: dict[str, float] = {}
    work: Callable[[], Any] = lambda: run(w, timings=steps)  # noqa: E731
    if profile is not None:
        import cProfile

        profiler = cProfile.Profile()
        result, seconds = timed(lambda: profiler.runcall(run, w, timings=steps))
        profiler.dump_stats(profile)
    else:
        result, seconds = timed(work)
    return seconds, len(result.indicators), steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="warehouse to scale (default: simulate one)")
    parser.add_argument("--days", type=int, default=10, help="days to simulate (default 10)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--posts", nargs="*", default=[], help="posts to simulate (default: every post)"
    )
    parser.add_argument("--declarations", type=int, default=10_000_000)
    parser.add_argument("--profile", type=Path, help="write a cProfile of the scaled run here")
    args = parser.parse_args()
    source = args.source or simulated_source(args.days, args.seed, args.posts)
    baseline = open_warehouse(source)
    tables = recorded_tables(baseline)
    base_seconds, base_indicators, base_steps = suite_run(baseline)
    base_rows = pq.ParquetFile(source / "declarations.parquet").metadata.num_rows
    (target, copies, built), scaling = timed(
        lambda: scaled_warehouse(source, args.declarations, tables)
    )
    written = pq.ParquetFile(target / "declarations.parquet").metadata.num_rows
    size = sum(p.stat().st_size for p in target.glob("*.parquet"))
    load_before = load()
    with peak_memory() as peak:
        seconds, indicators, steps = suite_run(open_warehouse(target), args.profile)
    load_after = load()
    show(
        "Integrity indicator suite on DuckDB",
        ["warehouse", "declarations", "indicator rows", "seconds"],
        [
            ["source (baseline)", f"{base_rows:,}", f"{base_indicators:,}", f"{base_seconds:.1f}"],
            [f"scaled ×{copies:,}", f"{written:,}", f"{indicators:,}", f"{seconds:.1f}"],
        ],
    )
    show(
        "Where the time went (seconds)",
        ["step", "source", "scaled"],
        [[name, f"{base_steps.get(name, 0.0):.2f}", f"{steps[name]:.1f}"] for name in steps],
    )
    how = f"built in {scaling:.0f} s" if built else "kept from an earlier run"
    print(f"scaled warehouse: {target} ({size / 1e9:.2f} GB of Parquet, {how})")
    print(f"peak resident memory during the scaled run: {peak[0] / 2**30:.2f} GiB")
    print(f"load average before the scaled run {load_before}, after {load_after}")


if __name__ == "__main__":
    main()
