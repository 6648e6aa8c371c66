"""Reviews of inspections' results in a data package: carried, and refused where impossible.

The sample package carries three: an appeal that reversed a finding for having no basis, one
that upheld it, and a post-clearance audit that found fraud an inspection missed. A review that
cannot have happened — of an inspection that had not ended, of a finding it did not make, of
another declaration — refuses the package at its file, row and field.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from dostyk.interchange.datapackage import PackageRejected, export_package, import_package
from dostyk.store import tables as t
from tests.interchange.test_datapackage import copy_sample, counts, edit_csv


def test_the_sample_s_reviews_load_and_export_again(engine: Engine, tmp_path: Path) -> None:
    import_package(engine, copy_sample(tmp_path))
    with engine.connect() as connection:
        rows = connection.execute(
            select(t.finding_reviews.c.review_id, t.finding_reviews.c.outcome).order_by(
                t.finding_reviews.c.review_id
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("V-I000000000-1", "no_basis"),
        ("V-I000000010-1", "upheld"),
        ("V-I000000020-1", "fraud_missed"),
    ]
    out = tmp_path / "out"
    export_package(engine, out)
    lines = (out / "finding_reviews.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and lines[3].endswith(",RC-0001,2024-04-15T08:00:00Z,,185000.00")


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("reviewed_at", "2024-03-01T00:20:00Z", "ended at 2024-03-01T00:25:14Z, after its review"),
        ("finding_no", "2", "has no finding 2"),
        ("declaration_id", "D000000020", "is of declaration D000000000"),
    ],
)
def test_a_review_that_cannot_have_happened_is_refused(
    column: str, value: str, words: str, engine: Engine, tmp_path: Path
) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / "finding_reviews.csv", 1, column, value)
    before = counts(engine)
    with pytest.raises(PackageRejected) as rejected:
        import_package(engine, package)
    found = [
        e
        for e in rejected.value.errors
        if (e.file, e.row, e.field) == ("finding_reviews.csv", 1, column) and words in e.message
    ]
    assert found, [str(e) for e in rejected.value.errors]
    assert counts(engine) == before


def test_a_review_of_an_unfinished_inspection_is_refused(engine: Engine, tmp_path: Path) -> None:
    package = copy_sample(tmp_path)
    edit_csv(package / "inspections.csv", 1, "ended_at", "")
    edit_csv(package / "findings.csv", 1, "inspection_id", "I000000010")
    edit_csv(package / "findings.csv", 1, "finding_no", "2")
    edit_csv(package / "finding_reviews.csv", 1, "finding_no", "")
    edit_csv(package / "finding_reviews.csv", 1, "outcome", "upheld")
    with pytest.raises(PackageRejected) as rejected:
        import_package(engine, package)
    assert any(
        e.file == "finding_reviews.csv" and e.row == 1 and "is not finished" in e.message
        for e in rejected.value.errors
    ), [str(e) for e in rejected.value.errors]
