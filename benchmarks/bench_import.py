"""Bulk import of a data package into SQLite and PostgreSQL, against a raw load of the same rows.

The package holds N import declarations with 3 items and 2 railcars each, the railcars'
crossings and their trains'. ``dostyk import`` reads, checks (every record's invariants, every
reference, the HS codes, the units' posts) and loads it in one transaction. The baseline loads
the very same rows, already parsed and converted for the driver, with one ``executemany``
(SQLite) or ``COPY`` (PostgreSQL) per table in one transaction: the floor any import must pay.
A second baseline loads the same rows and, already computed, the ledger's entries and Merkle
nodes for them (one entry per record, as the import writes): the floor of an import that logs
every record. Each round measures the three in turn on fresh stores; the medians are shown.

Memory: a package of M declarations (``--memory-declarations``, default 60,000) is imported into
a fresh SQLite store in a child process of its own, which reports its peak resident set size
(``resource.getrusage``) before and after the import.

Run: ``uv run python -m benchmarks.bench_import [--declarations N] [--memory-declarations M]
[--rounds R]``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any

from sqlalchemy import Connection, Engine

from benchmarks.common import postgres_available, postgres_engine, show, sqlite_engine, timed
from dostyk.interchange.datapackage import import_package
from dostyk.interchange.datapackage.checking import TableRows
from dostyk.interchange.datapackage.errors import ErrorLog
from dostyk.interchange.datapackage.reading import read_table
from dostyk.ledger import bulk as ledger_bulk
from dostyk.ledger.entries import Operation
from dostyk.ledger.writer import log_size, stored_accumulator
from dostyk.services.setup import initialise
from dostyk.simulate.synthetic_package import PackageSize, write_synthetic_package
from dostyk.store import bulk
from dostyk.store.tables import TABLES


def parsed_rows(package: Path) -> dict[str, TableRows]:
    """The package's rows as Python values, read once outside the timed baseline."""
    log = ErrorLog()
    rows = {}
    for table in TABLES:
        columns = read_table(package / f"{table.name}.csv", table, log)
        assert columns is not None, log.errors
        rows[table.name] = TableRows.of(table, f"{table.name}.csv", columns)
    return rows


def raw_load(engine: Engine, rows: dict[str, TableRows]) -> None:
    """The same rows through the driver's bulk path, with no reading and no checks."""
    with engine.connect() as connection, connection.begin():
        _load(connection, rows)


def _load(connection: Connection, rows: dict[str, TableRows]) -> None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")
    else:
        connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
    for table in TABLES:
        bulk.load(connection, table, rows[table.name].rows)


def ledger_rows(engine: Engine, rows: dict[str, TableRows]) -> list[ledger_bulk.LedgerRows]:
    """The entries and nodes an import of ``rows`` writes, computed ahead of the timed load."""
    at = datetime.now(UTC)
    with engine.connect() as connection:
        accumulator = stored_accumulator(connection, log_size(connection))
        return [
            ledger_bulk.entries_and_nodes(
                connection, accumulator, table, rows[table.name].rows, Operation.INSERT, at, "bench"
            )
            for table in TABLES
        ]


def raw_logged_load(
    engine: Engine, rows: dict[str, TableRows], logged: list[ledger_bulk.LedgerRows]
) -> None:
    """The raw load, and the ledger's rows for it written the way an import writes them."""
    with engine.connect() as connection, connection.begin():
        _load(connection, rows)
        for chunk in logged:
            ledger_bulk.write(connection, chunk)


def measure(
    backend: str, engine_factory: Any, package: Path, declarations: int, rounds: int
) -> list[str]:
    rows = parsed_rows(package)
    total_rows = sum(len(r.rows) for r in rows.values())
    raw, logged, imported = [], [], []
    for _ in range(rounds):
        with engine_factory() as engine:
            initialise(engine)
            raw.append(timed(partial(raw_load, engine, rows))[1])
        with engine_factory() as engine:
            initialise(engine)
            computed = ledger_rows(engine, rows)
            logged.append(timed(partial(raw_logged_load, engine, rows, computed))[1])
            del computed
        with engine_factory() as engine:
            initialise(engine)
            report, seconds = timed(partial(import_package, engine, package))
            assert report.loaded["declarations"] == declarations
            imported.append(seconds)
    seconds, raw_seconds, logged_seconds = (median(x) for x in (imported, raw, logged))
    return [
        backend,
        f"{declarations:,}",
        f"{total_rows:,}",
        f"{seconds:.2f} s",
        f"{declarations / seconds:,.0f}",
        f"{raw_seconds:.2f} s",
        f"{raw_seconds / seconds:.0%}",
        f"{logged_seconds:.2f} s",
        f"{logged_seconds / seconds:.0%}",
    ]


def peak_rss_mib() -> float:
    """This process's peak resident set. Linux's ``VmHWM`` first: ``getrusage``'s maximum also
    counts the parent's memory at the fork that started this process."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child_import(package: Path) -> None:
    """In a process of its own: import ``package`` into a fresh SQLite store, print peak RSS."""
    with sqlite_engine() as engine:
        initialise(engine)
        before = peak_rss_mib()
        report, seconds = timed(lambda: import_package(engine, package))
    print(f"{before:.0f} {peak_rss_mib():.0f} {report.total} {seconds:.2f}")


def memory(declarations: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="dostyk-package-") as folder:
        package = Path(folder)
        write_synthetic_package(package, PackageSize(declarations, manifests=False))
        output = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_import", "--child-import", str(package)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    before, peak, rows, seconds = output[-4:]
    return [f"{declarations:,}", f"{int(rows):,}", f"{seconds} s", f"{before} MiB", f"{peak} MiB"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--declarations", type=int, default=20_000)
    parser.add_argument("--memory-declarations", type=int, default=60_000)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the three; medians")
    parser.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_import is not None:
        child_import(args.child_import)
        return
    if args.declarations:
        ratios(args.declarations, args.rounds)
    if args.memory_declarations:
        show(
            "Bulk import: peak memory of one import (SQLite, a process of its own)",
            ["declarations", "rows", "import", "peak RSS before", "peak RSS after"],
            [memory(args.memory_declarations)],
        )


def ratios(declarations: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="dostyk-package-") as folder:
        package = Path(folder)
        write_synthetic_package(package, PackageSize(declarations, manifests=False))
        results = [measure("SQLite", sqlite_engine, package, declarations, rounds)]
        if postgres_available():
            results.append(measure("PostgreSQL", postgres_engine, package, declarations, rounds))
    show(
        f"Bulk import: dostyk import against raw loads of the same rows (medians of {rounds})",
        [
            "backend",
            "decl.",
            "rows",
            "import",
            "decl/s",
            "raw",
            "raw / import",
            "raw+ledger",
            "raw+ledger / import",
        ],
        results,
    )


if __name__ == "__main__":
    main()
