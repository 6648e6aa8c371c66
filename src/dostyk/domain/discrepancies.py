"""Discrepancies found by reconciling what crossed with what was declared.

Goods "off the manifest" leave exactly these traces: a laden railcar that no declaration covers,
a manifest line no declaration item claims, a unit that weighs more than its declared cargo can
explain; and the other way round, cargo declared that the weighed mass cannot hold, or that was
never weighed (the same load declared twice clears goods that never existed, or hides others).
Each becomes a record that someone must resolve, instead of a silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dostyk.domain.bounds import RECORDED_MAX, Checks


class DiscrepancyKind(StrEnum):
    UNDECLARED_UNIT = "undeclared_unit"
    UNDECLARED_MANIFEST_LINE = "undeclared_manifest_line"
    MASS_EXCESS = "mass_excess"
    EMPTY_NOT_EMPTY = "empty_not_empty"
    #: More cargo declared on units than their weighed mass leaves room for (two declarations
    #: claiming the same railcar's load, or goods declared that never crossed).
    MASS_SHORTFALL = "mass_shortfall"
    #: Cargo declared on units that were never weighed: a claim nothing measured.
    UNWEIGHED_CARGO = "unweighed_cargo"


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
        checks = Checks()
        for name in ("discrepancy_id", "found_by"):
            checks.identifier(name, getattr(self, name))
        checks.identifier("post_code", self.post_code, 12)
        for name in ("crossing_id", "manifest_id", "declaration_id"):
            if getattr(self, name) is not None:
                checks.identifier(name, getattr(self, name))
        checks.instant("found_at", self.found_at)
        if not self.detail.strip():
            checks.add("detail", "a discrepancy says what does not match")
        else:
            checks.text("detail", self.detail, RECORDED_MAX, prose=True)
        if self.line_no is not None and self.manifest_id is None:
            checks.add("line_no", "a manifest line needs its manifest")
        checks.done()
