"""CUSCAR (D.96B subset): the carrier's cargo report, read into Dostyk's manifest.

=========================  =====================================================================
Dostyk                     CUSCAR segment, element (component)
=========================  =====================================================================
kind                       BGM 1: 785 cargo report (road), 720 rail consignment note (waybill)
reference                  BGM 2: the carrier's own reference
issued at                  DTM+137, 1 (2) as CCYYMMDDHHMM (format 203), UTC
post                       LOC+14 (place of arrival), 2
carrier                    SG2 NAD+CA, 2 (1)
movement                   SG7 TDT+20, 2: the crossing id of the train or truck
line number, packages      SG10 GID 1, 2 (1)
HS code                    SG10 PIA+5, 2 (1): four to ten digits
description                SG10 FTX+AAA, 4 (components joined)
gross mass (kg)            SG10 MEA+WT+AAB, 3 (2)
unit                       SG10 SGP 1 (1): the unit's crossing id
consignee                  SG13 NAD+CN, 2 (1)
=========================  =====================================================================

The manifest's id is made from the carrier and his reference, so the same report sent twice is
recognised (and refused as lodged already by the manifest use case).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from dostyk.domain.errors import InvariantViolation
from dostyk.domain.manifests import Manifest, ManifestKind, ManifestLine
from dostyk.interchange.edifact.cusdec import _chunks, _envelope, _number, _qualified
from dostyk.interchange.edifact.diagrams import CUSCAR
from dostyk.interchange.edifact.envelope import Message
from dostyk.interchange.edifact.segments import Segment, write
from dostyk.interchange.edifact.structure import Node, match
from dostyk.interchange.json_documents import DocumentError, DocumentRejected
from dostyk.services.ids import make_id

KINDS = {"785": ManifestKind.CARGO_REPORT, "720": ManifestKind.RAIL_WAYBILL}
CODES = {kind: code for code, kind in KINDS.items()}


@dataclass(frozen=True, slots=True)
class CargoReport:
    manifest: Manifest
    lines: tuple[ManifestLine, ...]


class _Errors:
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[DocumentError] = []

    def add(self, where: str, message: str) -> None:
        self.found.append(DocumentError(self.file, where, message))

    def need(
        self, segment: Segment | None, element: int, component: int, what: str, missing: str
    ) -> str:
        if segment is None:
            self.add(missing, f"required: {what}")
            return ""
        value = segment.at(element, component)
        if not value.strip():
            self.add(segment.place(element, component), f"required: {what}")
        return value.strip()


def read_cuscar(message: Message, file: str) -> CargoReport:
    tree = match(message.segments, CUSCAR, file)
    errors = _Errors(file)
    bgm = tree.first("BGM")
    assert bgm is not None
    unt = tree.first("UNT")
    assert unt is not None
    before = f"before {unt.where}"
    kind = KINDS.get(bgm.at(1))
    if kind is None:
        known = ", ".join(f"{c} ({k})" for c, k in KINDS.items())
        errors.add(bgm.place(1, 1), f"document name {bgm.at(1)!r} is not one of {known}")
    reference = errors.need(bgm, 2, 1, "the carrier's reference", bgm.where)
    issued_at = _instant(errors, _qualified(tree.all("DTM"), "137"), before)
    post = errors.need(_qualified(tree.all("LOC"), "14"), 2, 1, "the post", f"LOC+14 {before}")
    carriers = [g.opening for g in tree.subgroups("SG2 (NAD)") if g.opening.at(1) == "CA"]
    carrier = errors.need(
        carriers[0] if carriers else None, 2, 1, "the carrier", f"NAD+CA {before}"
    )
    transport = tree.subgroups("SG7 (TDT)")[0].opening
    crossing = errors.need(transport, 2, 1, "the movement's crossing id", transport.where)
    manifest_id = make_id("M", carrier, reference) if carrier and reference else "M"
    lines = [_line(errors, group, manifest_id) for group in tree.subgroups("SG10 (GID)")]
    manifest: Manifest | None = None
    if not errors.found and kind is not None and issued_at is not None:
        try:
            manifest = Manifest(manifest_id, kind, post, crossing, carrier, reference, issued_at)
        except InvariantViolation as error:
            for violation in error.violations:
                errors.add(bgm.where, f"{violation.field}: {violation.message}")
    if errors.found:
        raise DocumentRejected(errors.found)
    assert manifest is not None
    return CargoReport(manifest, tuple(line for line in lines if line is not None))


def _instant(errors: _Errors, dtm: Segment | None, before: str) -> datetime | None:
    text = errors.need(dtm, 1, 2, "the time of issue (DTM+137)", f"DTM+137 {before}")
    if not text:
        return None
    assert dtm is not None
    if dtm.at(1, 3) not in ("", "203"):
        errors.add(dtm.place(1, 3), f"format {dtm.at(1, 3)!r} is not 203 (CCYYMMDDHHMM)")
        return None
    try:
        return datetime.strptime(text, "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        errors.add(dtm.place(1, 2), f"{text!r} is not a time as CCYYMMDDHHMM")
        return None


def _line(errors: _Errors, group: Node, manifest_id: str) -> ManifestLine | None:
    gid = group.opening
    before = len(errors.found)
    inside = f"in the line opened by {gid.where}"
    number = errors.need(gid, 1, 1, "the line number", gid.where)
    packages = gid.at(2, 1) or "0"
    for text, where in ((number, gid.place(1, 1)), (packages, gid.place(2, 1))):
        if text and (not text.isdigit() or len(text) > 6):
            errors.add(where, f"{text!r} is not a whole number")
    hs = errors.need(_qualified(group.all("PIA"), "5"), 2, 1, "the HS code", f"PIA+5 {inside}")
    ftx = _qualified(group.all("FTX"), "AAA")
    description = "".join(ftx.elements[3]) if ftx is not None and len(ftx.elements) > 3 else ""
    if not description.strip():
        errors.add(ftx.place(4) if ftx else f"FTX+AAA {inside}", "required: the description")
    mea = _qualified(group.all("MEA"), "AAB", 2)
    mass_text = errors.need(mea, 3, 2, "the gross mass in kilograms", f"MEA+WT+AAB {inside}")
    mass = None
    try:
        mass = float(mass_text) if mass_text else None
    except ValueError:
        assert mea is not None
        errors.add(mea.place(3, 2), f"{mass_text!r} is not a mass")
    sgp = group.first("SGP")
    unit = sgp.at(1, 1) or None if sgp is not None else None
    consignees = [g.opening for g in group.subgroups("SG13 (NAD)") if g.opening.at(1) == "CN"]
    consignee = consignees[0].at(2, 1) or None if consignees else None
    if len(errors.found) > before or mass is None:
        return None
    try:
        return ManifestLine(
            manifest_id, int(number), hs, description, int(packages), mass, unit, consignee
        )
    except InvariantViolation as error:
        for violation in error.violations:
            errors.add(gid.where, f"{violation.field}: {violation.message}")
        return None


def build_cuscar(report: CargoReport, *, reference: str = "1") -> str:
    m = report.manifest
    body: list[tuple[str, Sequence[Sequence[str] | str]]] = [
        ("UNH", [reference, ["CUSCAR", "D", "96B", "UN"]]),
        ("BGM", [CODES[m.kind], m.reference, "9"]),
        ("DTM", [["137", m.issued_at.astimezone(UTC).strftime("%Y%m%d%H%M"), "203"]]),
        ("LOC", ["14", m.post_code]),
        ("NAD", ["CA", m.carrier_id]),
        ("TDT", ["20", m.crossing_id]),
    ]
    for line in report.lines:
        body += [
            ("GID", [str(line.line_no), str(line.packages)]),
            ("FTX", ["AAA", "", "", _chunks(line.description)]),
            ("PIA", ["5", [line.hs_code, "HS"]]),
            ("MEA", ["WT", "AAB", ["KGM", _number(line.gross_mass_kg)]]),
        ]
        if line.unit_crossing_id is not None:
            body.append(("SGP", [line.unit_crossing_id]))
        if line.consignee_id is not None:
            body.append(("NAD", ["CN", line.consignee_id]))
    body.append(("UNT", [str(len(body) + 1), reference]))
    return write(_envelope(body, "CUSCAR"))
