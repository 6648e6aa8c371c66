"""Discrepancies found by reconciling what crossed with what was declared.

Goods "off the manifest" leave exactly these traces: a laden railcar that no declaration covers,
a manifest line no declaration item claims, a unit that weighs more than its declared cargo can
explain. Each becomes a record that someone must resolve, instead of a silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dostyk.domain.errors import InvariantViolation, check_aware


class DiscrepancyKind(StrEnum):
    UNDECLARED_UNIT = "undeclared_unit"
    UNDECLARED_MANIFEST_LINE = "undeclared_manifest_line"
    MASS_EXCESS = "mass_excess"
    EMPTY_NOT_EMPTY = "empty_not_empty"


@dataclass(frozen=True, slots=True)
class Discrepancy:
    discrepancy_id: str
    post_code: str
    kind: DiscrepancyKind
    detail: str
    found_at: datetime
    found_by: str
    crossing_id: str | None = None
    manifest_id: str | None = None
    line_no: int | None = None
    declaration_id: str | None = None

    def __post_init__(self) -> None:
        check_aware("found_at", self.found_at)
        if not self.detail.strip():
            raise InvariantViolation("detail", "a discrepancy says what does not match")
        if self.line_no is not None and self.manifest_id is None:
            raise InvariantViolation("line_no", "a manifest line needs its manifest")
