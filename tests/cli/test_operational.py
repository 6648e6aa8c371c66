"""Operational trouble — a busy, read-only or unreachable store, a bad URL or setting, a home or
target that cannot be written — ends every command with one clear line and exit 2; anything
unforeseen with one line naming a log file that holds the trace, exit 70. Never a traceback.
"""

from __future__ import annotations

import gc
import os
import socket
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool
from typer.testing import CliRunner, Result

from dostyk.cli import app
from dostyk.ledger.writer import APPEND_LOCK
from dostyk.store.engine import normalise_url
from dostyk.store.errors import StoreBusy
from tests.cli import documents as docs
from tests.cli.conftest import Invoke, command, snapshot
from tests.conftest import SAMPLE_PACKAGE
from tests.test_cli import plain


def one_line(result: Result, code: int, *expected: str) -> str:
    """The command exited ``code`` printing exactly one line, holding each of ``expected``."""
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert len(lines) == 1, result.output
    for part in expected:
        assert part in lines[0], (part, lines[0])
    return lines[0]


def hold_write_lock(database: Path) -> sqlite3.Connection:
    """Another process's writer, as SQLite sees it: a connection holding the write lock."""
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


# A busy store -------------------------------------------------------------------------------------


def test_a_writer_waits_for_another_writer_and_then_succeeds(dostyk: Invoke, home: Path) -> None:
    docs.write("crossing.json", docs.crossing())
    holder = hold_write_lock(home / "dostyk.db")
    release = threading.Timer(1.0, holder.execute, ["ROLLBACK"])
    release.start()
    try:
        result = dostyk(*command("crossing register crossing.json --as IN-DST1", at=1))
    finally:
        release.join()
        holder.close()
    assert result.exit_code == 0, result.output


