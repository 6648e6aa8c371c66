"""Bulk import of a data package into SQLite and PostgreSQL, against a raw load of the same rows.

The package holds N import declarations with 3 items and 2 railcars each, the railcars'
crossings and their trains'. ``dostyk import`` reads, checks (every record's invariants, every
reference, the HS codes, the units' posts) and loads it in one transaction. The baseline loads
the very same rows, already parsed and converted for the driver, with one ``executemany``
(SQLite) or ``COPY`` (PostgreSQL) per table in one transaction: the floor any import must pay.

Memory: a package of M declarations (``--memory-declarations``, default 60,000) is imported into
a fresh SQLite store in a child process of its own, which reports its peak resident set size
(``resource.getrusage``) before and after the import.

Run: ``uv run python -m benchmarks.bench_import [--declarations N] [--memory-declarations M]``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from benchmarks.common import postgres_available, postgres_engine, show, sqlite_engine, timed
from dostyk.interchange.datapackage import import_package
from dostyk.interchange.datapackage.checking import TableRows
from dostyk.interchange.datapackage.errors import ErrorLog
from dostyk.interchange.datapackage.reading import read_table
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
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")
        else:
            connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        for table in TABLES:
            bulk.load(connection, table, rows[table.name].rows)


def measure(backend: str, engine_factory: Any, package: Path, declarations: int) -> list[str]:
    rows = parsed_rows(package)
    total_rows = sum(len(r.rows) for r in rows.values())
    with engine_factory() as engine:
        initialise(engine)
        _, raw_seconds = timed(lambda: raw_load(engine, rows))
    with engine_factory() as engine:
        initialise(engine)
        report, seconds = timed(lambda: import_package(engine, package))
        assert report.loaded["declarations"] == declarations
    return [
        backend,
        f"{declarations:,}",
        f"{total_rows:,}",
        f"{seconds:.2f} s",
        f"{declarations / seconds:,.0f}",
        f"{raw_seconds:.2f} s",
        f"{declarations / raw_seconds:,.0f}",
        f"{raw_seconds / seconds:.0%}",
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
    parser.add_argument("--child-import", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_import is not None:
        child_import(args.child_import)
        return
    if args.declarations:
        ratios(args.declarations)
    if args.memory_declarations:
        show(
            "Bulk import: peak memory of one import (SQLite, a process of its own)",
            ["declarations", "rows", "import", "peak RSS before", "peak RSS after"],
            [memory(args.memory_declarations)],
        )


def ratios(declarations: int) -> None:
    with tempfile.TemporaryDirectory(prefix="dostyk-package-") as folder:
        package = Path(folder)
        write_synthetic_package(package, PackageSize(declarations, manifests=False))
        results = [measure("SQLite", sqlite_engine, package, declarations)]
        if postgres_available():
            results.append(measure("PostgreSQL", postgres_engine, package, declarations))
    show(
        "Bulk import: dostyk import against a raw load of the same rows",
        [
            "backend",
            "declarations",
            "rows",
            "import",
            "decl/s",
            "raw load",
            "raw decl/s",
            "import speed / raw",
        ],
        results,
    )


if __name__ == "__main__":
    main()
