"""``dostyk warehouse``: the columnar extract of the store that the analytics read."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dostyk.cli import terminal
from dostyk.cli.context import fail, open_store, settings
from dostyk.cli.wording import plural

app = typer.Typer(
    help="The columnar warehouse (Parquet) extracted from the store for the analytics.",
    no_args_is_help=True,
)


def warehouse_folder(out: Path | None) -> Path:
    return out if out is not None else settings().home / "warehouse"


@app.command()
def build(
    out: Annotated[
        Path | None,
        typer.Option(help="Warehouse folder (default HOME/warehouse).", metavar="PATH"),
    ] = None,
) -> None:
    """Extract the store to Parquet, or bring an extract up to date with what changed since."""
    from dostyk.warehouse.extract import StateUnreadable
    from dostyk.warehouse.extract import build as build_warehouse

    engine = open_store()
    folder = warehouse_folder(out)
    with terminal.progress(terminal.line("extracting")) as bar:

        def advance(name: str) -> None:
            bar.update(terminal.line("extracting {}", name))

        try:
            report = build_warehouse(engine, folder, progress=advance)
        except StateUnreadable as error:
            raise fail(str(error), 2) from None
    for name, (how, rows) in sorted(report.tables.items()):
        terminal.say("{}: {} ({})", name, plural(rows, "row"), how)
    terminal.say(
        "warehouse {} up to ledger entry {:,} ({} read)",
        folder,
        report.to_seq,
        plural(report.to_seq - report.from_seq, "new entry", "new entries"),
    )
