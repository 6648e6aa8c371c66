"""A package is loaded whole or refused by name: nothing dropped, nothing read from outside it.

Each test here is a way a package once slipped past the importer (a table dropped in silence, a
file read through a link, a descriptor's hash skipped) or an export that did not import back.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from dostyk.interchange.datapackage import (
    ExportRefused,
    PackageRejected,
    export_package,
    import_package,
    reading,
)
from dostyk.store import bulk
from dostyk.store import tables as t
from dostyk.store.canonical import decode_instant, encode_instant
from tests.conftest import SAMPLE_PACKAGE, make_store
from tests.interchange.test_datapackage import copy_sample, counts, edit_csv


def refusal(engine: Engine, package: Path, **options: Any) -> list[str]:
    """The refusal's lines; the store must be left as it was."""
    before = counts(engine)
    with pytest.raises(PackageRejected) as rejected:
        import_package(engine, package, **options)
    assert counts(engine) == before
    return [str(e) for e in rejected.value.errors]


def set_resource(package: Path, table: str, **values: Any) -> None:
    descriptor_path = package / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text())
    for resource in descriptor["resources"]:
        if resource["name"] == table:
            resource.update(values)
    descriptor_path.write_text(json.dumps(descriptor, indent=2))


# Nothing dropped -------------------------------------------------------------------------------


def test_a_time_finer_than_microseconds_refuses_the_package_at_its_row(
    engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / "crossings.csv", 1, "crossed_at", "2024-03-01T03:00:14.123456789Z")
    lines = refusal(engine, package)
    assert lines[0].startswith("crossings.csv, row 1, field crossed_at:"), lines[:3]
    assert "more than 6 decimal places" in lines[0]


def test_a_table_arrow_refuses_but_no_row_explains_is_still_refused(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / "crossings.csv", 1, "crossed_at", "2024-03-01T03:00:14.1234567Z")
    monkeypatch.setattr(reading, "_diagnose_column", lambda *args: None)
    lines = refusal(engine, package)
    assert any(line.startswith("crossings.csv: could not be read") for line in lines), lines


def test_an_import_that_stores_fewer_rows_than_it_read_is_refused(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_load = bulk.load

    def lossy_load(connection: Any, table: Any, rows: Any) -> int:
        return real_load(connection, table, list(rows)[:-1] if table is t.payments else rows)

    monkeypatch.setattr(bulk, "load", lossy_load)
    lines = refusal(engine, SAMPLE_PACKAGE)
    assert any(line.startswith("payments.csv: ") and "were stored" in line for line in lines)


# Only the package's own files --------------------------------------------------------------------


def test_a_file_the_descriptor_does_not_name_is_refused_or_listed_when_ignored(
    engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path)
    (package / "notes.txt").write_text("kept by the broker")
    (package / "old").mkdir()
    set_resource(package, "payments", path="payments-2024.csv")
    (package / "payments.csv").rename(package / "payments-2024.csv")
    (package / "payments-2023.csv").write_text("payment_id\n")
    lines = refusal(engine, package)
    assert sorted(line.split(":")[0] for line in lines) == [
        "notes.txt",
        "old/",
        "payments-2023.csv",
    ]
    report = import_package(engine, package, ignore_unlisted=True)
    assert report.ignored == ["notes.txt", "old/", "payments-2023.csv"]
    assert report.loaded["payments"] > 0


def test_a_resource_that_is_a_link_is_refused_without_reading_its_target(
    engine: Engine, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    package = copy_sample(tmp_path)
    (package / "payments.csv").unlink()
    (package / "payments.csv").symlink_to(secret)
    lines = refusal(engine, package)
    assert lines == [
        "payments.csv: is a symbolic link or leads outside the package folder; "
        "a package holds its own files only"
    ]


def test_a_resource_inside_a_linked_folder_is_refused(engine: Engine, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    package = copy_sample(tmp_path)
    (package / "payments.csv").rename(outside / "payments.csv")
    (package / "tables").symlink_to(outside)
    set_resource(package, "payments", path="tables/payments.csv")
    lines = refusal(engine, package)
    assert lines[0].startswith("tables/payments.csv: is a symbolic link"), lines


def test_a_linked_descriptor_is_refused(engine: Engine, tmp_path: Path) -> None:
    package = copy_sample(tmp_path)
    (package / "datapackage.json").rename(tmp_path / "elsewhere.json")
    (package / "datapackage.json").symlink_to(tmp_path / "elsewhere.json")
    assert refusal(engine, package) == [
        "datapackage.json: is a symbolic link or not a regular file"
    ]


# Byte-order marks ---------------------------------------------------------------------------------


def test_a_csv_and_a_descriptor_with_a_byte_order_mark_are_read(
    engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path)
    for name in ("parties.csv", "datapackage.json"):
        path = package / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    report = import_package(engine, package)
    assert report.loaded["parties"] == counts(engine)["parties"] > 0


def test_a_byte_order_mark_is_read_in_the_row_by_row_diagnosis_too(
    engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / "parties.csv", 2, "country", "KAZ")
    path = package / "parties.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert refusal(engine, package) == [
        "parties.csv, row 2, field country: is longer than 2 characters"
    ]


# The descriptor's size and hash -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"bytes": "417"},
            "datapackage.json, field payments.csv bytes: '417' is not a whole number",
        ),
        ({"bytes": True}, "datapackage.json, field payments.csv bytes: True is not a whole number"),
        ({"bytes": -1}, "datapackage.json, field payments.csv bytes: -1 is not a whole number"),
        ({"hash": 12345}, "datapackage.json, field payments.csv hash: 12345 is not a hash"),
        (
            {"hash": "shake_128:abcd"},
            "datapackage.json, field payments.csv hash: unknown hash algorithm 'shake_128'",
        ),
        ({"hash": "sha256:abcd"}, "datapackage.json, field payments.csv hash: is not a sha256"),
        ({"hash": "0" * 32}, "payments.csv: its md5 hash differs"),
    ],
)
def test_a_malformed_size_or_hash_in_the_descriptor_is_refused(
    values: dict[str, Any], expected: str, engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path)
    set_resource(package, "payments", **values)
    lines = refusal(engine, package)
    assert len(lines) == 1 and lines[0].startswith(expected), lines


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "sha256", "sha512", ""])
def test_every_accepted_hash_algorithm_is_checked(
    algorithm: str, engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path)
    data = (package / "payments.csv").read_bytes()
    digest = hashlib.new(algorithm or "md5", data).hexdigest()
    declared = f"{algorithm}:{digest}" if algorithm else digest
    set_resource(package, "payments", hash=declared.upper(), bytes=len(data))
    assert import_package(engine, package).loaded["payments"] > 0


