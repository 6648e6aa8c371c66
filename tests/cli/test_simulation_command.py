"""`dostyk init` and `dostyk simulate` as a user runs them: the same seed, the same store."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from dostyk.cli import app
from dostyk.ledger.store import root_at
from dostyk.ledger.writer import log_size
from dostyk.store.engine import make_engine

SET_UP = "2024-12-31T00:00:00Z"


def simulated(runner: CliRunner, home: Path, set_up: str) -> tuple[int, bytes]:
    """The ledger's size and root after init at ``set_up`` and a day at Dostyk."""
    for line in (
        ["init", "--at", set_up],
        ["simulate", "--days", "1", "--post", "DST", "--seed", "2"],
    ):
        result = runner.invoke(app, ["--home", str(home), *line])
        assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{home / 'dostyk.db'}")
    with engine.connect() as connection:
        size = log_size(connection)
        found = size, root_at(connection, size)
    engine.dispose()
    return found


def test_stores_set_up_at_the_same_time_and_simulated_with_one_seed_are_the_same(
    runner: CliRunner, tmp_path: Path
) -> None:
    first = simulated(runner, tmp_path / "a", SET_UP)
    assert first == simulated(runner, tmp_path / "b", SET_UP)
    # The set-up time is in the root that every random draw is made from.
    assert first[1] != simulated(runner, tmp_path / "c", "2024-12-30T00:00:00Z")[1]


def test_init_refuses_a_time_outside_the_history(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--home", str(tmp_path), "init", "--at", "1700-01-01T00:00:00Z"])
    assert result.exit_code == 2
    assert "--at" in result.output
    assert not (tmp_path / "dostyk.db").exists()
