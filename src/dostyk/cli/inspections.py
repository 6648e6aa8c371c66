"""``dostyk inspection`` and ``dostyk override``: who inspects, what is found, channel changes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from dostyk.cli.acting import Actor, At, Reader, moment, refusals, refuse
from dostyk.cli.context import console, open_store
from dostyk.domain.declarations import Channel
from dostyk.domain.inspections import Finding, Inspection
from dostyk.interchange.json_documents import read_findings
from dostyk.ledger.store import root_at
from dostyk.ledger.writer import log_size
from dostyk.services import assignment, inspections, overrides
from dostyk.services.errors import NotFound
from dostyk.store import repositories

InspectionId = Annotated[str, typer.Argument(help="The inspection's id.", show_default=False)]
DeclarationId = Annotated[
    str, typer.Argument(help="The declaration's id.", show_default=False, metavar="DECL")
]
Reason = Annotated[
    str | None,
    typer.Option(help="Written reason (at least 10 characters) for serving out of turn."),
]

inspection_app = typer.Typer(
    help="Inspections: random assignment, reassignment, start, findings, re-checking the draw.",
    no_args_is_help=True,
)
override_app = typer.Typer(
    help="Channel overrides: one officer asks with a reason, a superior decides.",
    no_args_is_help=True,
)


@inspection_app.command("assign")
def assign(declaration_id: DeclarationId, actor: Actor, at: At = None) -> None:
    """Draw the inspector of a yellow or red declaration among those on duty at its post."""
    when = moment(at)
    engine = open_store()
    with refusals():
        inspection = assignment.assign_inspector(engine, declaration_id, actor=actor, at=when)
    draw = json.loads(inspection.draw)
    console.print(
        f"Inspection [bold]{inspection.inspection_id}[/bold] of {declaration_id} assigned to "
        f"[bold]{inspection.inspector_id}[/bold], drawn among {', '.join(draw['candidates'])} "
        f"at ledger size {draw['tree_size']}",
        highlight=False,
    )


@inspection_app.command("reassign")
def reassign(
    inspection_id: InspectionId,
    to: Annotated[str, typer.Option("--to", help="Service number of the inspector to hand it to.")],
    reason: Annotated[str, typer.Option(help="Written reason, at least 10 characters (recorded).")],
    actor: Actor,
    at: At = None,
) -> None:
    """A supervisor above the drawn inspector hands an unstarted inspection to another one."""
    when = moment(at)
    engine = open_store()
    with refusals():
        done = assignment.reassign(engine, inspection_id, to, actor=actor, at=when, reason=reason)
    console.print(
        f"Inspection [bold]{done.inspection_id}[/bold] reassigned from {done.reassigned_from} "
        f"to [bold]{done.inspector_id}[/bold] by {done.reassigned_by}",
        highlight=False,
    )


@inspection_app.command("start")
def start(inspection_id: InspectionId, actor: Actor, at: At = None, reason: Reason = None) -> None:
    """The assigned inspector starts an inspection, oldest assignment first.

    Starting before an older inspection waiting in his queue needs --reason and is recorded.
    """
    when = moment(at)
    engine = open_store()
    with refusals():
        started = inspections.start_inspection(
            engine, inspection_id, actor=actor, at=when, reason=reason
        )
    console.print(
        f"Inspection [bold]{inspection_id}[/bold] of {started.inspection.declaration_id} started",
        highlight=False,
    )
    if started.queue_exception is not None:
        q = started.queue_exception
        console.print(
            f"[yellow]out of turn, ahead of {q.overtaken} waiting (first {q.first_overtaken_id})"
            f"; recorded as {q.exception_id}[/yellow]",
            highlight=False,
        )


@inspection_app.command("finish")
def finish(
    inspection_id: InspectionId,
    actor: Actor,
    at: At = None,
    findings: Annotated[
        Path | None,
        typer.Option(
            help="JSON document of the findings (shape in docs/lifecycle.md). "
            "Leave it out when nothing irregular was found.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """The assigned inspector records what he found and ends the inspection."""
    when = moment(at)
    engine = open_store()
    with refusals():
        found: tuple[Finding, ...] = (
            () if findings is None else read_findings(findings, inspection_id)
        )
        done = inspections.finish_inspection(engine, inspection_id, found, actor=actor, at=when)
    extra = sum(f.extra_duty for f in done.findings)
    summary = (
        f"{len(done.findings)} finding(s), extra duty {extra:,}"
        if done.findings
        else "nothing irregular found"
    )
    console.print(
        f"Inspection [bold]{inspection_id}[/bold] finished: {summary}; next: "
        f"dostyk duties assess {done.inspection.declaration_id}",
        highlight=False,
    )


@inspection_app.command("recheck-draw")
def recheck_draw(inspection_id: InspectionId, actor: Reader = None, at: At = None) -> None:
    """Redo an inspection's recorded random draw from the ledger and compare it with the record.

    Exits 1 when the record does not follow from the ledger's root at the recorded size.
    """
    moment(at)
    engine = open_store()
    with refusals(writes=False), engine.connect() as connection:
        inspection: Inspection | None = repositories.Inspections(connection).get(inspection_id)
        if inspection is None:
            raise NotFound("inspection", inspection_id)
        size = _recorded_size(inspection.draw)
        if size is None:
            raise assignment.DrawMismatch(
                f"inspection {inspection_id}: its recorded draw is not a ledger-seeded draw "
                f"that can be re-checked: {inspection.draw!r}"
            )
        if size > log_size(connection):
            raise assignment.DrawMismatch(
                f"inspection {inspection_id}: the draw names ledger size {size:,}, beyond "
                f"this ledger's {log_size(connection):,} entries"
            )
        drawn = assignment.recheck_draw(inspection.draw, root_at(connection, size))
    first = inspection.reassigned_from or inspection.inspector_id
    if drawn != first:
        raise refuse(
            f"inspection {inspection_id}: the draw yields {drawn}, but the inspection was given "
            f"to {first}"
        )
    console.print(
        f"[green]draw verified[/green]: the ledger's root at size {size} yields {drawn}, "
        f"as recorded for inspection {inspection_id}",
        highlight=False,
    )
    if inspection.reassigned_from:
        console.print(
            f"reassigned to {inspection.inspector_id} by {inspection.reassigned_by}: "
            f"{inspection.reassign_reason}",
            highlight=False,
        )


def _recorded_size(draw: str) -> int | None:
    try:
        record: Any = json.loads(draw)
        size = record["tree_size"]
    except (ValueError, KeyError, TypeError):
        return None
    return size if isinstance(size, int) and size >= 0 else None


@override_app.command("request")
def request(
    declaration_id: DeclarationId,
    to: Annotated[Channel, typer.Option("--to", help="The channel asked for.")],
    reason: Annotated[str, typer.Option(help="Written reason, at least 10 characters (recorded).")],
    actor: Actor,
    at: At = None,
) -> None:
    """An officer at the post asks to change an assessed declaration's channel."""
    when = moment(at)
    engine = open_store()
    with refusals():
        asked = overrides.request_override(engine, declaration_id, to, reason, actor=actor, at=when)
    console.print(
        f"Override [bold]{asked.override_id}[/bold] requested: {asked.from_channel} → "
        f"{asked.to_channel}; a superior of {asked.requested_by} decides it",
        highlight=False,
    )


@override_app.command("decide")
def decide(
    override_id: Annotated[str, typer.Argument(help="The override's id.", show_default=False)],
    approve: Annotated[
        bool,
        typer.Option(
            "--approve/--refuse", help="Approve (changes the channel) or refuse the request."
        ),
    ],
    actor: Actor,
    at: At = None,
) -> None:
    """A superior of the requesting officer approves or refuses an override."""
    when = moment(at)
    engine = open_store()
    with refusals():
        decided = overrides.decide_override(engine, override_id, approve, actor=actor, at=when)
    outcome = (
        f"approved: declaration {decided.declaration_id} is now {decided.to_channel}"
        if approve
        else f"refused: declaration {decided.declaration_id} stays {decided.from_channel}"
    )
    console.print(f"Override [bold]{override_id}[/bold] {outcome}", highlight=False)
