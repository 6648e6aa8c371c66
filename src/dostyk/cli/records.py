"""Commands on the store as a whole: init, import, export, stats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dostyk.cli import terminal
from dostyk.cli.acting import At, moment
from dostyk.cli.context import open_store, parse_day, settings
from dostyk.cli.wording import plural, signed_head

UTC_OFFSET_HELP = "Hours the country's local time is ahead of UTC (Kazakhstan: 5)."

records = typer.Typer()


def register(app: typer.Typer) -> None:
    """Add these commands at the top level of ``app``."""
    for command in records.registered_commands:
        app.registered_commands.append(command)


@records.command()
def init(at: At = None) -> None:
    """Create or upgrade the store, load the reference posts and tariff, and sign the ledger.

    The ledger's Ed25519 signing key is created in HOME/keys on first run, outside the database.
    The ledger records the reference data at --at (default now). Its root, and so every random
    draw made on it later, depends on that time: two stores set up at the same --at and
    simulated with the same seed come out the same.
    """
    from dostyk.services.ledger import ensure_signing_key, sign_head_when_free
    from dostyk.services.setup import initialise

    when = moment(at)
    config = settings()
    config.home.mkdir(parents=True, exist_ok=True)
    key, created = ensure_signing_key(config.key_dir)
    engine = open_store(require_schema=False)
    report = initialise(engine, at=when)
    head = sign_head_when_free(engine, key)
    terminal.say("Store ready at [bold]{}[/bold]", engine.url.render_as_string())
    terminal.say(
        "schema revision {}; added {} and {}",
        report.revision,
        plural(report.posts_added, "post"),
        plural(report.tariff_rates_added, "tariff rate"),
    )
    terminal.say(
        "ledger key {} in {}; {}",
        "created" if created else "kept",
        config.key_dir,
        signed_head(head),
    )


@records.command("import")
def import_(
    path: Annotated[
        Path, typer.Argument(help="Folder holding datapackage.json and its tables.", metavar="PATH")
    ],
    max_errors: Annotated[
        int, typer.Option(min=1, help="Stop collecting problems after this many.")
    ] = 25,
    ignore_unlisted: Annotated[
        bool,
        typer.Option(
            "--ignore-unlisted",
            help="Leave out (and list) files in the folder that datapackage.json does not name, "
            "instead of refusing the package.",
        ),
    ] = False,
) -> None:
    """Load a data package: all of it, or nothing when anything is wrong."""
    from dostyk.interchange.datapackage import PackageRejected, import_package
    from dostyk.services.ledger import load_signing_key, sign_head_when_free

    engine = open_store()
    with terminal.progress(terminal.line("reading"), unit="rows") as bar:

        def advance(stage: str, table: str, rows: int) -> None:
            bar.update(terminal.line("{} {}", stage, table), advance=rows)

        try:
            report = import_package(
                engine,
                path,
                progress=advance,
                error_limit=max_errors,
                ignore_unlisted=ignore_unlisted,
            )
        except PackageRejected as rejected:
            bar.stop()
            terminal.error("Package {} refused; nothing was written.", path)
            for problem in rejected.errors:
                terminal.error("  {}", problem)
            if rejected.more:
                terminal.error("  ... and {:,} more", rejected.more)
            raise typer.Exit(1) from None
    table = terminal.table(
        "table", "loaded", "already stored", title=terminal.line("Imported {}", path)
    )
    for name, count in report.loaded.items():
        table.add_row(name, f"{count:,}", f"{report.unchanged.get(name, 0):,}")
    table.show()
    for ignored in report.ignored:
        terminal.warn("ignored (not in datapackage.json): {}", ignored)
    terminal.say("{} in {:.2f} s", plural(report.total, "record"), report.seconds)
    if report.anomalies:
        terminal.warn(
            "the history breaks Dostyk's controls; kept as anomalies: {}",
            ", ".join(f"{control} {count:,}" for control, count in report.anomalies.items()),
        )
    try:
        head = sign_head_when_free(engine, load_signing_key(settings().key_dir))
        terminal.say("ledger: {}", signed_head(head))
    except FileNotFoundError:
        terminal.warn("no ledger key found: the import is logged but no head was signed")


@records.command("export")
def export(
    path: Annotated[
        Path, typer.Argument(help="Folder to write the data package to.", metavar="PATH")
    ],
    file_format: Annotated[
        str, typer.Option("--format", help="Table file format: csv or parquet.")
    ] = "csv",
    force: Annotated[
        bool, typer.Option("--force", help="Replace an earlier export in PATH as a whole.")
    ] = False,
) -> None:
    """Write every record as a data package, into a new or empty folder.

    The package is written beside PATH and renamed into place, so PATH never holds half an
    export, nor a mix of two.
    """
    from dostyk.interchange.datapackage import ExportRefused, export_package

    if file_format not in ("csv", "parquet"):
        raise terminal.bad_parameter("--format", "{!r}: choose csv or parquet", file_format)
    engine = open_store()
    with terminal.progress(terminal.line("exporting"), unit="rows") as bar:

        def advance(table: str, rows: int) -> None:
            bar.update(terminal.line("wrote {}", table), advance=rows)

        try:
            counts = export_package(
                engine, path, file_format=file_format, progress=advance, force=force
            )
        except ExportRefused as refused:
            bar.stop()
            terminal.error("export refused: {}", refused)
            raise typer.Exit(2) from None
    terminal.say(
        "Wrote {} in {} to {}",
        plural(sum(counts.values()), "record"),
        plural(len(counts), "table"),
        path,
    )


@records.command()
def stats(
    post: Annotated[
        list[str] | None, typer.Option(help="Only this post (repeat for several).")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day, YYYY-MM-DD.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    utc_offset: Annotated[int, typer.Option(min=-12, max=14, help=UTC_OFFSET_HELP)] = 5,
) -> None:
    """Per post and day: railcars, trucks in and out, empty returns, declarations, tonnes, value.

    A post must be a known post's code (upper case, as DST); --from must not be after --to.
    """
    from dostyk.cli.selections import known_posts
    from dostyk.store.statistics import daily_figures

    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    if first is not None and last is not None and first > last:
        raise terminal.bad_parameter(
            "--from", "{} is after --to {}: the selection is empty", first, last
        )
    engine = open_store()
    with engine.connect() as connection:
        posts = known_posts(connection, post, "--post")
        figures = daily_figures(
            connection, offset_hours=utc_offset, posts=posts, start=first, end=last
        )
    if as_json:
        terminal.echo_json([f.as_json() for f in figures])
        return
    if not figures:
        terminal.say("No crossings or declarations recorded for that selection.")
        return
    table = terminal.table(
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
        title=terminal.line("Traffic and declarations per post and day"),
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
    table.show()
