"""Partners' reported exports through the data package: loaded under the ledger, exported back,
and a bad row refused at its file, row and field with nothing stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from dostyk.interchange.datapackage import PackageRejected, import_package
from dostyk.interchange.datapackage.descriptor import resource_descriptor
from dostyk.interchange.datapackage.exporter import export_package
from dostyk.store import tables as t

HEADER = "reporter,partner,hs6,month,fob_usd,source,net_mass_kg,quantity,unit"
GOOD = [
    "CN,KZ,851713,2025-01,1250000.50,UN Comtrade (reporter 156),8200.5,32800,H87",
    "CN,KZ,690721,2025-01,420000,UN Comtrade (reporter 156),910000,,",
    "RU,KZ,721049,2024-12,99000.25,UN Comtrade (reporter 643),,,",
]


def package(folder: Path, rows: list[str]) -> Path:
    """A package holding only the partners' figures (every table of a package is optional)."""
    folder.mkdir()
    (folder / "partner_exports.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    descriptor = {"name": "partners", "resources": [resource_descriptor(t.partner_exports, "csv")]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return folder


def held(engine: Engine) -> tuple[int, int]:
    """Rows of partner_exports, and ledger entries logging them."""
    with engine.connect() as connection:
        rows = connection.execute(select(func.count()).select_from(t.partner_exports)).scalar_one()
        logged = connection.execute(
            select(func.count())
            .select_from(t.ledger_entries)
            .where(t.ledger_entries.c.table_name == "partner_exports")
        ).scalar_one()
    return rows, logged


def test_partner_figures_load_under_the_ledger_and_export_back(
    engine: Engine, tmp_path: Path
) -> None:
    report = import_package(engine, package(tmp_path / "in", GOOD))
    assert report.loaded["partner_exports"] == 3
    assert held(engine) == (3, 3)
    export_package(engine, tmp_path / "out")
    lines = (tmp_path / "out" / "partner_exports.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    assert lines[1:] == [
        "CN,KZ,690721,2025-01,420000.00,UN Comtrade (reporter 156),910000.0,,",
        "CN,KZ,851713,2025-01,1250000.50,UN Comtrade (reporter 156),8200.5,32800,H87",
        "RU,KZ,721049,2024-12,99000.25,UN Comtrade (reporter 643),,,",
    ]
    again = import_package(engine, tmp_path / "out")
    assert again.loaded["partner_exports"] == 0 and held(engine) == (3, 3)


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ("XX,KZ,851713,2025-01,1,S,,,", "reporter", "is not an ISO 3166-1 alpha-2"),
        ("KZ,KZ,851713,2025-01,1,S,,,", "partner", "does not export to itself"),
        ("CN,KZ,8517,2025-01,1,S,,,", "hs6", "is not a six-digit HS subheading"),
        ("CN,KZ,851713,2025-13,1,S,,,", "month", "is not a month written YYYY-MM"),
        ("CN,KZ,851713,2999-01,1,S,,,", "month", "has not begun yet"),
        ("CN,KZ,851713,2025-01,-5,S,,,", "fob_usd", "cannot be negative"),
        ("CN,KZ,851713,2025-01,1,S,0,,", "net_mass_kg", "is not a positive number"),
        ("CN,KZ,851713,2025-01,1,S,,12,", "unit", "a quantity and its unit"),
        ("CN,KZ,851713,2025-01,1,S,,12,BOX", "unit", "is not a known unit"),
        ("CN,KZ,851713,2025-01,1,,,,", "source", "is required"),
    ],
)
def test_a_bad_partner_figure_is_refused_at_its_file_row_and_field(
    engine: Engine, tmp_path: Path, row: str, field: str, words: str
) -> None:
    with pytest.raises(PackageRejected) as rejected:
        import_package(engine, package(tmp_path / "bad", [*GOOD, row]))
    found = [(e.file, e.row, e.field, e.message) for e in rejected.value.errors]
    assert any(
        f == "partner_exports.csv" and r == 4 and name == field and words in m
        for f, r, name, m in found
    ), found
    assert held(engine) == (0, 0)


def test_the_same_figure_twice_is_refused(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(PackageRejected) as rejected:
        import_package(engine, package(tmp_path / "twice", [*GOOD, GOOD[0]]))
    assert any(
        e.file == "partner_exports.csv" and e.row == 4 and "duplicate key" in e.message
        for e in rejected.value.errors
    )
    assert held(engine) == (0, 0)
