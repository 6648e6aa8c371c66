"""A small simulated world, its ground truth and its warehouse, shared by the integrity tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from dostyk.services.setup import initialise
from dostyk.simulate.behaviour import Behaviour
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


#: A small road post on the Chinese border, a month and a few days: enough for one whole month of
#: the partner's figures to be compared (docs/integrity.md, "Mirror analysis").
MIRROR_POST, MIRROR_DAYS = "BKT", 35
#: Nobody cheats on a declaration.
CLEAN = Behaviour(
    undervaluation_share=0.0,
    misclassification_share=0.0,
    undeclared_goods_share=0.0,
    mass_understatement_share=0.0,
)
#: Three importers in five undervalue every declaration's first item to a fifth to two fifths of
#: its worth, and one in ten brings goods in off the manifest; the rest are honest.
INJECTED = Behaviour(
    undervaluation_share=0.6,
    cheating_rate=1.0,
    undervaluation_factor=(0.2, 0.4),
    misclassification_share=0.0,
    undeclared_goods_share=0.1,
    mass_understatement_share=0.0,
)


def _mirror_world(root: Path, behaviour: Behaviour) -> World:
    engine = make_engine(f"sqlite:///{root / 'dostyk.db'}")
    initialise(engine)
    simulate(
        engine,
        days=MIRROR_DAYS,
        seed=5,
        posts=[MIRROR_POST],
        behaviour=behaviour,
        truth_folder=root / "truth",
    )
    build(engine, root / "warehouse")
    engine.dispose()
    return World(root, root / "warehouse", root / "truth")


@pytest.fixture(scope="session")
def clean_trade(tmp_path_factory: pytest.TempPathFactory) -> World:
    """A month of honest trade at one post, with its partner's figures."""
    return _mirror_world(tmp_path_factory.mktemp("mirror-clean"), CLEAN)


@pytest.fixture(scope="session")
def undervalued_trade(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The same month and post with undervaluation and goods off the manifest injected."""
    return _mirror_world(tmp_path_factory.mktemp("mirror-injected"), INJECTED)
