"""The ``dostyk`` command line, driven as a user would drive it."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from dostyk import reference
from dostyk.cli import app
from dostyk.store.engine import make_engine
from dostyk.store.tables import TABLES
from tests.conftest import SAMPLE_PACKAGE
from tests.store.test_statistics import expected_figures

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
COMMANDS = {
    "init": "Create or upgrade the store",
    "import": "Load a data package",
    "export": "Write every record as a data package",
    "stats": "Per post and day",
}

Invoke = Callable[..., Result]
PASSWORD = "t0p-s3cret"


def plain(text: str) -> str:
    """Output without colours, box drawing or line wrapping, for substring checks."""
    text = ANSI.sub("", text)
    text = re.sub(r"[│╭╮╰╯─]", " ", text)
    return " ".join(text.split())


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


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the CLI keeps its store: the embedded SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{(tmp_path / 'home' / 'dostyk.db').resolve()}"
    url = make_url(request.getfixturevalue("postgres_url"))
    if url.password is None:
        # The test server trusts local connections; a password shows that none is printed.
        url = url.set(password=PASSWORD)
    return url.render_as_string(hide_password=False)


def _invoker(runner: CliRunner, tmp_path: Path, store_url: str) -> Invoke:
    """Run ``dostyk --home <tmp>/home [--database-url <pg>] ARGS``."""
    home = ["--home", str(tmp_path / "home")]
    if not store_url.startswith("sqlite"):
        home += ["--database-url", store_url]

    def invoke(*args: str | Path) -> Result:
        return runner.invoke(app, [*home, *map(str, args)])

    return invoke


@pytest.fixture
def dostyk(runner: CliRunner, tmp_path: Path, store_url: str) -> Invoke:
    """The command line on each backend."""
    return _invoker(runner, tmp_path, store_url)


@pytest.fixture
def embedded(runner: CliRunner, tmp_path: Path) -> Invoke:
    """The command line on its default, embedded SQLite store under --home."""
    return _invoker(runner, tmp_path, "sqlite:")


def row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
                for t in TABLES
            }
    finally:
        engine.dispose()


def csv_rows(package: Path, name: str) -> list[dict[str, str]]:
    with (package / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# Help --------------------------------------------------------------------------------------------


def test_top_level_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    text = plain(result.output)
    assert "Dostyk: customs control and integrity" in text
    for command, summary in COMMANDS.items():
        assert command in text
        assert summary in text
    assert "--home" in text and "--database-url" in text


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help(runner: CliRunner, command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0, result.output
    text = plain(result.output)
    assert f"{command} [OPTIONS]" in text
    assert COMMANDS[command] in text


def test_no_command_shows_the_help(runner: CliRunner) -> None:
    result = runner.invoke(app, [])
    assert "Usage" in plain(result.output)
    for command in COMMANDS:
        assert command in plain(result.output)


def test_options_are_described(runner: CliRunner) -> None:
    stats = plain(runner.invoke(app, ["stats", "--help"]).output)
    for option in ("--post", "--from", "--to", "--json", "--utc-offset"):
        assert option in stats
    assert "YYYY-MM-DD" in stats
    export = plain(runner.invoke(app, ["export", "--help"]).output)
    assert "--format" in export and "csv or parquet" in export
    imported = plain(runner.invoke(app, ["import", "--help"]).output)
    assert "--max-errors" in imported and "datapackage.json" in imported


# init --------------------------------------------------------------------------------------------


def test_init_is_idempotent(dostyk: Invoke, store_url: str) -> None:
    # Before init, the store is refused with a pointer to `dostyk init`.
    before = dostyk("stats")
    assert before.exit_code == 2, before.output
    assert "not initialised" in plain(before.output)
    assert "run `dostyk init`" in plain(before.output)

    first = dostyk("init")
    assert first.exit_code == 0, first.output
    posts, rates = len(reference.posts()), len(reference.tariff_rates())
    assert f"added {posts} posts and {rates:,} tariff rates" in plain(first.output)
    counts = row_counts(store_url)
    assert counts["posts"] == posts and counts["tariff_rates"] == rates

    second = dostyk("init")
    assert second.exit_code == 0, second.output
    assert "added 0 posts and 0 tariff rates" in plain(second.output)
    assert row_counts(store_url) == counts

    # Messages name the store by its URL, but never with its password.
    password = make_url(store_url).password
    if password:
        for result in (before, first, second):
            assert str(password) not in result.output


def test_commands_before_init_say_to_run_init(embedded: Invoke, tmp_path: Path) -> None:
    for args in (["stats"], ["import", str(SAMPLE_PACKAGE)], ["export", str(tmp_path / "out")]):
        result = embedded(*args)
        assert result.exit_code == 2, (args, result.output)
        text = plain(result.output)
        assert "not initialised" in text
        assert "run `dostyk init`" in text
        assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


# import, stats and export ------------------------------------------------------------------------


def test_import_stats_and_export(dostyk: Invoke, store_url: str, tmp_path: Path) -> None:
    assert dostyk("init").exit_code == 0
    empty = dostyk("stats")
    assert empty.exit_code == 0, empty.output
    assert "No crossings or declarations" in plain(empty.output)
    assert json.loads(dostyk("stats", "--json").stdout) == []

    # Import the sample package.
    result = dostyk("import", SAMPLE_PACKAGE)
    assert result.exit_code == 0, result.output
    crossings = len(csv_rows(SAMPLE_PACKAGE, "crossings"))
    assert row_counts(store_url)["crossings"] == crossings
    assert "records in" in plain(result.output)

    # Its statistics, as JSON, match counts made from its files.
    stats = dostyk("stats", "--json")
    assert stats.exit_code == 0, stats.output
    figures = json.loads(stats.stdout)
    expected = expected_figures(SAMPLE_PACKAGE, 5)
    assert len(figures) == len(expected)
    by_day = {(post, day.isoformat()): counts for (post, day), counts in expected.items()}
    for figure in figures:
        assert set(figure) >= {"post_code", "day", "railcars_in", "declarations", "value"}
        want = by_day[figure["post_code"], figure["day"]]
        for name in ("railcars_in", "railcars_out", "trucks_in", "trucks_out", "declarations"):
            assert figure[name] == want[name], name
        assert figure["tonnes"] == pytest.approx(want["tonnes"], abs=0.0005)
        assert Decimal(figure["value"]) == want["value"]
    assert sum(f["declarations"] for f in figures) == len(csv_rows(SAMPLE_PACKAGE, "declarations"))
    assert sum(f["railcars_in"] + f["railcars_out"] for f in figures) == sum(
        v["railcars_in"] + v["railcars_out"] for v in expected.values()
    )

    # One post, one UTC day.
    in_utc = expected_figures(SAMPLE_PACKAGE, 0)
    post, day = min(in_utc)
    selection = ["--utc-offset", "0", "--post", post, "--from", str(day), "--to", str(day)]
    one = json.loads(dostyk("stats", "--json", *selection).stdout)
    assert [(f["post_code"], f["day"]) for f in one] == [(post, day.isoformat())]
    assert one[0]["declarations"] == in_utc[post, day]["declarations"]
    table = dostyk("stats")
    assert table.exit_code == 0, table.output
    assert post in table.output

    # Importing the same package again changes nothing.
    before = row_counts(store_url)
    again = dostyk("import", SAMPLE_PACKAGE)
    assert again.exit_code == 0, again.output
    assert row_counts(store_url) == before

    # Two exports are identical, byte for byte, and hold every record of the package.
    first, second = tmp_path / "first", tmp_path / "second"
    for target in (first, second):
        result = dostyk("export", target)
        assert result.exit_code == 0, result.output
        assert "Wrote" in plain(result.output)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert "datapackage.json" in names
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    for name in ("crossings", "declarations", "declaration_items", "parties"):
        exported = sorted(map(tuple, (r.values() for r in csv_rows(first, name))))
        original = sorted(map(tuple, (r.values() for r in csv_rows(SAMPLE_PACKAGE, name))))
        assert exported == original, name


@pytest.mark.parametrize("bad", ["2024-13-01", "yesterday", "01.03.2024"])
def test_stats_refuses_a_bad_date(runner: CliRunner, tmp_path: Path, bad: str) -> None:
    result = runner.invoke(app, ["--home", str(tmp_path), "stats", "--from", bad])
    assert result.exit_code == 2
    text = plain(result.output)
    assert "--from" in text
    assert f"'{bad}' is not a date (YYYY-MM-DD)" in text
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["--home", str(tmp_path), "stats", "--to", bad])
    assert result.exit_code == 2 and "--to" in plain(result.output)


def _broken_copy(tmp_path: Path, file: str, row: int, field: str, value: str) -> Path:
    """The sample package with one value changed, its descriptor's size and hash kept true."""
    package = tmp_path / "package"
    shutil.copytree(SAMPLE_PACKAGE, package)
    target = package / file
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row][rows[0].index(field)] = value
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    descriptor_path = package / "datapackage.json"
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    data = target.read_bytes()
    for resource in descriptor["resources"]:
        if resource.get("path") != file:
            continue
        if "bytes" in resource:
            resource["bytes"] = len(data)
        if "hash" in resource:
            algorithm, _, _ = str(resource["hash"]).rpartition(":")
            digest = hashlib.new(algorithm or "md5", data).hexdigest()
            resource["hash"] = f"{algorithm}:{digest}" if algorithm else digest
    descriptor_path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")
    return package


