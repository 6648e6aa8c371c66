"""``dostyk ledger``: signed heads, proofs and verification of the tamper-evident log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from dostyk.cli import terminal
from dostyk.cli.acting import instant
from dostyk.cli.context import fail, open_store, read_path, settings
from dostyk.cli.wording import plural

app = typer.Typer(
    help="The tamper-evident ledger under every record: heads, proofs, verification.",
    no_args_is_help=True,
)


@app.command()
def head() -> None:
    """Sign the log as it stands now and print the signed tree head as JSON."""
    from dostyk.services.ledger import load_signing_key, sign_head

    engine = open_store()
    try:
        key = load_signing_key(settings().key_dir)
    except FileNotFoundError as error:
        raise fail(str(error), 2) from None
    terminal.data(sign_head(engine, key).to_json())


@app.command("heads")
def list_heads() -> None:
    """List the signed tree heads kept in the store."""
    from dostyk.services.ledger import heads

    table = terminal.table("tree size", "signed at (UTC)", "root hash")
    for item in heads(open_store()):
        table.add_row(f"{item.tree_size:,}", instant(item.timestamp), item.root_hash.hex())
    table.show()


@app.command()
def prove(
    table: Annotated[
        str, typer.Argument(help="Table of the record, e.g. declarations.", metavar="TABLE")
    ],
    key: Annotated[
        list[str], typer.Argument(help="The record's key value(s), in key order.", metavar="KEY")
    ],
) -> None:
    """Print an inclusion proof of a record's latest ledger entry (JSON).

    The proof needs nothing but itself and the public key to check: see `dostyk ledger check`.
    """
    from dostyk.services.ledger import UnknownRecord, load_signing_key, prove_record

    engine = open_store()
    try:
        signing = load_signing_key(settings().key_dir)
        document = prove_record(engine, signing, table, key)
    except (FileNotFoundError, UnknownRecord) as error:
        raise fail(str(error), 2) from None
    terminal.echo_json(document)


@app.command()
def consistency(
    old_size: Annotated[
        int, typer.Argument(help="Size of the earlier signed head.", min=0, metavar="OLD")
    ],
    new_size: Annotated[
        int, typer.Argument(help="Size of the later signed head.", min=0, metavar="NEW")
    ],
) -> None:
    """Print a consistency proof between two signed heads (JSON)."""
    from dostyk.services.ledger import UnknownRecord, prove_consistency

    if new_size < old_size:
        raise typer.BadParameter("the new head must be at least as large as the old one")
    try:
        terminal.echo_json(prove_consistency(open_store(), old_size, new_size))
    except UnknownRecord as error:
        raise fail(str(error), 2) from None


@app.command()
def check(
    proof: Annotated[
        Path,
        typer.Argument(help="A proof document written by prove or consistency.", metavar="PROOF"),
    ],
    public_key: Annotated[
        Path | None,
        typer.Option(
            help="The log's public key file (hex). Default: HOME/keys/ledger-ed25519.pub."
        ),
    ] = None,
) -> None:
    """Check a proof document with nothing but the proof and the public key."""
    from dostyk.ledger.heads import ProofError, check_consistency_proof, check_inclusion_proof
    from dostyk.services.ledger import load_public_key

    key_path = public_key or settings().key_dir / "ledger-ed25519.pub"
    try:
        key = load_public_key(key_path)
    except (OSError, ValueError) as error:
        raise fail(f"public key: {error}", 2) from None
    try:
        document = json.loads(read_path(proof, "proof"))
    except json.JSONDecodeError as error:
        raise fail(f"{proof}: not JSON ({error})", 2) from None
    try:
        if isinstance(document, dict) and "old_tree_head" in document:
            check_consistency_proof(document, key)
            terminal.say("[green]consistency proof verified[/green]")
        else:
            check_inclusion_proof(document, key)
            terminal.say("[green]inclusion proof verified[/green]")
    except ProofError as error:
        raise fail(f"{proof}: {error}") from None


@app.command()
def verify() -> None:
    """Re-hash every record and entry; name each changed, removed, added or moved one.

    Exits 1 when anything does not match. The result is kept in HOME/ledger/last-verification.json
    for the integrity unit's page.
    """
    from datetime import UTC, datetime

    from dostyk.services.ledger import load_signing_key, save_verification, verify_ledger

    engine = open_store()
    try:
        public = load_signing_key(settings().key_dir).public
    except FileNotFoundError as error:
        raise fail(str(error), 2) from None
    with terminal.progress(terminal.line("verifying log")) as bar:

        def advance(stage: str, count: int) -> None:
            bar.update(terminal.line("verifying {}", stage), advance=count)

        report = verify_ledger(engine, public, advance)
    try:
        save_verification(settings().home, report, datetime.now(UTC))
    except OSError as error:
        terminal.warn("the result could not be kept for the web app: {}", error.strerror or error)
    terminal.say(
        "{}, {}, {}; {} after the last signed head",
        plural(report.entries, "entry", "entries"),
        plural(report.records, "record"),
        plural(report.heads, "signed head"),
        plural(report.unsigned_entries, "entry", "entries"),
    )
    if report.ok:
        terminal.say("[green]ledger verified: every record and entry matches[/green]")
        return
    for finding in report.findings:
        terminal.say("{}", finding)
    raise fail(f"{plural(len(report.findings), 'problem')} found")
