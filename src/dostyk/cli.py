"""The ``dostyk`` command line."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine

from dostyk.config import Settings, load_settings
from dostyk.interchange.datapackage import PackageRejected, export_package, import_package
from dostyk.services.setup import initialise
from dostyk.store import migrations
from dostyk.store.engine import make_engine
from dostyk.store.statistics import daily_figures

app = typer.Typer(
    help="Dostyk: customs control and integrity for a network of border crossing points.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)

UTC_OFFSET_HELP = "Hours the country's local time is ahead of UTC (Kazakhstan: 5)."


class State:
    settings: Settings


state = State()


@app.callback()
def main(
    home: Annotated[
        Path | None,
        typer.Option(help="Data folder (database, keys). Default: $DOSTYK_HOME or XDG data dir."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(help="SQLAlchemy URL of the store. Default: $DOSTYK_DATABASE_URL or SQLite."),
    ] = None,
) -> None:
    state.settings = load_settings(home, database_url)


def _engine(*, require_schema: bool = True) -> Engine:
    engine = make_engine(state.settings.database_url)
    if require_schema and migrations.current_revision(engine) != migrations.head_revision(engine):
        errors.print(
            f"[red]The store at {engine.url.render_as_string()} is not initialised "
            "or not up to date: run `dostyk init` first.[/red]"
        )
        raise typer.Exit(2)
    return engine


@app.command()
def init() -> None:
    """Create or upgrade the store and load the reference posts and tariff."""
    settings = state.settings
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = _engine(require_schema=False)
    report = initialise(engine)
    console.print(f"Store ready at [bold]{engine.url.render_as_string()}[/bold]")
    console.print(
        f"schema revision {report.revision}; added {report.posts_added} posts and "
        f"{report.tariff_rates_added} tariff rates"
    )


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="Folder holding datapackage.json and its tables.")],
    max_errors: Annotated[
        int, typer.Option(min=1, help="Stop collecting problems after this many.")
    ] = 25,
) -> None:
    """Load a data package: all of it, or nothing when anything is wrong."""
    engine = _engine()
    with _progress() as progress:
        task = progress.add_task("reading", total=None)

        def advance(stage: str, table: str, rows: int) -> None:
            progress.update(task, description=f"{stage} {table}", advance=rows)

        try:
            report = import_package(engine, path, progress=advance, error_limit=max_errors)
        except PackageRejected as rejected:
            progress.stop()
            errors.print(f"[red]Package {path} refused; nothing was written.[/red]")
            for error in rejected.errors:
                errors.print(f"  {error}", markup=False, highlight=False)
            if rejected.more:
                errors.print(f"  ... and {rejected.more} more")
            raise typer.Exit(1) from None
    table = Table("table", "loaded", "already stored", title=f"Imported {path}")
    for name, count in report.loaded.items():
        table.add_row(name, f"{count:,}", f"{report.unchanged.get(name, 0):,}")
    console.print(table)
    console.print(f"{report.total:,} records in {report.seconds:.2f} s")


@app.command("export")
def export(
    path: Annotated[Path, typer.Argument(help="Folder to write the data package to.")],
    file_format: Annotated[
        str, typer.Option("--format", help="Table file format: csv or parquet.")
    ] = "csv",
) -> None:
    """Write every record as a data package."""
    if file_format not in ("csv", "parquet"):
        raise typer.BadParameter(f"{file_format!r}: choose csv or parquet", param_hint="--format")
    engine = _engine()
    with _progress() as progress:
        task = progress.add_task("exporting", total=None)

        def advance(table: str, rows: int) -> None:
            progress.update(task, description=f"wrote {table}", advance=rows)

        counts = export_package(engine, path, file_format=file_format, progress=advance)
    console.print(f"Wrote {sum(counts.values()):,} records in {len(counts)} tables to {path}")


@app.command()
def stats(
    post: Annotated[
        list[str] | None, typer.Option(help="Only this post (repeat for several).")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    utc_offset: Annotated[int, typer.Option(help=UTC_OFFSET_HELP)] = 5,
) -> None:
    """Per post and day: railcars, trucks in and out, empty returns, declarations, tonnes, value."""
    first, last = _day(start, "--from"), _day(end, "--to")
    engine = _engine()
    with engine.connect() as connection:
        figures = daily_figures(
            connection, offset_hours=utc_offset, posts=post, start=first, end=last
        )
    if as_json:
        typer.echo(json.dumps([f.as_json() for f in figures], indent=2))
        return
    table = Table(
        "post",
        "day",
        "railcars in",
        "railcars out",
        "trucks in",
        "trucks out",
        "empty out",
        "declarations",
        "tonnes",
        "value (national)",
        title="Traffic and declarations per post and day",
    )
    for f in figures:
        table.add_row(
            f.post_code,
            f.day.isoformat(),
            f"{f.railcars_in:,}",
            f"{f.railcars_out:,}",
            f"{f.trucks_in:,}",
            f"{f.trucks_out:,}",
            f"{f.empty_returns:,}",
            f"{f.declarations:,}",
            f"{f.tonnes:,.1f}",
            f"{f.value:,.2f}",
        )
    console.print(table)
    if not figures:
        console.print("No crossings or declarations recorded for that selection.")


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


if __name__ == "__main__":
    app()
