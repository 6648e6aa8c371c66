"""Reading the lifecycle's JSON documents into domain objects, without a store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dostyk.domain.conveyances import ConveyanceKind, Direction
from dostyk.domain.declarations import DeclarationStatus, DeclarationUnit
from dostyk.domain.inspections import FindingKind
from dostyk.interchange.json_documents import (
    DocumentError,
    DocumentRejected,
    parse_crossing,
    parse_declaration,
    parse_findings,
    read_crossing,
)
from tests.cli import documents as docs

LODGED = datetime(2024, 3, 1, 4, 10, tzinfo=UTC)


def problems(parse: Any, document: Any, *args: Any, **kwargs: Any) -> list[str]:
    text = document if isinstance(document, str) else json.dumps(document)
    with pytest.raises(DocumentRejected) as caught:
        parse(text, "doc.json", *args, **kwargs)
    return [str(error) for error in caught.value.errors]


def test_units_take_the_movements_post_direction_time_and_id() -> None:
    document = docs.crossing()
    document["units"][2]["direction"] = "out"
    parsed = parse_crossing(json.dumps(document), "crossing.json")
    assert parsed.movement.crossing_id == "X-T1" and parsed.movement.part_of is None
    assert parsed.movement.crossed_at == datetime(2024, 3, 1, 4, 0, tzinfo=UTC)
    first, _, third = parsed.units
    assert (first.post_code, first.direction, first.part_of) == ("DST", Direction.IN, "X-T1")
    assert first.crossed_at == parsed.movement.crossed_at
    assert first.gross_mass_kg == 63500.0 and first.laden
    assert third.direction is Direction.OUT  # given, so kept: the use case judges it
    assert [c.kind for c in parsed.conveyances] == [ConveyanceKind.TRAIN, ConveyanceKind.RAILCAR]
    assert parsed.conveyances[1].tare_mass_kg == 23500.0
    assert parsed.conveyances[0].tare_mass_kg is None


def test_a_crossing_without_units_or_conveyances() -> None:
    document = {"movement": docs.crossing()["movement"]}
    parsed = parse_crossing(json.dumps(document), "crossing.json")
    assert parsed.units == () and parsed.conveyances == ()


def test_a_bad_movement_is_reported_once_not_again_for_each_unit() -> None:
    document = docs.crossing()
    document["movement"]["crossed_at"] = "2024-03-01 09:00"
    assert problems(parse_crossing, document) == [
        "doc.json: movement.crossed_at: '2024-03-01 09:00' has no time zone; write it in UTC "
        "with a trailing Z"
    ]
    del document["movement"]
    assert problems(parse_crossing, document) == ["doc.json: movement: required"]


def test_numbers_are_read_exactly_as_written() -> None:
    document = docs.trousers()
    document["items"][0]["customs_value"] = 301548.52
    document["items"][0]["exchange_rate"] = 0.000001
    parsed = parse_declaration(json.dumps(document), "decl.json", lodged_at=LODGED)
    [item] = parsed.items
    assert item.customs_value == Decimal("301548.52")
    assert item.exchange_rate == Decimal("0.000001")
    assert item.quantity == Decimal(64000) and item.net_mass_kg == 38000.0
    assert item.declaration_id == "D-TROUSERS"
    document["items"][0]["customs_value"] = 1e30
    assert problems(parse_declaration, document, lodged_at=LODGED) == [
        f"doc.json: items[0].customs_value: {10**30} has more than 16 digits before the "
        "decimal point"
    ]


def test_customs_sets_the_time_status_and_channel() -> None:
    parsed = parse_declaration(json.dumps(docs.toys()), "decl.json", lodged_at=LODGED)
    declaration = parsed.declaration
    assert declaration.lodged_at == LODGED
    assert declaration.status is DeclarationStatus.LODGED and declaration.channel is None
    assert parsed.units == (DeclarationUnit("D-TOYS", "X-T1-1"),)
    assert parsed.items[0].customs_value == Decimal("10000.00")
    document = docs.toys()
    document["declaration"].update(lodged_at="2024-01-01T00:00:00Z", channel="green")
    assert problems(parse_declaration, document, lodged_at=LODGED) == [
        "doc.json: declaration.lodged_at: is the time of lodgement, set when it is lodged "
        "(--at); leave it out",
        "doc.json: declaration.channel: is set by risk assessment; leave it out",
    ]


def test_every_problem_is_reported_at_once() -> None:
    document = docs.toys()
    document["surplus"] = 1
    document["declaration"]["kind"] = "smuggling"
    document["items"].append(dict(document["items"][0], item_no=2, origin="XX", unit="BAG"))
    document["items"].append("toys")
    document["units"] = "X-T1-1"
    assert problems(parse_declaration, document, lodged_at=LODGED) == [
        "doc.json: surplus: unknown section; the document has declaration, items, units",
        "doc.json: declaration.kind: 'smuggling' is not one of import, export, transit",
        "doc.json: items[1].origin: 'XX' is not an ISO 3166-1 alpha-2 country code",
        "doc.json: items[1].unit: 'BAG' is not a known unit of measure (CEN, CT, GRM, H87, KGM, "
        "KWH, LPA, LTR, MIL, MTK, MTQ, MTR, NAR, PR, TNE)",
        "doc.json: items[2]: must be a JSON object, not the text 'toys'",
        "doc.json: units: must be a JSON array, not the text 'X-T1-1'",
    ]


def test_an_item_without_a_declaration_id_to_take() -> None:
    document = docs.toys()
    del document["declaration"]["declaration_id"]
    assert problems(parse_declaration, document, lodged_at=LODGED) == [
        "doc.json: declaration.declaration_id: required"
    ]


def test_findings_default_to_no_extra_duty_and_nothing_seized() -> None:
    document = {"findings": [{"finding_no": 1, "kind": "mass_discrepancy", "description": "x"}]}
    [finding] = parse_findings(json.dumps(document), "f.json", "I-1")
    assert finding.inspection_id == "I-1" and finding.kind is FindingKind.MASS_DISCREPANCY
    assert finding.extra_duty == Decimal("0.00") and finding.seized is False
    assert finding.item_no is None
    assert parse_findings('{"findings": []}', "f.json", "I-1") == ()
    document["findings"][0].update(seized="true", extra_duty=120.5)
    [finding] = parse_findings(json.dumps(document), "f.json", "I-1")
    assert finding.seized is True and finding.extra_duty == Decimal("120.5")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "findings[0].finding_no: must be an integer, not true"),
        ("", "findings[0].finding_no: must be an integer"),
        ("1e2", "findings[0].finding_no: '1e2' is not an integer"),
        (2**40, f"findings[0].finding_no: {2**40} is out of range"),
        ([1], "findings[0].finding_no: must be a single value, not an array"),
        (None, "findings[0].finding_no: required"),
    ],
)
def test_field_types(value: Any, message: str) -> None:
    document = {"findings": [{"finding_no": value, "kind": "mass_discrepancy", "description": "x"}]}
    assert problems(parse_findings, document, "I-1") == [f"doc.json: {message}"]


def test_whole_document_problems(tmp_path: Path) -> None:
    assert problems(parse_findings, "{", "I-1") == [
        "doc.json: not JSON: Expecting property name enclosed in double quotes (line 1, column 2)"
    ]
    assert problems(parse_findings, "null", "I-1") == [
        "doc.json: must be a JSON object with findings, not null"
    ]
    missing = tmp_path / "none.json"
    with pytest.raises(DocumentRejected) as caught:
        read_crossing(missing)
    assert str(caught.value) == f"{missing}: cannot be read: No such file or directory"
    assert str(DocumentError("a.json", "", "x")) == "a.json: x"
    assert str(DocumentError("a.json", "items[0]", "x")) == "a.json: items[0]: x"
