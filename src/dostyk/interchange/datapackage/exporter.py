"""Exporting the store as a data package, byte for byte reproducible.

Rows are written in primary-key order by code point and every value in its canonical text, and
the descriptor carries no date, so exporting the same records twice — from SQLite or PostgreSQL,
before or after a round trip through ``import_package`` — gives identical files.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Engine

from dostyk.interchange.datapackage.descriptor import FORMATS, package_descriptor
from dostyk.interchange.datapackage.reading import arrow_schema
from dostyk.store import bulk
from dostyk.store.canonical import row_encoder
from dostyk.store.tables import TABLES

Progress = Callable[[str, int], None]


def _quiet(_table: str, _rows: int) -> None:
    return None


def export_package(
    engine: Engine, path: Path, *, file_format: str = "csv", progress: Progress = _quiet
) -> dict[str, int]:
    """Write every table to ``path``; returns the rows written per table."""
    if file_format not in FORMATS:
        raise ValueError(f"format {file_format!r}: choose one of {FORMATS}")
    path.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for table in TABLES:
            target = path / f"{table.name}.{file_format}"
            rows = bulk.ordered_rows(connection, table)
            if file_format == "csv":
                with target.open("w", encoding="utf-8", newline="") as handle:
                    writer = csv.writer(handle, lineterminator="\n")
                    writer.writerow([c.name for c in table.columns])
                    encode = row_encoder(table)
                    count = 0
                    for count, row in enumerate(rows, start=1):  # noqa: B007
                        writer.writerow(encode(row))
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