# Everything exported imports back ----------------------------------------------------------------


def test_instants_before_year_1000_are_written_with_four_digit_years() -> None:
    for year in (1, 999):
        value = datetime(year, 1, 1, tzinfo=UTC)
        text = encode_instant(value)
        assert text == f"{year:04d}-01-01T00:00:00Z"
        assert decode_instant(text) == value


def test_a_description_of_5_mb_is_refused_at_its_row_not_by_the_csv_reader(
    engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / "declaration_items.csv", 3, "description", "Steel pipes, " * 400_000)
    lines = refusal(engine, package)
    assert len(lines) == 1, lines
    assert lines[0].startswith("declaration_items.csv, row 3, field description: ")
    assert "field limit" not in lines[0]


def test_a_long_description_in_a_malformed_file_is_diagnosed_at_its_row(
    engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / "declaration_items.csv", 3, "description", "x" * 300_000)
    edit_csv(package / "declaration_items.csv", 4, "quantity", "many")
    assert refusal(engine, package) == [
        "declaration_items.csv, row 4, field quantity: 'many' is not a decimal number"
    ]


def test_a_nul_character_is_refused_at_its_row_and_field(engine: Engine, tmp_path: Path) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / "declaration_items.csv", 3, "description", "bolts\x00nuts")
    lines = refusal(engine, package)
    assert any(
        line.startswith("declaration_items.csv, row 3, field description: ") and "U+0000" in line
        for line in lines
    ), lines


# Exports whole or not at all ---------------------------------------------------------------------


def test_an_export_never_mixes_with_an_earlier_one(engine: Engine, tmp_path: Path) -> None:
    import_package(engine, SAMPLE_PACKAGE)
    target = tmp_path / "out"
    export_package(engine, target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    with pytest.raises(ExportRefused, match="holds an earlier export; use --force"):
        export_package(engine, target, file_format="parquet")
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    export_package(engine, target, file_format="parquet", force=True)
    names = {p.name for p in target.iterdir()}
    assert names == {"datapackage.json"} | {f"{table.name}.parquet" for table in t.TABLES}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_export_never_replaces_a_folder_that_is_not_an_export(
    engine: Engine, tmp_path: Path
) -> None:
    target = tmp_path / "documents"
    target.mkdir()
    (target / "letter.txt").write_text("keep me")
    with pytest.raises(ExportRefused, match="holds other files"):
        export_package(engine, target, force=True)
    assert (target / "letter.txt").read_text() == "keep me"


def test_a_failed_export_leaves_nothing_behind(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: Any) -> Any:
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(bulk, "ordered_rows", failing)
    with pytest.raises(ExportRefused, match="could not be written"):
        export_package(engine, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not any(p.name.startswith(".out") for p in tmp_path.iterdir())


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("item_no", str(2**31), f"{2**31} is out of range"),
        ("item_no", str(2**70), f"{2**70} is out of range"),
        ("gross_mass_kg", "inf", "is not a finite number"),
        ("net_mass_kg", "nan", "is not a finite number"),
        ("quantity", "1" * 16 + ".5", "more than 15 digits before the decimal point"),
    ],
)
def test_a_number_its_column_cannot_hold_on_both_back_ends_is_refused_at_its_row(
    column: str, value: str, words: str, engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / "declaration_items.csv", 6, column, value)
    lines = refusal(engine, package)
    assert lines[0].startswith(f"declaration_items.csv, row 6, field {column}: "), lines
    assert words in lines[0]


