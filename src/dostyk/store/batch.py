"""Group commit for batch drivers: many use cases in one transaction, each in its own savepoint.

A use case's cost on an embedded store is dominated by what surrounds its few statements: taking
the write lock, committing, writing the WAL frame. A batch driver (the simulator, a replay of
history) has no user waiting on each use case, so it opens a :class:`Batch` around its work and
every :class:`~dostyk.store.unit_of_work.UnitOfWork` opened meanwhile on the same engine, in the
same thread, runs in a SAVEPOINT of the batch's one transaction:

* a use case that is refused (raises) rolls back to its savepoint: only its own writes go, and
  the use cases before it in the batch stay;
* a use case that succeeds releases its savepoint, and its ledger entries are in the transaction
  with its records; the ledger's right edge moves on with the batch in this process's frontier
  cache, and is forgotten if the batch does not commit;
* the batch commits after every ``every`` use cases or ``seconds`` of work, whichever comes
  first, and at its end. A crash loses the use cases since the last commit, whole, never part
  of one;
* the ledger entries and Merkle nodes of the use cases released into the batch are kept in
  order and inserted with two statements just before the batch commits, in its transaction:
  the same rows in the same order as one transaction per use case writes, without two
  statements per use case. Until then the batch answers the log's size itself
  (:meth:`Batch.ledger_size`), for the draws seeded by the ledger;
* on SQLite, where the batch's transaction holds the write lock, what its use cases read of the
  tables only registration writes (posts, officers and their postings, the tariff's size, the
  portal monitors) is read once per transaction (:meth:`Batch.reads`), until one of them
  writes such a table; and a declaration a released use case moved is handed to the next use
  case that moves it as it was stored, with its step, instead of read back
  (:meth:`Batch.moved`).

Interactive callers (the CLI, an API) open no batch and keep one transaction per use case.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, RootTransaction

from dostyk.ledger.writer import frontiers, insert_rows
from dostyk.store import keeping
from dostyk.store.engine import CHECKPOINT_PAGES, WRITER_OPTION

_open = threading.local()

#: A batch's connection lets the WAL grow to this many pages (256 MiB at 4 KiB) before it
#: checkpoints. A batch's commit writes a few MiB of pages, so at the default every commit would
#: also copy the WAL into the file and fsync both, and copy the pages that every commit touches
#: (the ledger's right edge, the indexes' last leaves) again each time.
BATCH_CHECKPOINT_PAGES = 65536


#: The tables a declaration's move writes (their first column is the declaration's id).
MOVE_TABLES = frozenset({"declarations", "status_changes"})


def forget_moved(
    moved: dict[str, tuple[Any, Any]], table_name: str, rows: Sequence[Sequence[Any]] | None
) -> None:
    """Forget the moved declarations a write of ``rows`` of ``table_name`` touches (all of them
    when the rows are not known): what was handed on is no longer what is stored."""
    if not moved or table_name not in MOVE_TABLES:
        return
    if rows is None:
        moved.clear()
        return
    for row in rows:
        moved.pop(row[0], None)


def _pragma(connection: Connection, pragma: str) -> None:
    """Run ``pragma`` on a SQLite connection outside any transaction; elsewhere nothing.

    Straight to the driver: through SQLAlchemy the statement would begin a transaction first.
    """
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute(f"PRAGMA {pragma}").fetchall()


def _checkpoint_every(connection: Connection, pages: int) -> None:
    """Set when ``connection`` checkpoints the WAL by itself (SQLite only)."""
    _pragma(connection, f"wal_autocheckpoint={int(pages)}")


def _checkpoint(connection: Connection) -> None:
    """Copy the batch's WAL into the database file now, without waiting for any reader."""
    _pragma(connection, "wal_checkpoint(PASSIVE)")


