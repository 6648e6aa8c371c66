"""Extract the operational store to Parquet, incrementally.

The ledger says what changed: every insert, update and delete of a record appends an entry naming
the table and the record's key, in order. The warehouse keeps, in ``_state.json`` beside its
files, the position in the ledger it has read up to (the watermark). A build reads the entries
past it, fetches the current rows of the records they name, and merges them into each table's
Parquet file (rows of those keys replaced, deleted ones dropped), so its cost follows the changes
since the last build, not the size of the history. A table not yet in the warehouse (a new one in
the schema, or the first build) is extracted whole.

Each table's file is replaced atomically (written beside it, then renamed), and the watermark is
written last: a build that stops part-way is redone from the old watermark, and merging the same
changes twice gives the same file. One build of a folder runs at a time: a build holds an
exclusive lock on ``_build.lock`` from reading the watermark to writing it, so a second one
started meanwhile (a scheduled build overlapping one by hand) waits, then goes on from the first
one's watermark. Two at once would write the same temporary files, and the later one to finish
could put back a table's older file under the other's newer watermark, whose changes no later
build would read again.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Engine, Table, func, inspect, select, tuple_

from dostyk.store.canonical import codec
from dostyk.store.tables import TABLES, ledger_entries
from dostyk.warehouse.columns import arrow_schema, to_arrow

STATE_FILE = "_state.json"
#: Held (flock, exclusive) by the build under way in its folder.
LOCK_FILE = "_build.lock"
#: Keys fetched per query when merging changes (well under every backend's parameter limit).
KEYS_PER_QUERY = 400
#: Rows read from the store per round trip on a whole-table extract.
ROWS_PER_BATCH = 50_000
#: A table whose changed keys exceed this share of its rows is extracted whole instead.
WHOLE_TABLE_SHARE = 0.3


@dataclass
class BuildReport:
    """What one build did: the ledger range read and, per table, rows written and how."""

    from_seq: int
    to_seq: int
    tables: dict[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return self.to_seq > self.from_seq or any(how == "whole" for how, _ in self.tables.values())


class StateUnreadable(ValueError):
    """The folder's ``_state.json`` is not a warehouse's state (hand-edited, damaged)."""


def read_state(folder: Path) -> dict[str, Any]:
    """The watermark and each table's columns; a folder without state is a new warehouse."""
    path = folder / STATE_FILE
    if not path.exists():
        return {"ledger_seq": 0, "tables": {}}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _unreadable(path, f"it is not JSON ({error})") from None
    if not isinstance(state, dict):
        raise _unreadable(path, "it is not a JSON object")
    seq = state.get("ledger_seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise _unreadable(path, f"ledger_seq is {seq!r}, not a ledger position")
    tables = state.get("tables")
    if not isinstance(tables, dict) or not all(
        isinstance(columns, list) and all(isinstance(c, str) for c in columns)
        for columns in tables.values()
    ):
        raise _unreadable(path, "tables is not each table's list of columns")
    return state


def _unreadable(path: Path, why: str) -> StateUnreadable:
    return StateUnreadable(
        f"{path} is not a warehouse's state: {why}; build the warehouse again in an empty "
        "folder (or delete this one)"
    )


def _write_state(folder: Path, state: dict[str, Any]) -> None:
    path = folder / STATE_FILE
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, path)


@contextmanager
def _one_build_at_a_time(folder: Path) -> Iterator[None]:
    """Hold the folder's build lock, waiting for a build under way to end first.

    The lock is the kernel's (flock), so it goes with the process that holds it: a build that is
    killed leaves no stale lock behind.
    """
    with (folder / LOCK_FILE).open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


