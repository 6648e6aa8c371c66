"""``dostyk serve``: the web app and REST API on this store.

On the embedded store one process serves everyone (SQLite has one writer at a time, so more
processes would only queue behind its lock); on PostgreSQL ``--workers N`` runs N processes.
The app is served on 127.0.0.1 unless ``--host`` says otherwise: a post's laptop should not be
reachable from the network by accident.
"""

from __future__ import annotations

import os
from typing import Annotated

import typer

from dostyk.cli import terminal
from dostyk.cli.context import open_store, settings


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Server processes (PostgreSQL only).")
    ] = 1,
) -> None:
    """Serve the web app (pages for every role) and the REST API (/api/v1, docs at /docs)."""
    import uvicorn

    chosen = settings()
    open_store().dispose()  # refuses, in one line, a store that is not initialised
    if workers > 1 and chosen.is_embedded:
        raise terminal.bad_parameter(
            "--workers", "{} processes need PostgreSQL; the embedded store serves from one", workers
        )
    os.environ["DOSTYK_HOME"] = str(chosen.home)
    os.environ["DOSTYK_DATABASE_URL"] = chosen.database_url
    terminal.say("Dostyk serves http://{}:{}/ (API docs at /docs); Ctrl-C stops it", host, port)
    uvicorn.run(
        "dostyk.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )
