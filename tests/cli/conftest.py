"""Fixtures for the lifecycle commands: the sample package in a store under ``--home``.

The store is built once per test process (``dostyk init`` and ``dostyk import`` of the sample
package) and copied for every test, since building it runs every migration and the import.
Tests work in their own folder, so the JSON documents they write are named as a user would
name them (``decl.json``) in the messages.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from dostyk.cli import app
from dostyk.store.engine import make_engine
from dostyk.store.tables import LEDGER_TABLES, TABLES
from tests.cli import documents
from tests.conftest import SAMPLE_PACKAGE

Invoke = Callable[..., Result]


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for variable in (
        "DOSTYK_HOME",
        "DOSTYK_DATABASE_URL",
        "DOSTYK_SQLITE_SYNCHRONOUS",
        "DOSTYK_BUSY_TIMEOUT",
    ):
        monkeypatch.delenv(variable, raising=False)
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


@pytest.fixture(scope="session")
def sample_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose store holds the reference data and the sample package."""
    home = tmp_path_factory.mktemp("sample") / "home"
    runner = CliRunner()
    for args in (["init"], ["import", str(SAMPLE_PACKAGE)]):
        result = runner.invoke(app, ["--home", str(home), *args])
        assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{home / 'dostyk.db'}")
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return home


@pytest.fixture
def home(sample_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sample home; the test runs in ``tmp_path``."""
    copy = tmp_path / "home"
    shutil.copytree(sample_home, copy)
    monkeypatch.chdir(tmp_path)
    return copy


@pytest.fixture
def dostyk(runner: CliRunner, home: Path) -> Invoke:
    """Run ``dostyk --home HOME ARGS`` on the sample store."""

    def invoke(*args: str | Path, input: str | None = None) -> Result:
        return runner.invoke(app, ["--home", str(home), *map(str, args)], input=input)

    return invoke


def snapshot(home: Path) -> dict[str, int]:
    """Rows in every table, the ledger's included: equal snapshots mean nothing was written."""
    engine = make_engine(f"sqlite:///{home / 'dostyk.db'}")
    try:
        with engine.connect() as connection:
            return {
                t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (*TABLES, *LEDGER_TABLES)
            }
    finally:
        engine.dispose()


def command(line: str, *extra: str, at: int | None = None) -> list[str]:
    """``line`` split on spaces, then ``extra`` (for values with spaces), then ``--at``."""
    args = [*line.split(), *extra]
    if at is not None:
        args += ["--at", documents.at(at)]
    return args
