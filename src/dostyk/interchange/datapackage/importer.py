"""Importing a data package: everything or nothing.

The whole package is read and checked before a single row is written; then every table is loaded
in one transaction of the unit of work. A refused package leaves the store exactly as it was.
Records that the store already holds with identical values are skipped, so re-importing a
package is harmless; a stored record with the same key but other values is an error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from dostyk.interchange.datapackage.checking import (
    Lookup,
    TableRows,
    check_across,
    check_records,
    check_references,
    check_unique,
)
from dostyk.interchange.datapackage.errors import ErrorLog, PackageRejected
from dostyk.interchange.datapackage.reading import read_table
from dostyk.interchange.datapackage.resources import package_resources
from dostyk.reference import nomenclature
from dostyk.store import bulk
from dostyk.store import tables as t
from dostyk.store.canonical import row_encoder
from dostyk.store.tables import TABLES
from dostyk.store.unit_of_work import UnitOfWork

#: Called with a stage ("read", "check", "load"), a table name, and a count of rows.
Progress = Callable[[str, str, int], None]


@dataclass
class ImportReport:
    loaded: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    #: Files in the folder that the descriptor does not name, left out on request.
    ignored: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.loaded.values())


def _quiet(_stage: str, _table: str, _rows: int) -> None:
    return None


def import_package(
    engine: Engine,
    path: Path,
    *,
    progress: Progress = _quiet,
    error_limit: int = 100,
    ignore_unlisted: bool = False,
) -> ImportReport:
    """Check the package at ``path`` whole, then load it in one transaction.

    Files in the folder that the descriptor does not name refuse the package, unless
    ``ignore_unlisted``, when they are listed in the report as ignored.
    """
    started = time.perf_counter()
    log = ErrorLog(error_limit)
    resources = package_resources(path, log, ignore_unlisted=ignore_unlisted)
    files = resources.files
    log.raise_if_any()
    package: dict[str, TableRows] = {}
    for table in TABLES:
        if table.name not in files:
            continue
        file = files[table.name]
        read = read_table(file, table, log)
        progress("read", table.name, len(read[0]) if read else 0)
        if read is not None:
            package[table.name] = TableRows.of(table, file.name, read)
    log.raise_if_any()
    _every_named_table_read(files, package, log)
    for table_rows in package.values():
        check_records(table_rows, log)
        progress("check", table_rows.table.name, len(table_rows.rows))
    if declarations := package.get(t.declarations.name):
        check_unique(declarations, ["declarant_id", "reference"], log)
    log.raise_if_any()

    report = ImportReport(ignored=resources.ignored)
    with UnitOfWork(engine) as uow:
        lookup = Lookup(uow.connection, package)
        for table_rows in package.values():
            check_references(table_rows, lookup, log)
        log.raise_if_any()
        check_across(package, lookup, nomenclature(), log)
        log.raise_if_any()
        fresh = {name: _new_rows(uow, rows, log) for name, rows in package.items()}
        log.raise_if_any()
        for table in TABLES:
            if table.name not in fresh:
                continue
            new = fresh[table.name]
            held = bulk.count(uow.connection, table)
            uow.load(table, new)
            stored = bulk.count(uow.connection, table) - held
            _all_rows_stored(package[table.name].file, stored, len(new), log)
            report.loaded[table.name] = len(new)
            report.unchanged[table.name] = len(package[table.name].rows) - len(new)
            progress("load", table.name, len(new))
        uow.commit()
    report.seconds = time.perf_counter() - started
    return report


def _every_named_table_read(
    files: dict[str, Path], package: dict[str, TableRows], log: ErrorLog
) -> None:
    """A last guard: a table the descriptor names and no error refused is never left out."""
    for name in sorted(set(files) - set(package)):
        log.add(files[name].name, None, None, "was not read, so the package is refused")
    log.raise_if_any()


def _all_rows_stored(file: str, stored: int, expected: int, log: ErrorLog) -> None:
    """The load stored exactly the new rows; anything else refuses the whole import."""
    if stored != expected:
        log.add(file, None, None, f"{expected:,} new rows were read but {stored:,} were stored")
        log.raise_if_any()


def _new_rows(uow: UnitOfWork, rows: TableRows, log: ErrorLog) -> list[tuple[Any, ...]]:
    """The rows the store does not hold yet; a stored record with other values is an error."""
    table = rows.table
    if bulk.is_empty(uow.connection, table):
        return rows.rows
    key_columns = list(table.primary_key.columns)
    stored = bulk.stored_rows(uow.connection, table, key_columns, list(rows.row_of_key))
    if not stored:
        return rows.rows
    encode = row_encoder(table)
    names = list(table.columns.keys())
    new = []
    for index, row in enumerate(rows.rows):
        key = rows.key(index)
        existing = stored.get(key)
        if existing is None:
            new.append(row)
            continue
        incoming, held = encode(row), encode(existing)
        if incoming != held:
            differing = [n for n, a, b in zip(names, incoming, held, strict=True) if a != b]
            log.add(
                rows.file,
                index + 1,
                ", ".join(differing),
                f"the store already holds {table.name} {key!r} with other values",
            )
    return new


__all__ = ["ImportReport", "PackageRejected", "import_package"]
