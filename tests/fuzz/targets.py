"""Fuzzing targets: the data-package reader, the JSON documents, WCO XML and EDIFACT.

Each target takes one input and returns normally when Dostyk either accepts it or refuses it
cleanly (``PackageRejected`` or an error logged at a file, row and field; ``DocumentRejected``,
which the WCO and EDIFACT readers raise too, located at an XML path or an EDIFACT segment).
Anything else escaping is a crash: the fuzzer records the input and the run fails.

The first byte of an input picks the table (CSV target) or the document kind (JSON target), so
one corpus covers every table and all three documents.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from dostyk.interchange.datapackage.checking import TableRows, check_records
from dostyk.interchange.datapackage.descriptor import package_descriptor
from dostyk.interchange.datapackage.errors import ErrorLog
from dostyk.interchange.datapackage.reading import read_table
from dostyk.interchange.datapackage.resources import package_resources
from dostyk.interchange.json_documents import (
    DocumentRejected,
    parse_crossing,
    parse_declaration,
    parse_findings,
)
from dostyk.store.tables import TABLES

LODGED_AT = datetime(2024, 3, 1, 4, 30, tzinfo=UTC)
_folder = Path(tempfile.mkdtemp(prefix="dostyk-fuzz-"))


def csv_table(data: bytes) -> None:
    """Read a CSV table and build its records, as ``dostyk import`` does before any write."""
    if not data:
        return
    table = TABLES[data[0] % len(TABLES)]
    path = _folder / f"{table.name}.csv"
    path.write_bytes(data[1:])
    log = ErrorLog(10)
    columns = read_table(path, table, log)
    if columns is None:
        assert log.errors, "a table refused without any error logged"
        return
    rows = TableRows.of(table, path.name, columns)
    check_records(rows, log)


def descriptor(data: bytes) -> None:
    """Check a ``datapackage.json`` against a folder holding every table file, empty."""
    folder = _folder / "package"
    if not folder.exists():
        folder.mkdir()
        for resource in package_descriptor()["resources"]:
            (folder / resource["path"]).write_text("")
    (folder / "datapackage.json").write_bytes(data)
    log = ErrorLog(10)
    package_resources(folder, log)


def json_document(data: bytes) -> None:
    """Parse a crossing, declaration or findings document."""
    if not data:
        return
    try:
        text = data[1:].decode("utf-8")
    except UnicodeDecodeError:
        return  # read_text refuses undecodable files before parsing
    kind = data[0] % 3
    try:
        if kind == 0:
            parse_crossing(text, "crossing.json")
        elif kind == 1:
            parse_declaration(text, "declaration.json", lodged_at=LODGED_AT)
        else:
            parse_findings(text, "findings.json", "I-1")
    except DocumentRejected as rejected:
        assert rejected.errors


def wco_xml(data: bytes) -> None:
    """Parse (defusedxml), validate (the packaged schemas) and read a WCO declaration."""
    from dostyk.interchange.wco.declarations import read_wco_declaration

    try:
        read_wco_declaration(data, "declaration.xml")
    except DocumentRejected as rejected:
        assert rejected.errors


def edifact(data: bytes) -> None:
    """Tokenize an EDIFACT interchange, check its envelope and segment groups, read each
    CUSDEC or CUSCAR message (nothing is looked up or written)."""
    from dostyk.interchange.importing import read

    try:
        read(b"UNH" + data, "interchange.edi")
    except DocumentRejected as rejected:
        assert rejected.errors


TARGETS: dict[str, Callable[[bytes], None]] = {
    "csv_table": csv_table,
    "descriptor": descriptor,
    "json_document": json_document,
    "wco_xml": wco_xml,
    "edifact": edifact,
}


def seed_interchange(samples: Path) -> dict[str, list[bytes]]:
    """Seeds for the interchange targets: a WCO sample without its comments (so that it fits
    the fuzzer's input length), and a CUSDEC and a CUSCAR built as the tests build them."""
    import re

    from dostyk.domain.declarations import Declaration, DeclarationItem, DeclarationKind
    from dostyk.domain.manifests import Manifest, ManifestKind, ManifestLine
    from dostyk.interchange.edifact.cuscar import CargoReport, build_cuscar
    from dostyk.interchange.edifact.cusdec import build_cusdec
    from dostyk.interchange.json_documents import DeclarationDocument

    xml = (samples / "TT_IM079a.xml").read_text(encoding="utf-8")
    compact = re.sub(r">\s+<", "><", re.sub(r"<!--.*?-->", "", xml, flags=re.S)).strip()
    declaration = Declaration(
        "D-1", DeclarationKind.IMPORT, "DST", "BRK000", "R-1", LODGED_AT, importer_id="IMP1"
    )
    item = DeclarationItem(
        "D-1",
        1,
        "9503000000",
        "Toys",
        "CN",
        Decimal("37000"),
        "KGM",
        40000.0,
        37000.0,
        Decimal("180000.00"),
        "USD",
        Decimal("452.1"),
    )
    cusdec = build_cusdec(DeclarationDocument(declaration, (item,), ()), ["RC1"])
    manifest = Manifest("M-1", ManifestKind.CARGO_REPORT, "DST", "X-1", "KTZ", "CR-1", LODGED_AT)
    line = ManifestLine("M-1", 1, "950300", "Toys", 400, 40000.0, "X-1-1", "IMP1")
    cuscar = build_cuscar(CargoReport(manifest, (line,)))
    return {
        "wco_xml": [compact.encode("utf-8")],
        "edifact": [cusdec.split("UNH", 1)[1].encode(), cuscar.split("UNH", 1)[1].encode()],
    }


def seed_json() -> list[bytes]:
    """Seeds for the JSON target from docs/lifecycle.md's shapes, one per document kind."""
    crossing = {
        "movement": {
            "crossing_id": "X-1",
            "post_code": "DST",
            "conveyance_id": "TR9001",
            "direction": "in",
            "crossed_at": "2024-03-01T04:00:00Z",
            "laden": True,
        },
        "units": [{"crossing_id": "X-1-1", "conveyance_id": "RC1", "gross_mass_kg": 63550.0}],
        "conveyances": [
            {"conveyance_id": "RC1", "kind": "railcar", "registration": "1", "country": "KZ"}
        ],
    }
    declaration = {
        "declaration": {
            "declaration_id": "D-1",
            "kind": "import",
            "post_code": "DST",
            "declarant_id": "BRK000",
            "reference": "R-1",
        },
        "items": [
            {
                "item_no": 1,
                "commodity_code": "9503000000",
                "description": "Toys",
                "origin": "CN",
                "quantity": "37000",
                "unit": "KGM",
                "gross_mass_kg": 40000.0,
                "net_mass_kg": 37000.0,
                "customs_value": "180000.00",
                "currency": "USD",
                "exchange_rate": "452.1",
            }
        ],
        "units": ["X-1-1"],
    }
    findings = {
        "findings": [
            {"finding_no": 1, "kind": "undervaluation", "description": "x", "extra_duty": "1.00"}
        ]
    }
    return [
        bytes([kind]) + json.dumps(document).encode()
        for kind, document in enumerate((crossing, declaration, findings))
    ]
