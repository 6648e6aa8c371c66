"""``dostyk crossing`` and ``dostyk declaration``: what arrives, and what is declared of it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dostyk.cli import terminal
from dostyk.cli.acting import Actor, AsJson, At, Reader, instant, moment, red, refusals
from dostyk.cli.context import open_store, settings
from dostyk.cli.wording import plural

Document = Annotated[
    Path,
    typer.Argument(
        help="The JSON document (shape in docs/lifecycle.md).",
        metavar="FILE",
        exists=True,
        dir_okay=False,
        show_default=False,
    ),
]
DeclarationId = Annotated[
    str, typer.Argument(help="The declaration's id.", show_default=False, metavar="ID")
]

crossing_app = typer.Typer(
    help="Conveyances crossing the border: register a train's or truck's movement.",
    no_args_is_help=True,
)
declaration_app = typer.Typer(
    help="Declarations: lodge, show, assess the risk of, cancel.", no_args_is_help=True
)


@crossing_app.command("register")
def register_crossing(document: Document, actor: Actor, at: At = None) -> None:
    """Register a movement with its units and any conveyances new to the register.

    The officer registering it (--as) must be posted at the movement's post. A unit declared
    empty that weighs more than its tare is recorded as weighed, with a discrepancy.
    """
    from dostyk.interchange.json_documents import read_crossing
    from dostyk.services import crossings

    when = moment(at)
    engine = open_store()
    with refusals():
        parsed = read_crossing(document)
        done = crossings.register_crossing(
            engine, parsed.movement, parsed.units, parsed.conveyances, actor=actor, at=when
        )
    m = done.movement
    terminal.say(
        "Registered movement [bold]{}[/bold]: {} {} at {}, {}, with {}",
        m.crossing_id,
        m.conveyance_id,
        m.direction,
        m.post_code,
        instant(m.crossed_at),
        plural(len(done.units), "unit"),
    )
    if done.conveyances_added:
        terminal.say("new conveyances: {}", ", ".join(done.conveyances_added))
    for found in done.discrepancies:
        terminal.warn("discrepancy {}: {}", found.discrepancy_id, found.detail)


@declaration_app.command("lodge")
def lodge(document: Document, actor: Actor, at: At = None) -> None:
    """Lodge a declaration with its items and units; it is validated at once.

    The declarant lodges for himself (--as is the declaration's declarant_id). A declaration that
    breaks the rules is recorded as rejected, with every reason, and the command exits 1.
    Lodging the same document again under the same reference changes nothing.
    """
    from dostyk.interchange.json_documents import read_declaration as read_document
    from dostyk.services import declarations

    when = moment(at)
    engine = open_store()
    with refusals():
        parsed = read_document(document, lodged_at=when)
        lodged = declarations.lodge(
            engine, parsed.declaration, parsed.items, parsed.units, actor=actor, at=when
        )
    d = lodged.declaration
    if not lodged.new:
        terminal.say(
            "Reference {} was lodged before as [bold]{}[/bold] ({}); nothing new was recorded. "
            "Status: {}",
            d.reference,
            d.declaration_id,
            instant(d.lodged_at),
            d.status,
        )
    if lodged.accepted:
        if lodged.new:
            terminal.say(
                "Declaration [bold]{}[/bold] lodged and accepted ({}, {}); next: "
                "dostyk declaration assess {}",
                d.declaration_id,
                plural(len(parsed.items), "item"),
                plural(len(parsed.units), "unit"),
                d.declaration_id,
            )
        return
    red(f"Declaration {d.declaration_id} is recorded as rejected:")
    for reason in lodged.reasons:
        red(f"  - {reason}")
    raise typer.Exit(1)


@declaration_app.command("show")
def show(
    declaration_id: DeclarationId, as_json: AsJson = False, actor: Reader = None, at: At = None
) -> None:
    """Show a declaration: status, channel, items, history, risk, inspection, duties, payment."""
    from dostyk.cli.views import read_declaration, show_declaration

    moment(at)
    engine = open_store()
    with refusals(writes=False):
        view = read_declaration(engine, declaration_id)
    if as_json:
        terminal.echo_json(view.to_json())
    else:
        show_declaration(view)


@declaration_app.command("cancel")
def cancel(
    declaration_id: DeclarationId,
    actor: Actor,
    at: At = None,
    reason: Annotated[
        str | None, typer.Option(help="Why the declarant withdraws it (recorded).")
    ] = None,
) -> None:
    """The declarant withdraws his declaration; refused once it is released or final."""
    from dostyk.services import declarations

    when = moment(at)
    engine = open_store()
    with refusals():
        cancelled = declarations.cancel(engine, declaration_id, actor=actor, at=when, reason=reason)
    terminal.say("Declaration [bold]{}[/bold] cancelled", cancelled.declaration_id)


@declaration_app.command("assess")
def assess(declaration_id: DeclarationId, actor: Actor, at: At = None) -> None:
    """Assess the risk of an accepted declaration and set its channel (default selector).

    The default selector is the rule profile rules:v1 with a random share of 5 % yellow and
    2 % red drawn from the ledger. Only an officer or 'system' may run it.
    """
    from dostyk.domain.declarations import Channel
    from dostyk.services import selectivity
    from dostyk.services.risk_admin import active_selector

    when = moment(at)
    engine = open_store()
    with refusals():
        from dostyk.risk.scoring import shelf

        selector = active_selector(engine, shelf(settings().home / "models"))
        assessment = selectivity.assess_risk(engine, declaration_id, selector, actor=actor, at=when)
    rules = {f"rule:{rule.name}": rule.description for rule in selectivity.rules_v1().rules}
    terminal.say(
        "Declaration [bold]{}[/bold] is [bold]{}[/bold] ({}, assessment {})",
        declaration_id,
        assessment.channel,
        assessment.selector,
        assessment.assessment_id,
    )
    for criterion in assessment.criteria:
        meaning = rules.get(criterion)
        if meaning:
            terminal.say("  {}: {}", criterion, meaning)
        else:
            terminal.say("  {}", criterion)
    if assessment.channel is Channel.GREEN:
        terminal.say("next: dostyk duties assess {}", declaration_id)
    else:
        terminal.say("next: dostyk inspection assign {}", declaration_id)
