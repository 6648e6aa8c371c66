"""The declaration lifecycle on the command line: every use case of DESIGN §3, one command each.

The commands, by family (each in its own module):

- :mod:`dostyk.cli.declarations`: ``crossing register``, ``declaration lodge | show | cancel |
  assess``;
- :mod:`dostyk.cli.inspections`: ``inspection assign | reassign | start | finish |
  recheck-draw``, ``override request | decide``;
- :mod:`dostyk.cli.payments`: ``duties assess | show``, ``pay``, ``release``, ``reconcile``;
- :mod:`dostyk.cli.queues`: ``queue show``.

What they share (``--as``, ``--at``, refusals) is in :mod:`dostyk.cli.acting`; the JSON documents
they read are in :mod:`dostyk.interchange.json_documents`. docs/lifecycle.md walks a declaration
through them end to end.
"""

from __future__ import annotations

import typer

from dostyk.cli import payments
from dostyk.cli.declarations import crossing_app, declaration_app
from dostyk.cli.inspections import inspection_app, override_app
from dostyk.cli.queues import queue_app


def register(app: typer.Typer) -> None:
    """Add the lifecycle's command groups and commands to ``app``."""
    app.add_typer(crossing_app, name="crossing")
    app.add_typer(declaration_app, name="declaration")
    app.add_typer(inspection_app, name="inspection")
    app.add_typer(override_app, name="override")
    app.add_typer(payments.duties_app, name="duties")
    payments.register(app)
    app.add_typer(queue_app, name="queue")
