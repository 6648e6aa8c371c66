"""Opening the store: SQLite settings, PostgreSQL driver, and where the settings come from."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from dostyk.config import SettingError, default_home, load_settings
from dostyk.store import tables as t
from dostyk.store.engine import is_read_only, make_engine, normalise_url
from dostyk.store.errors import StoreBusy, StoreReadOnly, StoreUnavailable
from dostyk.store.unit_of_work import UnitOfWork
from tests.conftest import make_store
from tests.store.test_repositories import PARTIES


@pytest.fixture
def sqlite_engine(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.delenv("DOSTYK_SQLITE_SYNCHRONOUS", raising=False)
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


def pragma(engine: Engine, name: str) -> object:
    with engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar_one()


# SQLite -------------------------------------------------------------------------------------------


def test_sqlite_file_uses_wal_and_enforces_foreign_keys(sqlite_engine: Engine) -> None:
    assert str(pragma(sqlite_engine, "journal_mode")).lower() == "wal"
    assert pragma(sqlite_engine, "foreign_keys") == 1
    assert pragma(sqlite_engine, "synchronous") == 1  # NORMAL
    assert pragma(sqlite_engine, "busy_timeout") == 30000


def test_every_pooled_sqlite_connection_is_configured(sqlite_engine: Engine) -> None:
    first, second = sqlite_engine.connect(), sqlite_engine.connect()
    try:
        for connection in (first, second):
            # On the driver's connection: the engine's own would open a transaction, and two
            # of those wait for each other (see test_a_reader_does_not_wait_for_a_writer).
            driver = connection.connection.driver_connection
            assert driver is not None
            assert driver.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            assert driver.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        first.close()
        second.close()


def test_wal_is_kept_in_the_database_file(sqlite_engine: Engine, sqlite_url: str) -> None:
    """The journal mode is a property of the file: a plain sqlite3 client sees it too."""
    pragma(sqlite_engine, "journal_mode")
    database = make_url(sqlite_url).database
    assert database is not None
    plain = sqlite3.connect(database)
    try:
        assert plain.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        plain.close()


@pytest.mark.parametrize(("setting", "level"), [("OFF", 0), ("full", 2), ("Extra", 3)])
def test_sqlite_synchronous_from_the_environment(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, setting: str, level: int
) -> None:
    monkeypatch.setenv("DOSTYK_SQLITE_SYNCHRONOUS", setting)
    engine = make_engine(sqlite_url)
    try:
        assert pragma(engine, "synchronous") == level
    finally:
        engine.dispose()


def test_a_bogus_sqlite_synchronous_setting_is_refused_clearly(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSTYK_SQLITE_SYNCHRONOUS", "BOGUS")
    with pytest.raises(ValueError) as info:
        make_engine(sqlite_url)
    message = str(info.value)
    assert "DOSTYK_SQLITE_SYNCHRONOUS" in message
    assert "BOGUS" in message
    for choice in ("OFF", "NORMAL", "FULL", "EXTRA"):
        assert choice in message


def test_sqlite_folder_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOSTYK_SQLITE_SYNCHRONOUS", raising=False)
    database = tmp_path / "new" / "home" / "dostyk.db"
    engine = make_store(f"sqlite:///{database}")
    try:
        assert database.is_file()
    finally:
        engine.dispose()


def test_sqlite_in_memory_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOSTYK_SQLITE_SYNCHRONOUS", raising=False)
    engine = make_engine("sqlite://")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("select 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_a_reader_does_not_wait_for_a_writer_on_sqlite(sqlite_url: str) -> None:
    """WAL lets a reader see the last committed state while a unit of work writes.

    (Every transaction used to begin IMMEDIATE, so a reader queued behind any writer.)
    """
    engine = make_store(sqlite_url)
    try:
        with UnitOfWork(engine) as writer:
            writer.parties.add(PARTIES[0])
            with engine.connect() as reader:
                # Fail fast instead of after the store's 30 s busy timeout.
                driver = reader.connection.driver_connection
                assert driver is not None
                driver.execute("PRAGMA busy_timeout=200")
                try:
                    seen = reader.execute(select(func.count()).select_from(t.parties))
                    assert seen.scalar_one() == 0
                finally:
                    reader.rollback()
    except OperationalError as error:
        pytest.fail(f"the reader was blocked by the writer: {error.orig}")
    finally:
        engine.dispose()


# URLs ---------------------------------------------------------------------------------------------


def test_plain_postgresql_urls_use_psycopg() -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h:5433/db") == "postgresql+psycopg://u@h:5433/db"
    # The password is kept: the URL is used to connect, not to be shown.
    assert normalise_url("postgresql://u:s3cret@h/db") == "postgresql+psycopg://u:s3cret@h/db"
    # An explicit driver is respected, and SQLite is left alone.
    assert normalise_url("postgresql+psycopg2://u@h/db") == "postgresql+psycopg2://u@h/db"
    assert normalise_url("sqlite:////var/lib/dostyk/dostyk.db") == (
        "sqlite:////var/lib/dostyk/dostyk.db"
    )
    query = normalise_url("postgresql://u@h/db?options=-csearch_path%3Dx")
    assert make_url(query).query == {"options": "-csearch_path=x"}


def test_a_postgresql_engine_uses_psycopg_without_connecting() -> None:
    engine = make_engine("postgresql://u@h.invalid/db")
    try:
        assert engine.dialect.name == "postgresql"
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


# Settings -----------------------------------------------------------------------------------------


@pytest.fixture
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No Dostyk variables; the XDG data folder inside tmp_path."""
    monkeypatch.delenv("DOSTYK_HOME", raising=False)
    monkeypatch.delenv("DOSTYK_DATABASE_URL", raising=False)
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_DATA_HOME", str(xdg))
    return xdg


