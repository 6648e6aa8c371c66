"""How each stored column is typed in Parquet.

The warehouse is for statistics: money and quantities become 64-bit floats (the store keeps the
exact decimals), instants UTC timestamps to the microsecond, dates dates; the rest keep their kind.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from sqlalchemy import BigInteger, Boolean, Column, Date, Double, Integer, LargeBinary, Table

from dostyk.store.types import ExactDecimal, UtcDateTime

INSTANT = pa.timestamp("us", tz="UTC")


def arrow_type(column: Column[Any]) -> pa.DataType:
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return INSTANT
    if isinstance(kind, ExactDecimal | Double):
        return pa.float64()
    if isinstance(kind, BigInteger | Integer):
        return pa.int64()
    if isinstance(kind, Boolean):
        return pa.bool_()
    if isinstance(kind, Date):
        return pa.date32()
    if isinstance(kind, LargeBinary):
        return pa.binary()
    return pa.string()


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, arrow_type(c), nullable=True) for c in table.columns])


def to_arrow(table: Table, rows: list[Any]) -> pa.Table:
    """The rows (tuples in the table's column order) as an Arrow table of its schema."""
    schema = arrow_schema(table)
    columns: list[list[Any]] = [[] for _ in schema]
    floats = [pa.types.is_floating(field.type) for field in schema]
    for row in rows:
        for index, value in enumerate(row):
            if floats[index] and value is not None:
                value = float(value)
            columns[index].append(value)
    arrays = [
        pa.array(values, type=field.type) for values, field in zip(columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)
