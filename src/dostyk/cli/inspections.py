"""``dostyk inspection`` and ``dostyk override``: who inspects, what is found, channel changes."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dostyk.cli import terminal
from dostyk.cli.acting import (
    Actor,
    AsJson,
    At,
    ChannelChoice,
    Reader,
    amount,
    instant,
    moment,
    refusals,
    refuse,
)
from dostyk.cli.context import open_store
from dostyk.cli.wording import plural

if TYPE_CHECKING:
    from dostyk.domain.inspections import Finding, Inspection

InspectionId = Annotated[
    str, typer.Argument(help="The inspection's id.", show_default=False, metavar="ID")
]
DeclarationId = Annotated[
    str, typer.Argument(help="The declaration's id.", show_default=False, metavar="DECL")
]
Reason = Annotated[
    str | None,
    typer.Option(help="Written reason (at least 10 characters) for serving out of turn."),
]

inspection_app = typer.Typer(
    help="Inspections: random assignment, reassignment, start, findings, re-checking the draw, "
    "and the later review of their result (appeal, post-clearance audit).",
    no_args_is_help=True,
)
override_app = typer.Typer(
    help="Channel overrides: one officer asks with a reason, a superior decides.",
    no_args_is_help=True,
)


@inspection_app.command("assign")
def assign(declaration_id: DeclarationId, actor: Actor, at: At = None) -> None:
    """Draw the inspector of a yellow or red declaration among those on duty at its post."""
    from dostyk.services import assignment

    when = moment(at)
    engine = open_store()
    with refusals():
        inspection = assignment.assign_inspector(engine, declaration_id, actor=actor, at=when)
    draw = json.loads(inspection.draw)
    terminal.say(
        "Inspection [bold]{}[/bold] of {} assigned to [bold]{}[/bold], drawn among {} "
        "at ledger size {}",
        inspection.inspection_id,
        declaration_id,
        inspection.inspector_id,
        ", ".join(draw["candidates"]),
        draw["tree_size"],
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
    from dostyk.services import assignment

    when = moment(at)
    engine = open_store()
    with refusals():
        done = assignment.reassign(engine, inspection_id, to, actor=actor, at=when, reason=reason)
    terminal.say(
        "Inspection [bold]{}[/bold] reassigned from {} to [bold]{}[/bold] by {}",
        done.inspection_id,
        done.reassigned_from,
        done.inspector_id,
        done.reassigned_by,
    )


@inspection_app.command("start")
def start(inspection_id: InspectionId, actor: Actor, at: At = None, reason: Reason = None) -> None:
    """The assigned inspector starts an inspection, oldest assignment first.

    Starting before an older inspection waiting in his queue needs --reason and is recorded.
    """
    from dostyk.services import inspections

    when = moment(at)
    engine = open_store()
    with refusals():
        started = inspections.start_inspection(
            engine, inspection_id, actor=actor, at=when, reason=reason
        )
    terminal.say(
        "Inspection [bold]{}[/bold] of {} started",
        inspection_id,
        started.inspection.declaration_id,
    )
    if started.queue_exception is not None:
        q = started.queue_exception
        terminal.say(
            "[yellow]out of turn, ahead of {} waiting (first {}); recorded as {}[/yellow]",
            q.overtaken,
            q.first_overtaken_id,
            q.exception_id,
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
    from dostyk.interchange.json_documents import read_findings
    from dostyk.services import inspections

    when = moment(at)
    engine = open_store()
    with refusals():
        found: tuple[Finding, ...] = (
            () if findings is None else read_findings(findings, inspection_id)
        )
        done = inspections.finish_inspection(engine, inspection_id, found, actor=actor, at=when)
    extra = sum(f.extra_duty for f in done.findings)
    summary = (
        f"{plural(len(done.findings), 'finding')}, extra duty {extra:,}"
        if done.findings
        else "nothing irregular found"
    )
    terminal.say(
        "Inspection [bold]{}[/bold] finished: {}; next: dostyk duties assess {}",
        inspection_id,
        summary,
        done.inspection.declaration_id,
    )


@inspection_app.command("recheck-draw")
def recheck_draw(inspection_id: InspectionId, actor: Reader = None, at: At = None) -> None:
    """Redo an inspection's recorded random draw from the ledger and compare it with the record.

    Exits 1 when the record does not follow from the ledger's root at the recorded size.
    """
    from dostyk.ledger.store import root_at
    from dostyk.ledger.writer import log_size
    from dostyk.services import assignment
    from dostyk.services.errors import NotFound
    from dostyk.store import repositories

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
    terminal.say(
        "[green]draw verified[/green]: the ledger's root at size {} yields {}, "
        "as recorded for inspection {}",
        size,
        drawn,
        inspection_id,
    )
    if inspection.reassigned_from:
        terminal.say(
            "reassigned to {} by {}: {}",
            inspection.inspector_id,
            inspection.reassigned_by,
            inspection.reassign_reason,
        )


def _recorded_size(draw: str) -> int | None:
    try:
        record: Any = json.loads(draw)
        size = record["tree_size"]
    except (ValueError, KeyError, TypeError):
        return None
    return size if isinstance(size, int) and size >= 0 else None


class ReviewKindChoice(StrEnum):
    """How a result comes to be reviewed (the domain's ReviewKind is loaded on use only)."""

    APPEAL = "appeal"
    AUDIT = "audit"


class OutcomeChoice(StrEnum):
    """What a review concludes, as the option spells it."""

    UPHELD = "upheld"
    NO_BASIS = "no-basis"
    FRAUD_MISSED = "fraud-missed"


@inspection_app.command("review")
def review(
    inspection_id: InspectionId,
    kind: Annotated[
        ReviewKindChoice,
        typer.Option(
            "--kind",
            help="appeal: the declarant contests a finding (a post chief or above decides); "
            "audit: a post-clearance audit of a released declaration (a regional chief or above).",
        ),
    ],
    outcome: Annotated[
        OutcomeChoice,
        typer.Option(
            "--outcome",
            help="upheld; no-basis: the finding is reversed, it had no basis; fraud-missed: "
            "reversed the other way, the inspection passed fraud (audits only).",
        ),
    ],
    reason: Annotated[str, typer.Option(help="Written reason, at least 10 characters (recorded).")],
    actor: Actor,
    at: At = None,
    finding: Annotated[
        int | None,
        typer.Option(
            "--finding",
            help="The finding's number; leave it out to review the inspection's result as a whole.",
            min=1,
        ),
    ] = None,
    duty: Annotated[
        str,
        typer.Option(
            help="Duty the review adds (fraud-missed) or remits (no-basis), national currency."
        ),
    ] = "0.00",
) -> None:
    """A second officer above the inspector records the outcome of an appeal or an audit.

    The inspection's findings stay as they were made; the review is recorded beside them, under
    the ledger, and the integrity unit's indicators count the reversals per inspector.
    """
    from dostyk.domain.reviews import ReviewKind, ReviewOutcome
    from dostyk.services import reviews

    when = moment(at)
    added = amount(duty, "--duty")
    engine = open_store()
    with refusals():
        done = reviews.record_review(
            engine,
            inspection_id,
            ReviewKind(kind.value),
            ReviewOutcome(outcome.value.replace("-", "_")),
            reason,
            finding_no=finding,
            duty_amount=added,
            actor=actor,
            at=when,
        )
    what = "its result" if done.finding_no is None else f"finding {done.finding_no}"
    terminal.say(
        "Review [bold]{}[/bold] of inspection {} ({}): {} {} by {}",
        done.review_id,
        inspection_id,
        what,
        done.kind,
        _OUTCOME_WORDS[done.outcome.value],
        done.reviewed_by,
    )
    if done.duty_amount:
        change = "added" if done.outcome.value == "fraud_missed" else "remitted"
        terminal.say("duty {}: {:,}", change, done.duty_amount)


_OUTCOME_WORDS = {
    "upheld": "upheld",
    "no_basis": "reversed (the finding had no basis)",
    "fraud_missed": "reversed (the inspection missed fraud)",
}


@inspection_app.command("reviews")
def list_reviews(
    inspection_id: InspectionId, as_json: AsJson = False, actor: Reader = None, at: At = None
) -> None:
    """Show an inspection's findings and every review of its result, oldest first."""
    from dostyk.services import reviews
    from dostyk.services.declaration_record import record_json

    moment(at)
    engine = open_store()
    with refusals(writes=False):
        seen = reviews.reviewed_inspection(engine, inspection_id)
    if as_json:
        terminal.echo_json(
            {
                "inspection": record_json(seen.inspection),
                "findings": [record_json(f) for f in seen.findings],
                "reviews": [record_json(r) for r in seen.reviews],
            }
        )
        return
    inspection = seen.inspection
    terminal.say(
        "Inspection [bold]{}[/bold] of {} by {}, ended {}: {}",
        inspection.inspection_id,
        inspection.declaration_id,
        inspection.inspector_id,
        instant(inspection.ended_at) or "not yet",
        plural(len(seen.findings), "finding") if seen.findings else "nothing irregular found",
    )
    if not seen.reviews:
        terminal.say("no review of its result")
        return
    table = terminal.table(
        "review", "at (UTC)", "kind", "finding", "outcome", "duty", "by", "reason"
    )
    for r in seen.reviews:
        table.add_row(
            r.review_id,
            instant(r.reviewed_at),
            r.kind.value,
            "all" if r.finding_no is None else str(r.finding_no),
            r.outcome.value,
            f"{r.duty_amount:,}",
            r.reviewed_by,
            r.reason,
        )
    table.show()


@override_app.command("request")
def request(
    declaration_id: DeclarationId,
    to: Annotated[ChannelChoice, typer.Option("--to", help="The channel asked for.")],
    reason: Annotated[str, typer.Option(help="Written reason, at least 10 characters (recorded).")],
    actor: Actor,
    at: At = None,
) -> None:
    """An officer at the post asks to change an assessed declaration's channel."""
    from dostyk.services import overrides

    when = moment(at)
    engine = open_store()
    with refusals():
        asked = overrides.request_override(
            engine, declaration_id, to.channel(), reason, actor=actor, at=when
        )
    terminal.say(
        "Override [bold]{}[/bold] requested: {} → {}; a superior of {} decides it",
        asked.override_id,
        asked.from_channel,
        asked.to_channel,
        asked.requested_by,
    )


@override_app.command("decide")
def decide(
    override_id: Annotated[
        str, typer.Argument(help="The override's id.", show_default=False, metavar="ID")
    ],
    actor: Actor,
    at: At = None,
    approve: Annotated[
        bool, typer.Option("--approve", help="Approve the request: the channel changes.")
    ] = False,
    refuse_it: Annotated[
        bool, typer.Option("--refuse", help="Refuse the request: the channel stays.")
    ] = False,
) -> None:
    """A superior of the requesting officer approves or refuses an override.

    Exactly one of --approve and --refuse must be given.
    """
    from dostyk.services import overrides

    if approve == refuse_it:
        given = "both" if approve else "neither"
        raise terminal.bad_parameter(
            "--approve / --refuse", "give exactly one of them ({} given)", given
        )
    when = moment(at)
    engine = open_store()
    with refusals():
        decided = overrides.decide_override(engine, override_id, approve, actor=actor, at=when)
    if approve:
        terminal.say(
            "Override [bold]{}[/bold] approved: declaration {} is now {}",
            override_id,
            decided.declaration_id,
            decided.to_channel,
        )
    else:
        terminal.say(
            "Override [bold]{}[/bold] refused: declaration {} stays {}",
            override_id,
            decided.declaration_id,
            decided.from_channel,
        )
