"""Fixtures for the interchange tests: the use-case world with the WCO samples' traders."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dostyk.store.engine import make_engine
from tests.conftest import make_store
from tests.interchange.wco_world import build_uk_world


@pytest.fixture(scope="session")
def uk_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("uk-template") / "dostyk.db"
    engine = make_store(f"sqlite:///{path}")
    build_uk_world(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def uk(uk_template: Path, tmp_path: Path) -> Iterator[Engine]:
    """A fresh copy of the world on SQLite."""
    path = tmp_path / "dostyk.db"
    shutil.copyfile(uk_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()
