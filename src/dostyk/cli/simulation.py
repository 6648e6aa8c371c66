"""``dostyk simulate``: the calibrated national network at work, through the real use cases."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine

from dostyk.cli.context import console, fail, open_store, parse_day, settings
from dostyk.services.ledger import load_signing_key, sign_head
from dostyk.simulate.run import DEFAULT_START, simulate
from dostyk.simulate.summary import (
    calibration,
    channel_counts,
    figures,
    finding_totals,
    post_totals,
)
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
) -> None:
    """Simulate the network's traders, brokers, carriers and officers, honest and corrupt.

    Everything happens through the real use cases and lands in the store; who was corrupt and
    what each declaration really carried goes to the ground-truth folder.
    """
    first = parse_day(start, "--start") or DEFAULT_START
    engine = open_store()
    folder = truth or settings().home / "truth"
    with Progress(
        TextColumn("simulating {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("days", total=days)

        def advance(day: date) -> None:
            progress.update(task, advance=1, description=day.isoformat())

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
            )
        except ValueError as error:
            raise fail(str(error), 2) from None
    if dry_run:
        counted = tallied(report.tally)
        _print_posts(counted)
        if {"DST", "DSR"} <= set(report.posts):
            _print_calibration(counted, days)
        console.print(f"dry run: {days} days at {len(report.posts)} posts counted, nothing stored")
        return
    try:
        head = sign_head(engine, load_signing_key(settings().key_dir))
        console.print(f"ledger: signed head of {head.tree_size:,} entries")
    except FileNotFoundError:
        console.print("no ledger key: run `dostyk init` to sign the log")
    rows = figures(engine, first, days)
    _print_posts(rows)
    _print_outcomes(engine)
    if {"DST", "DSR"} <= set(report.posts):
        _print_calibration(rows, days)
    console.print(
        f"{days} days at {len(report.posts)} posts in {report.seconds:,.0f} s; "
        f"ground truth in {folder}"
    )
    last = first + timedelta(days=days - 1)
    console.print(f"per post and day: dostyk stats --from {first} --to {last} [--json]")


def tallied(tally: dict[tuple[str, date], dict[str, float]]) -> list[DailyFigures]:
    """A dry run's counts in the shape of the store's daily figures (values are not counted)."""
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
    totals = sorted(post_totals(rows), key=lambda p: p.declarations, reverse=True)
    table = Table(
        "post",
        "railcars in",
        "trucks in",
        "empty out",
        "declarations",
        "tonnes",
        "value (KZT)",
        title="Busiest posts",
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
    console.print(table)


def _print_outcomes(engine: Engine) -> None:
    channels = channel_counts(engine)
    findings, extra, paid = finding_totals(engine)
    console.print(
        "channels: "
        + ", ".join(f"{name} {count:,}" for name, count in sorted(channels.items()))
        + f"; findings {findings:,} (extra duties {extra:,.0f} KZT); "
        f"duties and taxes paid {paid:,.0f} KZT"
    )


def _print_calibration(rows: list[DailyFigures], days: int) -> None:
    table = Table(
        "Dostyk",
        "public record",
        "simulated",
        "deviation",
        title="Calibration to the public record (2006-2009)",
    )
    for row in calibration(rows, days):
        colour = "green" if abs(row.deviation) <= 0.05 else "yellow"
        table.add_row(
            row.figure,
            f"{row.public:,.1f}",
            f"{row.simulated:,.1f}",
            f"[{colour}]{row.deviation:+.1%}[/{colour}]",
        )
    console.print(table)