BROKEN = (
    # A value the column cannot hold: found while reading.
    ("declaration_items.csv", 3, "customs_value", "12.345"),
    # A reference to nothing: found while checking, inside the import's transaction.
    ("crossings.csv", 5, "conveyance_id", "NO-SUCH-WAGON"),
)


def test_a_broken_package_is_refused_whole(dostyk: Invoke, store_url: str, tmp_path: Path) -> None:
    assert dostyk("init").exit_code == 0
    before = row_counts(store_url)
    for number, (file, row, field, value) in enumerate(BROKEN):
        broken = _broken_copy(tmp_path / f"case-{number}", file, row, field, value)
        result = dostyk("import", broken)
        assert result.exit_code == 1, result.output
        text = plain(result.output)
        assert "refused; nothing was written" in text
        assert f"{file}, row {row}, field {field}" in text
        assert value in text
        assert "Traceback" not in result.output
        assert row_counts(store_url) == before, file

    # A folder that holds no package.
    (tmp_path / "empty").mkdir()
    result = dostyk("import", tmp_path / "empty")
    assert result.exit_code == 1
    assert "datapackage.json" in plain(result.output)
    assert row_counts(store_url) == before

    # The intact package still goes in afterwards.
    assert dostyk("import", SAMPLE_PACKAGE).exit_code == 0
    assert row_counts(store_url)["crossings"] == len(csv_rows(SAMPLE_PACKAGE, "crossings"))


def test_export_refuses_an_unknown_format(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["--home", str(tmp_path), "export", "--format", "xml", str(tmp_path / "out")]
    )
    assert result.exit_code == 2
    text = plain(result.output)
    assert "--format" in text and "'xml': choose csv or parquet" in text
    assert not (tmp_path / "out").exists()
