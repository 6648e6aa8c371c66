"""Several ``dostyk`` processes on one store at once, as at a busy post: a long import while
brokers lodge, two lodgements, two ``init``s, an ``init`` killed half-way. Each process either
succeeds or is refused in one line; none prints a traceback; the ledger verifies afterwards.

These run the installed ``dostyk`` console script, the way a person does.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner, Result

from dostyk.cli import app
from dostyk.simulate.synthetic_package import PackageSize, write_synthetic_package
from dostyk.store.engine import normalise_url
from tests.cli import documents as docs

DOSTYK = str(Path(sys.executable).with_name("dostyk"))
#: Big enough that its import holds the store for several seconds, small enough to be quick.
DECLARATIONS = 4000
SEED = 5

Store = list[str]  # the --home / --database-url options that name the store


def run(store: Store, *args: str | Path) -> Result:
    """A command run in this process, for setting up and checking (no start-up cost)."""
    result = CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"}).invoke(
        app, [*store, *map(str, args)]
    )
    assert "Traceback" not in result.output
    return result


def start(store: Store, *args: str | Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [DOSTYK, *store, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(env),
    )


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSTYK_")}
    return {**env, "COLUMNS": "200", "NO_COLOR": "1", **extra}


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=300)
    assert "Traceback" not in out + err, out + err
    return process.returncode, out + err


def assert_clean(code: int, output: str, *, busy_allowed: bool = False) -> None:
    """Success, or (when allowed) one line saying the store is busy, exit 2."""
    if busy_allowed and code == 2:
        lines = [line for line in output.splitlines() if line.strip()]
        assert len(lines) == 1 and "is busy (another process is writing)" in lines[0], output
        return
    assert code == 0, output


def assert_verifies(store: Store) -> None:
    result = run(store, "ledger", "verify")
    assert result.exit_code == 0, result.output
    assert "ledger verified" in result.output


@pytest.fixture(autouse=True)
def no_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in [v for v in os.environ if v.startswith("DOSTYK_")]:
        monkeypatch.delenv(variable)


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small package and a big one drawn from the same seed (same parties and officers)."""
    folder = tmp_path_factory.mktemp("packages")
    write_synthetic_package(folder / "small", PackageSize(10), seed=SEED)
    write_synthetic_package(folder / "big", PackageSize(DECLARATIONS), seed=SEED)
    return folder / "small", folder / "big"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    packages: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> Store:
    """A store holding the small package and a train that has just arrived at Dostyk."""
    options = ["--home", str(tmp_path / "home")]
    if request.param == "postgresql":
        options += ["--database-url", request.getfixturevalue("postgres_url")]
    monkeypatch.chdir(tmp_path)
    docs.write("crossing.json", docs.crossing())
    docs.write("toys-1.json", docs.toys("D-TOYS-1", "X-T1-1"))
    docs.write("toys-2.json", docs.toys("D-TOYS-2", "X-T1-2"))
    for args in (
        ["init"],
        ["import", str(packages[0])],
        ["crossing", "register", "crossing.json", "--as", "IN-DST1", "--at", docs.at(1)],
    ):
        result = run(options, *args)
        assert result.exit_code == 0, result.output
    return options


def lodge(store: Store, document: str, **env: str) -> subprocess.Popen[str]:
    return start(
        store, "declaration", "lodge", document, "--as", "BRK000", "--at", docs.at(5), **env
    )


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str]) -> None:
    """Until ``condition`` holds or ``process`` has ended."""
    while process.poll() is None and not condition():
        time.sleep(0.01)


def import_holds_the_store(store: Store) -> Callable[[], bool]:
    """Whether another process holds the store's write lock (SQLite), or has begun (PostgreSQL)."""
    if "--database-url" not in store:
        database = Path(store[1]) / "dostyk.db"

        def locked() -> bool:
            probe = sqlite3.connect(database, timeout=0, isolation_level=None)
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                return False
            except sqlite3.OperationalError:
                return True
            finally:
                probe.close()

        return locked
    url = normalise_url(store[store.index("--database-url") + 1])
    engine = create_engine(url, poolclass=NullPool)

    def importing() -> bool:
        with engine.connect() as connection:
            query = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY%'"
            return bool(connection.execute(text(query)).scalar_one())

    return importing


def test_lodgements_during_a_long_import_wait_or_are_refused_cleanly(
    store: Store, packages: tuple[Path, Path]
) -> None:
    importing = start(store, "import", packages[1])
    wait_for(import_holds_the_store(store), importing)
    patient = [lodge(store, "toys-1.json")]  # the default timeout outlasts the import
    hurried = [lodge(store, "toys-2.json", DOSTYK_BUSY_TIMEOUT="0.1")]
    code, output = finish(importing)
    assert code == 0, output
    for process in patient:
        assert_clean(*finish(process))
    for process in hurried:
        assert_clean(*finish(process), busy_allowed=True)
    shown = run(store, "declaration", "show", "D-TOYS-1", "--json")
    assert json.loads(shown.stdout)["declaration"]["declaration_id"] == "D-TOYS-1"
    assert_verifies(store)


def test_two_lodgements_at_once(store: Store) -> None:
    processes = [lodge(store, "toys-1.json"), lodge(store, "toys-2.json")]
    for process in processes:
        assert_clean(*finish(process))
    for declaration in ("D-TOYS-1", "D-TOYS-2"):
        assert run(store, "declaration", "show", declaration).exit_code == 0
    assert_verifies(store)


def test_two_inits_at_once_make_one_store_with_one_key(tmp_path: Path) -> None:
    home = ["--home", str(tmp_path / "home")]
    processes = [start(home, "init") for _ in range(2)]
    for process in processes:
        assert_clean(*finish(process))
    keys = sorted(p.name for p in (tmp_path / "home" / "keys").iterdir())
    assert keys == ["ledger-ed25519.pem", "ledger-ed25519.pub"]
    assert_verifies(home)


@pytest.mark.parametrize("moment", ["keys", "dostyk.db-wal"])
def test_an_init_killed_half_way_is_finished_by_the_next(tmp_path: Path, moment: str) -> None:
    """``kill -9`` once the key folder, or the store's write-ahead log, has appeared."""
    folder = tmp_path / "home"
    home = ["--home", str(folder)]
    process = start(home, "init")

    def reached() -> bool:
        path = folder / moment
        return path.exists() and (path.is_dir() or path.stat().st_size > 0)

    wait_for(reached, process)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    again = run(home, "init")
    assert again.exit_code == 0, again.output
    assert_verifies(home)
    assert run(home, "ledger", "head").exit_code == 0
