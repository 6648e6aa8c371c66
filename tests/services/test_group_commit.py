"""Group commit: use cases in one transaction, each in its own savepoint, as the simulator runs.

A refused use case in a batch rolls back only itself; the store and the ledger come out the same
as with one transaction per use case, and the ledger verifies.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from dostyk.domain.declarations import Channel
from dostyk.domain.officers import Posting
from dostyk.ledger.store import root_at
from dostyk.ledger.verification import verify
from dostyk.ledger.writer import log_size
from dostyk.services.draws import ledger_seed
from dostyk.services.errors import NotAuthorised, NotFound
from dostyk.services.ledger import ensure_signing_key
from dostyk.store import tables as t
from dostyk.store.batch import Batch
from dostyk.store.engine import CHECKPOINT_PAGES, make_engine
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import Flow, lodging, path


def work(engine: Engine) -> None:
    """Two declarations to release, a refused step between them, a third lodged."""
    flow = Flow(engine)
    flow.to_payment(lodging(1), Channel.GREEN)
    with pytest.raises(NotFound):
        flow.assess("D404", Channel.GREEN)
    flow.release("D1")
    flow.to_payment(lodging(2), Channel.YELLOW)
    flow.release("D2")
    flow.lodge(lodging(3))


def test_a_refused_use_case_in_a_batch_rolls_back_only_itself(lite: Engine) -> None:
    with Batch(lite, every=1000) as batch:
        work(lite)
        assert batch.commits == 0, "nothing is committed before the batch is full"
    assert batch.commits == 1
    assert path(lite, "D1")[-1] == "released"
    assert path(lite, "D2")[-1] == "released"
    assert path(lite, "D3") == ["lodged", "accepted"]


def test_a_batch_that_fails_leaves_nothing_of_its_use_cases(lite: Engine) -> None:
    with lite.connect() as connection:
        before = log_size(connection)
    with pytest.raises(RuntimeError), Batch(lite, every=1000):
        Flow(lite).lodge(lodging(1))
        raise RuntimeError("the driver stops")
    with lite.connect() as connection:
        assert log_size(connection) == before
        stored = connection.execute(select(t.declarations.c.declaration_id)).scalars().all()
    assert stored == []
    # The next use case appends where the committed log ends, not where the batch had got to.
    Flow(lite).lodge(lodging(1))
    with lite.connect() as connection:
        assert log_size(connection) > before


def test_group_commit_gives_the_same_store_and_ledger(lite_template: Path, tmp_path: Path) -> None:
    roots, entries = [], []
    for every in [None, 3]:
        copy = tmp_path / f"store-{every}.db"
        shutil.copyfile(lite_template, copy)
        engine = make_engine(f"sqlite:///{copy}")
        try:
            if every is None:
                work(engine)
            else:
                with Batch(engine, every=every) as batch:
                    work(engine)
                assert batch.commits > 1
            with engine.connect() as connection:
                size = log_size(connection)
                roots.append(root_at(connection, size))
                entries.append(connection.execute(select(t.ledger_entries)).all())
                key, _ = ensure_signing_key(tmp_path / "keys")
                report = verify(connection, key.public)
            assert report.ok, report.findings[:5]
        finally:
            engine.dispose()
    assert entries[0] == entries[1]
    assert roots[0] == roots[1]


def test_after_a_batch_the_database_file_alone_holds_its_work(lite: Engine, tmp_path: Path) -> None:
    """A batch lets the WAL grow while it runs (no checkpoint at every commit) and checkpoints
    it at its end: the file alone, copied without its WAL, holds every use case of the batch,
    and the connection goes back to the pool checkpointing as usual."""
    with Batch(lite, every=2) as batch:
        work(lite)
        pages = batch.connection().exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert pages == batch.checkpoint_pages > 1000
    assert batch.commits > 1
    with lite.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == CHECKPOINT_PAGES
    database = lite.url.database
    assert database is not None
    alone = tmp_path / "copy" / "dostyk.db"
    alone.parent.mkdir()
    shutil.copyfile(database, alone)  # without dostyk.db-wal
    copy = make_engine(f"sqlite:///{alone}")
    try:
        assert path(copy, "D1")[-1] == "released"
        assert path(copy, "D3") == ["lodged", "accepted"]
    finally:
        copy.dispose()


def test_a_batch_inserts_its_ledger_rows_before_it_commits_and_draws_see_them(
    lite: Engine,
) -> None:
    """The entries of a batch's use cases reach the table just before it commits; meanwhile a
    draw seeded by the ledger sees the size and root those entries make, as it would with one
    transaction per use case."""
    with lite.connect() as connection:
        before = log_size(connection)
    flow = Flow(lite)
    with Batch(lite, every=1000) as batch:
        flow.to_payment(lodging(1), Channel.GREEN)
        connection = batch.connection()
        assert log_size(connection) == before, "kept until the batch commits"
        seed = ledger_seed(connection)
        assert seed.size == batch.log_size and seed.size > before
    with lite.connect() as connection:
        assert log_size(connection) == seed.size
        assert root_at(connection, seed.size) == seed.root


def test_a_batch_reads_a_registration_table_again_once_a_use_case_writes_it(
    lite: Engine,
) -> None:
    """A batch keeps what it read of officers' postings, until a use case of it changes one: a
    posting ended in the batch is seen by the batch's next use case."""
    flow = Flow(lite)
    flow.to_payment(lodging(1), Channel.GREEN)
    flow.to_payment(lodging(2), Channel.GREEN)
    with Batch(lite, every=1000) as batch:
        flow.release("D1")  # SS-DST1 is posted at Dostyk: read, and kept
        assert batch.reads()
        with UnitOfWork(lite, actor="setup", at=flow.tick()) as uow:
            uow.postings.replace(Posting("SS-DST1", "DST", date(2024, 1, 1), date(2024, 6, 30)))
        assert batch.reads() is None
        with pytest.raises(NotAuthorised):
            flow.release("D2")
    assert path(lite, "D1")[-1] == "released"
    assert path(lite, "D2")[-1] == "paid"


def test_a_batch_hands_a_moved_declaration_on_as_stored(lite: Engine) -> None:
    """The next use case of a batch that moves a declaration gets it and its step as the last
    one stored them, not read back; a write by any other path makes it read again."""
    flow = Flow(lite)
    with Batch(lite, every=1000) as batch:
        flow.lodge(lodging(1))
        lodged = batch.moved("D1")
        assert lodged is not None, "the lodgement hands on what it stored"
        with UnitOfWork(lite, actor="setup", at=flow.tick()) as uow:
            assert repr(uow.declarations.with_last_step("D1")) == repr(lodged)
        flow.assess("D1", Channel.GREEN)
        kept = batch.moved("D1")
        assert kept is not None
        assert kept[1].at.tzinfo is UTC
        with UnitOfWork(lite, actor="setup", at=flow.tick()) as uow:
            stored = uow.declarations.with_last_step("D1")
        assert repr(stored) == repr(kept), "equal, and written the same way (times in UTC)"
        flow.duties("D1")
        assert batch.moved("D1") is not None
        with UnitOfWork(lite, actor="setup", at=flow.tick()) as uow:
            declaration = uow.declarations.get("D1")
            assert declaration is not None
            uow.declarations.replace(declaration)
        assert batch.moved("D1") is None
        flow.pay("D1")
        flow.release("D1")
    assert batch.moved("D1") is None, "forgotten at the commit"
    assert path(lite, "D1") == [
        "lodged",
        "accepted",
        "assessed",
        "duties_assessed",
        "paid",
        "released",
    ]
