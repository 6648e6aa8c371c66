"""A small simulated world, its ground truth and its warehouse, shared by the integrity tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from dostyk.services.setup import initialise
from dostyk.simulate.run import simulate
from dostyk.store.engine import make_engine
from dostyk.warehouse.extract import build


@dataclass(frozen=True)
class World:
    home: Path
    warehouse: Path
    truth: Path


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """Five days at the Dostyk pair of posts (rail and road), with corruption at default rates."""
    home = tmp_path_factory.mktemp("integrity-home")
    engine = make_engine(f"sqlite:///{home / 'dostyk.db'}")
    initialise(engine)
    simulate(engine, days=5, seed=3, posts=["DST", "DSR"], truth_folder=home / "truth")
    build(engine, home / "warehouse")
    engine.dispose()
    return World(home, home / "warehouse", home / "truth")
