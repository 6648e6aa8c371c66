"""One file (or request body) of a standard message in: WCO XML or EDIFACT, told apart by content.

A file is all or nothing. Every message is read, its structure checked and made into Dostyk's
records (a declaration, or a manifest from a cargo report) before any is lodged; then each
declaration is lodged through the lodgement use case and each manifest through the manifest use
case, in the file's order, all in one transaction (a :class:`~dostyk.store.batch.Batch`, each use
case in its savepoint): a use case that refuses one message rolls back the file's others too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine

from dostyk.domain.manifests import Manifest
from dostyk.interchange.edifact.cuscar import CargoReport, read_cuscar
from dostyk.interchange.edifact.cusdec import read_cusdec
from dostyk.interchange.edifact.diagrams import DIRECTORY
from dostyk.interchange.edifact.envelope import messages
from dostyk.interchange.edifact.segments import tokenize
from dostyk.interchange.json_documents import DocumentError, DocumentRejected
from dostyk.interchange.lodging import DEFAULT_OPTIONS, Options, Prepared, prepare
from dostyk.interchange.stated import StatedDeclaration
from dostyk.interchange.wco.declarations import read_wco_declaration
from dostyk.services.declarations import Lodgement, lodge
from dostyk.services.manifests import lodge_manifest
from dostyk.store.batch import Batch

Syntax = Literal["wco", "edifact"]
#: A file's use cases are one transaction: the batch never commits on time, only at its end.
ONE_TRANSACTION = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class Imported:
    """What one message of a file became."""

    syntax: Syntax
    lodgement: Lodgement | None = None
    manifest: Manifest | None = None


def detect(data: bytes, file: str) -> Syntax:
    """WCO XML or EDIFACT, from the first characters; DocumentRejected if neither."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:3]
    if head.startswith(b"<"):
        return "wco"
    if head in (b"UNA", b"UNB", b"UNH"):
        return "edifact"
    problem = "is neither WCO XML (starts with <) nor EDIFACT (starts with UNA, UNB or UNH)"
    raise DocumentRejected([DocumentError(file, "", problem)])


def edifact_text(data: bytes, file: str) -> str:
    """UTF-8 (syntax UNOW), else ISO 8859-1 (UNOA to UNOC), which decodes any byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read(data: bytes, file: str) -> list[StatedDeclaration | CargoReport]:
    """Every message of the file, read and checked (nothing is looked up or written)."""
    if detect(data, file) == "wco":
        return [read_wco_declaration(data, file)]
    found: list[StatedDeclaration | CargoReport] = []
    for message in messages(tokenize(edifact_text(data, file), file), file):
        head = message.segments[0]
        if (message.version, message.release) != DIRECTORY:
            problem = (
                f"directory {message.directory} of {message.kind} is not supported; "
                f"Dostyk reads {'.'.join(DIRECTORY)} (docs/interchange.md)"
            )
            raise DocumentRejected([DocumentError(file, head.place(2, 2), problem)])
        if message.kind == "CUSDEC":
            found.append(read_cusdec(message, file))
        elif message.kind == "CUSCAR":
            found.append(read_cuscar(message, file))
        else:
            problem = f"{message.kind} is not a message Dostyk takes in (CUSDEC, CUSCAR)"
            raise DocumentRejected([DocumentError(file, head.place(2, 1), problem)])
    return found


def import_file(
    engine: Engine,
    data: bytes,
    file: str,
    *,
    actor: str,
    at: datetime,
    options: Options = DEFAULT_OPTIONS,
) -> list[Imported]:
    """Read, check and lodge every message of the file (none if any cannot be read)."""
    syntax = detect(data, file)
    read_messages = read(data, file)
    prepared: list[Prepared | CargoReport] = [
        prepare(engine, m, file=file, at=at, options=options)
        if isinstance(m, StatedDeclaration)
        else m
        for m in read_messages
    ]
    done: list[Imported] = []
    with Batch(engine, every=len(prepared) + 1, seconds=ONE_TRANSACTION):
        for item in prepared:
            done.append(_lodge(engine, item, syntax, actor=actor, at=at))
    return done


def _lodge(
    engine: Engine, item: Prepared | CargoReport, syntax: Syntax, *, actor: str, at: datetime
) -> Imported:
    if isinstance(item, Prepared):
        document = item.document
        lodged = lodge(
            engine,
            document.declaration,
            document.items,
            document.units,
            actor=actor,
            at=at,
            breaches=item.breaches,
        )
        return Imported(syntax, lodgement=lodged)
    manifest = lodge_manifest(engine, item.manifest, item.lines, actor=actor, at=at)
    return Imported(syntax, manifest=manifest)
