"""Opening the operational store: SQLite by default, PostgreSQL when the URL says so.

The engine is also where the driver's operational errors become Dostyk's own
(:mod:`dostyk.store.errors`): a write that waited the busy timeout for another process is
``StoreBusy``, a write to a read-only file ``StoreReadOnly``, a server that does not answer
``StoreUnavailable`` — each a sentence that names the store, raised wherever the store is used.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from dostyk.config import SQLITE_SYNCHRONOUS, busy_timeout, sqlite_synchronous
from dostyk.store.errors import (
    StoreBusy,
    StoreError,
    StoreReadOnly,
    StoreUnavailable,
    first_line,
    store_name,
)

__all__ = [
    "SQLITE_SYNCHRONOUS",
    "WRITER_OPTION",
    "is_read_only",
    "make_engine",
    "normalise_url",
    "sqlite_file",
]

#: Execution option marking a connection that will write: on SQLite it begins IMMEDIATE.
WRITER_OPTION = "dostyk_writer"

#: Prepared statements the SQLite driver keeps per connection (see :func:`make_engine`).
STATEMENT_CACHE = 1024

URL_EXAMPLES = "e.g. sqlite:////var/lib/dostyk/dostyk.db or postgresql://user@host/db"


def parse_url(url: str | URL) -> URL:
    """``url`` parsed, or ``StoreUnavailable`` saying it is not a database URL."""
    try:
        return make_url(url)
    except ArgumentError:
        raise StoreUnavailable(f"{str(url)!r} is not a database URL ({URL_EXAMPLES})") from None


def normalise_url(url: str) -> str:
    """Plain ``postgresql://`` URLs are served by psycopg 3, the driver Dostyk ships with."""
    parsed = parse_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_read_only(engine: Engine) -> bool:
    """True for a SQLite store opened read-only (``mode=ro`` or ``immutable=1`` in its URL)."""
    query = engine.url.query
    return engine.dialect.name == "sqlite" and (
        query.get("mode") == "ro" or query.get("immutable") == "1"
    )


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine on the store at ``url``; nothing is opened until the first connection.

    A SQLite file that this process may not write (file, folder or mount) is opened read-only,
    so that every command that only reads still works on it.
    """
    url = normalise_url(url)
    parsed = parse_url(url)
    timeout = busy_timeout()
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(parsed, echo, timeout)
        else:
            engine = create_engine(url, echo=echo, pool_pre_ping=True)
            if engine.dialect.name == "postgresql":
                _limit_lock_waits(engine, timeout)
    except NoSuchModuleError:
        raise StoreUnavailable(
            f"{parsed.render_as_string(hide_password=True)!r}: Dostyk has no driver for "
            f"{parsed.drivername!r} stores ({URL_EXAMPLES})"
        ) from None
    except ImportError as error:
        raise StoreUnavailable(
            f"{parsed.render_as_string(hide_password=True)!r}: the driver for "
            f"{parsed.drivername!r} is not installed ({error.name or error})"
        ) from None
    _translate_errors(engine, timeout)
    return engine


def _limit_lock_waits(engine: Engine, timeout: float) -> None:
    """On PostgreSQL the busy timeout bounds every lock wait, the ledger's append lock included."""

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(timeout * 1000)}")
        dbapi_connection.autocommit = autocommit


def sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite store at ``url``; None for another backend or an in-memory store."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    return _sqlite_file(parsed)


def _sqlite_file(parsed: URL) -> Path | None:
    database = parsed.database
    if not database or database == ":memory:" or parsed.query.get("uri") == "true":
        return None  # in memory, or a URI the user wrote and means as written
    return Path(database)


def _writable(path: Path) -> bool:
    """Whether this process may write the store at ``path`` (the folder too, for the WAL)."""
    if not os.access(path.parent, os.W_OK):
        return False
    return not path.exists() or os.access(path, os.W_OK)


def _read_only_url(parsed: URL, path: Path) -> URL:
    """The store at ``path`` opened read-only.

    ``mode=ro`` shares SQLite's locks with writers, but needs the ``-shm`` file, which it cannot
    create in a read-only folder; there, with no ``-wal`` holding commits the file lacks, the
    file alone is the whole store and ``immutable=1`` reads it without any lock file.
    """
    query = {**parsed.query, "mode": "ro", "uri": "true"}
    wal = path.with_name(path.name + "-wal")
    wal_has_commits = wal.exists() and wal.stat().st_size > 0
    if not os.access(path.parent, os.W_OK) and not wal_has_commits:
        query["immutable"] = "1"
    return parsed.set(database="file:" + quote(str(path)), query=query)


#: A connection copies the WAL into the database file when a commit leaves it over this many
#: pages (16 MiB at 4 KiB). SQLite's default of 1,000 made one use case in fifty pay for a
#: checkpoint and its two fsyncs, and copy again the pages every use case touches (the
#: ledger's right edge, the indexes' last leaves): 4,000 gave 8-10 % more lifecycles per
#: second with one transaction each, and a checkpoint stays a few tens of milliseconds.
CHECKPOINT_PAGES = 4000


def _sqlite_engine(parsed: URL, echo: bool, timeout: float) -> Engine:
    name = store_name(parsed)
    path = _sqlite_file(parsed)
    if path is not None:
        try:
            if path.is_dir():
                raise StoreUnavailable(f"the store at {name} is a folder, not a database file")
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
            if not _writable(path):
                parsed = _read_only_url(parsed, path)
        except OSError as error:
            raise StoreUnavailable(
                f"cannot open the store at {name}: {error.strerror or error}"
            ) from None
    synchronous = sqlite_synchronous()
    read_only = parsed.query.get("mode") == "ro" or parsed.query.get("immutable") == "1"
    # The driver keeps prepared statements in an LRU of 128 by default; a lifecycle cycles
    # through some 150 distinct statements, which in an LRU that small is a miss every time
    # (each statement compiled again). 1,024 holds every statement the product keeps.
    engine = create_engine(
        parsed,
        echo=echo,
        connect_args={"timeout": timeout, "cached_statements": STATEMENT_CACHE},
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions, so BEGIN is explicit and a use
        # case's writes are one atomic unit (the pysqlite driver's own handling defers BEGIN).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets the web app read while a use case writes; NORMAL synchronisation in WAL mode
        # survives a crashed process without losing a committed transaction, and only a power
        # cut can lose the last few commits (FULL closes that gap at the price of an fsync each).
        # A read-only store keeps whatever mode its file has: setting one is a write.
        if not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        # A batch's savepoint journal is kept in memory: on disk, every savepoint over 64 KiB
        # would spill to a temporary file.
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute("PRAGMA cache_size=-65536")
        if not read_only:
            cursor.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A writer (a unit of work) takes the write lock at the start with IMMEDIATE, so two
        # writers queue (up to the busy timeout) instead of one failing half-way: a DEFERRED
        # transaction that reads and then writes gets SQLITE_BUSY at once, without waiting, when
        # another process has written meanwhile. Readers begin DEFERRED and, in WAL mode, read a
        # snapshot without waiting for any writer.
        writes = connection.get_execution_options().get(WRITER_OPTION, False)
        if writes and read_only:
            raise StoreReadOnly(_read_only_message(name))
        # Straight to the driver, as every use case's first statement: through SQLAlchemy's
        # execution it cost more than many of the use case's own statements. Its errors get
        # the same meaning as those that pass through SQLAlchemy (see _translate_errors).
        try:
            connection.connection.driver_connection.execute(
                "BEGIN IMMEDIATE" if writes else "BEGIN"
            )
        except sqlite3.Error as error:
            meaning = _sqlite_meaning(error, name, timeout)
            if meaning is None:
                raise
            raise meaning from error

    return engine


def _read_only_message(name: str) -> str:
    return (
        f"the store at {name} is read-only (no write permission on the file, its folder or "
        "its disk): this command writes to it"
    )


def _translate_errors(engine: Engine, timeout: float) -> None:
    name = store_name(engine.url)
    sqlite = engine.dialect.name == "sqlite"

    @event.listens_for(engine, "handle_error")
    def _handle(context: ExceptionContext) -> None:
        if context.is_pre_ping:
            return  # the pool reconnects on its own
        error = context.original_exception
        if isinstance(error, StoreError):
            return
        meaning = _sqlite_meaning(error, name, timeout) if sqlite else None
        if meaning is None and not sqlite:
            meaning = _server_meaning(error, name, timeout, connecting=context.connection is None)
        if meaning is not None:
            raise meaning from error


def _busy(name: str, timeout: float) -> StoreBusy:
    return StoreBusy(
        f"the store at {name} is busy (another process is writing); tried for {timeout:g} s "
        "(DOSTYK_BUSY_TIMEOUT)"
    )


def _sqlite_meaning(error: BaseException, name: str, timeout: float) -> StoreError | None:
    code = str(getattr(error, "sqlite_errorname", ""))
    if code.startswith("SQLITE_BUSY") or code.startswith("SQLITE_LOCKED"):
        return _busy(name, timeout)
    if code.startswith("SQLITE_READONLY"):
        return StoreReadOnly(_read_only_message(name))
    if code.startswith("SQLITE_CANTOPEN"):
        return StoreUnavailable(f"cannot open the store at {name}: {first_line(error)}")
    if code == "SQLITE_FULL":
        return StoreUnavailable(f"the disk holding the store at {name} is full")
    if code.startswith("SQLITE_IOERR"):
        return StoreUnavailable(f"cannot read or write the store at {name}: disk I/O error")
    if code == "SQLITE_NOTADB":
        return StoreUnavailable(f"the file at {name} is not a Dostyk store (not SQLite)")
    if code.startswith("SQLITE_CORRUPT"):
        return StoreUnavailable(f"the store file at {name} is damaged: {first_line(error)}")
    return None


def _server_meaning(
    error: BaseException, name: str, timeout: float, *, connecting: bool
) -> StoreError | None:
    state = str(getattr(error, "sqlstate", None) or "")
    if state == "55P03":  # lock_not_available: lock_timeout ran out
        return _busy(name, timeout)
    if state == "25006":  # read_only_sql_transaction: a standby, or a read-only role
        return StoreReadOnly(_read_only_message(name))
    if (
        connecting
        or state.startswith("08")
        or state.startswith("28")
        or state
        in {
            "3D000",
            "57P01",
            "57P02",
            "57P03",
        }
    ):
        return StoreUnavailable(f"cannot reach the store at {name}: {first_line(error)}")
    if not state and type(error).__name__ == "OperationalError":
        return StoreUnavailable(f"lost the store at {name}: {first_line(error)}")
    return None
