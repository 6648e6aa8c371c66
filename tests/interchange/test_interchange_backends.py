"""A WCO declaration and a CUSCAR imported on both back ends, each file in one transaction."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

from dostyk.domain.manifests import Manifest, ManifestKind, ManifestLine
from dostyk.interchange.edifact.cuscar import CargoReport, build_cuscar
from dostyk.interchange.importing import import_file
from dostyk.services.declaration_record import read_declaration
from dostyk.services.errors import ValidationFailed
from tests.interchange.wco_world import OPTIONS, SAMPLES, build_uk_world
from tests.services.world import T0


def test_wco_and_cuscar_on_each_back_end(engine: Engine) -> None:
    build_uk_world(engine)
    data = (SAMPLES / "TT_IM001d.xml").read_bytes()
    [done] = import_file(engine, data, "s.xml", actor="GB603202734852", at=T0, options=OPTIONS)
    assert done.lodgement is not None and done.lodgement.accepted
    view = read_declaration(engine, done.lodgement.declaration.declaration_id)
    assert [i.commodity_code for i in view.items] == ["8510900000", "8510100000", "8510200000"]
    assert view.units == ["X-UK1-AD12345"]
    moved = datetime(2025, 3, 1, 0, 30, tzinfo=UTC)
    manifest = Manifest(
        "M-KTZ-UK-1", ManifestKind.RAIL_WAYBILL, "DST", "X-UK1", "KTZ", "UK-1", moved
    )
    line = ManifestLine("M-KTZ-UK-1", 1, "851090", "Shaver parts", 50, 150.0, "X-UK1-AD12345")
    report = build_cuscar(CargoReport(manifest, (line,)))
    [lodged] = import_file(engine, report.encode(), "c.edi", actor="KTZ", at=T0)
    assert lodged.manifest == manifest
    with pytest.raises(ValidationFailed, match="already lodged"):
        import_file(engine, report.encode(), "c.edi", actor="KTZ", at=T0)
