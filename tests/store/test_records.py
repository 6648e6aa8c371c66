"""Rows read back from the store become the same domain objects as the checked constructor's,
while every path that takes input still runs the domain's invariants."""

from __future__ import annotations

import typing
from dataclasses import fields

import pytest

from dostyk.domain.alarms import AlarmFinding
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.occupancies import RadiationKind
from dostyk.store.records import RECORD_TYPES
from tests.store.test_repositories import CONVEYANCES, CROSSINGS, DECLARATION, ITEMS, PARTIES, UNITS

RECORDS = (*PARTIES, *CONVEYANCES, *CROSSINGS, DECLARATION, *ITEMS, *UNITS)


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: type(r).__name__)
def test_a_stored_row_builds_the_same_object(record: object) -> None:
    record_type = next(rt for rt in RECORD_TYPES.values() if rt.domain is type(record))
    row = record_type.to_row(record)
    built = record_type.from_store(row)
    assert type(built) is type(record)
    assert built == record
    assert built == record_type.to_domain(row)
    for field in fields(record):  # type: ignore[arg-type]
        assert getattr(built, field.name) == getattr(record, field.name)


def test_input_rows_are_still_checked() -> None:
    record_type = RECORD_TYPES["declaration_items"]
    row = list(record_type.to_row(ITEMS[0]))
    row[record_type.field_names.index("gross_mass_kg")] = -1.0
    with pytest.raises(InvariantViolation):
        record_type.to_domain(row)


def test_an_alarm_findings_explanation_is_stored_as_its_text() -> None:
    """An alarm finding's explanation is one text (an assessment's is a tuple of lines): it is
    stored as it is, not joined character by character."""
    finding = AlarmFinding(
        "RA-OCC-1",
        "energy_window",
        RadiationKind.GAMMA,
        True,
        12.5,
        4.0,
        "Low-window counts 3.1 sigma above background | ratio 0.42",
    )
    record_type = RECORD_TYPES["alarm_findings"]
    row = record_type.to_row(finding)
    assert row[record_type.field_names.index("explanation")] == finding.explanation
    assert record_type.to_domain(row) == finding
    assert record_type.from_store(row) == finding


@pytest.mark.parametrize("table", sorted(RECORD_TYPES))
def test_text_stays_text_and_only_tuples_of_text_are_joined(table: str) -> None:
    """Every record type: a text field round-trips through its column unchanged ('|' and all),
    a tuple of text comes back as the same tuple."""
    record_type = RECORD_TYPES[table]
    hints = typing.get_type_hints(record_type.domain)
    for index, name in enumerate(record_type.field_names):
        hint = hints[name]
        to_column, to_field = record_type.to_column[index], record_type.to_field[index]
        if hint in (str, str | None):
            text = "Ş|ü text, with a bar"
            assert to_field(to_column(text)) == text, name
        elif hint in (tuple[str, ...], tuple[str, ...] | None):
            lines = ("rule:a", "model:b 0.7")
            assert to_field(to_column(lines)) == lines, name
