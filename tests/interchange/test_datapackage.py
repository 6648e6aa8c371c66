"""The data package: atomic imports with located errors, reproducible exports."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from frictionless import validate
from sqlalchemy import Engine, func, select

from dostyk.interchange.datapackage import PackageRejected, export_package, import_package
from dostyk.simulate.sample_history import write_sample_package
from dostyk.store import bulk
from dostyk.store.tables import TABLES
from tests.conftest import SAMPLE_PACKAGE, make_store


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
            for t in TABLES
        }


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def copy_sample(tmp_path: Path, *, keep_hashes: bool = False) -> Path:
    """A copy of the sample, as a hand-made package would be: without sizes and hashes."""
    target = tmp_path / "package"
    shutil.copytree(SAMPLE_PACKAGE, target)
    if not keep_hashes:
        descriptor_path = target / "datapackage.json"
        descriptor = json.loads(descriptor_path.read_text())
        for resource in descriptor["resources"]:
            resource.pop("bytes", None)
            resource.pop("hash", None)
        descriptor_path.write_text(json.dumps(descriptor, indent=2))
    return target


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Set one field of data row ``row`` (1-based, header excluded)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_sample_package_loads_every_table(engine: Engine) -> None:
    report = import_package(engine, SAMPLE_PACKAGE)
    stored = counts(engine)
    assert report.loaded["declarations"] == stored["declarations"] == 205
    assert stored["declaration_items"] == 605
    assert stored["declaration_units"] == 405
    empty = {name for name, n in stored.items() if n == 0}
    assert not empty, f"the sample should exercise every table; empty: {empty}"


def test_sample_package_carries_rows_of_every_table() -> None:
    """Every table's file in the sample has rows, the reference posts and rates included."""
    for table in TABLES:
        with (SAMPLE_PACKAGE / f"{table.name}.csv").open(encoding="utf-8", newline="") as handle:
            assert len(list(csv.reader(handle))) > 1, f"{table.name}.csv has no rows"


def test_sample_package_is_the_sample_history_of_its_seed(tmp_path: Path) -> None:
    """examples/sample-package is what ``python -m dostyk.simulate.sample_history`` writes."""
    write_sample_package(tmp_path / "sample")
    assert files_of(tmp_path / "sample") == files_of(SAMPLE_PACKAGE)


def test_export_import_export_is_byte_for_byte_stable(engine: Engine, tmp_path: Path) -> None:
    import_package(engine, SAMPLE_PACKAGE)
    first = tmp_path / "first"
    export_package(engine, first)
    again = make_store(f"sqlite:///{tmp_path / 'again.db'}")
    import_package(again, first)
    second = tmp_path / "second"
    export_package(again, second)
    assert files_of(first) == files_of(second)


def test_sqlite_and_postgresql_export_the_same_bytes(
    sqlite_url: str, postgres_url: str, tmp_path: Path
) -> None:
    exports = []
    for name, url in (("sqlite", sqlite_url), ("postgresql", postgres_url)):
        engine = make_store(url)
        import_package(engine, SAMPLE_PACKAGE)
        export_package(engine, tmp_path / name)
        engine.dispose()
        exports.append(files_of(tmp_path / name))
    assert exports[0] == exports[1]


def test_parquet_export_round_trips_to_the_same_records(engine: Engine, tmp_path: Path) -> None:
    import_package(engine, SAMPLE_PACKAGE)
    export_package(engine, tmp_path / "parquet", file_format="parquet")
    export_package(engine, tmp_path / "csv")
    again = make_store(f"sqlite:///{tmp_path / 'again.db'}")
    import_package(again, tmp_path / "parquet")
    export_package(again, tmp_path / "csv-again")
    assert files_of(tmp_path / "csv") == files_of(tmp_path / "csv-again")


def test_export_is_a_valid_frictionless_data_package(engine: Engine, tmp_path: Path) -> None:
    import_package(engine, SAMPLE_PACKAGE)
    export_package(engine, tmp_path / "out")
    report = validate(str(tmp_path / "out" / "datapackage.json"))
    problems = [(task.name, e.message) for task in report.tasks for e in task.errors]
    assert report.valid, problems[:5]


