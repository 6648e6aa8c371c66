"""Every statement the live use cases run finds its rows through an index.

A simulated day at Dostyk drives every use case the network runs (crossings, manifests,
lodgement, risk assessment, assignment, inspection, overrides, duties, payment, release in turn
and out of turn, reconciliation, rosters), in the simulator's group-committed batches. Every
statement SQLite runs meanwhile is captured on the driver's connection (where the repositories'
kept statements run, below SQLAlchemy), and SQLite's ``EXPLAIN QUERY PLAN`` of each must not
scan a table that grows with history: such a scan makes every use case slower than the last.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from dostyk.simulate.run import simulate
from dostyk.simulate.world import World
from dostyk.store import tables as t
from dostyk.store.engine import make_engine
from tests.conftest import make_store

#: Reference tables, the same size whatever the history: a scan of them is no growing cost.
FIXED_SIZE = frozenset({t.posts.name, t.tariff_rates.name})
#: Statements that are not queries of rows.
NOT_QUERIES = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)\b", re.IGNORECASE)
#: A value written into the statement by the driver's trace: a quoted text, a blob or a number.
LITERAL = re.compile(r"x?'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def shape(sql: str) -> str:
    """A statement with its values taken out, so each kept statement is explained once."""
    return LITERAL.sub("?", sql)


def test_no_statement_of_the_live_use_cases_scans_a_growing_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "dostyk.db"
    make_store(f"sqlite:///{path}").dispose()
    engine = make_engine(f"sqlite:///{path}")
    statements: dict[str, str] = {}
    capturing = False

    def keep(sql: str) -> None:
        if capturing and not NOT_QUERIES.match(sql):
            statements.setdefault(shape(sql), sql)

    @event.listens_for(engine, "connect")
    def _trace(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_trace_callback(keep)

    # Registering the population is set-up; the simulated days are the live path.
    real_run = World.run

    def run_capturing(self: World, *args: Any, **kwargs: Any) -> None:
        nonlocal capturing
        capturing = True
        try:
            real_run(self, *args, **kwargs)
        finally:
            capturing = False

    monkeypatch.setattr(World, "run", run_capturing)
    try:
        # Seed 4: with seed 1 the simulator sends one locomotive through DST twice within minutes,
        # which the crossing checks now refuse.
        report = simulate(engine, days=2, seed=4, posts=["DST"], start=date(2025, 1, 1))
    finally:
        engine.dispose()
    assert report.counts.get("released", 0) > 0, "the day got as far as releases"
    assert report.counts.get("inspections", 0) > 0, "and inspections"

    database = sqlite3.connect(path)
    scans: dict[str, list[str]] = {}
    try:
        for sql in statements.values():
            for _, _, _, detail in database.execute(f"EXPLAIN QUERY PLAN {sql}"):
                found = re.match(r"SCAN (\w+)", detail)
                if found and found.group(1) not in FIXED_SIZE:
                    scans.setdefault(sql, []).append(detail)
    finally:
        database.close()
    assert len(statements) > 40, "the use cases' statements were captured"
    assert not scans, "\n".join(f"{sql}\n    {details}" for sql, details in scans.items())
