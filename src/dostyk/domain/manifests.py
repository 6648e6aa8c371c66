"""Manifests: the carrier's own account of what a conveyance carries.

A rail waybill (SMGS) or a road cargo report is written before the border by the carrier, not the
importer, which makes it the independent record that declarations are reconciled against: goods
on the manifest but on no declaration are the classic trace of smuggling "off the manifest".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dostyk.domain.errors import InvariantViolation, check_positive

HS_PREFIX = re.compile(r"[0-9]{4,10}", re.ASCII)


class ManifestKind(StrEnum):
    RAIL_WAYBILL = "rail_waybill"
    CARGO_REPORT = "cargo_report"


@dataclass(frozen=True, slots=True)
class Manifest:
    manifest_id: str
    kind: ManifestKind
    post_code: str
    crossing_id: str
    carrier_id: str
    reference: str
    issued_at: datetime

    def __post_init__(self) -> None:
        if not self.reference.strip():
            raise InvariantViolation("reference", "a manifest needs the carrier's reference")
        if self.issued_at.tzinfo is None:
            raise InvariantViolation("issued_at", "needs its time zone")


@dataclass(frozen=True, slots=True)
class ManifestLine:
    """One consignment on a manifest, in the unit (railcar, trailer) that carries it."""

    manifest_id: str
    line_no: int
    hs_code: str
    description: str
    packages: int
    gross_mass_kg: float
    unit_crossing_id: str | None = None
    consignee_id: str | None = None

    def __post_init__(self) -> None:
        if self.line_no < 1:
            raise InvariantViolation("line_no", "lines are numbered from 1")
        if not HS_PREFIX.fullmatch(self.hs_code):
            raise InvariantViolation("hs_code", f"{self.hs_code!r} is not a 4- to 10-digit code")
        if self.packages < 0:
            raise InvariantViolation("packages", "cannot be negative")
        check_positive("gross_mass_kg", self.gross_mass_kg)