def test_a_store_busy_past_the_timeout_says_so_and_writes_nothing(
    dostyk: Invoke, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs.write("crossing.json", docs.crossing())
    monkeypatch.setenv("DOSTYK_BUSY_TIMEOUT", "0.2")
    before = snapshot(home)
    holder = hold_write_lock(home / "dostyk.db")
    try:
        result = dostyk(*command("crossing register crossing.json --as IN-DST1", at=1))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    one_line(
        result,
        2,
        f"the store at {(home / 'dostyk.db').resolve()} is busy (another process is writing)",
        "tried for 0.2 s",
        "DOSTYK_BUSY_TIMEOUT",
    )
    assert snapshot(home) == before


def test_reads_do_not_wait_for_a_writer(dostyk: Invoke, home: Path) -> None:
    holder = hold_write_lock(home / "dostyk.db")
    try:
        for args in (["stats"], ["ledger", "verify"], ["ledger", "head"]):
            assert dostyk(*args).exit_code == 0, args
    finally:
        holder.execute("ROLLBACK")
        holder.close()


# A read-only store --------------------------------------------------------------------------------


@contextmanager
def read_only(home: Path, tmp_path: Path, state: str = "closed") -> Iterator[Path]:
    """``home`` on a read-only mount (as root, whom file modes do not stop), else with its files
    and folders made read-only.

    "closed": as its last user left it, without SQLite's -wal and -shm files; "in use": with
    them, while a process that may write it has it open.
    """
    database = home / "dostyk.db"
    last = sqlite3.connect(database)
    last.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    last.close()  # the last connection to close removes the -wal and -shm files
    assert not database.with_name("dostyk.db-wal").exists()
    with ExitStack() as stack:
        if state == "in use":
            user = stack.enter_context(closing(sqlite3.connect(database)))
            user.execute("SELECT count(*) FROM posts").fetchone()
            assert database.with_name("dostyk.db-shm").exists()
        mount = tmp_path / "read-only"
        mount.mkdir()
        if os.geteuid() == 0:
            try:
                for args in (["--bind", str(home)], ["-o", "remount,ro,bind"]):
                    subprocess.run(["mount", *args, str(mount)], check=True, capture_output=True)
            except (OSError, subprocess.CalledProcessError) as error:
                subprocess.run(["umount", str(mount)], capture_output=True)
                pytest.skip(f"running as root without a read-only bind mount: {error}")
            try:
                yield mount
            finally:
                # Lazily: the test's engines may still hold the store open.
                subprocess.run(["umount", "--lazy", str(mount)], check=True)
            return
        mount.rmdir()
        home.rename(mount)
        files = (mount / "keys" / "ledger-ed25519.pem", mount / "dostyk.db", mount / "keys", mount)
        for path in files:
            path.chmod(path.stat().st_mode & ~0o222)
        try:
            yield mount
        finally:
            for path in (mount, mount / "keys"):
                path.chmod(path.stat().st_mode | 0o200)


@pytest.fixture(params=["closed", "in use"])
def read_only_home(request: pytest.FixtureRequest, home: Path, tmp_path: Path) -> Iterator[Path]:
    with read_only(home, tmp_path, request.param) as mount:
        yield mount


READS = [
    "stats",
    "stats --json --post DST",
    "declaration show D000000000",
    "declaration show D000000000 --json",
    "queue show --post DST --at 2024-03-01T04:00:00Z",
    "ledger verify",
    "ledger head",
    "ledger heads",
    "ledger prove declarations D000000000",
]


@pytest.mark.parametrize("line", READS)
def test_a_read_only_store_serves_every_read(
    runner: CliRunner, read_only_home: Path, line: str
) -> None:
    with pytest.raises(OSError):  # the store really cannot be written
        (read_only_home / "probe").touch(exist_ok=False)
    result = runner.invoke(app, ["--home", str(read_only_home), *line.split()])
    assert result.exit_code == 0, result.output


def test_a_read_only_store_exports(runner: CliRunner, read_only_home: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--home", str(read_only_home), "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "declarations.csv").is_file()


@pytest.mark.parametrize(
    "line",
    ["init", "crossing register crossing.json --as IN-DST1 --at 2024-03-01T04:01:00Z"],
)
def test_a_write_to_a_read_only_store_is_refused_in_one_line(
    runner: CliRunner, read_only_home: Path, line: str
) -> None:
    docs.write("crossing.json", docs.crossing())
    result = runner.invoke(app, ["--home", str(read_only_home), *line.split()])
    one_line(result, 2, f"the store at {read_only_home.resolve() / 'dostyk.db'} is read-only")


def test_a_read_only_uri_serves_reads_and_refuses_writes(runner: CliRunner, home: Path) -> None:
    """The mechanism itself, wherever the test runs: a store opened with SQLite's mode=ro."""
    url = f"sqlite:///file:{home / 'dostyk.db'}?mode=ro&uri=true"
    for line in ("stats", "ledger verify", "declaration show D000000000"):
        result = runner.invoke(app, ["--database-url", url, "--home", str(home), *line.split()])
        assert result.exit_code == 0, (line, result.output)
    result = runner.invoke(app, ["--database-url", url, "--home", str(home), "init"])
    one_line(result, 2, "is read-only")


# URLs, servers, homes and settings ----------------------------------------------------------------


def closed_port() -> int:
    """A local TCP port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_postgresql_server_that_is_down(runner: CliRunner, tmp_path: Path) -> None:
    url = f"postgresql://dostyk:s3cret@127.0.0.1:{closed_port()}/customs"
    for line in ("init", "stats", "ledger verify"):
        result = runner.invoke(app, ["--home", str(tmp_path), "--database-url", url, *line.split()])
        text = one_line(result, 2, "cannot reach the store at postgresql", "127.0.0.1", "refused")
        assert "s3cret" not in text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("nosuch://x", "Dostyk has no driver for 'nosuch' stores"),
        ("garbage", "'garbage' is not a database URL"),
        ("mysql://u@h/db", "the driver for 'mysql' is not installed"),
    ],
)
def test_a_bad_database_url(runner: CliRunner, tmp_path: Path, url: str, expected: str) -> None:
    for line in ("init", "stats"):
        result = runner.invoke(app, ["--home", str(tmp_path), "--database-url", url, line])
        one_line(result, 2, expected)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("DOSTYK_SQLITE_SYNCHRONOUS", "fast", "OFF, NORMAL, FULL, EXTRA"),
        ("DOSTYK_BUSY_TIMEOUT", "soon", "from 0 to 86400"),
        ("DOSTYK_BUSY_TIMEOUT", "-1", "from 0 to 86400"),
        ("DOSTYK_BUSY_TIMEOUT", "nan", "from 0 to 86400"),
    ],
)
def test_a_bad_setting_is_named_with_its_choices(
    dostyk: Invoke, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    for line in ("stats", "init", "ledger verify"):
        one_line(dostyk(*line.split()), 2, f"{variable}={value!r}", expected)


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("not a folder\n")
    return path


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("file", "exists and is not a folder"),
        ("link-to-file", "exists and is not a folder"),
        ("in-file", "a part of it is a file, not a folder"),
        ("/dev/null", "exists and is not a folder"),
        ("/proc/dostyk", "cannot be made there"),
    ],
)
def test_init_with_a_home_that_cannot_be_a_folder(
    runner: CliRunner, a_file: Path, tmp_path: Path, where: str, expected: str
) -> None:
    home = {
        "file": a_file,
        "link-to-file": tmp_path / "link",
        "in-file": a_file / "home",
    }.get(where, Path(where))
    if where == "link-to-file":
        home.symlink_to(a_file)
    result = runner.invoke(app, ["--home", str(home), "init"])
    one_line(result, 2, expected)
    assert a_file.read_text() == "not a folder\n"


@pytest.mark.parametrize("where", ["file", "/dev/null", "/proc/dostyk"])
def test_a_read_command_on_an_unusable_home_creates_nothing(
    runner: CliRunner, a_file: Path, where: str
) -> None:
    home = a_file if where == "file" else Path(where)
    result = runner.invoke(app, ["--home", str(home), "stats"])
    one_line(result, 2, "is not initialised", "run `dostyk init` first")


def test_a_read_command_on_a_new_home_creates_no_store(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--home", str(tmp_path / "new"), "stats"])
    one_line(result, 2, "is not initialised")
    assert not (tmp_path / "new").exists()


def test_a_store_file_that_is_a_folder(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "home" / "dostyk.db").mkdir(parents=True)
    result = runner.invoke(app, ["--home", str(tmp_path / "home"), "init"])
    one_line(result, 2, "is a folder, not a database file")


def test_a_store_file_that_is_not_a_database(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "dostyk.db").write_text("hello\n" * 100)
    for line in ("init", "stats"):
        result = runner.invoke(app, ["--home", str(tmp_path / "home"), line])
        one_line(result, 2, "is not a Dostyk store")


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("file", "exists and is not a folder"),
        ("/dev/null", "exists and is not a folder"),
        ("/proc/dostyk-export", "cannot write there"),
    ],
)
def test_export_to_a_place_that_cannot_be_a_folder(
    dostyk: Invoke, a_file: Path, where: str, expected: str
) -> None:
    target = a_file if where == "file" else Path(where)
    one_line(dostyk("export", str(target)), 2, f"{target}: ", expected)
    assert a_file.read_text() == "not a folder\n"


# The last resort ----------------------------------------------------------------------------------


def test_an_unforeseen_error_is_logged_and_named_in_one_line(
    dostyk: Invoke, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug deep inside")

    monkeypatch.setattr("dostyk.store.statistics.daily_figures", broken)
    line = one_line(dostyk("stats"), 70, "unexpected error (RuntimeError)", "please report it")
    logs = list((home / "logs").glob("dostyk-error-*.log"))
    assert len(logs) == 1
    assert str(logs[0]) in line
    trace = logs[0].read_text()
    assert "Traceback" in trace
    assert "a bug deep inside" in trace
    assert "'stats'" in trace  # the command that failed


def test_without_a_usable_home_the_trace_goes_to_the_temporary_folder(
    runner: CliRunner, a_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("bug")

    monkeypatch.setattr("dostyk.cli.records.open_store", broken)
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr("tempfile.tempdir", None)
    line = one_line(runner.invoke(app, ["--home", str(a_file), "stats"]), 70, "KeyError")
    logs = list((tmp_path / "tmp").glob("dostyk-error-*.log"))
    assert len(logs) == 1
    assert str(logs[0]) in line


def test_operational_errors_have_their_own_message_not_the_last_resort(
    dostyk: Invoke, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSTYK_SQLITE_SYNCHRONOUS", "fast")
    text = one_line(dostyk("stats"), 2)
    assert "unexpected" not in text
    assert not (home / "logs").exists()
    assert plain(text).startswith("DOSTYK_SQLITE_SYNCHRONOUS")


# Hostile homes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["with spaces", "brackets [red]x[bold]", "ünïcödé-Достық", "query?x=1", "hash#1", "percent%41"],
)
def test_a_home_with_any_name_holds_its_own_store(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    home = tmp_path / name
    for args in (["init"], ["stats"], ["ledger", "verify"]):
        result = runner.invoke(app, ["--home", str(home), *args])
        assert result.exit_code == 0, (args, result.output)
    assert (home / "dostyk.db").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing written elsewhere


def test_a_home_that_is_a_symlink_to_a_folder_is_that_folder(
    runner: CliRunner, tmp_path: Path
) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    result = runner.invoke(app, ["--home", str(tmp_path / "link"), "init"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "real" / "dostyk.db").is_file()


# PostgreSQL, busy ---------------------------------------------------------------------------------


@pytest.fixture
def postgres_store(runner: CliRunner, postgres_url: str, tmp_path: Path) -> list[str]:
    """The sample package in a PostgreSQL store; the options that name it."""
    options = ["--home", str(tmp_path / "home"), "--database-url", postgres_url]
    for args in (["init"], ["import", str(SAMPLE_PACKAGE)]):
        result = runner.invoke(app, [*options, *args])
        assert result.exit_code == 0, result.output
    return options


def test_a_busy_postgresql_store_says_so_past_the_timeout(
    runner: CliRunner,
    postgres_store: list[str],
    postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    docs.write("crossing.json", docs.crossing())
    register = command("crossing register crossing.json --as IN-DST1", at=1)
    holder = create_engine(normalise_url(postgres_url), poolclass=NullPool)
    with holder.connect() as other:  # another process appending to the ledger
        other.exec_driver_sql(APPEND_LOCK)
        monkeypatch.setenv("DOSTYK_BUSY_TIMEOUT", "0.3")
        result = runner.invoke(app, [*postgres_store, *register])
        other.rollback()
    one_line(result, 2, "is busy (another process is writing)", "tried for 0.3 s")
    assert "postgresql" in result.output
    monkeypatch.delenv("DOSTYK_BUSY_TIMEOUT")
    assert runner.invoke(app, [*postgres_store, *register]).exit_code == 0


def _busy(*_args: object) -> None:
    """Signing a head while another process holds the store past the busy timeout."""
    raise StoreBusy("the store at x is busy (another process is writing); tried for 30 s")


def test_an_import_committed_while_another_process_holds_the_store_is_reported_done(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the head's signature waits for the other process: the import itself is committed,
    so the command says so and exits 0 instead of reporting a failure."""
    home = ["--home", str(tmp_path / "home")]
    assert runner.invoke(app, [*home, "init"]).exit_code == 0

    with monkeypatch.context() as patch:
        patch.setattr("dostyk.services.ledger.sign_head", _busy)
        result = runner.invoke(app, [*home, "import", str(SAMPLE_PACKAGE)])
    assert result.exit_code == 0, result.output
    told = "no head signed now, the store being busy: `dostyk ledger head` signs one"
    assert told in plain(result.output)
    assert runner.invoke(app, [*home, "ledger", "head"]).exit_code == 0
    verified = runner.invoke(app, [*home, "ledger", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "0 entries after the last signed head" in plain(verified.output)


def test_a_simulation_committed_while_another_process_holds_the_store_is_reported_done(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As with an import: the simulated days are committed before the head is signed."""
    home = ["--home", str(tmp_path / "home")]
    assert runner.invoke(app, [*home, "init"]).exit_code == 0

    with monkeypatch.context() as patch:
        patch.setattr("dostyk.services.ledger.sign_head", _busy)
        result = runner.invoke(app, [*home, "simulate", "--days", "1", "--post", "DST"])
    assert result.exit_code == 0, result.output
    assert "no head signed now, the store being busy" in plain(result.output)
    verified = runner.invoke(app, [*home, "ledger", "verify"])
    assert verified.exit_code == 0, verified.output


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 600 kB file system: room for the key and a little of the store, not for all of it."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(disk)],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"cannot mount a small file system: {error}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "--lazy", str(disk)], check=True)


def test_a_full_disk_is_told_in_one_line_and_init_finishes_once_there_is_room(
    runner: CliRunner, small_disk: Path
) -> None:
    home = ["--home", str(small_disk / "home")]
    text = one_line(runner.invoke(app, [*home, "init"]), 2)
    assert "is full" in text or "no space left on the disk" in text, text
    subprocess.run(["mount", "-o", "remount,size=40m", str(small_disk)], check=True)
    assert runner.invoke(app, [*home, "init"]).exit_code == 0
    verified = runner.invoke(app, [*home, "ledger", "verify"])
    assert verified.exit_code == 0, verified.output


@pytest.mark.parametrize("content", [b"", b"-----BEGIN PRIVATE KEY-----\ntruncated"])
def test_a_damaged_ledger_key_is_named_in_one_line(
    dostyk: Invoke, home: Path, content: bytes
) -> None:
    key = home / "keys" / "ledger-ed25519.pem"
    key.write_bytes(content)
    for line in ("init", "ledger head", "ledger verify"):
        one_line(dostyk(*line.split()), 2, f"{key}: cannot read a private key")


def test_a_head_a_read_only_store_cannot_keep_is_refused_saying_why(
    dostyk: Invoke, home: Path, tmp_path: Path, runner: CliRunner
) -> None:
    docs.write("crossing.json", docs.crossing())
    assert dostyk(*command("crossing register crossing.json --as IN-DST1", at=1)).exit_code == 0
    gc.collect()  # the command's engine, and with it its open connection to the store
    with read_only(home, tmp_path) as mount:
        result = runner.invoke(app, ["--home", str(mount), "ledger", "head"])
    one_line(result, 2, "is read-only and its log holds 6 entries after the last signed head")
