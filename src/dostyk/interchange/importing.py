"""One file (or request body) of a standard message in: WCO XML or EDIFACT, told apart by content.

A file is checked whole before anything of it is lodged: every message is read, its structure
checked and made into Dostyk's records (a declaration, or a manifest from a cargo report) first;
a file with one bad message lodges none of them. Each declaration is then lodged through the
lodgement use case and each manifest through the manifest use case, in the file's order.
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

Syntax = Literal["wco", "edifact"]


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
    for item in prepared:
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
            done.append(Imported(syntax, lodgement=lodged))
        else:
            manifest = lodge_manifest(engine, item.manifest, item.lines, actor=actor, at=at)
            done.append(Imported(syntax, manifest=manifest))
    return done
