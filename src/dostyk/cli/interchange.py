"""``dostyk interchange``: standard messages in (WCO XML, CUSDEC, CUSCAR) and responses out.

``import`` takes any number of files and tells each one's syntax from its content; each file is
all or nothing (every message of it is read and checked before any is lodged), and a refused
file does not stop the others: every refusal is printed with the file and the place in it (an
XML path or an EDIFACT segment), and the command exits 1 if any was refused or rejected.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from dostyk.cli import terminal
from dostyk.cli.acting import Actor, AsJson, At, moment, red
from dostyk.cli.context import open_store
from dostyk.cli.wording import plural

if TYPE_CHECKING:
    from dostyk.interchange.importing import Imported

app = typer.Typer(
    help="Standard messages: WCO Data Model XML and EDIFACT CUSDEC/CUSCAR in, WCO or CUSRES out.",
    no_args_is_help=True,
)

Files = Annotated[
    list[Path],
    typer.Argument(
        help="WCO DEC-DMS XML or EDIFACT (CUSDEC, CUSCAR) files.",
        metavar="FILE...",
        exists=True,
        dir_okay=False,
        show_default=False,
    ),
]


def _rates(texts: list[str]) -> dict[str, Decimal]:
    rates: dict[str, Decimal] = {}
    for text in texts:
        currency, _, rate = text.partition("=")
        try:
            value = Decimal(rate.strip())
        except InvalidOperation:
            value = Decimal(0)
        if len(currency.strip()) != 3 or not value.is_finite() or value <= 0:
            raise terminal.bad_parameter(
                "--rate", "{!r} is not CUR=RATE, e.g. GBP=640.25 (tenge per unit)", text
            )
        rates[currency.strip().upper()] = value
    return rates


@app.command("import")
def import_files(
    files: Files,
    actor: Actor,
    at: At = None,
    post: Annotated[
        str | None,
        typer.Option(
            metavar="POST",
            help="The post the goods are presented at, if the messages do not name it.",
        ),
    ] = None,
    rate: Annotated[
        list[str] | None,
        typer.Option(
            metavar="CUR=RATE",
            help="Customs' exchange rate of the day (tenge per unit), where none is declared.",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Lodge the declarations and cargo reports in FILE... as ACTOR (the declarant or carrier)."""
    from dostyk.domain.errors import DomainError
    from dostyk.interchange.importing import import_file
    from dostyk.interchange.json_documents import DocumentRejected
    from dostyk.interchange.lodging import Options
    from dostyk.services.errors import UseCaseError, ValidationFailed

    when = moment(at)
    options = Options(post=post, rates=_rates(rate or []))
    engine = open_store()
    failed = False
    report: list[dict[str, Any]] = []
    with terminal.progress(
        terminal.line("importing"), unit="files", total=len(files), transient=True
    ) as bar:
        for path in files:
            bar.update(terminal.line("{}", path.name))
            entry: dict[str, Any] = {"file": str(path)}
            try:
                data = path.read_bytes()
                done = import_file(engine, data, str(path), actor=actor, at=when, options=options)
            except OSError as error:
                entry["refused"] = [f"{path}: cannot be read: {error.strerror or error}"]
            except DocumentRejected as rejected:
                entry["refused"] = [str(e) for e in rejected.errors]
            except ValidationFailed as invalid:
                entry["refused"] = [f"{path}: {r}" for r in invalid.reasons]
            except (UseCaseError, DomainError) as error:
                entry["refused"] = [f"{path}: {error}"]
            else:
                entry["messages"] = [_outcome(item) for item in done]
            bar.update(advance=1)
            failed = (
                failed
                or "refused" in entry
                or any(m.get("status") == "rejected" for m in entry.get("messages", []))
            )
            report.append(entry)
    if as_json:
        terminal.echo_json({"files": report})
    else:
        for entry in report:
            _show(entry)
    if failed:
        raise typer.Exit(1)


def _outcome(item: Imported) -> dict[str, Any]:
    if item.lodgement is not None:
        d = item.lodgement.declaration
        return {
            "syntax": item.syntax,
            "declaration_id": d.declaration_id,
            "reference": d.reference,
            "status": d.status.value,
            "new": item.lodgement.new,
            "reasons": list(item.lodgement.reasons),
        }
    assert item.manifest is not None
    return {"syntax": item.syntax, "manifest_id": item.manifest.manifest_id, "status": "lodged"}


def _show(entry: dict[str, Any]) -> None:
    if "refused" in entry:
        red(f"{entry['file']} refused; nothing of it was written:")
        for problem in entry["refused"]:
            red(f"  {problem}")
        return
    for message in entry["messages"]:
        if "manifest_id" in message:
            terminal.say(
                "{}: manifest [bold]{}[/bold] lodged", entry["file"], message["manifest_id"]
            )
        elif message["status"] == "rejected":
            red(
                f"{entry['file']}: declaration {message['declaration_id']} is recorded as rejected:"
            )
            for reason in message["reasons"]:
                red(f"  - {reason}")
        else:
            again = "" if message["new"] else " (lodged before; nothing new recorded)"
            terminal.say(
                "{}: declaration [bold]{}[/bold] ({}) {}{}",
                entry["file"],
                message["declaration_id"],
                message["reference"],
                message["status"],
                again,
            )
    if len(entry["messages"]) > 1:
        terminal.say("{}: {}", entry["file"], plural(len(entry["messages"]), "message"))


@app.command("respond")
def respond(
    declaration_id: Annotated[
        str, typer.Argument(help="The declaration's id.", metavar="DECLARATION_ID")
    ],
    format: Annotated[
        str, typer.Option("--format", help="wco (RES-DMS XML) or cusres (EDIFACT).")
    ] = "wco",
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="PATH", help="Write to PATH instead of standard output."),
    ] = None,
) -> None:
    """Every response customs has given on the declaration so far, oldest first."""
    from dostyk.cli.acting import refusals
    from dostyk.interchange.responding import respond as responses_of

    if format not in ("wco", "cusres"):
        raise terminal.bad_parameter("--format", "{!r} is not wco or cusres", format)
    engine = open_store()
    with refusals(writes=False):
        body = responses_of(engine, declaration_id, "wco" if format == "wco" else "cusres")
    if out is None:
        terminal.data(body.decode("utf-8"))
        return
    try:
        out.write_bytes(body)
    except OSError as error:
        raise terminal.bad_parameter(
            "--out", "{} cannot be written: {}", out, error.strerror
        ) from None
    terminal.say("Wrote {} ({} bytes)", out, len(body))
