"""Options that contradict each other or select nothing are refused (exit 2), never guessed.

Before, ``override decide --refuse --approve`` approved (the last flag won), ``stats --post NOPE``
or ``--post dst`` or ``--from`` after ``--to`` answered "nothing recorded" as if that were true,
and ``stats`` on a home never initialised created an empty store there.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dostyk.cli import app
from tests.cli import documents as docs
from tests.cli.conftest import Invoke, command, snapshot
from tests.test_cli import plain

REASON = "Clearance stock: the invoice and the bank transfer are verified"


def assessed(dostyk: Invoke, *more: list[str]) -> None:
    """The toys registered, lodged and assessed (red), then any ``more`` steps, each done."""
    docs.write("crossing.json", docs.crossing())
    docs.write("toys.json", docs.toys())
    for args in (
        command("crossing register crossing.json --as IN-DST1", at=5),
        command("declaration lodge toys.json --as BRK000", at=10),
        command("declaration assess D-TOYS --as system", at=15),
        *more,
    ):
        result = dostyk(*args)
        assert result.exit_code == 0, (args, result.output)


def requested(dostyk: Invoke) -> None:
    """The red toys, with an override to green requested by IN-DST1."""
    assessed(
        dostyk,
        command("override request D-TOYS --to green --as IN-DST1", "--reason", REASON, at=20),
    )


@pytest.mark.parametrize(
    ("flags", "given"), [(["--refuse", "--approve"], "both"), (["--approve", "--refuse"], "both")]
)
def test_approve_and_refuse_together_are_refused(
    dostyk: Invoke, home: Path, flags: list[str], given: str
) -> None:
    requested(dostyk)
    before = snapshot(home)
    result = dostyk(*command("override decide O-D-TOYS-1 --as SS-DST1", *flags, at=25))
    assert result.exit_code == 2, result.output
    assert f"give exactly one of them ({given} given)" in plain(result.output)
    assert snapshot(home) == before
    channel = json.loads(dostyk("declaration", "show", "D-TOYS", "--json").stdout)
    assert channel["declaration"]["channel"] == "red"


def test_neither_approve_nor_refuse_is_refused(dostyk: Invoke, home: Path) -> None:
    requested(dostyk)
    before = snapshot(home)
    result = dostyk(*command("override decide O-D-TOYS-1 --as SS-DST1", at=25))
    assert result.exit_code == 2, result.output
    assert "(neither given)" in plain(result.output)
    assert snapshot(home) == before
    refused = dostyk(*command("override decide O-D-TOYS-1 --refuse --as SS-DST1", at=25))
    assert refused.exit_code == 0, refused.output
    assert "refused: declaration D-TOYS stays red" in plain(refused.output)


@pytest.mark.parametrize("as_json", [False, True])
def test_an_unknown_post_is_refused(dostyk: Invoke, as_json: bool) -> None:
    extra = ["--json"] if as_json else []
    result = dostyk("stats", "--post", "NOPE", *extra)
    assert result.exit_code == 2, result.output
    assert "no post 'NOPE' in the store" in plain(result.output)
    assert "nothing recorded" not in plain(result.output).lower()
    queue = dostyk("queue", "show", "--post", "NOPE", *extra)
    assert queue.exit_code == 2, queue.output
    assert "no post 'NOPE'" in plain(queue.output)


def test_a_post_in_lower_case_is_refused_with_the_code_it_means(dostyk: Invoke) -> None:
    for args in (["stats", "--post", "dst"], ["queue", "show", "--post", "dst"]):
        result = dostyk(*args)
        assert result.exit_code == 2, result.output
        assert "no post 'dst' (codes are upper case): did you mean DST?" in plain(result.output)
    assert dostyk("stats", "--post", "DST").exit_code == 0


def test_from_after_to_is_refused(dostyk: Invoke) -> None:
    result = dostyk("stats", "--from", "2024-03-05", "--to", "2024-03-01")
    assert result.exit_code == 2, result.output
    assert "2024-03-05 is after --to 2024-03-01" in plain(result.output)
    assert dostyk("stats", "--from", "2024-03-01", "--to", "2024-03-01").exit_code == 0


READS = [
    ["stats"],
    ["stats", "--json"],
    ["declaration", "show", "D-1"],
    ["duties", "show", "D-1"],
    ["queue", "show", "--post", "DST"],
    ["inspection", "recheck-draw", "I-1"],
    ["ledger", "heads"],
    ["ledger", "verify"],
    ["ledger", "consistency", "0", "0"],
]


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_a_read_on_a_home_never_initialised_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    for variable in ("DOSTYK_HOME", "DOSTYK_DATABASE_URL"):
        monkeypatch.delenv(variable, raising=False)
    home = tmp_path / "never-initialised"
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    assert result.exit_code == 2, result.output
    text = plain(result.output)
    assert f"No store at {home / 'dostyk.db'}" in text
    assert "run `dostyk init`" in text
    assert "Traceback" not in result.output
    assert not home.exists()


def test_version_comes_from_the_package() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"dostyk {version('dostyk')}\n"


def test_counts_are_written_in_the_right_number(dostyk: Invoke) -> None:
    document = docs.crossing()
    document["units"] = document["units"][:1]
    docs.write("crossing.json", document)
    text = plain(dostyk(*command("crossing register crossing.json --as IN-DST1", at=5)).output)
    assert "with 1 unit" in text and "unit(s)" not in text and "1 units" not in text
    docs.write("toys.json", docs.toys())
    text = plain(dostyk(*command("declaration lodge toys.json --as BRK000", at=10)).output)
    assert "lodged and accepted (1 item, 1 unit)" in text


def test_ledger_problems_are_counted_in_the_right_number(dostyk: Invoke, home: Path) -> None:
    from sqlalchemy import text

    from dostyk.store.engine import make_engine

    engine = make_engine(f"sqlite:///{home / 'dostyk.db'}")
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE parties SET name = 'Someone else' WHERE party_id = 'BRK000'")
        )
    engine.dispose()
    result = dostyk("ledger", "verify")
    assert result.exit_code == 1, result.output
    assert "1 problem found" in plain(result.output)
    assert "1 problems" not in plain(result.output)


def test_times_in_messages_end_in_z(dostyk: Invoke) -> None:
    assessed(dostyk)
    # Nobody is on duty two days later: the refusal names the time as every message does.
    late = dostyk(
        "inspection", "assign", "D-TOYS", "--as", "system", "--at", "2024-03-03T12:00:00Z"
    )
    assert late.exit_code == 1, late.output
    assert "at 2024-03-03T12:00:00Z" in plain(late.output)
    # A step before the previous one names both times the same way.
    early = dostyk(*command("declaration cancel D-TOYS --as BRK000", at=1))
    assert early.exit_code == 1, early.output
    for output in (late.output, early.output):
        assert "+00:00" not in output
    assert "2024-03-01T04:01:00Z" in plain(early.output)
