"""``dostyk duties``, ``pay``, ``release``, ``reconcile`` and ``queue``: from duties to the gate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from dostyk.cli import terminal
from dostyk.cli.acting import Actor, AsJson, At, Reader, amount, moment, refusals
from dostyk.cli.context import open_store
from dostyk.cli.wording import plural

if TYPE_CHECKING:
    from dostyk.services.payments import Duties

DeclarationId = Annotated[
    str, typer.Argument(help="The declaration's id.", show_default=False, metavar="DECL")
]

#: The longest bank reference the store keeps.
MAX_REFERENCE = 64

duties_app = typer.Typer(
    help="Duties and taxes: assess them, show what is due.", no_args_is_help=True
)


def _print_duties(duties: Duties, as_json: bool = False) -> None:
    from dostyk.services.declaration_record import plain, record_json

    if as_json:
        document = {
            "declaration_id": duties.declaration_id,
            "duty_lines": [record_json(line) for line in duties.lines],
            "extra_duty": plain(duties.extra_duty),
            "total": plain(duties.total),
        }
        terminal.echo_json(document)
        return
    table = terminal.table("item", "value (national)", "duty %", "duty", "VAT %", "VAT")
    for line in duties.lines:
        table.add_row(
            line.item_no,
            f"{line.customs_value:,}",
            f"{line.duty_rate.normalize():f}",
            f"{line.duty:,}",
            f"{line.vat_rate.normalize():f}",
            f"{line.vat:,}",
        )
    if duties.lines:
        table.show()
    if duties.extra_duty:
        terminal.say("extra duty from the inspection: {:,}", duties.extra_duty)
    terminal.say(
        "Total due for {}: [bold]{:,}[/bold] (national currency)",
        duties.declaration_id,
        duties.total,
    )


@duties_app.command("assess")
def assess_duties(declaration_id: DeclarationId, actor: Actor, at: At = None) -> None:
    """Compute and record the duties of a green or an inspected declaration, from the tariff."""
    from dostyk.services import payments

    when = moment(at)
    engine = open_store()
    with refusals():
        duties = payments.assess_duties(engine, declaration_id, actor=actor, at=when)
    _print_duties(duties)
    terminal.say(
        "next: dostyk pay {} --amount {} --reference BANK-REF", declaration_id, duties.total
    )


@duties_app.command("show")
def show_duties(
    declaration_id: DeclarationId, as_json: AsJson = False, actor: Reader = None, at: At = None
) -> None:
    """Show the duties assessed on a declaration: what is to be paid."""
    from dostyk.services import payments

    moment(at)
    engine = open_store()
    with refusals(writes=False):
        duties = payments.duties_due(engine, declaration_id)
    _print_duties(duties, as_json)


def pay(
    declaration_id: DeclarationId,
    paid: Annotated[
        str,
        typer.Option(
            "--amount",
            metavar="X",
            help="Amount paid in national currency, exactly what is due, e.g. 2330250.00.",
        ),
    ],
    reference: Annotated[
        str, typer.Option(metavar="R", help="The bank's reference of the payment.")
    ],
    actor: Actor,
    at: At = None,
) -> None:
    """Record the payment of the duties due on a declaration."""
    from dostyk.services import payments

    when = moment(at)
    value = amount(paid, "--amount")
    if not reference.strip() or len(reference.strip()) > MAX_REFERENCE:
        raise terminal.bad_parameter(
            "--reference", "the bank's reference has 1 to {} characters", MAX_REFERENCE
        )
    engine = open_store()
    with refusals():
        payment = payments.record_payment(
            engine, declaration_id, value, reference, actor=actor, at=when
        )
    terminal.say(
        "Payment [bold]{}[/bold] of {:,} recorded for {}; next: dostyk release {}",
        payment.payment_id,
        payment.amount,
        declaration_id,
        declaration_id,
    )


def release(
    declaration_id: DeclarationId,
    actor: Actor,
    at: At = None,
    reason: Annotated[
        str | None,
        typer.Option(help="Written reason (at least 10 characters) for releasing out of turn."),
    ] = None,
) -> None:
    """Release the goods of a paid declaration, first paid, first released."""
    from dostyk.services import payments

    when = moment(at)
    engine = open_store()
    with refusals():
        done = payments.release(engine, declaration_id, actor=actor, at=when, reason=reason)
    terminal.say("Declaration [bold]{}[/bold] released", declaration_id)
    if done.queue_exception is not None:
        q = done.queue_exception
        terminal.say(
            "[yellow]out of turn, ahead of {} waiting (first {}); recorded as {}[/yellow]",
            q.overtaken,
            q.first_overtaken_id,
            q.exception_id,
        )


def reconcile(
    movement: Annotated[
        str,
        typer.Argument(
            help="The crossing id of the train's or truck's movement.",
            metavar="MOVEMENT_CROSSING_ID",
            show_default=False,
        ),
    ],
    actor: Actor,
    at: At = None,
) -> None:
    """Compare a movement's units and manifests with the declarations covering them.

    Each unit crossed laden that nothing declares, each manifest line no item claims, and each
    group of units heavier than its declared cargo is recorded as a discrepancy (once).
    """
    from dostyk.services import reconciliation

    when = moment(at)
    engine = open_store()
    with refusals():
        done = reconciliation.reconcile(engine, movement, actor=actor, at=when)
    if not done.discrepancies:
        terminal.say(
            "[green]Movement {} reconciles[/green]: every laden unit and manifest line "
            "is declared, and the weights agree",
            movement,
        )
        return
    for found in done.discrepancies:
        terminal.warn("{} ({}): {}", found.discrepancy_id, found.kind, found.detail)
    terminal.say(
        "Movement {}: {}, {} new",
        movement,
        plural(len(done.discrepancies), "discrepancy", "discrepancies"),
        done.added,
    )


def register(app: typer.Typer) -> None:
    """Add the top-level ``pay``, ``release`` and ``reconcile`` commands to ``app``."""
    app.command("pay")(pay)
    app.command("release")(release)
    app.command("reconcile")(reconcile)
