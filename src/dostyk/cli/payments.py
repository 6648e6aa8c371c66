"""``dostyk duties``, ``pay``, ``release``, ``reconcile`` and ``queue``: from duties to the gate."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from dostyk.cli.acting import Actor, AsJson, At, Reader, amount, moment, refusals
from dostyk.cli.context import console, errors, open_store
from dostyk.cli.views import plain, record_json
from dostyk.services import payments, reconciliation
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
    if as_json:
        document = {
            "declaration_id": duties.declaration_id,
            "duty_lines": [record_json(line) for line in duties.lines],
            "extra_duty": plain(duties.extra_duty),
            "total": plain(duties.total),
        }
        typer.echo(json.dumps(document, indent=2))
        return
    table = Table("item", "value (national)", "duty %", "duty", "VAT %", "VAT")
    for line in duties.lines:
        table.add_row(
            str(line.item_no),
            f"{line.customs_value:,}",
            f"{line.duty_rate.normalize():f}",
            f"{line.duty:,}",
            f"{line.vat_rate.normalize():f}",
            f"{line.vat:,}",
        )
    if duties.lines:
        console.print(table)
    if duties.extra_duty:
        console.print(f"extra duty from the inspection: {duties.extra_duty:,}")
    console.print(
        f"Total due for {duties.declaration_id}: [bold]{duties.total:,}[/bold] (national currency)",
        highlight=False,
    )


@duties_app.command("assess")
def assess_duties(declaration_id: DeclarationId, actor: Actor, at: At = None) -> None:
    """Compute and record the duties of a green or an inspected declaration, from the tariff."""
    when = moment(at)
    engine = open_store()
    with refusals():
        duties = payments.assess_duties(engine, declaration_id, actor=actor, at=when)
    _print_duties(duties)
    console.print(
        f"next: dostyk pay {declaration_id} --amount {duties.total} --reference BANK-REF",
        highlight=False,
    )


@duties_app.command("show")
def show_duties(
    declaration_id: DeclarationId, as_json: AsJson = False, actor: Reader = None, at: At = None
) -> None:
    """Show the duties assessed on a declaration: what is to be paid."""
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
    when = moment(at)
    value = amount(paid, "--amount")
    if not reference.strip() or len(reference.strip()) > MAX_REFERENCE:
        raise typer.BadParameter(
            f"the bank's reference has 1 to {MAX_REFERENCE} characters", param_hint="--reference"
        )
    engine = open_store()
    with refusals():
        payment = payments.record_payment(
            engine, declaration_id, value, reference, actor=actor, at=when
        )
    console.print(
        f"Payment [bold]{payment.payment_id}[/bold] of {payment.amount:,} recorded for "
        f"{declaration_id}; next: dostyk release {declaration_id}",
        highlight=False,
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
    when = moment(at)
    engine = open_store()
    with refusals():
        done = payments.release(engine, declaration_id, actor=actor, at=when, reason=reason)
    console.print(f"Declaration [bold]{declaration_id}[/bold] released", highlight=False)
    if done.queue_exception is not None:
        q = done.queue_exception
        console.print(
            f"[yellow]out of turn, ahead of {q.overtaken} waiting (first {q.first_overtaken_id})"
            f"; recorded as {q.exception_id}[/yellow]",
            highlight=False,
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
    when = moment(at)
    engine = open_store()
    with refusals():
        done = reconciliation.reconcile(engine, movement, actor=actor, at=when)
    if not done.discrepancies:
        console.print(
            f"[green]Movement {movement} reconciles[/green]: every laden unit and manifest line "
            "is declared, and the weights agree",
            highlight=False,
        )
        return
    for found in done.discrepancies:
        errors.print(
            Text(f"{found.discrepancy_id} ({found.kind}): {found.detail}", style="yellow"),
            highlight=False,
        )
    console.print(
        f"Movement {movement}: {len(done.discrepancies)} discrepancies, {done.added} new",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add the top-level ``pay``, ``release`` and ``reconcile`` commands to ``app``."""
    app.command("pay")(pay)
    app.command("release")(release)
    app.command("reconcile")(reconcile)
