"""Fixtures shared by the suite: a fresh store on each backend.

Store tests run on SQLite and on PostgreSQL. PostgreSQL is found at ``DOSTYK_TEST_POSTGRES_URL``
(default: the local server, database ``test``); each test gets a database of its own, dropped
afterwards (a schema of its own where the server does not let us create databases). Without a
server the PostgreSQL cases are skipped with the reason shown, except under CI (``CI=true``),
where they fail: CI must prove both backends.

An initialised store is a copy of one initialised once per test process (the SQLite file, or a
PostgreSQL template database): migrating and loading the reference data took 0.5 s on SQLite and
1.4 s on PostgreSQL for every test that wanted a store, a copy takes a few milliseconds or 0.15 s.
A test that needs ``initialise`` itself calls it on an empty store.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
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


class _Templates:
    """The initialised stores of this test process that every fresh store is copied from."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.sqlite: Path | None = None
        self.postgres: str | None = None
        #: The per-test PostgreSQL databases of this process, by name.
        self.databases: set[str] = set()
        self.may_create_databases: bool | None = None

    def sqlite_file(self) -> Path:
        if self.sqlite is None:
            self.folder = Path(tempfile.mkdtemp(prefix="dostyk-templates-"))
            path = self.folder / "initialised.db"
            engine = make_engine(f"sqlite:///{path}")
            initialise(engine)
            engine.dispose()
            self.sqlite = path
        return self.sqlite

    def postgres_database(self) -> str:
        if self.postgres is None:
            name = f"dostyk_template_{uuid.uuid4().hex[:12]}"
            with _postgres_admin() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            engine = make_engine(_database_url(name))
            initialise(engine)
            engine.dispose()
            self.postgres = name
        return self.postgres

    def remove(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.postgres is not None:
            with _postgres_admin() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self.postgres}" WITH (FORCE)'))


TEMPLATES = _Templates()


@pytest.fixture(scope="session", autouse=True)
def _remove_templates() -> Iterator[None]:
    yield
    TEMPLATES.remove()


@contextmanager
def _postgres_admin() -> Iterator[Connection]:
    admin = create_engine(normalise_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            yield connection
    finally:
        admin.dispose()


def _database_url(name: str) -> str:
    return (
        make_url(normalise_url(POSTGRES_URL))
        .set(database=name)
        .render_as_string(hide_password=False)
    )


def _may_create_databases() -> bool:
    if TEMPLATES.may_create_databases is None:
        with _postgres_admin() as connection:
            TEMPLATES.may_create_databases = bool(
                connection.execute(
                    text(
                        "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
                    )
                ).scalar()
            )
    return TEMPLATES.may_create_databases


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections see only a fresh, empty database (or schema) of their own."""
    need_postgres()
    if _may_create_databases():
        name = f"t_{uuid.uuid4().hex[:12]}"
        with _postgres_admin() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        TEMPLATES.databases.add(name)
        try:
            yield _database_url(name)
        finally:
            TEMPLATES.databases.discard(name)
            with _postgres_admin() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with _postgres_admin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(normalise_url(POSTGRES_URL)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with _postgres_admin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


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
    bare_engine.dispose()
    install_initialised_store(bare_engine.url.render_as_string(hide_password=False))
    return bare_engine


def make_store(url: str) -> Engine:
    """An engine on an initialised store at ``url``, which must be empty."""
    engine = make_engine(url)  # first, since it makes the SQLite file's folder
    install_initialised_store(url)
    return engine


def _is_empty_file(database: str | None) -> bool:
    if not database or database == ":memory:":
        return False
    path = Path(database)
    return not path.exists() or path.stat().st_size == 0


def install_initialised_store(url: str) -> None:
    """Make the empty store at ``url`` an initialised one, by copy where it can."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite" and _is_empty_file(parsed.database):
        with (
            closing(sqlite3.connect(TEMPLATES.sqlite_file())) as source,
            closing(sqlite3.connect(str(parsed.database))) as copy,
        ):
            source.backup(copy)
        return
    if parsed.get_backend_name() == "postgresql" and parsed.database in TEMPLATES.databases:
        template = TEMPLATES.postgres_database()
        with _postgres_admin() as connection:
            connection.execute(text(f'DROP DATABASE "{parsed.database}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{parsed.database}" TEMPLATE "{template}"'))
        return
    engine = make_engine(url)
    initialise(engine)
    engine.dispose()