class Savepoint:
    """One use case's savepoint in a batch's transaction.

    Issued on the driver's own connection on SQLite: through SQLAlchemy's nested transactions a
    SAVEPOINT and its RELEASE cost more than many of the use case's own statements.
    """

    NAME = "dostyk_use_case"

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._driver = (
            connection.connection.driver_connection if connection.dialect.name == "sqlite" else None
        )
        self.is_active = True
        self._run(f"SAVEPOINT {self.NAME}")

    def _run(self, sql: str) -> None:
        if self._driver is not None:
            self._driver.execute(sql)
        else:
            self._connection.exec_driver_sql(sql)

    def commit(self) -> None:
        """Release the savepoint: its writes become part of the batch's transaction."""
        self._run(f"RELEASE SAVEPOINT {self.NAME}")
        self.is_active = False

    def rollback(self) -> None:
        """Undo everything since the savepoint, and only that."""
        if not self.is_active:
            return
        self.is_active = False
        self._run(f"ROLLBACK TO SAVEPOINT {self.NAME}")
        self._run(f"RELEASE SAVEPOINT {self.NAME}")


def current_batch(engine: Engine) -> Batch | None:
    """The batch open on ``engine`` in this thread, if any."""
    batches: dict[int, Batch] | None = getattr(_open, "batches", None)
    if not batches:
        return None
    return batches.get(id(engine))


