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

from dostyk.domain.bounds import (
    DESCRIPTION_MAX,
    REFERENCE_MAX,
    Checks,
)

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
        checks = Checks()
        for name in ("manifest_id", "crossing_id", "carrier_id"):
            checks.identifier(name, getattr(self, name))
        checks.identifier("post_code", self.post_code, 12)
        if not self.reference.strip():
            checks.add("reference", "a manifest needs the carrier's reference")
        else:
            checks.text("reference", self.reference, REFERENCE_MAX)
        checks.instant("issued_at", self.issued_at)
        checks.done()


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
        checks = Checks()
        checks.identifier("manifest_id", self.manifest_id)
        if self.line_no < 1:
            checks.add("line_no", "lines are numbered from 1")
        if not HS_PREFIX.fullmatch(self.hs_code):
            checks.add("hs_code", f"{self.hs_code!r} is not a 4- to 10-digit code")
        checks.text("description", self.description, DESCRIPTION_MAX, prose=True)
        if self.packages < 0:
            checks.add("packages", "cannot be negative")
        checks.mass("gross_mass_kg", self.gross_mass_kg)
        for name in ("unit_crossing_id", "consignee_id"):
            if getattr(self, name) is not None:
                checks.identifier(name, getattr(self, name))
        checks.done()
