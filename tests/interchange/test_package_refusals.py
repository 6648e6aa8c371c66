"""Rows of the selectivity and radiation tables that the store or the product would refuse are
refused at their file, row and field: a second value of a unique constraint, text the domain's
constructor refuses, empty text a CSV cell cannot carry back. Never a traceback, never a raw
IntegrityError, and the store is left as it was."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine

from dostyk.domain.slices import encode_counts
from dostyk.interchange.datapackage import PackageRejected, export_package, import_package
from tests.conftest import SAMPLE_PACKAGE, make_store
from tests.interchange.test_datapackage import copy_sample, counts, edit_csv, files_of

Located = tuple[str, int | None, str | None, str]


def refused(engine: Engine, package: Path) -> list[Located]:
    """The refusal's errors as (file, row, field, message); nothing was written."""
    before = counts(engine)
    with pytest.raises(PackageRejected) as rejected:
        import_package(engine, package)
    assert counts(engine) == before
    return [(e.file, e.row, e.field, e.message) for e in rejected.value.errors]


def cell(path: Path, row: int, column: str) -> str:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[row][rows[0].index(column)]


def drop_sizes(package: Path) -> None:
    descriptor_path = package / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text())
    for resource in descriptor["resources"]:
        resource.pop("bytes", None)
        resource.pop("hash", None)
    descriptor_path.write_text(json.dumps(descriptor, indent=2))


def test_two_monitors_on_one_lane_are_refused_at_the_second(engine: Engine, tmp_path: Path) -> None:
    package = copy_sample(tmp_path)
    monitors = package / "portal_monitors.csv"
    edit_csv(monitors, 2, "lane", cell(monitors, 1, "lane"))
    errors = refused(engine, package)
    assert any(
        (f, r, c) == ("portal_monitors.csv", 2, "post_code, lane") and "by row 1" in m
        for f, r, c, m in errors
    ), errors


def test_a_monitor_on_a_stored_monitors_lane_is_refused(engine: Engine, tmp_path: Path) -> None:
    import_package(engine, SAMPLE_PACKAGE)
    package = copy_sample(tmp_path)
    edit_csv(package / "portal_monitors.csv", 1, "monitor_id", "RPM-DST-OTHER")
    errors = refused(engine, package)
    assert any(
        (f, r, c) == ("portal_monitors.csv", 1, "post_code, lane") and "in the store" in m
        for f, r, c, m in errors
    ), errors


@pytest.mark.parametrize(
    ("file", "edited", "value", "field", "says"),
    [
        ("alarm_findings.csv", "explanation", "   ", "explanation", "is empty"),
        ("risk_models.csv", "figures", "not json", "figures", "JSON object"),
        ("risk_models.csv", "figures", "[1, 2]", "figures", "JSON object"),
        ("rule_profiles.csv", "source", "profile: x\nrules: []\n", "digest", "SHA-256"),
        ("occupancies.csv", "gamma_counts", "u2:3x4:AAAA", "gamma_counts", "counts"),
        ("occupancies.csv", "windows", "30-abc", "windows", "cannot be read"),
        ("occupancies.csv", "windows", "400-30", "windows", "keV"),
        ("occupancies.csv", "slices", "3", "slices", "slices"),
        ("occupancies.csv", "faults", "[[1]]", "faults", "cannot be read"),
    ],
)
def test_text_the_product_refuses_is_refused_at_its_row_and_field(
    engine: Engine, tmp_path: Path, file: str, edited: str, value: str, field: str, says: str
) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / file, 1, edited, value)
    errors = refused(engine, package)
    assert any(f == file and r == 1 and c == field and says in m for f, r, c, m in errors), errors


def test_empty_required_text_in_a_parquet_file_is_refused_as_missing(
    engine: Engine, tmp_path: Path
) -> None:
    """A CSV cell cannot tell empty text from a missing value, so empty text in a required
    column (which Parquet can hold) would not import back from the store's own export."""
    source = make_store(f"sqlite:///{tmp_path / 'source.db'}")
    import_package(source, SAMPLE_PACKAGE)
    package = tmp_path / "parquet"
    export_package(source, package, file_format="parquet")
    source.dispose()
    path = package / "alarm_findings.parquet"
    data = pq.read_table(path)
    values = data.column("explanation").to_pylist()
    values[0] = ""
    index = data.schema.get_field_index("explanation")
    pq.write_table(data.set_column(index, "explanation", pa.array(values, pa.string())), path)
    drop_sizes(package)
    errors = refused(engine, package)
    assert ("alarm_findings.parquet", 1, "explanation", "is required") in errors, errors


def test_a_monitor_without_neutron_panels_exports_and_imports_back(
    engine: Engine, tmp_path: Path
) -> None:
    """Its panels are empty text, which an empty CSV cell reads back as, not as missing."""
    package = copy_sample(tmp_path)
    occupancies = package / "occupancies.csv"
    slices = int(cell(occupancies, 1, "slices"))
    edit_csv(occupancies, 1, "neutron_panels", "")
    edit_csv(occupancies, 1, "neutron_counts", encode_counts(np.zeros((slices, 0), np.int64)))
    for name in ("background_before_neutron", "background_after_neutron"):
        if cell(occupancies, 1, name):
            edit_csv(occupancies, 1, name, encode_counts(np.zeros(0, np.float64)))
    import_package(engine, package)
    export_package(engine, tmp_path / "first")
    assert cell(tmp_path / "first" / "occupancies.csv", 1, "neutron_panels") == ""
    again = make_store(f"sqlite:///{tmp_path / 'again.db'}")
    import_package(again, tmp_path / "first")
    export_package(again, tmp_path / "second")
    again.dispose()
    assert files_of(tmp_path / "first") == files_of(tmp_path / "second")
