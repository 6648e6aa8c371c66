"""Appending to the ledger inside the transaction that changes the records.

The unit of work hands every row it writes to a :class:`LedgerWriter`; just before commit the
writer turns them into entries, extends the Merkle tree and writes the entries and the perfect
subtree nodes they complete — in the same transaction, so a change and its entry are committed
together or not at all. Appends are serialised (SQLite's write lock, a PostgreSQL advisory lock),
since every entry's position depends on all before it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Engine, and_, or_, select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement

from dostyk.ledger.entries import Operation, entry_bytes_fast, hasher_for, quote
from dostyk.ledger.merkle import MerkleAccumulator, leaf_hash, range_nodes
from dostyk.store import bulk
from dostyk.store.canonical import encode_instant
from dostyk.store.tables import ledger_entries, ledger_nodes

#: The PostgreSQL advisory lock held while appending: one per store, so two stores kept in
#: different schemas of one database (as every PostgreSQL test's is) never wait for each other.
#: Its first key is "DSTK" in ASCII; its second, the store's schema.
APPEND_LOCK = "SELECT pg_advisory_xact_lock(1146311755, hashtext(current_schema()))"


class FrontierCache:
    """The tree's right edge as of the last commit of this process, per engine.

    Reading it back costs O(log n) lookups per transaction; keeping it saves them when this
    process is the only writer. It is only trusted when the log's size in the database is the size
    it was cached at, so another writer's appends are never missed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_engine: weakref.WeakKeyDictionary[Engine, tuple[int, tuple[bytes, ...]]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, engine: Engine, size: int) -> MerkleAccumulator | None:
        with self._lock:
            cached = self._by_engine.get(engine)
        if cached is None or cached[0] != size:
            return None
        return MerkleAccumulator.from_frontier(size, cached[1])

    def put(self, engine: Engine, accumulator: MerkleAccumulator) -> None:
        with self._lock:
            self._by_engine[engine] = (accumulator.size, accumulator.frontier)

    def forget(self, engine: Engine) -> None:
        with self._lock:
            self._by_engine.pop(engine, None)


frontiers = FrontierCache()


def any_node(wanted: set[tuple[int, int]]) -> ColumnElement[bool]:
    """Nodes by (level, index), grouped by level so each group is an index range scan.

    A row-value ``(level, idx) IN (...)`` is not matched against the primary key by SQLite and
    would scan the table, which is millions of rows in a long-lived log.
    """
    by_level: dict[int, list[int]] = {}
    for level, index in wanted:
        by_level.setdefault(level, []).append(index)
    c = ledger_nodes.c
    return or_(*(and_(c.level == level, c.idx.in_(sorted(ix))) for level, ix in by_level.items()))


#: The last position in the log; plain SQL, since every unit of work that writes asks it.
_LAST_SEQ = f"SELECT max(seq) FROM {ledger_entries.name}"


def log_size(connection: Connection) -> int:
    if connection.dialect.name == "sqlite" and connection.in_transaction():
        # Every unit of work that writes asks this; the driver answers it directly.
        raw = connection.connection.driver_connection
        assert raw is not None
        last = raw.execute(_LAST_SEQ).fetchone()[0]
    else:
        last = connection.exec_driver_sql(_LAST_SEQ).scalar()
    return 0 if last is None else int(last) + 1


def stored_accumulator(connection: Connection, size: int) -> MerkleAccumulator:
    """Rebuild the right edge of a stored log of ``size`` entries from its nodes."""
    wanted = range_nodes(0, size)
    if not wanted:
        return MerkleAccumulator()
    c = ledger_nodes.c
    rows = connection.execute(select(c.level, c.idx, c.hash).where(any_node(set(wanted)))).all()
    found = {(int(level), int(idx)): bytes(value) for level, idx, value in rows}
    missing = [node for node in wanted if node not in found]
    if missing:
        raise RuntimeError(f"the ledger's node table lacks {missing}: run `dostyk ledger verify`")
    return MerkleAccumulator.from_frontier(size, [found[node] for node in wanted])


#: The entries' and nodes' inserts on SQLite, straight to the driver (see :func:`_insert`).
_INSERTS = {
    table.name: f"INSERT INTO {table.name} ({', '.join(c.name for c in table.columns)}) "
    f"VALUES ({', '.join('?' for _ in table.columns)})"
    for table in (ledger_entries, ledger_nodes)
}


def _stored_instant(connection: Connection, at: datetime) -> Any:
    """``at`` as the driver is to receive it: on SQLite converted once for every entry of the
    transaction (they share it), elsewhere left to :func:`bulk.load`."""
    if connection.dialect.name != "sqlite":
        return at
    convert = _instant_processor(connection.dialect)
    return at if convert is None else convert(at)


@lru_cache(maxsize=8)
def _instant_processor(dialect: Dialect) -> Callable[[Any], Any] | None:
    """How the store's instant type converts a value for this dialect's driver."""
    column_type = ledger_entries.c.recorded_at.type
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def _insert(
    connection: Connection, entries: Sequence[Sequence[Any]], nodes: Sequence[Sequence[Any]]
) -> None:
    """Write the entries and nodes in the connection's transaction.

    Every unit of work that writes comes here, so on SQLite the two prepared inserts go
    straight to the driver: the values are already what it stores (ints, text, bytes, and the
    instant converted by :func:`_stored_instant`). Other databases use :func:`bulk.load`.
    """
    if connection.dialect.name != "sqlite":
        bulk.load(connection, ledger_entries, entries)
        bulk.load(connection, ledger_nodes, nodes)
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.executemany(_INSERTS[ledger_entries.name], entries)
        cursor.executemany(_INSERTS[ledger_nodes.name], nodes)
    finally:
        cursor.close()