def test_reimporting_the_same_package_changes_nothing(engine: Engine) -> None:
    import_package(engine, SAMPLE_PACKAGE)
    before = counts(engine)
    report = import_package(engine, SAMPLE_PACKAGE)
    assert report.total == 0
    assert report.unchanged["declarations"] == 205
    assert counts(engine) == before


def test_a_stored_record_with_other_values_is_refused(engine: Engine, tmp_path: Path) -> None:
    import_package(engine, SAMPLE_PACKAGE)
    package = copy_sample(tmp_path)
    edit_csv(package / "declaration_items.csv", 4, "customs_value", "1.00")
    before = counts(engine)
    with pytest.raises(PackageRejected) as rejected:
        import_package(engine, package)
    assert any(
        e.file == "declaration_items.csv" and e.row == 4 and e.field == "customs_value"
        for e in rejected.value.errors
    ), rejected.value.errors
    assert counts(engine) == before


Breakage = Callable[[Path], None]


def wrong_type(package: Path) -> None:
    edit_csv(package / "declaration_items.csv", 5, "quantity", "twelve")


def unknown_hs_code(package: Path) -> None:
    edit_csv(package / "declaration_items.csv", 7, "commodity_code", "9999990000")


def dangling_reference(package: Path) -> None:
    edit_csv(package / "declaration_units.csv", 3, "crossing_id", "X999999999")


def duplicate_key(package: Path) -> None:
    path = package / "declarations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(10, lines[2])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def truncated_file(package: Path) -> None:
    """Cut in the middle of a row, as an interrupted copy would."""
    path = package / "declaration_items.csv"
    data = path.read_bytes()
    half = data[: len(data) // 2]
    path.write_bytes(half[: half.rindex(b",")])


def net_above_gross(package: Path) -> None:
    edit_csv(package / "declaration_items.csv", 2, "net_mass_kg", "999999.0")


def naive_time(package: Path) -> None:
    edit_csv(package / "crossings.csv", 6, "crossed_at", "2024-03-01T10:00:00")


def bad_enum(package: Path) -> None:
    edit_csv(package / "declarations.csv", 8, "kind", "smuggling")


def unit_from_another_post(package: Path) -> None:
    # Row 1 of declaration_units is declaration D000000000 at DST; X000000020 is a KHR crossing.
    edit_csv(package / "declaration_units.csv", 1, "crossing_id", "X000000020")


def wrong_role(package: Path) -> None:
    # The carrier KTZ is not a registered declarant.
    edit_csv(package / "declarations.csv", 3, "declarant_id", "KTZ")


CASES: dict[str, tuple[Breakage, str, int | None, str | None, str]] = {
    "wrong type": (wrong_type, "declaration_items.csv", 5, "quantity", "not a decimal"),
    "unknown HS code": (
        unknown_hs_code,
        "declaration_items.csv",
        7,
        "commodity_code",
        "not a subheading",
    ),
    "dangling reference": (
        dangling_reference,
        "declaration_units.csv",
        3,
        "crossing_id",
        "neither crossings nor the store",
    ),
    "duplicate key": (duplicate_key, "declarations.csv", 10, "declaration_id", "duplicate key"),
    "truncated file": (truncated_file, "declaration_items.csv", None, None, "fields"),
    "net above gross": (net_above_gross, "declaration_items.csv", 2, "net_mass_kg", "exceeds"),
    "naive time": (naive_time, "crossings.csv", 6, "crossed_at", "time zone"),
    "bad code list value": (bad_enum, "declarations.csv", 8, "kind", "not one of"),
    "unit from another post": (
        unit_from_another_post,
        "declaration_units.csv",
        1,
        "crossing_id",
        "crossed at KHR",
    ),
    "party in the wrong role": (wrong_role, "declarations.csv", 3, "declarant_id", "not a"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_package_is_refused_with_its_location_and_nothing_is_written(
    case: str, engine: Engine, tmp_path: Path
) -> None:
    breakage, file, row, field, words = CASES[case]
    package = copy_sample(tmp_path)
    breakage(package)
    before = counts(engine)
    with pytest.raises(PackageRejected) as rejected:
        import_package(engine, package)
    errors = rejected.value.errors
    matching = [
        e
        for e in errors
        if e.file == file
        and (row is None or e.row == row)
        and (field is None or e.field == field)
        and words in e.message
    ]
    assert matching, [str(e) for e in errors]
    if row is None:
        assert all(e.row is not None for e in matching) or "fields" in words
    assert counts(engine) == before


def test_a_file_cut_at_a_row_boundary_is_caught_by_its_recorded_size(
    engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path, keep_hashes=True)
    path = package / "declaration_items.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-30]), encoding="utf-8")
    with pytest.raises(PackageRejected) as rejected:
        import_package(engine, package)
    assert "declaration_items.csv: is " in str(rejected.value)
    assert "the file is truncated or was changed" in str(rejected.value)
    assert counts(engine)["declarations"] == 0


def test_a_changed_file_is_caught_by_its_recorded_hash(engine: Engine, tmp_path: Path) -> None:
    package = copy_sample(tmp_path, keep_hashes=True)
    path = package / "payments.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    row = lines[3]
    digit = row.rstrip("\n").split(",")[2][-1]
    lines[3] = row.replace(f"{digit},", f"{(int(digit) + 1) % 10},", 1)
    path.write_text("".join(lines), encoding="utf-8")  # same size, one cent more
    with pytest.raises(PackageRejected, match=r"payments\.csv: its sha256 hash differs"):
        import_package(engine, package)


def test_a_truncated_row_is_named(engine: Engine, tmp_path: Path) -> None:
    package = copy_sample(tmp_path)
    path = package / "declaration_items.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[12] = ",".join(lines[12].split(",")[:5])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(PackageRejected) as rejected:
        import_package(engine, package)
    assert "declaration_items.csv, row 12: has 5 fields where the header has 13" in str(
        rejected.value
    )


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda p: (p / "datapackage.json").write_text("{not json"), "not valid JSON"),
        (lambda p: (p / "findings.csv").unlink(), "findings.csv: the file named"),
        (lambda p: (p / "datapackage.json").unlink(), "datapackage.json: not found"),
    ],
)
def test_a_broken_descriptor_is_refused(
    breakage: Breakage, expected: str, engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path)
    breakage(package)
    with pytest.raises(PackageRejected, match=expected):
        import_package(engine, package)
    assert counts(engine)["declarations"] == 0


