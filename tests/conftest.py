"""Fixtures shared by the suite: a fresh store on each backend.

Store tests run on SQLite and on PostgreSQL. PostgreSQL is found at ``DOSTYK_TEST_POSTGRES_URL``
(default: the local server, database ``test``); each test gets a schema of its own, dropped
afterwards. Without a server the PostgreSQL cases are skipped with the reason shown, except under
CI (``CI=true``), where they fail: CI must prove both backends.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from dostyk.services.setup import initialise
from dostyk.store.engine import make_engine, normalise_url

POSTGRES_URL = os.environ.get(
    "DOSTYK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REPO = Path(__file__).resolve().parents[1]
SAMPLE_PACKAGE = REPO / "examples" / "sample-package"


def shared_data() -> Path:
    """The shared data folder: $DOSTYK_SHARED_DATA or ../shared/data beside the repository."""
    return Path(os.environ.get("DOSTYK_SHARED_DATA") or REPO.parent / "shared" / "data")


_postgres_problem: str | None = None
_postgres_checked = False


def postgres_unavailable() -> str | None:
    global _postgres_checked, _postgres_problem
    if not _postgres_checked:
        _postgres_checked = True
        try:
            probe = create_engine(normalise_url(POSTGRES_URL))
            with probe.connect() as connection:
                connection.execute(text("select 1"))
            probe.dispose()
        except OperationalError as error:
            _postgres_problem = f"PostgreSQL at {POSTGRES_URL} is not reachable: {error.orig}"
    return _postgres_problem


def need_postgres() -> None:
    problem = postgres_unavailable()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI requires PostgreSQL: {problem}")
    pytest.skip(problem)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections see only a fresh schema of their own."""
    need_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_url(POSTGRES_URL))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(normalise_url(POSTGRES_URL)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'dostyk.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'dostyk.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def bare_engine(database_url: str) -> Iterator[Engine]:
    """An engine on an empty database, no schema."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(bare_engine: Engine) -> Engine:
    """An initialised store: schema at head, reference posts and tariff loaded."""
    initialise(bare_engine)
    return bare_engine


def make_store(url: str) -> Engine:
    engine = make_engine(url)
    initialise(engine)
    return engine
