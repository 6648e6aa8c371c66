"""Where Dostyk keeps its data, read from the environment.

``DOSTYK_HOME`` holds the embedded database and the ledger's signing key, which is deliberately
kept outside the database: whoever can rewrite the tables must not also be able to re-sign the
log. ``DOSTYK_DATABASE_URL`` points at PostgreSQL (or any SQLAlchemy URL) instead of the embedded
SQLite file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


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


def load_settings(home: Path | None = None, database_url: str | None = None) -> Settings:
    """Settings from arguments first, then the environment, then the defaults."""
    resolved_home = home or Path(os.environ.get("DOSTYK_HOME") or default_home())
    url = database_url or os.environ.get("DOSTYK_DATABASE_URL")
    if not url:
        url = f"sqlite:///{(resolved_home / 'dostyk.db').resolve()}"
    return Settings(home=resolved_home, database_url=url)