def test_an_unknown_column_is_named(engine: Engine, tmp_path: Path) -> None:
    package = copy_sample(tmp_path)
    path = package / "parties.csv"
    text = path.read_text(encoding="utf-8").replace("roles", "role", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PackageRejected) as rejected:
        import_package(engine, package)
    messages = {str(e) for e in rejected.value.errors}
    assert "parties.csv, field roles: column missing from the header" in messages
    assert any(m.startswith("parties.csv, field role: unknown column") for m in messages)


def test_a_failure_while_loading_leaves_the_store_unchanged(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_load = bulk.load
    loaded: list[str] = []

    def failing_load(connection: object, table: object, rows: object) -> int:
        name = table.name  # type: ignore[attr-defined]
        if name == "declaration_items":
            raise RuntimeError("disk full")
        loaded.append(name)
        return real_load(connection, table, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "load", failing_load)
    before = counts(engine)
    with pytest.raises(RuntimeError, match="disk full"):
        import_package(engine, SAMPLE_PACKAGE)
    assert "declarations" in loaded, "the failure should come after some tables were written"
    assert counts(engine) == before


def test_errors_are_collected_up_to_the_limit(engine: Engine, tmp_path: Path) -> None:
    package = copy_sample(tmp_path)
    for row in range(1, 40):
        edit_csv(package / "declaration_items.csv", row, "origin", "XX")
    with pytest.raises(PackageRejected) as rejected:
        import_package(engine, package, error_limit=10)
    assert len(rejected.value.errors) == 10
    assert rejected.value.more == 29
    assert "and 29 more" in str(rejected.value)
