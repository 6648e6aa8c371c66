"""Exporting the store as a data package, byte for byte reproducible.

Rows are written in primary-key order by code point and every value in its canonical text, and
the descriptor carries no date, so exporting the same records twice — from SQLite or PostgreSQL,
before or after a round trip through ``import_package`` — gives identical files.

An export appears whole or not at all: it is written into a fresh folder beside the target and
renamed into place, so a failed export leaves nothing half-written and no folder ever holds a mix
of two exports (CSV files from one, Parquet from another). The target must be new or empty; with
``force`` an earlier export there (a folder holding only a descriptor and table files) is replaced
as a whole. Any other folder is never overwritten.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Engine

from dostyk.interchange.datapackage.descriptor import FORMATS, package_descriptor
from dostyk.interchange.datapackage.errors import ExportRefused
from dostyk.interchange.datapackage.reading import arrow_schema
from dostyk.store import bulk
from dostyk.store.canonical import row_encoder
from dostyk.store.tables import TABLES

Progress = Callable[[str, int], None]


def _quiet(_table: str, _rows: int) -> None:
    return None


def export_package(
    engine: Engine,
    path: Path,
    *,
    file_format: str = "csv",
    progress: Progress = _quiet,
    force: bool = False,
) -> dict[str, int]:
    """Write every table as a package at ``path``; returns the rows written per table."""
    if file_format not in FORMATS:
        raise ValueError(f"format {file_format!r}: choose one of {FORMATS}")
    replacing = _check_target(path, force)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.export-", dir=path.parent))
        mask = os.umask(0)
        os.umask(mask)
        staging.chmod(0o777 & ~mask)  # mkdtemp makes it private; an export is an ordinary folder
    except OSError as error:
        raise ExportRefused(f"{path}: cannot write there ({error.strerror})") from None
    try:
        counts = _write(engine, staging, file_format, progress)
        _move_into_place(staging, path, replacing)
    except OSError as error:
        raise ExportRefused(f"{path}: the export could not be written ({error.strerror})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return counts


def _is_earlier_export(folder: Path) -> bool:
    names = {p.name for p in folder.iterdir()}
    tables = {f"{table.name}.{ext}" for table in TABLES for ext in FORMATS}
    return "datapackage.json" in names and names <= tables | {"datapackage.json"}


def _check_target(path: Path, force: bool) -> bool:
    """Whether an earlier export at ``path`` is to be replaced; refuses any other occupant."""
    if not os.path.lexists(path):
        return False
    if path.is_symlink() or not path.is_dir():
        raise ExportRefused(f"{path}: exists and is not a folder")
    try:
        if not any(path.iterdir()):
            return True
        earlier = _is_earlier_export(path)
    except OSError as error:
        raise ExportRefused(f"{path}: cannot be read ({error.strerror})") from None
    if not earlier:
        raise ExportRefused(
            f"{path}: the folder holds other files; export into a new or empty folder"
        )
    if not force:
        raise ExportRefused(
            f"{path}: holds an earlier export; use --force to replace it, or choose a new folder"
        )
    return True


def _move_into_place(staging: Path, path: Path, replacing: bool) -> None:
    """Rename the finished export to ``path``, the earlier one (if any) moved aside first."""
    if not replacing:
        staging.rename(path)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{path.name}.earlier-", dir=path.parent))
    aside.rmdir()
    path.rename(aside)
    try:
        staging.rename(path)
    except OSError:
        aside.rename(path)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _write(engine: Engine, path: Path, file_format: str, progress: Progress) -> dict[str, int]:
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for table in TABLES:
            target = path / f"{table.name}.{file_format}"
            rows = bulk.ordered_rows(connection, table)
            if file_format == "csv":
                with target.open("w", encoding="utf-8", newline="") as handle:
                    writer = csv.writer(handle, lineterminator="\n")
                    # Python quotes a field holding the line terminator ("\n") but not a bare
                    # "\r", which every CSV reader takes for a line break: such rows are quoted
                    # whole.
                    quoted = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
                    writer.writerow([c.name for c in table.columns])
                    encode = row_encoder(table)
                    count = 0
                    for count, row in enumerate(rows, start=1):  # noqa: B007
                        text = encode(row)
                        if any("\r" in value for value in text):
                            quoted.writerow(text)
                        else:
                            writer.writerow(text)
            else:
                data = list(rows)
                count = len(data)
                columns: list[Any] = (
                    list(zip(*data, strict=True)) if data else [() for _ in table.columns]
                )
                schema = arrow_schema(table)
                arrays = [
                    pa.array(list(values), type=f.type)
                    for values, f in zip(columns, schema, strict=True)
                ]
                pq.write_table(pa.table(arrays, schema=schema), target)
            counts[table.name] = count
            progress(table.name, count)
    descriptor = json.dumps(package_descriptor(file_format, path), indent=2, ensure_ascii=False)
    (path / "datapackage.json").write_text(descriptor + "\n", encoding="utf-8")
    return counts
