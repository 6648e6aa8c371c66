"""A bulk load's entries: the very entries and nodes a use case's writer would append."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select

from dostyk.interchange.datapackage.errors import ErrorLog
from dostyk.interchange.datapackage.reading import read_table
from dostyk.ledger import bulk as ledger_bulk
from dostyk.ledger.entries import Operation
from dostyk.ledger.store import root_at
from dostyk.ledger.writer import log_size
from dostyk.store import tables as t
from dostyk.store.unit_of_work import UnitOfWork
from tests.conftest import SAMPLE_PACKAGE

AT = datetime(2026, 3, 1, 8, 30, 0, 250_000, tzinfo=UTC)


def sample_rows(table: Any) -> list[tuple[Any, ...]]:
    log = ErrorLog()
    columns = read_table(SAMPLE_PACKAGE / f"{table.name}.csv", table, log)
    assert columns is not None, log.errors
    return list(zip(*columns, strict=True))


def written(uow: UnitOfWork, start: int) -> tuple[list[Any], list[Any], bytes]:
    connection = uow.connection
    entries = connection.execute(
        select(t.ledger_entries).where(t.ledger_entries.c.seq >= start).order_by("seq")
    ).all()
    nodes = connection.execute(select(t.ledger_nodes).order_by("level", "idx")).all()
    return [tuple(e) for e in entries], [tuple(n) for n in nodes], root_at(connection, start + 1)


def test_a_bulk_append_writes_what_the_writer_writes(engine: Engine) -> None:
    declarations, items = sample_rows(t.declarations), sample_rows(t.declaration_items)
    results = []
    for bulk in (False, True):
        with UnitOfWork(engine, actor='importer "quoted"', at=AT) as uow:
            start = log_size(uow.connection)
            for table, rows in ((t.declarations, declarations), (t.declaration_items, items)):
                if bulk:
                    ledger_bulk.append_rows(
                        uow.ledger, table, rows, Operation.INSERT, AT, uow.actor
                    )
                else:
                    uow.ledger.record(table, rows, Operation.INSERT)
                    uow.checkpoint()
            results.append(written(uow, start))
            uow.rollback()
    by_writer, by_bulk = results
    assert len(by_bulk[0]) == len(declarations) + len(items)
    assert by_bulk == by_writer


def test_a_bulk_append_wants_nothing_pending(engine: Engine) -> None:
    rows = sample_rows(t.declarations)
    with UnitOfWork(engine, at=AT) as uow:
        uow.ledger.record(t.declarations, rows[:1], Operation.INSERT)
        with pytest.raises(RuntimeError, match="pending"):
            ledger_bulk.append_rows(uow.ledger, t.declarations, rows, Operation.INSERT, AT, "x")
        uow.rollback()