class Batch:
    """Group commit on ``engine`` for the use cases run in this thread while it is open."""

    def __init__(
        self,
        engine: Engine,
        *,
        every: int = 200,
        seconds: float = 2.0,
        on_commit: Callable[[], None] | None = None,
        checkpoint_pages: int = BATCH_CHECKPOINT_PAGES,
    ) -> None:
        if every < 1 or seconds <= 0:
            raise ValueError("a batch commits after at least one use case and some time")
        self.engine = engine
        #: Told after each commit: what the use cases since the last one did is now durable.
        self.on_commit = on_commit
        self.every = every
        self.seconds = seconds
        #: WAL pages the batch's connection lets pile up before it checkpoints (SQLite).
        self.checkpoint_pages = checkpoint_pages
        self.commits = 0
        #: The ledger's size in the open transaction, once a use case of it has appended: the
        #: batch holds the write lock, so the next use case need not ask the database. Unknown
        #: again after each commit, when another process may append.
        self.log_size: int | None = None
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._pending = 0
        self._began = 0.0
        #: Reads kept for the rest of the transaction (see :meth:`reads`); None when off.
        self._reads: dict[tuple[Any, ...], Any] | None = None
        #: Declarations moved by the use cases released in this transaction, as stored, with
        #: their last step (see :meth:`moved`).
        self._moved: dict[str, tuple[Any, Any]] = {}
        #: Ledger entries and nodes of the use cases released since the last commit, in order.
        self._entries: list[tuple[object, ...]] = []
        self._nodes: list[tuple[int, int, bytes]] = []

    def __enter__(self) -> Batch:
        batches: dict[int, Batch] = getattr(_open, "batches", None) or {}
        if id(self.engine) in batches:
            raise RuntimeError("a batch is already open on this engine")
        batches[id(self.engine)] = self
        _open.batches = batches
        return self

    def connection(self) -> Connection:
        """The batch's connection, in a transaction (begun when the first use case needs it)."""
        if self._connection is None:
            self._connection = self.engine.connect().execution_options(**{WRITER_OPTION: True})
            _checkpoint_every(self._connection, self.checkpoint_pages)
        if self._transaction is None:
            self._transaction = self._connection.begin()
            self._began = time.monotonic()
            self._reads = {} if self._connection.dialect.name == "sqlite" else None
        return self._connection

    #: The tables whose reads a batch keeps (see :meth:`reads`): only registration writes them.
    KEPT_TABLES = frozenset(
        {"posts", "officers", "officer_postings", "tariff_rates", "portal_monitors"}
    )

    def reads(self) -> dict[tuple[Any, ...], Any] | None:
        """Rows read in this transaction from :attr:`KEPT_TABLES`, by what was asked; None when
        they are not to be kept (outside SQLite, or once a use case of this transaction wrote
        one of those tables: until the next commit everything is read again).

        A batch's SQLite transaction holds the write lock from its start, so no other writer
        changes these tables under it, and only its own use cases can."""
        return self._reads

    def wrote(self, table_name: str, rows: Any = None) -> None:
        """A use case of the batch writes ``rows`` of ``table_name`` (None: rows not known):
        stop keeping reads if it is kept, and forget the moved declarations it touches."""
        if table_name in self.KEPT_TABLES:
            self._reads = None
        else:
            forget_moved(self._moved, table_name, rows)

    def moved(self, declaration_id: str) -> tuple[Any, Any] | None:
        """The declaration and its last step as a use case released in this transaction stored
        them, if it was the last to write either (SQLite only: the batch holds the write lock,
        and nobody else writes until it commits)."""
        return self._moved.get(declaration_id)

    def keep_moved(self, moved: dict[str, tuple[Any, Any]]) -> None:
        """A released use case's moved declarations, each with its step as stored."""
        connection = self._connection
        if connection is None or self._transaction is None:
            return
        if connection.dialect.name == "sqlite":
            self._moved.update(moved)

    def keep_ledger_rows(
        self, entries: list[tuple[object, ...]], nodes: list[tuple[int, int, bytes]]
    ) -> None:
        """A released use case's ledger entries and nodes, inserted before the next commit."""
        self._entries.extend(entries)
        self._nodes.extend(nodes)

    def insert_ledger_rows(self) -> None:
        """Insert the kept ledger rows now, in the batch's transaction."""
        entries, nodes = self._entries, self._nodes
        self._entries, self._nodes = [], []
        if (entries or nodes) and self._connection is not None:
            insert_rows(self._connection, entries, nodes)

    def ledger_size(self, connection: Connection) -> int | None:
        """The log's size in the batch's transaction, when ``connection`` is the batch's and a
        use case of it has appended (its entries may not be in the table yet); else None."""
        if connection is not self._connection or self._transaction is None:
            return None
        return self.log_size

    def done_one(self) -> None:
        """A use case released its savepoint: commit when the batch is full or old enough."""
        self._pending += 1
        if self._pending >= self.every or time.monotonic() - self._began >= self.seconds:
            self.commit()

    def commit(self) -> None:
        transaction, self._transaction = self._transaction, None
        self._pending = 0
        self.log_size = None
        self._reads = None
        self._moved = {}
        if transaction is None:
            self._entries, self._nodes = [], []
            return
        try:
            self.insert_ledger_rows()
            transaction.commit()
        except Exception:
            # The use cases since the last commit are lost together; the right edge the cache
            # holds is theirs, and the connection's state is unknown.
            frontiers.forget(self.engine)
            if self._connection is not None:
                keeping.forget_safely(self._connection)
                self._connection.invalidate()
                self._connection = None
            raise
        self.commits += 1
        if self.on_commit is not None:
            self.on_commit()

    def rollback(self) -> None:
        transaction, self._transaction = self._transaction, None
        self._pending = 0
        self.log_size = None
        self._reads = None
        self._moved = {}
        self._entries, self._nodes = [], []
        frontiers.forget(self.engine)
        if self._connection is not None:
            keeping.forget_safely(self._connection)
        if transaction is not None and transaction.is_active:
            transaction.rollback()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if kind is None:
                self.commit()
            else:
                self.rollback()
        finally:
            _open.batches.pop(id(self.engine), None)
            if self._connection is not None:
                try:
                    self._hand_back(self._connection, checkpoint=kind is None)
                finally:
                    self._connection = None

    @staticmethod
    def _hand_back(connection: Connection, *, checkpoint: bool) -> None:
        """Return the batch's connection to the pool checkpointing as interactive ones do,
        the WAL copied into the file first when the batch ended well."""
        try:
            _checkpoint_every(connection, CHECKPOINT_PAGES)
            if checkpoint:
                _checkpoint(connection)
        except Exception:
            # The batch's work is committed (or rolled back) already: the checkpoint only tidies
            # up, and the next one copies the WAL. The connection is dropped rather than pooled
            # with the batch's setting; an error of the batch itself is the one that propagates.
            connection.invalidate()
        finally:
            connection.close()
