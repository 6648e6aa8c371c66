"""Importing a data package: everything or nothing.

The package is loaded in one transaction of the unit of work, table by table in load order and
each table a chunk of rows at a time: a chunk is checked (each record, then against the
records before it, which this transaction already holds) and then written with its ledger
entries, so memory stays flat however long the package. On the first error nothing more is
written, the rest is still checked, and the transaction is rolled back: a refused package leaves
the store exactly as it was.
Records that the store already holds with identical values are skipped, so re-importing a
package is harmless; a stored record with the same key but other values is an error.

Once every table is in, the package's history is held against Dostyk's controls
(:mod:`dostyk.interchange.datapackage.anomalies`): what cannot have happened refuses the
package, and each breach of a control is kept as an anomaly record.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table

from dostyk.domain.conveyances import check_part_of
from dostyk.domain.errors import InvariantViolation
from dostyk.interchange.datapackage.anomalies import ControlCheck
from dostyk.interchange.datapackage.checking import (
    Deferred,
    Lookup,
    TableRows,
    check_across,
    check_records,
    check_references,
    check_unique,
    check_unique_in_store,
    show_key,
    unique_columns,
)
from dostyk.interchange.datapackage.errors import ErrorLog, PackageRejected
from dostyk.interchange.datapackage.reading import columns_of, read_arrow
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
    #: Breaches of Dostyk's controls found in the package's history, by control (each kept as
    #: a record of the ``anomalies`` table, or already held there).
    anomalies: dict[str, int] = field(default_factory=dict)
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
    chunk_rows: int | None = None,
    at: datetime | None = None,
) -> ImportReport:
    """Check and load the package at ``path`` in one transaction: all of it, or nothing.

    Files in the folder that the descriptor does not name refuse the package, unless
    ``ignore_unlisted``, when they are listed in the report as ignored. ``at`` is the time the
    ledger records for the import (default now): a history made for its bytes, such as the
    sample package, gives a time of its own, since the ledger's root draws the random share.
    """
    started = time.perf_counter()
    log = ErrorLog(error_limit)
    resources = package_resources(path, log, ignore_unlisted=ignore_unlisted)
    log.raise_if_any()
    report = ImportReport(ignored=resources.ignored)
    with UnitOfWork(engine, at=at) as uow:
        load = _Load(uow, log, report, progress, chunk_rows or CHUNK_ROWS)
        for table in TABLES:
            if table.name in resources.files and not log.full:
                load.table(table, resources.files[table.name])
        if not log:
            report.anomalies = dict(sorted(load.controls.run().items()))
        log.raise_if_any()
        uow.commit()
    report.seconds = time.perf_counter() - started
    return report


#: Rows checked and loaded at a time: enough to keep the driver's bulk path busy, few enough to
#: keep an import's memory flat however long the package.
CHUNK_ROWS = 5_000
#: Tables whose rules span every row (the chain of command, postings that must not overlap),
#: checked in one piece; they hold a few thousand rows at most.
WHOLE_TABLES = frozenset({t.officers.name, t.officer_postings.name})


class _Load:
    """One import in progress: each table read, then checked and loaded chunk by chunk.

    Every chunk is checked against the chunks and tables before it, which are already in the
    store inside this transaction. After the first error nothing more is loaded, but every
    later row is still read and checked on its own, so one run reports what it can.
    """

    def __init__(
        self, uow: UnitOfWork, log: ErrorLog, report: ImportReport, progress: Progress, size: int
    ) -> None:
        self.uow = uow
        self.log = log
        self.report = report
        self.progress = progress
        self.size = size
        self.keys: dict[str, dict[tuple[Any, ...], int]] = {}
        self.lookup = Lookup(uow.connection, {}, self.keys)
        self.nomenclature = nomenclature()
        self.controls = ControlCheck(uow, log, self.keys)

    @property
    def loading(self) -> bool:
        return not self.log

    def table(self, table: Table, file: Path) -> None:
        data = read_arrow(file, table, self.log)
        total = 0 if data is None else data.num_rows
        self.progress("read", table.name, total)
        if data is None:
            return
        keys = self.keys.setdefault(table.name, {})
        #: Values of each unique constraint seen so far in the file, with their rows.
        references: dict[tuple[str, ...], dict[tuple[Any, ...], int]] = {}
        deferred: list[Deferred] = []
        held_before = bulk.count(self.uow.connection, table)
        size = max(total, 1) if table.name in WHOLE_TABLES else self.size
        loaded = unchanged = 0
        for offset in range(0, total, size):
            rows = TableRows.of(
                table, file.name, columns_of(data.slice(offset, size), table), offset=offset
            )
            fresh = self._chunk(rows, keys, references, deferred, held_before > 0)
            loaded += len(fresh)
            unchanged += len(rows.rows) - len(fresh)
            self.progress("load", table.name, len(rows.rows))
            if self.log.full:
                return
        del data
        if self.loading:
            self._deferred(table, file.name, deferred)
        if self.loading:
            stored = bulk.count(self.uow.connection, table) - held_before
            if stored != loaded:
                self.log.add(
                    file.name,
                    None,
                    None,
                    f"{loaded:,} new rows were read but {stored:,} were stored",
                )
        self.report.loaded[table.name] = loaded
        self.report.unchanged[table.name] = unchanged

    def _chunk(
        self,
        rows: TableRows,
        keys: dict[tuple[Any, ...], int],
        references: dict[tuple[str, ...], dict[tuple[Any, ...], int]],
        deferred: list[Deferred],
        store_held_some: bool,
    ) -> list[tuple[Any, ...]]:
        """Check one chunk; load its new rows unless an error has been found. Returns them."""
        log = self.log
        check_records(rows, log)
        key_names = ", ".join(c.name for c in rows.table.primary_key.columns)
        for key, index in rows.row_of_key.items():
            first = keys.setdefault(key, rows.number(index))
            if first != rows.number(index):
                log.add(
                    rows.file,
                    rows.number(index),
                    key_names,
                    f"duplicate key {show_key(key)}: row {first} has the same",
                )
        for columns in unique_columns(rows.table):
            check_unique(rows, columns, log, references.setdefault(tuple(columns), {}))
            if store_held_some:
                check_unique_in_store(rows, columns, self.uow.connection, log)
        if not self.loading:
            return []
        lookup = self.lookup
        lookup.next_chunk({rows.table.name: rows})
        check_references(rows, lookup, log, deferred)
        if not self.loading:
            return []
        check_across({rows.table.name: rows}, lookup, self.nomenclature, log)
        fresh = _new_rows(self.uow, rows, log) if store_held_some else rows.rows
        if not self.loading:
            return []
        self.uow.load(rows.table, fresh)
        self.uow.checkpoint()
        lookup.remember(rows)
        self.controls.saw(rows.table, rows.file, rows.rows)
        return fresh

    def _deferred(self, table: Table, file: str, deferred: list[Deferred]) -> None:
        """References to rows of the same table that came later in the file, now all loaded."""
        if not deferred:
            return
        lookup = self.lookup
        lookup.next_chunk({})
        constraint = next(c for c in table.foreign_key_constraints if c.referred_table is table)
        field_names = ", ".join(constraint.column_keys)
        lookup.preload(table, {target for _, _, target in deferred})
        for number, _own, target in deferred:
            if not lookup.knows(table, target):
                self.log.add(
                    file,
                    number,
                    field_names,
                    f"refers to {show_key(target)}, which is in neither {table.name} nor the store",
                )
        if table is t.crossings:
            lookup.preload(table, {own for _, own, _ in deferred})
            for number, own, target in deferred:
                crossing, movement = lookup.get(table, own), lookup.get(table, target)
                if crossing is None or movement is None:
                    continue
                try:
                    check_part_of(crossing, movement)
                except InvariantViolation as error:
                    for violation in error.violations:
                        self.log.add(file, number, violation.field, violation.message)


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
                rows.number(index),
                ", ".join(differing),
                f"the store already holds {table.name} {key!r} with other values",
            )
    return new


__all__ = ["ImportReport", "PackageRejected", "import_package"]
