"""An imported history that breaks Dostyk's controls is kept, each breach an anomaly; one that
cannot have happened is refused at its file, row and field."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from dostyk.domain.inspections import FindingKind
from dostyk.interchange.datapackage import PackageRejected, export_package, import_package
from dostyk.store import tables as t
from tests.conftest import make_store
from tests.interchange.test_datapackage import copy_sample, edit_csv

#: Sixteen of the sample's twenty inspected declarations were green when inspected, with no
#: approved override (the other four had one): its old system inspected at will. Each is an
#: anomaly of the sample as it stands.
SAMPLE_GREEN_INSPECTED = 16


def drop_rows(path: Path, keep: Callable[[dict[str, str]], bool]) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        names = list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(r for r in rows if keep(r))


def rewrite_row(path: Path, match: Callable[[dict[str, str]], bool], **values: str) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        names = list(rows[0])
    for row in rows:
        if match(row):
            row.update(values)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def anomalies(engine: Engine) -> dict[tuple[str, str, str], tuple[str | None, str]]:
    """(table, key, control) → (officer, detail)."""
    with engine.connect() as connection:
        return {
            (r.record_table, r.record_key, r.control): (r.officer_id, r.detail)
            for r in connection.execute(select(t.anomalies))
        }


def fresh_package(tmp_path: Path) -> Path:
    package = copy_sample(tmp_path)
    drop_rows(package / "anomalies.csv", lambda _row: False)
    return package


def test_the_sample_s_breaches_are_found_and_kept_as_anomalies(
    engine: Engine, tmp_path: Path
) -> None:
    report = import_package(engine, fresh_package(tmp_path))
    assert report.anomalies == {"green_inspected": SAMPLE_GREEN_INSPECTED}
    found = anomalies(engine)
    assert found[("inspections", "I000000000", "green_inspected")] == (
        "IN-DST1",
        "inspected by IN-DST1 while the declaration was green, with no approved override to "
        "another channel",
    )
    # The records themselves are all kept.
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(t.inspections)).scalar_one()
        logged = connection.execute(
            select(func.count())
            .select_from(t.ledger_entries)
            .where(t.ledger_entries.c.table_name == "anomalies")
        ).scalar_one()
    assert count == 20
    assert logged == SAMPLE_GREEN_INSPECTED  # each anomaly under the ledger like any record


def test_a_red_assessment_makes_the_inspection_regular(engine: Engine, tmp_path: Path) -> None:
    package = fresh_package(tmp_path)
    rewrite_row(
        package / "risk_assessments.csv",
        lambda r: r["declaration_id"] == "D000000000",
        channel="red",
    )
    rewrite_row(
        package / "declarations.csv", lambda r: r["declaration_id"] == "D000000000", channel="red"
    )
    import_package(engine, package)
    assert ("inspections", "I000000000", "green_inspected") not in anomalies(engine)


def test_an_override_decided_outside_the_chain_of_command(engine: Engine, tmp_path: Path) -> None:
    package = fresh_package(tmp_path)
    edit_csv(package / "overrides.csv", 1, "decided_by", "IN-DST2")  # a peer of the requester
    report = import_package(engine, package)
    assert report.anomalies["override_outside_chain"] == 1
    officer, detail = anomalies(engine)[("overrides", "O000000005", "override_outside_chain")]
    assert officer == "IN-DST2"
    assert "not in the chain of command of the requester IN-DST1 (SS-DST1, PC-DST1" in detail


def test_a_release_before_payment_and_one_without_its_steps(engine: Engine, tmp_path: Path) -> None:
    package = fresh_package(tmp_path)
    # D000000000 was released at 00:40:14; say the money came at 01:00. Its inspection found
    # 4 % more duty (2,456,354.45) on top of the 61,408,861.24 of its duty lines.
    edit_csv(package / "payments.csv", 1, "paid_at", "2024-03-01T01:00:00Z")
    # D000000001 skips risk assessment and duties: lodged, accepted, paid, released.
    steps = package / "status_changes.csv"
    drop_rows(steps, lambda r: not (r["declaration_id"] == "D000000001" and r["seq"] in "34"))
    rewrite_row(
        steps,
        lambda r: r["declaration_id"] == "D000000001" and r["seq"] == "5",
        from_status="accepted",
    )
    report = import_package(engine, package)
    found = anomalies(engine)
    officer, detail = found[("declarations", "D000000000", "released_before_payment")]
    assert officer == "SS-DST1"
    assert "with 0 paid of 63865215.69 due" in detail
    _, detail = found[("declarations", "D000000001", "released_without_steps")]
    assert detail == "released by SS-DST1 at step 6 without the steps assessed, duties_assessed"
    assert report.anomalies["released_before_payment"] == 1


def test_an_inspector_from_another_post_and_off_the_roster(engine: Engine, tmp_path: Path) -> None:
    package = fresh_package(tmp_path)
    edit_csv(package / "inspections.csv", 1, "inspector_id", "IN-KHR1")  # inspects at Dostyk
    import_package(engine, package)
    found = anomalies(engine)
    _, other_post = found[("inspections", "I000000000", "inspector_other_post")]
    assert other_post == "IN-KHR1 inspected at DST on 2024-03-01 while posted to KHR"
    _, off_roster = found[("inspections", "I000000000", "inspector_off_roster")]
    assert off_roster.startswith("IN-KHR1 had no shift at DST at 2024-03-01T00:15:14Z")


def test_a_shift_at_a_post_the_officer_is_not_posted_to(engine: Engine, tmp_path: Path) -> None:
    package = fresh_package(tmp_path)
    rewrite_row(
        package / "duty_shifts.csv", lambda r: r["officer_id"] == "IN-DST2", post_code="KHR"
    )
    import_package(engine, package)
    [(key, (officer, detail))] = [
        (k, v) for k, v in anomalies(engine).items() if k[2] == "shift_outside_posting"
    ]
    assert key[0] == "duty_shifts" and officer == "IN-DST2"
    assert detail == "IN-DST2 on duty at KHR on 2024-03-01 while posted to DST"


def test_importing_again_or_round_tripping_keeps_the_same_anomalies(
    engine: Engine, tmp_path: Path, database_url: str
) -> None:
    package = fresh_package(tmp_path)
    import_package(engine, package)
    before = anomalies(engine)
    again = import_package(engine, package)
    assert again.loaded.get("anomalies", 0) == 0
    assert anomalies(engine) == before
    exported = tmp_path / "exported"
    export_package(engine, exported)
    assert len((exported / "anomalies.csv").read_text().splitlines()) == 1 + len(before)
    if database_url.startswith("sqlite"):
        target = make_store(database_url.replace("dostyk.db", "target.db"))
        import_package(target, exported)
        assert anomalies(target) == before
        target.dispose()


def test_a_finding_whose_kind_was_not_recorded_is_unrecorded(
    engine: Engine, tmp_path: Path
) -> None:
    package = fresh_package(tmp_path)
    edit_csv(package / "findings.csv", 1, "kind", "")
    import_package(engine, package)
    with engine.connect() as connection:
        kinds = connection.execute(
            select(t.findings.c.kind).where(t.findings.c.inspection_id == "I000000000")
        ).scalars()
        assert list(kinds) == [FindingKind.UNRECORDED.value]


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda p: edit_csv(p / "findings.csv", 1, "item_no", "9"),
            "findings.csv, row 1, field item_no: cannot have happened: inspection I000000000 is "
            "of declaration D000000000, which has no item 9",
        ),
        (
            lambda p: drop_rows(
                p / "status_changes.csv", lambda r: r["declaration_id"] != "D000000001"
            ),
            "declarations.csv, row 2, field status: cannot have happened: is released but "
            "declaration D000000001 has no history (status_changes): a declaration past "
            "lodgement has steps",
        ),
        (
            lambda p: edit_csv(p / "declarations.csv", 1, "status", "paid"),
            "declarations.csv, row 1, field status: cannot have happened: is paid but the last "
            "step of its history (step 8) left it released",
        ),
        (
            lambda p: edit_csv(p / "status_changes.csv", 2, "from_status", "assessed"),
            "status_changes.csv, row 2, field from_status: cannot have happened: step 2 of "
            "D000000000 starts from assessed, but step 1 ended at lodged",
        ),
    ],
    ids=[
        "finding-on-no-item",
        "released-without-history",
        "status-against-history",
        "broken-chain",
    ],
)
def test_what_cannot_have_happened_is_refused_with_file_row_and_field(
    engine: Engine, tmp_path: Path, edit: Callable[[Path], None], expected: str
) -> None:
    package = fresh_package(tmp_path)
    edit(package)
    with pytest.raises(PackageRejected) as refused:
        import_package(engine, package)
    assert expected in [str(e) for e in refused.value.errors]
    with engine.connect() as connection:
        assert (
            connection.execute(select(func.count()).select_from(t.declarations)).scalar_one() == 0
        )
