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

from collections.abc import Sequence
from datetime import datetime
from itertools import repeat
from typing import Any

from sqlalchemy import Table

from dostyk.ledger.entries import Operation, hasher_for, quote
from dostyk.ledger.merkle import leaf_hash
from dostyk.ledger.writer import LedgerWriter, _stored_instant
from dostyk.store import bulk
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
    connection = writer.connection
    accumulator = writer.right_edge()
    start = accumulator.size
    hasher = hasher_for(table)
    key_and_hash = hasher.key_and_hash
    hashed = [key_and_hash(row) for row in rows]
    keys = [key for key, _ in hashed]
    digests = [digest for _, digest in hashed]
    # The leaf is entry_bytes_fast's JSON array; its parts that repeat are spelled once.
    head = f",{quote(str(table.name))},"
    tail = f'","{encode_instant(recorded_at)}",{quote(actor)}]'
    middle = f',"{operation.value}","'
    leaves = [
        leaf_hash(f"[{seq}{head}{quote(key)}{middle}{digest.hex()}{tail}".encode())
        for seq, key, digest in zip(range(start, start + len(rows)), keys, digests, strict=True)
    ]
    runs = accumulator.extend_levels(leaves)
    name = str(table.name)
    entries = zip(
        range(start, start + len(rows)),
        repeat(name),
        keys,
        repeat(operation.value),
        digests,
        repeat(_stored_instant(connection, recorded_at)),
        repeat(actor),
    )
    nodes = [
        node
        for level, first, hashes in runs
        for node in zip(repeat(level), range(first, first + len(hashes)), hashes)
    ]
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
        bulk.load(connection, ledger_entries, list(entries))
        bulk.load(connection, ledger_nodes, nodes)
    writer.appended(accumulator)
    return len(rows)