def test_default_settings(clean_environment: Path) -> None:
    settings = load_settings()
    assert settings.home == clean_environment / "dostyk"
    assert (
        settings.database_url
        == f"sqlite:///{(clean_environment / 'dostyk' / 'dostyk.db').resolve()}"
    )
    assert settings.is_embedded
    assert settings.key_dir == clean_environment / "dostyk" / "keys"


def test_default_home_without_xdg(
    clean_environment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert default_home() == tmp_path / "user" / ".local" / "share" / "dostyk"
    assert load_settings().home == default_home()


def test_environment_overrides_defaults(
    clean_environment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSTYK_HOME", str(tmp_path / "env-home"))
    settings = load_settings()
    assert settings.home == tmp_path / "env-home"
    assert settings.database_url == f"sqlite:///{(tmp_path / 'env-home' / 'dostyk.db').resolve()}"

    monkeypatch.setenv("DOSTYK_DATABASE_URL", "postgresql://dostyk@db/customs")
    settings = load_settings()
    assert settings.home == tmp_path / "env-home"
    assert settings.database_url == "postgresql://dostyk@db/customs"
    assert not settings.is_embedded


def test_arguments_override_the_environment(
    clean_environment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSTYK_HOME", str(tmp_path / "env-home"))
    monkeypatch.setenv("DOSTYK_DATABASE_URL", "postgresql://dostyk@db/customs")
    settings = load_settings(tmp_path / "arg-home", "postgresql://other@elsewhere/x")
    assert settings.home == tmp_path / "arg-home"
    assert settings.database_url == "postgresql://other@elsewhere/x"
    # A home argument alone moves the key folder, while the URL still comes from the environment.
    settings = load_settings(tmp_path / "arg-home")
    assert settings.key_dir == tmp_path / "arg-home" / "keys"
    assert settings.database_url == "postgresql://dostyk@db/customs"


def test_a_home_argument_places_the_embedded_database(
    clean_environment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSTYK_HOME", str(tmp_path / "env-home"))
    settings = load_settings(tmp_path / "arg-home")
    assert settings.database_url == f"sqlite:///{(tmp_path / 'arg-home' / 'dostyk.db').resolve()}"


def test_a_relative_home_gives_an_absolute_database_path(
    clean_environment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(Path("relative-home"))
    assert (
        settings.database_url == f"sqlite:///{tmp_path.resolve() / 'relative-home' / 'dostyk.db'}"
    )


# Busy, read-only and unusable stores --------------------------------------------------------------


def test_the_busy_timeout_comes_from_the_environment(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSTYK_BUSY_TIMEOUT", "2.5")
    engine = make_engine(sqlite_url)
    try:
        assert pragma(engine, "busy_timeout") == 2500
    finally:
        engine.dispose()


@pytest.mark.parametrize("value", ["", "soon", "-1", "nan", "inf", "1e9"])
def test_a_bad_busy_timeout_is_refused_naming_the_setting(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DOSTYK_BUSY_TIMEOUT", value)
    if not value:  # empty means unset: the default
        make_engine(sqlite_url).dispose()
        return
    with pytest.raises(SettingError, match="DOSTYK_BUSY_TIMEOUT="):
        make_engine(sqlite_url)
    with pytest.raises(SettingError, match="DOSTYK_BUSY_TIMEOUT="):
        load_settings()


def test_a_writer_past_the_busy_timeout_is_told_the_store_is_busy(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_store(sqlite_url).dispose()
    monkeypatch.setenv("DOSTYK_BUSY_TIMEOUT", "0.1")
    engine = make_engine(sqlite_url)
    holder = sqlite3.connect(tmp_path / "dostyk.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreBusy, match=r"is busy .* tried for 0\.1 s"), UnitOfWork(engine):
            pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        engine.dispose()


def test_a_read_only_sqlite_store_refuses_writers_before_they_begin(
    sqlite_url: str, tmp_path: Path
) -> None:
    make_store(sqlite_url).dispose()
    engine = make_engine(f"sqlite:///file:{tmp_path / 'dostyk.db'}?mode=ro&uri=true")
    try:
        assert is_read_only(engine)
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(t.posts)).scalar_one()
        with pytest.raises(StoreReadOnly, match="is read-only"), UnitOfWork(engine):
            pass
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("url", "message"),
    [("garbage", "is not a database URL"), ("nosuch://x", "has no driver for 'nosuch'")],
)
def test_a_url_that_names_no_store_is_refused(url: str, message: str) -> None:
    with pytest.raises(StoreUnavailable, match=message):
        make_engine(url)


def test_a_postgresql_lock_wait_is_bounded_by_the_busy_timeout(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for setting, shown in ((None, "30s"), ("1.5", "1500ms")):
        if setting is None:
            monkeypatch.delenv("DOSTYK_BUSY_TIMEOUT", raising=False)
        else:
            monkeypatch.setenv("DOSTYK_BUSY_TIMEOUT", setting)
        engine = make_engine(postgres_url)
        try:
            with engine.connect() as connection:
                assert connection.exec_driver_sql("SHOW lock_timeout").scalar_one() == shown
        finally:
            engine.dispose()


@pytest.mark.parametrize("name", ["query?x=1", "hash#1", "percent%41", "brackets [x]", "ünï"])
def test_the_default_database_url_keeps_the_home_whatever_its_name(
    clean_environment: Path, tmp_path: Path, name: str
) -> None:
    settings = load_settings(tmp_path / name)
    assert make_url(settings.database_url).database == str(tmp_path / name / "dostyk.db")
    assert make_url(settings.database_url).query == {}