def test_text_with_a_line_break_exports_and_imports_back(engine: Engine, tmp_path: Path) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / "findings.csv", 1, "description", 'Seal broken,\n"re-sealed"')
    import_package(engine, package)
    export_package(engine, tmp_path / "out")
    again = make_store(f"sqlite:///{tmp_path / 'again.db'}")
    import_package(again, tmp_path / "out")
    with again.connect() as connection:
        texts = connection.execute(select(t.findings.c.description)).scalars().all()
    assert 'Seal broken,\n"re-sealed"' in texts


def test_bytes_that_are_not_utf8_after_the_header_are_refused(
    engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path)
    path = package / "payments.csv"
    path.write_bytes(path.read_bytes() + b"P-X,D-1,\xd9")
    lines = refusal(engine, package)
    assert any(line.startswith("payments.csv: not UTF-8 text") for line in lines), lines


# Chunked loading ---------------------------------------------------------------------------------


def test_a_package_loaded_in_small_chunks_gives_the_same_store(
    engine: Engine, tmp_path: Path
) -> None:
    import_package(engine, SAMPLE_PACKAGE, chunk_rows=7)
    export_package(engine, tmp_path / "chunked")
    whole = make_store(f"sqlite:///{tmp_path / 'whole.db'}")
    import_package(whole, SAMPLE_PACKAGE)
    export_package(whole, tmp_path / "whole")
    for path in (tmp_path / "whole").iterdir():
        assert (tmp_path / "chunked" / path.name).read_bytes() == path.read_bytes(), path.name


def test_rows_of_later_chunks_are_named_by_their_row_in_the_file(
    engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / "declaration_items.csv", 300, "origin", "XX")
    edit_csv(package / "declarations.csv", 100, "declaration_id", "D000000001")
    lines = refusal(engine, package, chunk_rows=50)
    assert any(
        line.startswith("declarations.csv, row 100, field declaration_id: dup") for line in lines
    )
    assert any(line.startswith("declaration_items.csv, row 300, field origin:") for line in lines)


def test_a_crossing_may_name_a_movement_in_a_later_chunk(engine: Engine, tmp_path: Path) -> None:
    package = copy_sample(tmp_path)
    path = package / "crossings.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(header + "".join(reversed(rows)), encoding="utf-8")
    report = import_package(engine, package, chunk_rows=10)
    assert report.loaded["crossings"] == len(rows)
    edit_csv(path, 3, "part_of", "X999999999")
    again = make_store(f"sqlite:///{tmp_path / 'again.db'}")
    lines = refusal(again, package, chunk_rows=10)
    assert lines == [
        "crossings.csv, row 3, field part_of: refers to 'X999999999', which is in neither "
        "crossings nor the store"
    ]


def test_a_reference_a_stored_declaration_already_uses_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    import_package(engine, SAMPLE_PACKAGE)
    package = copy_sample(tmp_path)
    edit_csv(package / "declarations.csv", 1, "declaration_id", "D-NEW")
    lines = refusal(engine, package)
    assert any(
        line.startswith("declarations.csv, row 1, field declarant_id, reference: ")
        and "in the store" in line
        for line in lines
    ), lines


@pytest.mark.parametrize(
    ("file", "column", "value"),
    [
        ("declarations.csv", "lodged_at", "0000-01-01T00:00:00Z"),
        ("officer_postings.csv", "start_date", "0000-01-01"),
    ],
)
def test_a_year_python_cannot_hold_is_refused_at_its_row(
    file: str, column: str, value: str, engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / file, 1, column, value)
    lines = refusal(engine, package)
    assert f"{file}, row 1, field {column}: is outside the years 1 to 9999" in lines, lines
