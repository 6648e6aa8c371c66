"""Rows read back from the store become the same domain objects as the checked constructor's,
while every path that takes input still runs the domain's invariants."""

from __future__ import annotations

from dataclasses import fields

import pytest

from dostyk.domain.errors import InvariantViolation
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
