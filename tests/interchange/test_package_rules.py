"""The rules at the data package's entrance: the same rules as every other entrance, every
broken rule of a row reported, and the plausibility of crossings checked across rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from dostyk.interchange.datapackage import PackageRejected, import_package
from tests.interchange.test_datapackage import copy_sample, counts, edit_csv


def refusals(engine: Engine, package: Path) -> set[tuple[str, int | None, str | None, str]]:
    before = counts(engine)
    with pytest.raises(PackageRejected) as rejected:
        import_package(engine, package)
    assert counts(engine) == before
    return {(e.file, e.row, e.field, e.message) for e in rejected.value.errors}


def test_every_broken_rule_of_a_row_is_reported(engine: Engine, tmp_path: Path) -> None:
    package = copy_sample(tmp_path)
    items = package / "declaration_items.csv"
    for column, value in (("origin", "XX"), ("currency", "ZZZ"), ("unit", "FOO")):
        edit_csv(items, 1, column, value)
    found = {(row, f) for file, row, f, _ in refusals(engine, package) if file == items.name}
    assert {(1, "origin"), (1, "currency"), (1, "unit")} <= found


@pytest.mark.parametrize(
    ("file", "column", "value", "words"),
    [
        ("crossings.csv", "crossed_at", "1900-01-01T00:00:00Z", "where Dostyk's history starts"),
        ("crossings.csv", "gross_mass_kg", "1e308", "more than the 500,000,000 kg limit"),
        ("declarations.csv", "declaration_id", "D\u00a0000", "is not an identifier"),
        ("declaration_items.csv", "description", "Valves\x00", "a control character (U+0000)"),
        ("findings.csv", "extra_duty", "9999999999999999.99", "is more than the"),
    ],
)
def test_the_domain_rules_guard_an_import(
    engine: Engine, tmp_path: Path, file: str, column: str, value: str, words: str
) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / file, 1, column, value)
    found = refusals(engine, package)
    assert any(f == file and row == 1 and words in m for f, row, _, m in found), found


def test_a_railcar_heavier_than_a_railcar_can_be_is_refused(engine: Engine, tmp_path: Path) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / "crossings.csv", 2, "gross_mass_kg", "250000.0")
    found = refusals(engine, package)
    assert any("more than a railcar weighs loaded" in m for _, row, _, m in found if row == 2)


def test_a_unit_crossing_hours_before_its_train_is_refused(engine: Engine, tmp_path: Path) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / "crossings.csv", 2, "crossed_at", "2024-02-29T18:00:14Z")
    found = refusals(engine, package)
    assert any("a unit crosses with its movement" in m for _, row, _, m in found if row == 2)


def test_one_railcar_in_two_trains_at_once_is_refused(engine: Engine, tmp_path: Path) -> None:
    package = copy_sample(tmp_path)
    crossings = package / "crossings.csv"
    lines = crossings.read_text(encoding="utf-8").splitlines()
    # A second train at the same post and minute, carrying the first train's first railcar.
    lines += [
        "X-TWICE,DST,TR0001,in,2024-02-29T22:00:14Z,true,,",
        "X-TWICE-1,DST,RC50000000,in,2024-02-29T22:00:14Z,true,69989.0,X-TWICE",
    ]
    crossings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = refusals(engine, package)
    assert any(
        f == "crossings.csv" and "a conveyance is in one movement and at one post" in m
        for f, _, _, m in found
    ), found


def test_a_railcar_already_stored_as_crossing_then_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    """The store holds the sample; a package bringing its first railcar in again at the same
    minute, in another train, is refused, while the sample itself imports again unchanged."""
    import_package(engine, copy_sample(tmp_path / "first"))
    package = copy_sample(tmp_path / "second")
    crossings = package / "crossings.csv"
    header = crossings.read_text(encoding="utf-8").splitlines()[0]
    crossings.write_text(
        f"{header}\n"
        "X-TWICE,DST,TR0001,in,2024-02-29T22:05:14Z,true,,\n"
        "X-TWICE-1,DST,RC50000000,in,2024-02-29T22:05:14Z,true,69989.0,X-TWICE\n",
        encoding="utf-8",
    )
    found = refusals(engine, package)
    assert any(
        f == "crossings.csv" and row == 2 and "but it crossed there at 2024-02-29T22:00:14Z" in m
        for f, row, _, m in found
    ), found
    assert import_package(engine, copy_sample(tmp_path / "third")).total == 0
