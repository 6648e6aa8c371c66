"""What every command shares: the settings chosen on the command line, the store, the consoles."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from dostyk.config import Settings, load_settings
from dostyk.store import migrations
from dostyk.store.engine import make_engine

console = Console()
errors = Console(stderr=True)


class State:
    settings: Settings | None = None


state = State()


def settings() -> Settings:
    if state.settings is None:
        state.settings = load_settings()
    return state.settings


def open_store(*, require_schema: bool = True) -> Engine:
    """The store named by the settings; exit 2 when it is not initialised and must be."""
    engine = make_engine(settings().database_url)
    if require_schema and migrations.current_revision(engine) != migrations.head_revision(engine):
        errors.print(
            f"[red]The store at {engine.url.render_as_string()} is not initialised "
            "or not up to date: run `dostyk init` first.[/red]"
        )
        raise typer.Exit(2)
    return engine


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error for the user and return the exit to raise."""
    errors.print(f"[red]{message}[/red]", highlight=False)
    return typer.Exit(code)


def rows_progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def parse_day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


def read_path(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise fail(f"cannot read {what} {path}: {error.strerror}") from None