@contextmanager
def between_builds(folder: Path, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Keep builds out of ``folder`` while the analytics read it, so that they read one build's
    tables, not some from before a build and some from after it.

    A shared hold of the build lock: readers do not wait for each other, a build waits for them
    and they for it (``waiting`` is told when they must). A folder where the lock file cannot be
    made (read-only media) is read as it is: no build can be writing there either.
    """
    try:
        handle = (folder / LOCK_FILE).open("a")
    except OSError:
        yield
        return
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                waiting()
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def record_tables(engine: Engine) -> list[Table]:
    """The record tables the store has (an older store may lack a newer table)."""
    present = set(inspect(engine).get_table_names())
    return [t for t in TABLES if t.name in present]


def build(
    engine: Engine,
    folder: Path,
    *,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Bring the Parquet files in ``folder`` up to date with the store."""
    folder.mkdir(parents=True, exist_ok=True)
    with _one_build_at_a_time(folder):
        return _build(engine, folder, progress)


def _build(engine: Engine, folder: Path, progress: Callable[[str], None] | None) -> BuildReport:
    state = read_state(folder)
    start = int(state["ledger_seq"])
    with engine.connect() as connection:
        last = select(func.coalesce(func.max(ledger_entries.c.seq), -1))
        end = int(connection.execute(last).scalar_one()) + 1
        touched = _touched(connection, start, end)
        report = BuildReport(start, end)
        known: dict[str, list[str]] = state["tables"]
        for table in record_tables(engine):
            if progress is not None:
                progress(table.name)
            path = folder / f"{table.name}.parquet"
            columns = [c.name for c in table.columns]
            if table.name not in known or known[table.name] != columns or not path.exists():
                written = _whole(connection, table, path)
                report.tables[table.name] = ("whole", written)
                known[table.name] = columns
                continue
            keys = touched.get(table.name)
            if not keys:
                continue
            rows_before = pq.ParquetFile(path).metadata.num_rows
            if len(keys) > WHOLE_TABLE_SHARE * max(rows_before, 1):
                report.tables[table.name] = ("whole", _whole(connection, table, path))
            else:
                report.tables[table.name] = ("merged", _merge(connection, table, path, keys))
    state["ledger_seq"] = end
    state["tables"] = known
    _write_state(folder, state)
    return report


def _touched(connection: Any, start: int, end: int) -> dict[str, set[str]]:
    """The keys (canonical JSON) of the records changed by ledger entries ``start`` to ``end``."""
    touched: dict[str, set[str]] = defaultdict(set)
    if end <= start:
        return touched
    query = (
        select(ledger_entries.c.table_name, ledger_entries.c.record_key)
        .where(ledger_entries.c.seq >= start, ledger_entries.c.seq < end)
        .execution_options(yield_per=ROWS_PER_BATCH)
    )
    for name, key in connection.execute(query):
        touched[name].add(key)
    return touched


def _write(table: pa.Table, path: Path) -> None:
    temporary = path.with_name(path.name + ".tmp")
    pq.write_table(table, temporary, compression="zstd")
    os.replace(temporary, path)


def _whole(connection: Any, table: Table, path: Path) -> int:
    schema = arrow_schema(table)
    temporary = path.with_name(path.name + ".tmp")
    written = 0
    with pq.ParquetWriter(temporary, schema, compression="zstd") as writer:
        result = connection.execute(select(table).execution_options(yield_per=ROWS_PER_BATCH))
        for batch in result.partitions():
            writer.write_table(to_arrow(table, list(batch)))
            written += len(batch)
    os.replace(temporary, path)
    return written


def _decoded_keys(table: Table, keys: Iterable[str]) -> list[tuple[Any, ...]]:
    decoders = [codec(c)[1] for c in table.primary_key.columns]
    decoded = []
    for key in keys:
        texts = json.loads(key)
        decoded.append(tuple(d(t) for d, t in zip(decoders, texts, strict=True)))
    return decoded


def _merge(connection: Any, table: Table, path: Path, keys: set[str]) -> int:
    """Replace the rows of ``keys`` in the table's file by their current rows (if any)."""
    primary = list(table.primary_key.columns)
    decoded = _decoded_keys(table, sorted(keys))
    fresh: list[Any] = []
    for start in range(0, len(decoded), KEYS_PER_QUERY):
        chunk = decoded[start : start + KEYS_PER_QUERY]
        if len(primary) == 1:
            condition = primary[0].in_([k[0] for k in chunk])
        else:
            condition = tuple_(*primary).in_(chunk)
        fresh.extend(connection.execute(select(table).where(condition)))
    changed = to_arrow(table, fresh)
    key_table = to_arrow_keys(table, decoded)
    names = ", ".join(f'"{c.name}"' for c in primary)
    duck = duckdb.connect()
    try:
        duck.register("old_rows", pq.read_table(path))
        duck.register("changed_keys", key_table)
        duck.register("changed_rows", changed)
        merged = duck.sql(
            f"SELECT * FROM old_rows ANTI JOIN changed_keys USING ({names}) "
            "UNION ALL BY NAME SELECT * FROM changed_rows"
        ).to_arrow_table()
    finally:
        duck.close()
    _write(merged.cast(arrow_schema(table)), path)
    return len(fresh)


def to_arrow_keys(table: Table, keys: list[tuple[Any, ...]]) -> pa.Table:
    schema = arrow_schema(table)
    names = [c.name for c in table.primary_key.columns]
    arrays = [
        pa.array(
            [float(k[i]) if pa.types.is_floating(schema.field(n).type) else k[i] for k in keys],
            type=schema.field(n).type,
        )
        for i, n in enumerate(names)
    ]
    return pa.Table.from_arrays(arrays, names=names)
