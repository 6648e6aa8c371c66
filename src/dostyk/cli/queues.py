"""``dostyk queue show``: a post's first-in-first-out queues (read in services.queue_view).

Three queues, each in order: yellow and red declarations waiting for an inspector; each
inspector's assigned, unstarted inspections per channel, oldest first (the order
``start_inspection`` enforces); and paid declarations waiting for release per channel, first paid
first (the order ``release`` enforces).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from dostyk.cli import terminal
from dostyk.cli.acting import AsJson, At, ChannelChoice, Reader, instant, moment, refusals
from dostyk.cli.context import open_store

if TYPE_CHECKING:
    from dostyk.services.queue_view import QueueView

queue_app = typer.Typer(help="A post's first-in-first-out queues.", no_args_is_help=True)


def show_queues(view: QueueView) -> None:
    terminal.say("[bold]Queues at {}[/bold] as of {}", view.post_code, instant(view.at))
    assign = terminal.table(
        "#", "channel", "declaration", "assessed at", "waiting", title=terminal.line("To assign")
    )
    for row in view.to_assign:
        assign.add_row(
            str(row["position"]),
            row["channel"],
            row["declaration_id"],
            row["assessed_at"],
            f"{row['waiting_minutes']} min",
        )
    inspections = terminal.table(
        "inspector",
        "channel",
        "#",
        "inspection",
        "declaration",
        "assigned at",
        "waiting",
        title=terminal.line("Inspections waiting (each inspector's queue, oldest first)"),
    )
    for row in view.inspections:
        inspections.add_row(
            row["inspector_id"],
            row["channel"],
            str(row["position"]),
            row["inspection_id"],
            row["declaration_id"],
            row["assigned_at"],
            f"{row['waiting_minutes']} min",
        )
    releases = terminal.table(
        "channel",
        "#",
        "declaration",
        "declarant",
        "paid at",
        "waiting",
        title=terminal.line("Paid, waiting for release (first paid, first released)"),
    )
    for row in view.releases:
        releases.add_row(
            row["channel"],
            str(row["position"]),
            row["declaration_id"],
            row["declarant_id"],
            row["paid_at"],
            f"{row['waiting_minutes']} min",
        )
    for table, rows in (
        (assign, view.to_assign),
        (inspections, view.inspections),
        (releases, view.releases),
    ):
        if rows:
            table.show()
        elif table.title is not None:
            terminal.say("{}: nobody waits", table.title.plain())


@queue_app.command("show")
def show_queue(
    post: Annotated[str, typer.Option(help="The post's code, e.g. DST.", show_default=False)],
    channel: Annotated[
        ChannelChoice | None, typer.Option(help="Only this channel: green, yellow or red.")
    ] = None,
    as_json: AsJson = False,
    actor: Reader = None,
    at: At = None,
) -> None:
    """Show a post's queues in order: declarations to assign, inspections, releases."""
    from dostyk.cli.selections import known_post
    from dostyk.services.queue_view import read_queues

    when = moment(at)
    engine = open_store()
    with engine.connect() as connection:
        known_post(connection, post, "--post")
    with refusals(writes=False):
        view = read_queues(engine, post, channel.channel() if channel else None, when)
    if as_json:
        terminal.echo_json(view.to_json())
    else:
        show_queues(view)
