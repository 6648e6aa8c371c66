"""What a SQLite connection keeps of the running statistics it read, exact, between reads.

Every assessment reads the usual-value histograms of its subheadings (a few dozen rows each) and
the outcome histories of its importer, declarant, codes, origin, route and post, and a network
has few of those that do not recur all day. So a connection keeps what it read and keeps it
exact: its own releases add to it in the same transaction as to the tables
(:func:`dostyk.store.running.count_released`, :func:`dostyk.store.outcomes.count_released`); a
commit by any other connection changes the connection's ``PRAGMA data_version``, read before
every use, and everything kept is dropped; so does a rollback (:func:`forget`), since what was
added is then not in the store. PostgreSQL connections keep nothing.

What is kept sits in SQLAlchemy's ``info`` of the DBAPI connection, which lives exactly as long
as that connection (and is cleared when an invalidated one is replaced).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

#: Where a connection keeps its :class:`Kept`.
_KEY = "dostyk.kept_statistics"
#: Outcome histories kept at most; past it they are dropped and read again as needed.
MAX_HISTORIES = 200_000


@dataclass
class Kept:
    """The statistics one connection has read, as of its ``data_version``."""

    version: int
    #: Usual-value histograms by subheading: bucket -> released items.
    histograms: dict[str, dict[int, int]] = field(default_factory=dict)
    #: Their medians, made when first asked and dropped when the histogram changes.
    medians: dict[str, Any] = field(default_factory=dict)
    #: Outcome histories by (dimension, subject); None where the store has none yet.
    histories: dict[tuple[str, str], Any] = field(default_factory=dict)


def kept(connection: Connection) -> Kept | None:
    """What ``connection`` keeps, still valid, or None where nothing is kept (not SQLite)."""
    if connection.dialect.name != "sqlite":
        return None
    raw = connection.connection.driver_connection
    assert raw is not None
    version = int(raw.execute("PRAGMA data_version").fetchone()[0])
    found: Kept | None = connection.info.get(_KEY)
    if found is None or found.version != version:
        found = connection.info[_KEY] = Kept(version)
    return found


def kept_already(connection: Connection) -> Kept | None:
    """What ``connection`` keeps, for its own writes to add to (no check: its own commits do
    not change its ``data_version``, and what it keeps is checked before the next read)."""
    if connection.dialect.name != "sqlite":
        return None
    found: Kept | None = connection.info.get(_KEY)
    return found


def forget(connection: Connection) -> None:
    """Drop what ``connection`` keeps: its transaction (or part of it) was rolled back, or
    the statistics were written other than by a release."""
    connection.info.pop(_KEY, None)


def forget_safely(connection: Connection) -> None:
    """:func:`forget`, on a connection that may be failing: one that cannot be asked keeps
    nothing either."""
    try:
        forget(connection)
    except Exception:  # the error being handled is the caller's
        return
