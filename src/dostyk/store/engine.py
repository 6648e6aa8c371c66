"""Opening the operational store: SQLite by default, PostgreSQL when the URL says so."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

SQLITE_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")

#: Execution option marking a connection that will write: on SQLite it begins IMMEDIATE.
WRITER_OPTION = "dostyk_writer"


def normalise_url(url: str) -> str:
    """Plain ``postgresql://`` URLs are served by psycopg 3, the driver Dostyk ships with."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, echo)
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _sqlite_engine(url: str, database: str | None, echo: bool) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    synchronous = os.environ.get("DOSTYK_SQLITE_SYNCHRONOUS", "NORMAL").upper()
    if synchronous not in SQLITE_SYNCHRONOUS:
        raise ValueError(
            f"DOSTYK_SQLITE_SYNCHRONOUS={synchronous!r}: choose one of {SQLITE_SYNCHRONOUS}"
        )
    engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions, so BEGIN is explicit and a use
        # case's writes are one atomic unit (the pysqlite driver's own handling defers BEGIN).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets the web app read while a use case writes; NORMAL synchronisation in WAL mode
        # survives a crashed process without losing a committed transaction, and only a power
        # cut can lose the last few commits (FULL closes that gap at the price of an fsync each).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # A batch's savepoint journal is kept in memory: on disk, every savepoint over 64 KiB
        # would spill to a temporary file.
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A writer (a unit of work) takes the write lock at the start with IMMEDIATE, so two
        # writers queue instead of one failing half-way with "database is locked"; readers begin
        # DEFERRED and, in WAL mode, read a snapshot without waiting for any writer.
        writes = connection.get_execution_options().get(WRITER_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine
