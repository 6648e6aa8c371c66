"""The warehouse holds exactly the store's records, and an incremental build equals a full one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, Table, func, select

from dostyk.services import payments
from dostyk.services.actors import NATIONAL_TIME
from dostyk.services.setup import initialise
from dostyk.simulate.run import simulate
from dostyk.store import tables as t
from dostyk.store.engine import make_engine
from dostyk.warehouse.extract import BuildReport, read_state
from dostyk.warehouse.extract import build as build_warehouse

STOP = datetime(2025, 1, 2, 11, 30, tzinfo=NATIONAL_TIME)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Two days at Dostyk rail, stopped with work still in progress."""
    folder = tmp_path_factory.mktemp("store")
    engine = make_engine(f"sqlite:///{folder / 'dostyk.db'}")
    initialise(engine)
    simulate(engine, days=2, seed=5, posts=["DST"], until=STOP)
    return engine


def sorted_rows(path: Path, table: Table) -> list[tuple[object, ...]]:
    data = pq.read_table(path).to_pylist()
    keys = [c.name for c in table.primary_key.columns]
    return sorted((tuple(row.values()) for row in data), key=lambda r: repr(r[: len(keys)]))


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: int(
                connection.execute(select(func.count()).select_from(table)).scalar_one()
            )
            for table in t.TABLES
        }


def test_a_build_extracts_every_record_of_every_table(store: Engine, tmp_path: Path) -> None:
    report = build_warehouse(store, tmp_path)
    expected = counts(store)
    for name, rows in expected.items():
        assert pq.ParquetFile(tmp_path / f"{name}.parquet").metadata.num_rows == rows, name
    assert report.tables["declarations"] == ("whole", expected["declarations"])
    with store.connect() as connection:
        size = connection.execute(select(func.count()).select_from(t.ledger_entries)).scalar_one()
    assert read_state(tmp_path)["ledger_seq"] == size


def test_an_incremental_build_merges_the_changes_and_equals_a_full_one(
    store: Engine, tmp_path: Path
) -> None:
    incremental = tmp_path / "incremental"
    build_warehouse(store, incremental)
    with store.connect() as connection:
        open_ids = list(
            connection.execute(
                select(t.declarations.c.declaration_id)
                .where(t.declarations.c.status == "duties_assessed")
                .order_by(t.declarations.c.declaration_id)
                .limit(2)
            ).scalars()
        )
    if not open_ids:
        pytest.fail("the stopped run left no declaration waiting for payment")
    at = datetime(2025, 1, 2, 7, 0, tzinfo=UTC)
    for declaration_id in open_ids:
        broker = _declarant(store, declaration_id)
        due = payments.duties_due(store, declaration_id).total
        payments.record_payment(
            store, declaration_id, due, f"TEST-{declaration_id}", actor=broker, at=at
        )
    report = build_warehouse(store, incremental)
    assert report.tables["declarations"] == ("merged", len(open_ids))
    assert report.tables["status_changes"][0] == "merged"
    assert "posts" not in report.tables, "an unchanged table is not rewritten"
    full = tmp_path / "full"
    build_warehouse(store, full)
    for table in t.TABLES:
        name = f"{table.name}.parquet"
        assert sorted_rows(incremental / name, table) == sorted_rows(full / name, table), table.name
    cancelled = [
        row
        for row in pq.read_table(incremental / "declarations.parquet").to_pylist()
        if row["declaration_id"] in open_ids
    ]
    assert {row["status"] for row in cancelled} == {"paid"}
    again = build_warehouse(store, incremental)
    assert again.tables == {} and not again.changed


def _declarant(engine: Engine, declaration_id: str) -> str:
    with engine.connect() as connection:
        return str(
            connection.execute(
                select(t.declarations.c.declarant_id).where(
                    t.declarations.c.declaration_id == declaration_id
                )
            ).scalar_one()
        )


def test_a_review_recorded_after_a_build_reaches_the_warehouse(
    store: Engine, tmp_path: Path
) -> None:
    """Reviews are records like the others: the next build merges them in."""
    from dostyk.domain.reviews import ReviewKind, ReviewOutcome
    from dostyk.services.reviews import record_review
    from dostyk.simulate.population import HQ_ID

    build_warehouse(store, tmp_path)
    i, d = t.inspections.c, t.declarations.c
    with store.connect() as connection:
        inspection_id = connection.execute(
            select(i.inspection_id)
            .join(t.declarations, d.declaration_id == i.declaration_id)
            .where(i.ended_at.is_not(None), d.status == "released")
            .order_by(i.inspection_id)
            .limit(1)
        ).scalar_one()
    review = record_review(
        store,
        inspection_id,
        ReviewKind.AUDIT,
        ReviewOutcome.UPHELD,
        "Desk audit of the importer's accounts found nothing more",
        actor=HQ_ID,
        at=datetime(2025, 1, 3, 6, 0, tzinfo=UTC),
    )
    report = build_warehouse(store, tmp_path)
    assert report.tables["finding_reviews"][1] == 1
    [row] = pq.read_table(tmp_path / "finding_reviews.parquet").to_pylist()
    assert (row["review_id"], row["inspection_id"], row["outcome"]) == (
        review.review_id,
        inspection_id,
        "upheld",
    )


def test_a_second_build_started_during_one_waits_for_it_and_goes_on_from_its_watermark(
    store: Engine, tmp_path: Path
) -> None:
    """Two builds of one warehouse at once would write the same temporary files and could leave
    a watermark past what a table's file holds; the second waits for the first instead."""
    import threading

    second_started = threading.Event()
    second: dict[str, BuildReport] = {}
    errors: list[BaseException] = []

    def run_second() -> None:
        try:
            second["report"] = build_warehouse(
                store, tmp_path, progress=lambda name: second_started.set()
            )
        except BaseException as error:  # the test reports it below
            errors.append(error)

    thread = threading.Thread(target=run_second)

    def first_progress(name: str) -> None:
        if thread.ident is None:
            thread.start()
            assert not second_started.wait(1.0), "the second build ran during the first"

    first = build_warehouse(store, tmp_path, progress=first_progress)
    thread.join(60)
    assert not errors, errors
    assert second["report"].from_seq == first.to_seq
    assert second["report"].tables == {}


def test_the_analytics_read_between_builds_never_during_one(store: Engine, tmp_path: Path) -> None:
    """The indicator suite run during a build read each table as it found it: some from before
    the build and some from after. Readers now hold the build lock shared: a build waits for
    them, they wait for a build, and two readers do not wait for each other."""
    import threading

    from dostyk.warehouse.extract import between_builds

    build_warehouse(store, tmp_path)
    reading = threading.Event()
    told: list[str] = []

    def read_during_build() -> None:
        with between_builds(tmp_path, lambda: told.append("waiting")):
            reading.set()

    thread = threading.Thread(target=read_during_build)

    def progress(name: str) -> None:
        if thread.ident is None:
            thread.start()
            assert not reading.wait(1.0), "the analytics read during a build"

    build_warehouse(store, tmp_path, progress=progress)
    thread.join(60)
    assert reading.is_set() and told == ["waiting"]
    with between_builds(tmp_path), between_builds(tmp_path, lambda: told.append("again")):
        assert told == ["waiting"], "a reader waited for another reader"
