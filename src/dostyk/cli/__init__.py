"""The ``dostyk`` command line: one module per family of commands.

Importing it loads Typer and the command signatures only; each command imports what it uses
(the store, the services, Rich) when it runs, so that ``--help`` answers at once. Help is
formatted by Click rather than Rich (``rich_markup_mode=None``) for the same reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dostyk.cli import terminal
from dostyk.cli.context import state
from dostyk.cli.failures import GuardedGroup
from dostyk.cli.integrity import app as integrity_app
from dostyk.cli.integrity_controls import conflicts_app
from dostyk.cli.interchange import app as interchange_app
from dostyk.cli.ledger import app as ledger_app
from dostyk.cli.lifecycle import register as register_lifecycle
from dostyk.cli.radiation import app as radiation_app
from dostyk.cli.radiation_alarms import register as register_radiation_alarms
from dostyk.cli.records import register as register_records
from dostyk.cli.risk import app as risk_app
from dostyk.cli.serve import register as register_serve
from dostyk.cli.simulation import register as register_simulation
from dostyk.cli.users import app as users_app
from dostyk.cli.warehouse import app as warehouse_app
from dostyk.config import load_settings

app = typer.Typer(
    cls=GuardedGroup,
    help="Dostyk: customs control and integrity for a network of border crossing points.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        terminal.say("dostyk {}", version("dostyk"))
        raise typer.Exit()


@app.callback()
def main(
    home: Annotated[
        Path | None,
        typer.Option(
            metavar="PATH",
            help="Data folder (database, keys). Default: $DOSTYK_HOME or XDG data dir.",
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="SQLAlchemy URL of the store. Default: $DOSTYK_DATABASE_URL or SQLite.",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    terminal.reset()
    state.settings = load_settings(home, database_url)


register_records(app)
app.add_typer(ledger_app, name="ledger")
register_lifecycle(app)
register_simulation(app)
register_serve(app)
app.add_typer(users_app, name="users")
app.add_typer(risk_app, name="risk")
register_radiation_alarms(radiation_app)
app.add_typer(radiation_app, name="radiation")
app.add_typer(interchange_app, name="interchange")
app.add_typer(risk_app, name="risk")
app.add_typer(warehouse_app, name="warehouse")
app.add_typer(integrity_app, name="integrity")
integrity_app.add_typer(conflicts_app, name="conflicts")

__all__ = ["app"]
