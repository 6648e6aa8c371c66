"""What every command shares: the settings chosen on the command line, and the store.

Nothing here is imported before a command runs: the store's modules (SQLAlchemy, Alembic) are
loaded inside :func:`open_store`, so that ``--help`` starts at once.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from dostyk.cli import terminal
from dostyk.config import Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy import Engine


class State:
    settings: Settings | None = None


state = State()


def settings() -> Settings:
    if state.settings is None:
        state.settings = load_settings()
    return state.settings


def open_store(*, require_schema: bool = True) -> Engine:
    """The store named by the settings; exit 2 when it is not initialised and must be.

    A command that needs the store never creates one: an embedded store whose file does not
    exist is reported as not initialised, and nothing is written to the home. Any other trouble
    opening the store (busy, read-only, unreachable, a bad URL) is a ``StoreError`` that the
    command group reports in one line.
    """
    from dostyk.store.engine import make_engine, sqlite_file
    from dostyk.store.errors import store_name
    from dostyk.store.revision import is_current

    url = settings().database_url
    database = sqlite_file(url)
    if require_schema and database is not None and not database.exists():
        terminal.error("No store at {}: it is not initialised; run `dostyk init` first.", database)
        raise typer.Exit(2)
    engine = make_engine(url)
    if require_schema and not is_current(engine):
        raise not_initialised(store_name(url))
    return engine


def not_initialised(name: str) -> typer.Exit:
    terminal.error(
        "The store at {} is not initialised or not up to date: run `dostyk init` first.", name
    )
    return typer.Exit(2)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error (data: shown literally) and return the exit to raise."""
    terminal.error("{}", message)
    return typer.Exit(code)


def parse_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise terminal.bad_parameter(option, "{!r} is not a date (YYYY-MM-DD)", text) from None


def read_path(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise fail(f"cannot read {what} {path}: {error.strerror}") from None
