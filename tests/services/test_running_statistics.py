"""The statistics selectivity consults are kept as releases happen, and verify rebuilds them.

The usual value per kg of a subheading and an importer's released count are read from running
statistics updated in the release's own transaction; ``ledger verify`` derives them afresh from
the records and names any stored row that differs.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel
from dostyk.ledger.verification import Problem, verify
from dostyk.services.ledger import ensure_signing_key
from dostyk.store import outcomes, running
from dostyk.store.batch import Batch
from dostyk.store.engine import make_engine
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import Flow, item, lodging

#: The widest a histogram's median can be from the exact one: half a bucket, 2^(1/32).
HALF_BUCKET = 2 ** (1 / (2 * running.BUCKETS_PER_OCTAVE))


def test_the_histogram_median_is_within_half_a_bucket_of_the_exact_median() -> None:
    rng = random.Random(8)
    for size in [1, 2, 3, 10, 11, 250, 1001]:
        values = [rng.lognormvariate(6, 1.5) for _ in range(size)]
        counted: dict[int, int] = {}
        for value in values:
            bucket = running.bucket_of(value)
            counted[bucket] = counted.get(bucket, 0) + 1
        found = running.median_of(sorted(counted.items()))
        assert found is not None and found.count == size
        exact = statistics.median(values)
        # For an even count, each middle value is within half a bucket, so is their mean.
        assert exact / HALF_BUCKET <= found.median <= exact * HALF_BUCKET, size


def test_no_value_is_counted_apart_and_an_empty_histogram_has_no_median() -> None:
    assert running.bucket_of(0.0) == running.bucket_of(None) == running.NO_VALUE_BUCKET
    assert running.median_of([]) is None
    assert running.median_of([(running.NO_VALUE_BUCKET, 3)]) == running.UnitValue(0.0, 3)


def release(flow: Flow, n: int, value: str) -> None:
    lodged = lodging(n, items=[item(f"D{n}", customs_value=Decimal(value), manifest_line_no=n)])
    flow.to_payment(lodged, Channel.GREEN)
    flow.release(lodged.declaration_id)


def test_a_release_updates_the_statistics_in_its_own_transaction(world: Engine) -> None:
    flow = Flow(world)
    with UnitOfWork(world) as uow:
        assert running.released(uow.connection, running.IMPORTER, "IMP1") == 0
        assert running.usual_values(uow.connection, ["950300"]) == {}
    release(flow, 1, "20000.00")
    release(flow, 2, "40000.00")
    flow.to_payment(lodging(3), Channel.GREEN)  # paid, not released: not counted
    with UnitOfWork(world) as uow:
        connection = uow.connection
        assert running.released(connection, running.IMPORTER, "IMP1") == 2
        assert running.released(connection, running.DECLARANT, "BRK1") == 2
        assert running.released(connection, running.HS6, "950300") == 2
        assert running.released(connection, running.ORIGIN, "CN") == 2
        usual = running.usual_values(connection, ["950300", "870323"])
        assert differences_of(uow) == []
    assert set(usual) == {"950300"}
    # 10,000,000 and 20,000,000 tenge over 38,000 kg: the mean of the two middle values.
    exact = (10_000_000 / 38_000 + 20_000_000 / 38_000) / 2
    assert usual["950300"].count == 2
    assert exact / HALF_BUCKET <= usual["950300"].median <= exact * HALF_BUCKET


def differences_of(uow: UnitOfWork) -> list[str]:
    return running.differences(uow.connection)


def test_verify_names_a_tampered_statistic(lite: Engine, tmp_path: Path) -> None:
    flow = Flow(lite)
    release(flow, 1, "20000.00")
    release(flow, 2, "40000.00")
    key, _ = ensure_signing_key(tmp_path / "keys")
    with lite.connect() as connection:
        assert verify(connection, key.public).ok
    with lite.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE release_tallies SET released = released + 5 "
            "WHERE dimension = 'importer' AND subject = 'IMP1'"
        )
        connection.exec_driver_sql("DELETE FROM usual_values")
    with lite.connect() as connection:
        report = verify(connection, key.public)
    named = {f.where for f in report.findings if f.problem is Problem.STATISTIC_DIFFERS}
    assert "release_tallies importer=IMP1" in named
    assert any(where.startswith("usual_values hs6=950300 bucket=") for where in named)
    assert all(f.problem is Problem.STATISTIC_DIFFERS for f in report.findings)


IMPORTER = [(outcomes.IMPORTER, "IMP1")]
Statistics = tuple[dict[str, running.UnitValue], dict[tuple[str, str], outcomes.History]]


def _fresh(engine: Engine, subheadings: list[str]) -> Statistics:
    """The usual values and the importer's history as the store holds them, read by a
    connection that has kept nothing."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with other.connect() as connection:
            return (
                running.usual_values(connection, subheadings),
                outcomes.histories(connection, IMPORTER),
            )
    finally:
        other.dispose()


def _kept(engine: Engine, subheadings: list[str]) -> Statistics:
    """The same, read through a unit of work (whose connection keeps what it reads)."""
    with UnitOfWork(engine) as uow:
        return (
            running.usual_values(uow.connection, subheadings),
            outcomes.histories(uow.connection, IMPORTER),
        )


def test_kept_statistics_stay_what_the_store_holds(lite: Engine) -> None:
    """A connection keeps the histograms and histories it read; its own releases add to them,
    a commit by another connection and a rolled-back batch make it read them again."""
    flow = Flow(lite)
    wanted = ["950300"]
    release(flow, 1, "20000.00")
    values, _ = _kept(lite, wanted)
    assert values["950300"].count == 1
    release(flow, 2, "40000.00")  # counted on the connection that keeps them
    kept = _kept(lite, wanted)
    assert kept == _fresh(lite, wanted)
    assert kept[1] == {IMPORTER[0]: outcomes.History(2, 0, 0, 0)}

    database = lite.url.database
    assert database is not None
    with closing(sqlite3.connect(database)) as other, other:
        other.execute("UPDATE usual_values SET released_items = released_items + 5")
        other.execute("UPDATE outcome_tallies SET inspected = 1 WHERE dimension = 'importer'")
    changed = _kept(lite, wanted)
    assert changed == _fresh(lite, wanted) != kept
    assert changed[1] == {IMPORTER[0]: outcomes.History(2, 1, 0, 0)}

    with pytest.raises(RuntimeError), Batch(lite, every=1000):
        release(flow, 3, "60000.00")
        assert _kept(lite, wanted)[1] == {IMPORTER[0]: outcomes.History(3, 1, 0, 0)}
        raise RuntimeError("the batch fails: its release is not in the store")
    assert _kept(lite, wanted) == _fresh(lite, wanted) == changed
