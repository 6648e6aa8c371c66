"""Bulk reading and writing of whole tables, for imports and exports of history.

Row-at-a-time ORM work is far too slow for a country's history, so loads go straight to the
driver: ``executemany`` on SQLite and ``COPY`` on PostgreSQL, on the unit of work's connection
and inside its transaction. Values pass through the same SQLAlchemy type processors the rest of
the store uses, so a bulk-loaded row reads back exactly as one written by a use case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Column, Connection, String, Table, Text, func, select, tuple_

CHUNK = 500


def _bind_processors(table: Table, connection: Connection) -> list[Callable[[Any], Any] | None]:
    dialect = connection.dialect
    return [c.type.dialect_impl(dialect).bind_processor(dialect) for c in table.columns]


def load(connection: Connection, table: Table, rows: Sequence[Sequence[Any]]) -> int:
    """Insert rows (values in column order) in the connection's current transaction."""
    if not rows:
        return 0
    processors = _bind_processors(table, connection)
    if any(processors):
        active = [(i, p) for i, p in enumerate(processors) if p is not None]

        def process(row: Sequence[Any]) -> Sequence[Any]:
            values = list(row)
            for i, p in active:
                values[i] = p(values[i])
            return values

        prepared: Iterable[Sequence[Any]] = map(process, rows)
    else:
        prepared = rows
    names = [c.name for c in table.columns]
    raw = connection.connection.driver_connection
    assert raw is not None
    if connection.dialect.name == "postgresql":
        quoted = ", ".join(f'"{n}"' for n in names)
        with (
            raw.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy,
        ):
            for row in prepared:
                copy.write_row(row)
    else:
        quoted = ", ".join(f'"{n}"' for n in names)
        marks = ", ".join("?" for _ in names)
        cursor = raw.cursor()
        try:
            cursor.executemany(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', prepared)
        finally:
            cursor.close()
    return len(rows)


def count(connection: Connection, table: Table) -> int:
    """Rows the table holds, as the connection's transaction sees them."""
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def is_empty(connection: Connection, table: Table) -> bool:
    return connection.execute(select(1).select_from(table).limit(1)).first() is None


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def stored_rows(
    connection: Connection, table: Table, key_columns: Sequence[Column[Any]], keys: Iterable[Any]
) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """The stored rows, by key, among the given keys (tuples matching ``key_columns``)."""
    found: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    positions = [list(table.columns).index(c) for c in key_columns]
    for chunk in _chunks(keys, CHUNK):
        if len(key_columns) == 1:
            condition = key_columns[0].in_([k[0] for k in chunk])
        else:
            condition = tuple_(*key_columns).in_(chunk)
        for row in connection.execute(select(table).where(condition)):
            values = tuple(row)
            found[tuple(values[p] for p in positions)] = values
    return found


def rows_between(
    connection: Connection,
    table: Table,
    key_column: Column[Any],
    keys: Iterable[Any],
    time_column: Column[Any],
    start: Any,
    end: Any,
) -> list[tuple[Any, ...]]:
    """The stored rows whose ``key_column`` is among ``keys`` and whose ``time_column`` lies
    from ``start`` to ``end``: for an index on (key, time), a range per key, never a scan."""
    found: list[tuple[Any, ...]] = []
    for chunk in _chunks(sorted(set(keys)), CHUNK):
        query = select(table).where(key_column.in_(chunk), time_column >= start, time_column <= end)
        found.extend(tuple(row) for row in connection.execute(query))
    return found


def ordered_rows(connection: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    """Every row in primary-key order by code point, the same on SQLite and PostgreSQL."""
    order: list[Any] = []
    for column in table.primary_key.columns:
        if connection.dialect.name == "postgresql" and isinstance(column.type, (String, Text)):
            order.append(column.collate("C"))
        else:
            order.append(column)
    result = connection.execution_options(yield_per=10_000).execute(select(table).order_by(*order))
    for row in result:
        yield tuple(row)
