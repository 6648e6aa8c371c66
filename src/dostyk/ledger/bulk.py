"""Logging a bulk load: one entry per record, a chunk of records at a time.

An import writes hundreds of thousands of records in one transaction, and every one of them gets
its own entry, exactly as a use case's would: the same leaf bytes, the same tree, so a record
imported proves and verifies like any other, and the same package always gives the same root.
What differs is only how the work is done. A chunk's records are hashed in one tight loop, its
leaves in another, the tree's new nodes level by level
(:meth:`~dostyk.ledger.merkle.MerkleAccumulator.extend_levels`), and the entries and nodes go
to the driver as one ``executemany`` each (SQLite) or one ``COPY`` each (PostgreSQL), instead of
passing through the per-use-case writer's pending list.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import repeat
from typing import Any

from sqlalchemy import Connection, Table

from dostyk.ledger.entries import Operation, hasher_for, quote
from dostyk.ledger.merkle import MerkleAccumulator, leaf_hash
from dostyk.ledger.writer import LedgerWriter, _stored_instant
from dostyk.store.canonical import encode_instant
from dostyk.store.tables import ledger_entries, ledger_nodes

_INSERT_ENTRIES = (
    f"INSERT INTO {ledger_entries.name} ({', '.join(c.name for c in ledger_entries.columns)}) "
    f"VALUES ({', '.join('?' for _ in ledger_entries.columns)})"
)
_INSERT_NODES = (
    f"INSERT INTO {ledger_nodes.name} ({', '.join(c.name for c in ledger_nodes.columns)}) "
    f"VALUES ({', '.join('?' for _ in ledger_nodes.columns)})"
)


#: The ledger's columns as PostgreSQL's binary COPY is to receive them.
_COPY_TYPES = {
    ledger_entries.name: ["int8", "varchar", "text", "varchar", "bytea", "timestamptz", "varchar"],
    ledger_nodes.name: ["int4", "int8", "bytea"],
}


def _copy_binary(connection: Connection, table: Table, rows: Iterable[Sequence[Any]]) -> None:
    """COPY in binary: the entries' values are already what PostgreSQL stores (the instant
    converted once), so they skip the bind processors, and hashes need no hex escaping."""
    raw = connection.connection.driver_connection
    assert raw is not None
    columns = ", ".join(c.name for c in table.columns)
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(_COPY_TYPES[table.name])
        for row in rows:
            copy.write_row(row)


#: A chunk's ledger rows, as the driver takes them: entries, then the nodes they complete.
LedgerRows = tuple[list[tuple[Any, ...]], list[tuple[int, int, bytes]]]


def append_rows(
    writer: LedgerWriter,
    table: Table,
    rows: Sequence[Sequence[Any]],
    operation: Operation,
    recorded_at: datetime,
    actor: str,
) -> int:
    """Append one entry per row (values in column order) in the writer's transaction.

    Call with nothing pending in ``writer`` (entries keep the order they are appended in); its
    later flushes and its commit carry on from the entries written here. Returns their count.
    """
    if writer.pending:
        raise RuntimeError("flush the writer's pending entries before a bulk append")
    if not rows:
        return 0
    accumulator = writer.right_edge()
    ledger_rows = entries_and_nodes(
        writer.connection, accumulator, table, rows, operation, recorded_at, actor
    )
    write(writer.connection, ledger_rows)
    writer.appended(accumulator)
    return len(rows)


def entries_and_nodes(
    connection: Connection,
    accumulator: MerkleAccumulator,
    table: Table,
    rows: Sequence[Sequence[Any]],
    operation: Operation,
    recorded_at: datetime,
    actor: str,
) -> LedgerRows:
    """The entries of ``rows`` from the accumulator's size on, and the nodes they complete
    (``accumulator`` is extended by them), as ``connection``'s driver is to receive them."""
    start = accumulator.size
    stored_at = _stored_instant(connection, recorded_at)
    key_and_hash = hasher_for(table).key_and_hash
    hashed = [key_and_hash(row) for row in rows]
    keys = [key for key, _ in hashed]
    digests = [digest for _, digest in hashed]
    # The leaf is entry_bytes_fast's JSON array; its parts that repeat are spelled once.
    head = f",{quote(str(table.name))},"
    tail = f'","{encode_instant(recorded_at)}",{quote(actor)}]'
    middle = f',"{operation.value}","'
    seqs = range(start, start + len(rows))
    leaves = [
        leaf_hash(f"[{seq}{head}{quote(key)}{middle}{digest.hex()}{tail}".encode())
        for seq, key, digest in zip(seqs, keys, digests, strict=True)
    ]
    runs = accumulator.extend_levels(leaves)
    name = str(table.name)
    entries = list(
        zip(
            seqs,
            repeat(name),
            keys,
            repeat(operation.value),
            digests,
            repeat(stored_at),
            repeat(actor),
        )
    )
    nodes = [
        node
        for level, first, hashes in runs
        for node in zip(repeat(level), range(first, first + len(hashes)), hashes)
    ]
    return entries, nodes


def write(connection: Connection, ledger_rows: LedgerRows) -> None:
    """Write entries and nodes in the connection's transaction, one statement or COPY each."""
    entries, nodes = ledger_rows
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        assert raw is not None
        cursor = raw.cursor()
        try:
            cursor.executemany(_INSERT_ENTRIES, entries)
            cursor.executemany(_INSERT_NODES, nodes)
        finally:
            cursor.close()
    else:
        _copy_binary(connection, ledger_entries, entries)
        _copy_binary(connection, ledger_nodes, nodes)
