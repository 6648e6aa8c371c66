"""The simulator: calibrated to the public record, faithful to the system, reproducible."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from dostyk.interchange.datapackage import export_package
from dostyk.ledger.store import root_at
from dostyk.ledger.writer import log_size
from dostyk.services.setup import initialise
from dostyk.simulate.calibration import PUBLIC_DOSTYK
from dostyk.simulate.run import simulate
from dostyk.simulate.summary import figures
from dostyk.store import tables as t
from dostyk.store.engine import make_engine

DOSTYK = ["DST", "DSR"]
START = date(2025, 1, 1)
SETUP_AT = datetime(2024, 12, 1, tzinfo=UTC)


def fresh_store(folder: Path) -> Engine:
    engine = make_engine(f"sqlite:///{folder / 'dostyk.db'}")
    initialise(engine, at=SETUP_AT)
    return engine


def test_a_simulated_year_at_dostyk_matches_the_public_record(tmp_path: Path) -> None:
    report = simulate(fresh_store(tmp_path), days=365, seed=11, posts=DOSTYK, dry_run=True)
    totals: dict[tuple[str, str], float] = {}
    for (post, _day), counts in report.tally.items():
        for name, value in counts.items():
            totals[post, name] = totals.get((post, name), 0) + value
    railcars = totals["DST", "railcars_in"]
    transactions = totals["DST", "declarations"]
    simulated = {
        "railcars_per_day": railcars / 365,
        "passenger_trains_per_week": totals["DST", "passenger_trains"] * 7 / 365,
        "import_transactions_per_year": transactions,
        "tonnes_per_year": totals["DST", "tonnes"],
        "railcars_per_transaction": railcars / transactions,
        "trucks_in_per_day": totals["DSR", "trucks_in"] / 365,
        "empty_returns_per_day": totals["DSR", "empty_returns"] / 365,
    }
    off = {
        name: f"{value:,.1f} against {PUBLIC_DOSTYK[name]:,.1f}"
        for name, value in simulated.items()
        if abs(value - PUBLIC_DOSTYK[name]) > 0.05 * PUBLIC_DOSTYK[name]
    }
    assert not off, off
    assert 10 <= simulated["empty_returns_per_day"] <= 20


def test_the_store_records_exactly_the_traffic_the_world_generates(tmp_path: Path) -> None:
    """A dry run's counts equal what the live system stores, day by day and post by post."""
    (tmp_path / "live").mkdir()
    (tmp_path / "dry").mkdir()
    live_store = fresh_store(tmp_path / "live")
    simulate(live_store, days=3, seed=5, posts=DOSTYK)
    dry = simulate(fresh_store(tmp_path / "dry"), days=3, seed=5, posts=DOSTYK, dry_run=True)
    stored = {(f.post_code, f.day): f for f in figures(live_store, START, 6)}
    assert stored, "the live run stored nothing"
    for (post, day), counts in dry.tally.items():
        row = stored.get((post, day))
        assert row is not None, (post, day)
        assert row.railcars_in == counts.get("railcars_in", 0), (post, day)
        assert row.trucks_in == counts.get("trucks_in", 0), (post, day)
        assert row.empty_returns == counts.get("empty_returns", 0), (post, day)
        assert row.passenger_trains == counts.get("passenger_trains", 0), (post, day)
        assert row.declarations == counts.get("declarations", 0), (post, day)
        assert row.tonnes == pytest.approx(counts.get("tonnes", 0.0), rel=1e-9)
    with live_store.connect() as connection:
        rejected = connection.execute(
            select(func.count()).where(t.declarations.c.status == "rejected")
        ).scalar_one()
        unfinished = connection.execute(
            select(func.count()).where(t.declarations.c.status != "released")
        ).scalar_one()
    assert rejected == 0
    assert unfinished == 0, "every simulated declaration should be worked through to release"


def run_live(folder: Path, seed: int) -> tuple[dict[str, bytes], bytes, dict[str, bytes]]:
    folder.mkdir()
    engine = fresh_store(folder)
    simulate(engine, days=2, seed=seed, posts=DOSTYK, truth_folder=folder / "truth")
    export_package(engine, folder / "export")
    with engine.connect() as connection:
        root = root_at(connection, log_size(connection))
    engine.dispose()

    def files(path: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(path.iterdir())}

    return files(folder / "export"), root, files(folder / "truth")


def test_the_same_seed_gives_the_same_store_and_truth(tmp_path: Path) -> None:
    first = run_live(tmp_path / "a", seed=3)
    again = run_live(tmp_path / "b", seed=3)
    other = run_live(tmp_path / "c", seed=4)
    assert first[0] == again[0], "records differ"
    assert first[1] == again[1], "ledger roots differ"
    assert first[2] == again[2], "ground truth differs"
    assert first[0]["declarations.csv"] != other[0]["declarations.csv"]
    assert first[2]["declarations.csv"] != other[2]["declarations.csv"]


def test_the_ground_truth_knows_what_the_store_does_not(tmp_path: Path) -> None:
    engine = fresh_store(tmp_path)
    report = simulate(engine, days=2, seed=9, posts=DOSTYK, truth_folder=tmp_path / "truth")
    truth = tmp_path / "truth"
    with (truth / "declarations.csv").open() as handle:
        declared = list(csv.DictReader(handle))
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(t.declarations)).scalar_one()
    assert len(declared) == stored == report.counts["declarations"]
    assert any(row["fraudulent"] == "true" for row in declared)
    with (truth / "agents.csv").open() as handle:
        schemes = {row["scheme"] for row in csv.DictReader(handle)}
    assert {"bribe-taking", "pass-up", "undervaluation"} & schemes
    # Nothing of the truth leaks into the records: no table mentions schemes or bribes.
    names = {c.name for table in t.TABLES for c in table.columns}
    assert not {"scheme", "fraudulent", "bribe", "revenue_at_stake"} & names


def test_a_run_until_a_moment_leaves_the_work_in_progress_at_that_moment(tmp_path: Path) -> None:
    """The demo's world stops at the present: nothing after it, and work still under way."""
    from datetime import timedelta

    from dostyk.services.actors import NATIONAL_TIME

    stop = datetime(2025, 1, 2, 11, 30, tzinfo=NATIONAL_TIME)
    engine = fresh_store(tmp_path)
    simulate(engine, days=2, seed=5, posts=["DST"], until=stop)
    with engine.connect() as connection:
        latest = connection.execute(select(func.max(t.status_changes.c.at))).scalar_one()
        open_work = connection.execute(
            select(func.count()).where(t.declarations.c.status != "released")
        ).scalar_one()
        crossed = connection.execute(select(func.max(t.crossings.c.crossed_at))).scalar_one()
    assert latest is not None and latest.replace(tzinfo=UTC) <= stop
    assert crossed.replace(tzinfo=UTC) <= stop
    assert crossed.replace(tzinfo=UTC) > stop - timedelta(hours=12), "the second day ran"
    assert open_work > 0, "at a moment of the working day some declarations are still open"
