"""``dostyk simulate``: the calibrated national network at work, through the real use cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dostyk.cli import terminal
from dostyk.cli.context import fail, open_store, parse_day, settings
from dostyk.cli.wording import plural, signed_head

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from dostyk.store.statistics import DailyFigures


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_command)


def simulate_command(
    days: Annotated[int, typer.Option(min=1, max=3660, help="Days to simulate.")] = 30,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same world.")] = 1,
    posts: Annotated[
        list[str] | None,
        typer.Option("--post", help="Only this post (repeat for several). Default: all 112."),
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="First day, YYYY-MM-DD (default 2025-01-01).")
    ] = None,
    scale: Annotated[
        float, typer.Option(min=0.0, help="Multiply the volumes of posts other than Dostyk.")
    ] = 1.0,
    truth: Annotated[
        Path | None,
        typer.Option(help="Folder for the ground truth (default HOME/truth). Never the store."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Generate and count the traffic without recording anything."
        ),
    ] = False,
    until_now: Annotated[
        bool,
        typer.Option(
            "--until-now",
            help="End at the present: the days up to today (unless --start says otherwise), "
            "stopping now with work in progress.",
        ),
    ] = False,
) -> None:
    """Simulate the network's traders, brokers, carriers and officers, honest and corrupt.

    Everything happens through the real use cases and lands in the store; who was corrupt and
    what each declaration really carried goes to the ground-truth folder.
    """
    from dostyk.risk.scoring import shelf
    from dostyk.services.actors import national_day
    from dostyk.services.ledger import load_signing_key, sign_head_when_free
    from dostyk.simulate.run import DEFAULT_START, simulate
    from dostyk.simulate.summary import figures

    now = datetime.now(UTC)
    today = national_day(now)
    default = today - timedelta(days=days - 1) if until_now else DEFAULT_START
    first = parse_day(start, "--start") or default
    if until_now and first > today:
        raise terminal.bad_parameter("--start", "{} is after today ({})", first, today)
    if until_now and dry_run:
        raise terminal.bad_parameter("--until-now", "a dry run records nothing to stop")
    engine = open_store()
    folder = truth or settings().home / "truth"
    with terminal.progress(terminal.line("simulating days"), total=days, transient=False) as bar:

        def advance(day: date) -> None:
            bar.update(terminal.line("simulating {}", day.isoformat()), advance=1)

        try:
            report = simulate(
                engine,
                days=days,
                seed=seed,
                posts=posts,
                start=first,
                scale=scale,
                truth_folder=None if dry_run else folder,
                progress=advance,
                dry_run=dry_run,
                until=now if until_now else None,
                models=shelf(settings().home / "models"),
            )
        except ValueError as error:
            raise fail(str(error), 2) from None
    if dry_run:
        counted = tallied(report.tally)
        _print_posts(counted)
        if {"DST", "DSR"} <= set(report.posts):
            _print_calibration(counted, days)
        terminal.say(
            "dry run: {} at {} counted, nothing stored",
            plural(days, "day"),
            plural(len(report.posts), "post"),
        )
        return
    try:
        head = sign_head_when_free(engine, load_signing_key(settings().key_dir))
        terminal.say("ledger: {}", signed_head(head))
    except FileNotFoundError:
        terminal.warn("no ledger key: run `dostyk init` to sign the log")
    rows = figures(engine, first, days)
    _print_posts(rows)
    _print_outcomes(engine)
    if {"DST", "DSR"} <= set(report.posts):
        _print_calibration(rows, days)
    terminal.say(
        "{} at {} in {:,.0f} s; ground truth in {}",
        plural(days, "day"),
        plural(len(report.posts), "post"),
        report.seconds,
        folder,
    )
    last = first + timedelta(days=days - 1)
    terminal.say("per post and day: dostyk stats --from {} --to {} [--json]", first, last)


def tallied(tally: dict[tuple[str, date], dict[str, float]]) -> list[DailyFigures]:
    """A dry run's counts in the shape of the store's daily figures (values are not counted)."""
    from dostyk.store.statistics import DailyFigures

    return [
        DailyFigures(
            post_code=post,
            day=day,
            railcars_in=int(counts.get("railcars_in", 0)),
            trucks_in=int(counts.get("trucks_in", 0)),
            empty_returns=int(counts.get("empty_returns", 0)),
            passenger_trains=int(counts.get("passenger_trains", 0)),
            declarations=int(counts.get("declarations", 0)),
            tonnes=counts.get("tonnes", 0.0),
        )
        for (post, day), counts in sorted(tally.items())
    ]


def _print_posts(rows: list[DailyFigures]) -> None:
    from dostyk.simulate.summary import post_totals

    totals = sorted(post_totals(rows), key=lambda p: p.declarations, reverse=True)
    table = terminal.table(
        "post",
        "railcars in",
        "trucks in",
        "empty out",
        "declarations",
        "tonnes",
        "value (KZT)",
        title=terminal.line("Busiest posts"),
    )
    for post in totals[:15]:
        table.add_row(
            post.post_code,
            f"{post.railcars_in:,}",
            f"{post.trucks_in:,}",
            f"{post.empty_returns:,}",
            f"{post.declarations:,}",
            f"{post.tonnes:,.0f}",
            f"{post.value:,.0f}",
        )
    if len(totals) > 15:
        table.add_row(f"… {len(totals) - 15} more", "", "", "", "", "", "")
    table.add_row(
        "all",
        f"{sum(p.railcars_in for p in totals):,}",
        f"{sum(p.trucks_in for p in totals):,}",
        f"{sum(p.empty_returns for p in totals):,}",
        f"{sum(p.declarations for p in totals):,}",
        f"{sum(p.tonnes for p in totals):,.0f}",
        f"{sum(p.value for p in totals):,.0f}",
        style="bold",
    )
    table.show()


def _print_outcomes(engine: Engine) -> None:
    from dostyk.simulate.summary import channel_counts, finding_totals

    channels = channel_counts(engine)
    findings, extra, paid = finding_totals(engine)
    terminal.say(
        "channels: {}; findings {:,} (extra duties {:,.0f} KZT); duties and taxes paid {:,.0f} KZT",
        ", ".join(f"{name} {count:,}" for name, count in sorted(channels.items())),
        findings,
        extra,
        paid,
    )


def _print_calibration(rows: list[DailyFigures], days: int) -> None:
    from dostyk.simulate.summary import calibration

    table = terminal.table(
        "Dostyk",
        "public record",
        "simulated",
        "deviation",
        title=terminal.line("Calibration to the public record (2006-2009)"),
    )
    for row in calibration(rows, days):
        deviation = (
            terminal.line("[green]{:+.1%}[/green]", row.deviation)
            if abs(row.deviation) <= 0.05
            else terminal.line("[yellow]{:+.1%}[/yellow]", row.deviation)
        )
        table.add_row(row.figure, f"{row.public:,.1f}", f"{row.simulated:,.1f}", deviation)
    table.show()
