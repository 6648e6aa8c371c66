"""Reading one table file of a package into rows of Python values.

CSV goes through Arrow's parser, which is fast; when it refuses a file, the file is read again
row by row with the canonical decoders to say exactly which row and field is wrong. Parquet files
are cast to the table's types column by column.

A table is either read whole or refused with at least one located error: when Arrow refuses a
value that the row-by-row diagnosis cannot place, the file is still refused, with Arrow's own
message, so no table can drop out of an import in silence. A UTF-8 byte-order mark, as
spreadsheets write it, is skipped. Text is checked by the domain's rules when each record is
built (a NUL, which PostgreSQL cannot hold, is refused there at its row and field).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlalchemy import Boolean, Column, Date, Double, Integer, Table

from dostyk.interchange.datapackage.errors import ErrorLog
from dostyk.store.canonical import codec, integer_bounds
from dostyk.store.types import ExactDecimal, UtcDateTime

ZONE_SUFFIX = r"(Z|[+-]\d\d:?\d\d)$"
#: Arrow parses a file in blocks and needs every row inside one; a block is made at least this big.
BLOCK_SIZE = 1 << 22
#: The encoding of CSV text: UTF-8, with or without a byte-order mark.
ENCODING = "utf-8-sig"

# Python's csv module refuses fields over 128 KiB; text columns have no such limit, so the
# row-by-row diagnosis must read whatever Arrow reads.
csv.field_size_limit(sys.maxsize)


def arrow_type(column: Column[Any]) -> pa.DataType:
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(kind, Boolean):
        return pa.bool_()
    if isinstance(kind, Date):
        return pa.date32()
    if isinstance(kind, Integer):
        return pa.int64()
    if isinstance(kind, Double):
        return pa.float64()
    if isinstance(kind, ExactDecimal):
        return pa.decimal128(kind.precision or 38, kind.scale or 0)
    return pa.string()


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, arrow_type(c)) for c in table.columns])


def read_header(path: Path) -> list[str] | None:
    with path.open(encoding=ENCODING, newline="") as handle:
        return next(csv.reader(handle), None)


def read_table(path: Path, table: Table, log: ErrorLog) -> list[list[Any]] | None:
    """The file's columns as lists of values in the table's order, or None after logging errors."""
    data = read_arrow(path, table, log)
    if data is None:
        return None
    return columns_of(data, table)


def columns_of(data: pa.Table, table: Table) -> list[list[Any]]:
    """Python values of (a slice of) a table read by :func:`read_arrow`, in column order.

    A column whose ``info["missing"]`` names a value reads an empty cell as that value (a
    finding's kind the old system did not record is ``unrecorded``).
    """
    columns = []
    for column in table.columns:
        values = data.column(column.name).to_pylist()
        missing = column.info.get("missing")
        if missing is not None:
            values = [missing if v is None else v for v in values]
        columns.append(values)
    return columns


def read_arrow(path: Path, table: Table, log: ErrorLog) -> pa.Table | None:
    """The file as an Arrow table of the store's types, or None after logging errors.

    Arrow holds the values in compact columns; an import turns them into Python values a chunk
    at a time.
    """
    before = len(log.errors) + log.more
    if path.suffix == ".parquet":
        data = _read_parquet(path, table, log)
    else:
        data = _read_csv(path, table, log)
    if data is not None and not _numbers_fit(data, table, path.name, log):
        data = None
    if data is None:
        if len(log.errors) + log.more == before:
            log.add(path.name, None, None, "could not be read (no row could be named)")
        return None
    return data


def _read_csv(path: Path, table: Table, log: ErrorLog) -> pa.Table | None:
    file = path.name
    try:
        header = read_header(path)
    except UnicodeDecodeError as error:
        log.add(file, None, None, f"not UTF-8 text ({error.reason} at byte {error.start})")
        return None
    if header is None:
        log.add(file, None, None, "the file is empty: it needs at least its header row")
        return None
    if not _header_matches(file, header, table, log):
        return None
    instants = [c.name for c in table.columns if isinstance(c.type, UtcDateTime)]
    types = {c.name: arrow_type(c) for c in table.columns}
    for name in instants:
        types[name] = pa.string()
    try:
        data = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=_block_size(path)),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                true_values=["true", "True", "TRUE", "1"],
                false_values=["false", "False", "FALSE", "0"],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        _diagnose_csv(path, table, log, str(error))
        return None
    return _with_instants(data, table, instants, file, log)


_PYTHON_RANGE = {
    pa.timestamp("us", tz="UTC").id: (
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    ),
    pa.date32().id: (date(1, 1, 1), date(9999, 12, 31)),
}


def _numbers_fit(data: pa.Table, table: Table, file: str, log: ErrorLog) -> bool:
    """Whole numbers within their column's range, and no infinity or NaN among the doubles.

    Arrow reads ``inf`` and ``nan`` as numbers, reads every whole number as 64-bit and lets a
    decimal past its precision through; SQLite would store NaN as NULL, PostgreSQL refuse a
    33-bit INTEGER, and either refuse the decimal, each mid-load.
    """
    fits = True
    for column in table.columns:
        values = data.column(column.name)
        if isinstance(column.type, Integer):
            low, high = integer_bounds(column)
            bad = pc.or_(pc.less(values, low), pc.greater(values, high))
            problem = "is out of range"
        elif isinstance(column.type, Double):
            bad = pc.invert(pc.is_finite(values))
            problem = "is not a finite number"
        elif isinstance(column.type, (UtcDateTime, Date)):
            # Arrow reads year 0 and years past 9999; Python's dates and times cannot hold them.
            low, high = (pa.scalar(v, type=values.type) for v in _PYTHON_RANGE[values.type.id])
            bad = pc.or_(pc.less(values, low), pc.greater(values, high))
            for index in pc.indices_nonzero(pc.fill_null(bad, False)).to_pylist()[:20]:
                log.add(file, index + 1, column.name, "is outside the years 1 to 9999")
                fits = False
            continue
        elif isinstance(column.type, ExactDecimal):
            whole = column.type.precision - column.type.scale
            limit = Decimal(10) ** whole
            flags = [v is not None and abs(v) >= limit for v in values.to_pylist()]
            bad = pa.array(flags, type=pa.bool_())
            problem = f"has more than {whole} digits before the decimal point"
        else:
            continue
        for index in pc.indices_nonzero(pc.fill_null(bad, False)).to_pylist()[:20]:
            log.add(file, index + 1, column.name, f"{values[index].as_py()} {problem}")
            fits = False
    return fits


def _block_size(path: Path) -> int:
    """The whole file in one block when it is small, so no long row can straddle two blocks."""
    return max(BLOCK_SIZE, min(path.stat().st_size + 1, (1 << 31) - 1))


def _with_instants(
    data: pa.Table, table: Table, instants: Sequence[str], file: str, log: ErrorLog
) -> pa.Table | None:
    """Instants must carry their zone; a time without one would be read as UTC silently."""
    for name in instants:
        text = data.column(name)
        zoned = pc.match_substring_regex(text, ZONE_SUFFIX)
        bad = pc.and_(pc.invert(zoned), pc.is_valid(text))
        if pc.any(bad).as_py():
            for index in pc.indices_nonzero(bad).to_pylist()[:20]:
                value = text[index].as_py()
                log.add(file, index + 1, name, f"{value!r} has no time zone; end it with Z for UTC")
            return None
        try:
            cast = pc.cast(text, pa.timestamp("us", tz="UTC"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            _diagnose_column(text, name, table, file, log)
            return None
        data = data.set_column(data.schema.get_field_index(name), name, cast)
    return data


def _header_matches(file: str, header: list[str], table: Table, log: ErrorLog) -> bool:
    expected = [c.name for c in table.columns]
    ok = True
    for name in expected:
        if name not in header:
            log.add(file, None, name, "column missing from the header")
            ok = False
    for name in header:
        if name not in expected:
            log.add(file, None, name, f"unknown column (the {table.name} table has {expected})")
            ok = False
    if len(set(header)) != len(header):
        log.add(file, None, None, "a column appears twice in the header")
        ok = False
    return ok


def _diagnose_csv(path: Path, table: Table, log: ErrorLog, arrow_message: str) -> None:
    """Re-read the file row by row with the canonical decoders to locate every bad value."""
    file = path.name
    before = len(log.errors)
    decoders = {c.name: codec(c)[1] for c in table.columns}
    try:
        with path.open(encoding=ENCODING, newline="") as handle:
            reader = csv.reader(handle, strict=True)
            header = next(reader)
            for number, values in enumerate(reader, start=1):
                if len(values) != len(header):
                    log.add(
                        file,
                        number,
                        None,
                        f"has {len(values)} fields where the header has {len(header)} "
                        "(a truncated or malformed row)",
                    )
                    continue
                for name, text in zip(header, values, strict=True):
                    if text == "":
                        continue
                    try:
                        decoders[name](text)
                    except ValueError as error:
                        log.add(file, number, name, str(error))
                if log.full:
                    return
    except csv.Error as error:
        log.add(file, None, None, f"malformed CSV: {error} (an unterminated quote?)")
    except UnicodeDecodeError as error:
        log.add(file, None, None, f"not UTF-8 text ({error.reason} after the header)")
    if len(log.errors) == before:
        log.add(file, None, None, f"could not be read: {arrow_message}")


def _diagnose_column(
    values: pa.ChunkedArray, name: str, table: Table, file: str, log: ErrorLog
) -> None:
    decode = codec(table.columns[name])[1]
    for index, value in enumerate(values.to_pylist(), start=1):
        if value is None:
            continue
        try:
            decode(str(value))
        except ValueError as error:
            log.add(file, index, name, str(error))
            if log.full:
                return


def _read_parquet(path: Path, table: Table, log: ErrorLog) -> pa.Table | None:
    file = path.name
    try:
        data = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as error:
        log.add(file, None, None, f"not a readable Parquet file: {error}")
        return None
    if not _header_matches(file, data.column_names, table, log):
        return None
    columns = []
    for column in table.columns:
        target = arrow_type(column)
        values = data.column(column.name)
        if pa.types.is_timestamp(values.type) and values.type.tz is None:
            log.add(file, None, column.name, "timestamps without a time zone; store them in UTC")
            return None
        try:
            columns.append(pc.cast(values, target))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            log.add(file, None, column.name, f"cannot be read as {target}: {error}")
            _diagnose_column(pc.cast(values, pa.string()), column.name, table, file, log)
            return None
    return pa.table(columns, names=[c.name for c in table.columns])
