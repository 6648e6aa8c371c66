"""``dostyk integrity conflicts``: the register of declared conflicts of interest.

The integrity unit records a relationship between an officer and a party (``add``), lists the
register (``list``) and ends a relationship (``withdraw``); the actor is an officer of
headquarters' rank (``--as HQ-0001``). A conflict in force keeps the officer out of the random
draw of inspectors for the party's declarations and out of deciding their overrides; each such
exclusion is listed by ``list --exclusions``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from dostyk.cli import terminal
from dostyk.cli.acting import Actor, AsJson, At, instant, moment, refusals
from dostyk.cli.context import open_store

conflicts_app = typer.Typer(
    help="The register of declared conflicts of interest: add, list, withdraw.",
    no_args_is_help=True,
)


class KindChoice(StrEnum):
    """The kinds of relationship, as the option takes them."""

    KIN = "kin"
    FINANCIAL = "financial"
    FORMER_EMPLOYER = "former_employer"


@conflicts_app.command("add")
def add(
    officer: Annotated[str, typer.Argument(metavar="OFFICER", help="Officer's service number.")],
    party: Annotated[str, typer.Argument(metavar="PARTY", help="The party he is related to.")],
    kind: Annotated[KindChoice, typer.Option("--kind", help="Kind of relationship.")],
    note: Annotated[str, typer.Option("--note", metavar="TEXT", help="What the relationship is.")],
    actor: Actor,
    at: At = None,
) -> None:
    """Declare a relationship between an officer and a party."""
    from dostyk.domain.conflicts import ConflictKind
    from dostyk.services.conflicts import declare_conflict

    when = moment(at)
    engine = open_store()
    with refusals():
        conflict = declare_conflict(
            engine, officer, party, ConflictKind(kind.value), note, actor=actor, at=when
        )
    terminal.say(
        "Conflict [bold]{}[/bold] declared: {} ({}) with {}; he is kept out of its "
        "declarations' draws, override decisions and reviews",
        conflict.conflict_id,
        conflict.officer_id,
        conflict.kind,
        conflict.party_id,
    )


@conflicts_app.command("withdraw")
def withdraw(
    conflict_id: Annotated[str, typer.Argument(metavar="ID", help="The conflict's id.")],
    actor: Actor,
    at: At = None,
) -> None:
    """End a declared relationship; it stays on the register with its withdrawal."""
    from dostyk.services.conflicts import withdraw_conflict

    when = moment(at)
    engine = open_store()
    with refusals():
        conflict = withdraw_conflict(engine, conflict_id, actor=actor, at=when)
    terminal.say("Conflict [bold]{}[/bold] withdrawn", conflict.conflict_id)


@conflicts_app.command("list")
def list_register(
    current: Annotated[
        bool, typer.Option("--current", help="Only the conflicts not withdrawn.")
    ] = False,
    exclusions: Annotated[
        bool,
        typer.Option("--exclusions", help="The officers kept out of draws and decisions instead."),
    ] = False,
    as_json: AsJson = False,
) -> None:
    """List the register of conflicts of interest (or the exclusions it caused)."""
    from dostyk.services.conflicts import list_conflicts, list_exclusions

    engine = open_store()
    if exclusions:
        found = list_exclusions(engine)
        if as_json:
            terminal.echo_json(
                [
                    {
                        "exclusion_id": x.exclusion_id,
                        "conflict_id": x.conflict_id,
                        "officer_id": x.officer_id,
                        "party_id": x.party_id,
                        "declaration_id": x.declaration_id,
                        "action": x.action.value,
                        "subject_id": x.subject_id,
                        "at": instant(x.at),
                    }
                    for x in found
                ]
            )
            return
        table = terminal.table("at (UTC)", "officer", "party", "declaration", "kept out of", "of")
        for x in found:
            table.add_row(
                instant(x.at), x.officer_id, x.party_id, x.declaration_id, x.action, x.subject_id
            )
        table.show()
        return
    register = list_conflicts(engine, current_only=current)
    if as_json:
        terminal.echo_json(
            [
                {
                    "conflict_id": c.conflict_id,
                    "officer_id": c.officer_id,
                    "party_id": c.party_id,
                    "kind": c.kind.value,
                    "note": c.note,
                    "declared_at": instant(c.declared_at),
                    "declared_by": c.declared_by,
                    "withdrawn_at": instant(c.withdrawn_at) or None,
                    "withdrawn_by": c.withdrawn_by,
                }
                for c in register
            ]
        )
        return
    table = terminal.table("id", "officer", "party", "kind", "declared (UTC)", "withdrawn", "note")
    for c in register:
        table.add_row(
            c.conflict_id,
            c.officer_id,
            c.party_id,
            c.kind,
            instant(c.declared_at),
            instant(c.withdrawn_at),
            c.note,
        )
    table.show()