def insert_rows(
    connection: Connection, entries: Sequence[Sequence[Any]], nodes: Sequence[Sequence[Any]]
) -> None:
    """Insert entries and nodes a writer flushed and kept back (see :attr:`LedgerWriter.defer`)."""
    _insert(connection, entries, nodes)


class LedgerWriter:
    """Collects a unit of work's changed rows and appends their entries at flush."""

    def __init__(
        self,
        engine: Engine,
        connection: Connection,
        *,
        known_size: int | None = None,
        defer: bool = False,
    ) -> None:
        self.engine = engine
        self.connection = connection
        #: The log's size in this transaction when the caller knows it (a batch's earlier use
        #: cases appended up to there with the append lock held): not asked of the database.
        self.known_size = known_size
        #: Keep the entries and nodes of each flush instead of inserting them, for a batch to
        #: take (:meth:`take_written`) and insert with the others of its transaction just before
        #: it commits: two statements per batch instead of two per use case. The tree, the
        #: entries and their order are the same; only when they reach the table differs, and
        #: nobody outside the batch's transaction can see them before its commit either way.
        self.defer = defer
        #: Told of every change recorded, by table name and rows (in a batch: see
        #: :meth:`dostyk.store.batch.Batch.wrote`).
        self.on_record: Callable[[str, Sequence[Sequence[Any]]], None] | None = None
        self._pending: list[tuple[str, str, Operation, bytes]] = []
        self._appended: MerkleAccumulator | None = None
        self._entries: list[tuple[Any, ...]] = []
        self._nodes: list[tuple[int, int, bytes]] = []

    def record(self, table: Any, rows: Sequence[Sequence[Any]], operation: Operation) -> None:
        hasher = hasher_for(table)
        # A plain str: SQLAlchemy's quoted_name would send the driver looking for an adapter on
        # every entry it binds, which costs more than the entry's insert.
        name = str(table.name)
        if self.on_record is not None:
            self.on_record(name, rows)
        pending = self._pending
        for row in rows:
            key, digest = hasher.key_and_hash(row)
            pending.append((name, key, operation, digest))

    @property
    def pending(self) -> int:
        return len(self._pending)

    def right_edge(self) -> MerkleAccumulator:
        """The log's right edge, with the append lock taken: where the next entries go.

        A bulk append (see :mod:`dostyk.ledger.bulk`) extends it and hands it back through
        :meth:`appended`, so the writer's later flushes and commit carry on from it.
        """
        connection = self.connection
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(APPEND_LOCK)
        appended = self._appended
        if appended is not None:
            # An earlier flush of this same transaction, with the append lock held since: its
            # edge is the log's (a known size, or deferred entries, would not say so).
            return appended
        size = self.known_size if self.known_size is not None else log_size(connection)
        return frontiers.get(self.engine, size) or stored_accumulator(connection, size)

    def appended(self, accumulator: MerkleAccumulator) -> None:
        """Entries up to ``accumulator``'s size are written in this transaction."""
        self._appended = accumulator

    def flush(self, recorded_at: datetime, actor: str) -> None:
        """Append every recorded change as entries; call inside the transaction, before commit."""
        if not self._pending:
            return
        connection = self.connection
        accumulator = self.right_edge()
        size = accumulator.size
        at_text = encode_instant(recorded_at)
        stored_at = _stored_instant(connection, recorded_at)
        quoted_actor = quote(actor)
        quoted_tables: dict[str, str] = {}
        entries = []
        nodes: list[tuple[int, int, bytes]] = []
        append = accumulator.append
        for seq, (table_name, key, operation, digest) in enumerate(self._pending, start=size):
            quoted_table = quoted_tables.get(table_name)
            if quoted_table is None:
                quoted_table = quoted_tables[table_name] = quote(table_name)
            leaf = leaf_hash(
                entry_bytes_fast(
                    seq,
                    quoted_table,
                    quote(key),
                    operation.value,
                    digest.hex(),
                    at_text,
                    quoted_actor,
                )
            )
            entries.append((seq, table_name, key, operation.value, digest, stored_at, actor))
            nodes.extend(append(leaf))
        if self.defer:
            self._entries.extend(entries)
            self._nodes.extend(nodes)
        else:
            _insert(connection, entries, nodes)
        self._pending.clear()
        self._appended = accumulator

    def take_written(self) -> tuple[list[tuple[Any, ...]], list[tuple[int, int, bytes]]]:
        """The entries and nodes flushed but kept back (see :attr:`defer`), handed over once."""
        written = self._entries, self._nodes
        self._entries, self._nodes = [], []
        return written

    def insert_kept(self) -> None:
        """Insert now what :attr:`defer` kept back (a bulk append follows, or a long load)."""
        entries, nodes = self.take_written()
        if entries or nodes:
            _insert(self.connection, entries, nodes)

    @property
    def appended_size(self) -> int | None:
        """The log's size after this transaction's flushes, or None if nothing was appended."""
        return None if self._appended is None else self._appended.size

    def committed(self) -> None:
        """The transaction committed: remember the new right edge for the next one."""
        if self._appended is not None:
            frontiers.put(self.engine, self._appended)
            self._appended = None

    def rolled_back(self) -> None:
        self._pending.clear()
        self._appended = None
        self._entries, self._nodes = [], []
