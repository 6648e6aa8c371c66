"""The rules at the CLI's entrance: --at within the window of live steps, documents refused with
every broken rule named, and nothing written by a refusal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli import documents as docs
from tests.cli.conftest import Invoke
from tests.cli.test_refusals import refused

FAR = "9999-12-31T23:59:59Z"


@pytest.mark.parametrize(
    "line",
    [
        f"declaration assess D-TOYS --as system --at {FAR}",
        f"declaration show D-TOYS --at {FAR}",
        f"duties assess D-TOYS --as system --at {FAR}",
        f"pay D-TOYS --amount 1.00 --reference R-1 --as BRK000 --at {FAR}",
        f"queue show --post DST --at {FAR}",
        "queue show --post DST --at 0001-01-01T00:00:00+05:00",
        "queue show --post DST --at 1900-01-01T00:00:00Z",
    ],
)
def test_an_instant_outside_the_window_is_a_clean_refusal(
    dostyk: Invoke, home: Path, line: str
) -> None:
    text = refused(dostyk, home, line.split(), "--at", code=2)
    assert "OverflowError" not in text


def test_a_mistyped_year_cannot_lock_a_declaration(dostyk: Invoke, home: Path) -> None:
    """Lodging in year 2224 would put every real step before it; it is refused, not stored."""
    docs.write("crossing.json", docs.crossing())
    assert dostyk("crossing register crossing.json --as IN-DST1 --at", docs.at(5)).exit_code in {
        0,
        2,
    }
    docs.write("decl.json", docs.toys())
    refused(
        dostyk,
        home,
        ["declaration", "lodge", "decl.json", "--as", "BRK000", "--at", "2224-03-01T05:00:00Z"],
        "is in the future",
        code=2,
    )


def test_a_document_reports_every_broken_rule_of_an_item(dostyk: Invoke, home: Path) -> None:
    document = docs.toys()
    document["items"][0].update(origin="XX", currency="ZZZ", unit="FOO")
    docs.write("decl.json", document)
    lodge = ["declaration", "lodge", "decl.json", "--as", "BRK000", "--at", docs.at(30)]
    refused(
        dostyk,
        home,
        lodge,
        "decl.json: items[0].origin: 'XX' is not an ISO 3166-1 alpha-2 country code",
        "decl.json: items[0].unit: 'FOO' is not a known unit of measure",
        "decl.json: items[0].currency: 'ZZZ' is not an ISO 4217 currency code",
    )


def test_a_mass_given_as_text_is_refused_naming_the_field(dostyk: Invoke, home: Path) -> None:
    document = docs.toys()
    document["items"][0]["gross_mass_kg"] = "1000"
    docs.write("decl.json", document)
    refused(
        dostyk,
        home,
        ["declaration", "lodge", "decl.json", "--as", "BRK000", "--at", docs.at(30)],
        "decl.json: items[0].gross_mass_kg: must be a number without quotes, not the text '1000'",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("declaration_id", "D-TOYS\n2", "declaration.declaration_id: 'D-TOYS\\n2' is not an id"),
        ("declaration_id", "D\u00a0TOYS", "declaration.declaration_id: 'D\\xa0TOYS' is not an id"),
        ("reference", "REF\x00", "declaration.reference: holds a control character (U+0000)"),
    ],
)
def test_ids_and_references_follow_the_rules(
    dostyk: Invoke, home: Path, field: str, value: str, message: str
) -> None:
    document = docs.toys()
    document["declaration"][field] = value
    docs.write("decl.json", document)
    refused(
        dostyk,
        home,
        ["declaration", "lodge", "decl.json", "--as", "BRK000", "--at", docs.at(30)],
        message.replace("is not an id", "is not an identifier"),
    )


def test_an_extra_duty_no_payment_could_hold_is_refused_at_the_finding(
    dostyk: Invoke, home: Path
) -> None:
    docs.write("findings.json", docs.findings(extra_duty="9999999999999999.99"))
    refused(
        dostyk,
        home,
        ["inspection", "finish", "I-1", "--findings", "findings.json", "--as", "IN-DST1"],
        "findings.json: findings[0].extra_duty: 9,999,999,999,999,999.99 is more than the "
        "1,000,000,000,000 limit",
    )
