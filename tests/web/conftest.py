"""Fixtures for the web tests: the services' world with accounts, and a client of the app."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from dostyk.store.engine import make_engine
from tests.conftest import make_store
from tests.services.world import build_world
from tests.web.app_world import add_accounts, client_on


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The world with its accounts on SQLite, built once per test process and copied."""
    path = tmp_path_factory.mktemp("web") / "dostyk.db"
    engine = make_store(f"sqlite:///{path}")
    build_world(engine)
    add_accounts(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def web_engine(web_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "dostyk.db"
    shutil.copyfile(web_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def client(web_engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    with client_on(web_engine, tmp_path) as test_client:
        yield test_client


@pytest.fixture
def pg_client(world: Engine, tmp_path: Path) -> Iterator[TestClient]:
    """The same on both back ends (``world`` is parametrised over SQLite and PostgreSQL)."""
    add_accounts(world)
    with client_on(world, tmp_path) as test_client:
        yield test_client


@pytest.fixture
def world(engine: Engine) -> Engine:
    build_world(engine)
    return engine
