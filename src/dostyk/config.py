"""Where Dostyk keeps its data and how it opens it, read from the environment.

``DOSTYK_HOME`` holds the embedded database and the ledger's signing key, which is deliberately
kept outside the database: whoever can rewrite the tables must not also be able to re-sign the
log. ``DOSTYK_DATABASE_URL`` points at PostgreSQL (or any SQLAlchemy URL) instead of the embedded
SQLite file. ``DOSTYK_SQLITE_SYNCHRONOUS`` and ``DOSTYK_BUSY_TIMEOUT`` tune the embedded store.

Every setting is checked when it is read: a bad value is a :class:`SettingError` naming the
setting, the value and what it may be, never a failure somewhere later.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

SQLITE_SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")
DEFAULT_SQLITE_SYNCHRONOUS = "NORMAL"

#: Seconds a command waits for another process's write to the store before saying it is busy.
DEFAULT_BUSY_TIMEOUT = 30.0
MAX_BUSY_TIMEOUT = 24 * 3600.0


class SettingError(ValueError):
    """A setting whose value Dostyk cannot use; the message names the setting and the choices."""


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str

    @property
    def key_dir(self) -> Path:
        return self.home / "keys"

    @property
    def is_embedded(self) -> bool:
        return self.database_url.startswith("sqlite")


def default_home() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "dostyk"


def sqlite_url(path: Path) -> str:
    """The URL of the SQLite file at ``path``, escaped so that ``?``, ``#`` or ``%`` in a folder's
    name stay part of the path instead of starting a query.

    Escaped as SQLAlchemy's own ``URL.render_as_string`` escapes a database, without importing
    SQLAlchemy: settings are read before every command, ``--help`` included.
    """
    return "sqlite:///" + quote(str(path), safe=" +/")


def load_settings(home: Path | None = None, database_url: str | None = None) -> Settings:
    """Settings from arguments first, then the environment, then the defaults.

    The tuning settings are checked here too, so that a bad one is refused before any work.
    """
    resolved_home = home or Path(os.environ.get("DOSTYK_HOME") or default_home())
    url = database_url or os.environ.get("DOSTYK_DATABASE_URL")
    if not url:
        url = sqlite_url((resolved_home / "dostyk.db").resolve())
    sqlite_synchronous()
    busy_timeout()
    return Settings(home=resolved_home, database_url=url)


def sqlite_synchronous() -> str:
    """``DOSTYK_SQLITE_SYNCHRONOUS``: SQLite's ``synchronous`` level, NORMAL by default."""
    raw = os.environ.get("DOSTYK_SQLITE_SYNCHRONOUS", DEFAULT_SQLITE_SYNCHRONOUS)
    value = raw.strip().upper()
    if value not in SQLITE_SYNCHRONOUS:
        raise SettingError(
            f"DOSTYK_SQLITE_SYNCHRONOUS={raw!r} is not a level: choose one of "
            f"{', '.join(SQLITE_SYNCHRONOUS)} (default {DEFAULT_SQLITE_SYNCHRONOUS})"
        )
    return value


def busy_timeout() -> float:
    """``DOSTYK_BUSY_TIMEOUT``: seconds to wait for another writer, 30 by default."""
    raw = os.environ.get("DOSTYK_BUSY_TIMEOUT")
    if raw is None or not raw.strip():
        return DEFAULT_BUSY_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 <= value <= MAX_BUSY_TIMEOUT:  # also refuses nan
        raise SettingError(
            f"DOSTYK_BUSY_TIMEOUT={raw!r} is not a number of seconds: give one from 0 to "
            f"{MAX_BUSY_TIMEOUT:.0f} (default {DEFAULT_BUSY_TIMEOUT:.0f})"
        )
    return value
