"""Fixtures for the use-case tests: the world of :mod:`tests.services.world` in a store.

``world`` is on both backends, for the tests that must prove the use cases on PostgreSQL too.
``lite`` is the same world on SQLite, copied from a file built once per test process, since
building a store runs every migration and loads the reference data.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dostyk.store.engine import make_engine
from tests.conftest import make_store
from tests.services.world import build_world


@pytest.fixture
def world(engine: Engine) -> Engine:
    build_world(engine)
    return engine


@pytest.fixture(scope="session")
def lite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "dostyk.db"
    engine = make_store(f"sqlite:///{path}")
    build_world(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def lite(lite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "dostyk.db"
    shutil.copyfile(lite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()
