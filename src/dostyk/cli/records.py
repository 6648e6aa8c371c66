"""Commands on the store as a whole: init, import, export, stats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dostyk.cli.context import console, errors, open_store, parse_day, rows_progress, settings
from dostyk.interchange.datapackage import PackageRejected, export_package, import_package
from dostyk.services.ledger import ensure_signing_key, load_signing_key, sign_head
from dostyk.services.setup import initialise
from dostyk.store.statistics import daily_figures

UTC_OFFSET_HELP = "Hours the country's local time is ahead of UTC (Kazakhstan: 5)."

records = typer.Typer()


def register(app: typer.Typer) -> None:
    """Add these commands at the top level of ``app``."""
    for command in records.registered_commands:
        app.registered_commands.append(command)


@records.command()
def init() -> None:
    """Create or upgrade the store, load the reference posts and tariff, and sign the ledger.

    The ledger's Ed25519 signing key is created in HOME/keys on first run, outside the database.
    """
    config = settings()
    config.home.mkdir(parents=True, exist_ok=True)
    key, created = ensure_signing_key(config.key_dir)
    engine = open_store(require_schema=False)
    report = initialise(engine)
    head = sign_head(engine, key)
    console.print(f"Store ready at [bold]{engine.url.render_as_string()}[/bold]")
    console.print(
        f"schema revision {report.revision}; added {report.posts_added} posts and "
        f"{report.tariff_rates_added} tariff rates"
    )
    what = "created" if created else "kept"
    console.print(
        f"ledger key {what} in {config.key_dir}; signed head of {head.tree_size:,} entries"
    )


@records.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="Folder holding datapackage.json and its tables.")],
    max_errors: Annotated[
        int, typer.Option(min=1, help="Stop collecting problems after this many.")
    ] = 25,
) -> None:
    """Load a data package: all of it, or nothing when anything is wrong."""
    engine = open_store()
    with rows_progress() as progress:
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
    try:
        head = sign_head(engine, load_signing_key(settings().key_dir))
        console.print(f"ledger: signed head of {head.tree_size:,} entries")
    except FileNotFoundError:
        errors.print("no ledger key found: the import is logged but no head was signed")


@records.command("export")
def export(
    path: Annotated[Path, typer.Argument(help="Folder to write the data package to.")],
    file_format: Annotated[
        str, typer.Option("--format", help="Table file format: csv or parquet.")
    ] = "csv",
) -> None:
    """Write every record as a data package."""
    if file_format not in ("csv", "parquet"):
        raise typer.BadParameter(f"{file_format!r}: choose csv or parquet", param_hint="--format")
    engine = open_store()
    with rows_progress() as progress:
        task = progress.add_task("exporting", total=None)

        def advance(table: str, rows: int) -> None:
            progress.update(task, description=f"wrote {table}", advance=rows)

        counts = export_package(engine, path, file_format=file_format, progress=advance)
    console.print(f"Wrote {sum(counts.values()):,} records in {len(counts)} tables to {path}")


@records.command()
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
    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    engine = open_store()
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
