"""Importing a data package: everything or nothing.

The whole package is read and checked before a single row is written; then every table is loaded
in one transaction of the unit of work. A refused package leaves the store exactly as it was.
Records that the store already holds with identical values are skipped, so re-importing a
package is harmless; a stored record with the same key but other values is an error.
"""

from __future__ import annotations

import hashlib
import json
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
from dostyk.interchange.datapackage.descriptor import FORMATS, field_type
from dostyk.interchange.datapackage.errors import ErrorLog, PackageRejected
from dostyk.interchange.datapackage.reading import read_table
from dostyk.reference import nomenclature
from dostyk.store import bulk
from dostyk.store import tables as t
from dostyk.store.canonical import row_encoder
from dostyk.store.tables import TABLES
from dostyk.store.unit_of_work import UnitOfWork

DESCRIPTOR = "datapackage.json"

#: Called with a stage ("read", "check", "load"), a table name, and a count of rows.
Progress = Callable[[str, str, int], None]


@dataclass
class ImportReport:
    loaded: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.loaded.values())


def _quiet(_stage: str, _table: str, _rows: int) -> None:
    return None


def import_package(
    engine: Engine, path: Path, *, progress: Progress = _quiet, error_limit: int = 100
) -> ImportReport:
    """Check the package at ``path`` whole, then load it in one transaction."""
    started = time.perf_counter()
    log = ErrorLog(error_limit)
    files = _resources(path, log)
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
    for table_rows in package.values():
        check_records(table_rows, log)
        progress("check", table_rows.table.name, len(table_rows.rows))
    if declarations := package.get(t.declarations.name):
        check_unique(declarations, ["declarant_id", "reference"], log)
    log.raise_if_any()

    report = ImportReport()
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
            uow.load(table, new)
            report.loaded[table.name] = len(new)
            report.unchanged[table.name] = len(package[table.name].rows) - len(new)
            progress("load", table.name, len(new))
        uow.commit()
    report.seconds = time.perf_counter() - started
    return report


def _resources(path: Path, log: ErrorLog) -> dict[str, Path]:
    """The table files the descriptor names, after checking it against Dostyk's tables."""
    descriptor_path = path / DESCRIPTOR
    if not path.is_dir():
        log.add(str(path), None, None, "is not a folder holding a data package")
        return {}
    try:
        descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        log.add(DESCRIPTOR, None, None, f"not found in {path}")
        return {}
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        log.add(DESCRIPTOR, None, None, f"not valid JSON: {error}")
        return {}
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        log.add(DESCRIPTOR, None, "resources", "must be a list of table resources")
        return {}
    known = {table.name: table for table in TABLES}
    files: dict[str, Path] = {}
    for position, resource in enumerate(resources, start=1):
        where = f"{DESCRIPTOR} resource {position}"
        if not isinstance(resource, dict):
            log.add(where, None, None, "must be an object")
            continue
        name, relative = resource.get("name"), resource.get("path")
        if name not in known:
            log.add(where, None, "name", f"{name!r} is not a Dostyk table ({sorted(known)})")
            continue
        if name in files:
            log.add(where, None, "name", f"{name!r} appears twice")
            continue
        if not isinstance(relative, str) or Path(relative).is_absolute() or ".." in relative:
            log.add(where, None, "path", "must be a relative path inside the package")
            continue
        suffix = Path(relative).suffix.lstrip(".")
        if suffix not in FORMATS:
            log.add(where, None, "path", f"{relative!r}: a table is a .csv or .parquet file")
            continue
        file = path / relative
        if not file.is_file():
            log.add(relative, None, None, "the file named in datapackage.json is missing")
            continue
        _check_declared_fields(where, resource, known[name], log)
        if _intact(relative, file, resource, log):
            files[name] = file
    return files


def _intact(relative: str, file: Path, resource: dict[str, Any], log: ErrorLog) -> bool:
    """The file has the size and hash the descriptor records, when it records them."""
    declared_bytes, declared_hash = resource.get("bytes"), resource.get("hash")
    if declared_bytes is None and declared_hash is None:
        return True
    data = file.read_bytes()
    if declared_bytes is not None and declared_bytes != len(data):
        log.add(
            relative,
            None,
            None,
            f"is {len(data):,} bytes where datapackage.json says {declared_bytes:,}: "
            "the file is truncated or was changed",
        )
        return False
    if isinstance(declared_hash, str):
        algorithm, _, expected = declared_hash.rpartition(":")
        algorithm = algorithm or "md5"
        if algorithm not in hashlib.algorithms_available:
            log.add(
                relative, None, None, f"unknown hash algorithm {algorithm!r} in datapackage.json"
            )
            return False
        if hashlib.new(algorithm, data).hexdigest() != expected.lower():
            log.add(
                relative,
                None,
                None,
                f"its {algorithm} hash differs from datapackage.json: the file was changed",
            )
            return False
    return True


def _check_declared_fields(where: str, resource: dict[str, Any], table: Any, log: ErrorLog) -> None:
    """A resource's declared schema, when given, must be the table's."""
    schema = resource.get("schema")
    if not isinstance(schema, dict):
        return
    declared = {
        f.get("name"): f.get("type") for f in schema.get("fields", []) if isinstance(f, dict)
    }
    for column in table.columns:
        expected = field_type(column)
        if column.name in declared and declared[column.name] not in (expected, None):
            log.add(
                where,
                None,
                column.name,
                f"declared as {declared[column.name]!r}; Dostyk reads it as {expected!r}",
            )


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
