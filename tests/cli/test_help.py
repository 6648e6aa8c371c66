"""Every lifecycle command explains itself: a one-line summary, its arguments, --as and --at."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dostyk.cli import app
from tests.test_cli import plain

COMMANDS = {
    "crossing register": "Register a movement with its units and any conveyances new",
    "declaration lodge": "Lodge a declaration with its items and units",
    "declaration show": "Show a declaration: status, channel, items, history",
    "declaration cancel": "The declarant withdraws his declaration",
    "declaration assess": "Assess the risk of an accepted declaration and set its channel",
    "inspection assign": "Draw the inspector of a yellow or red declaration",
    "inspection reassign": "A supervisor above the drawn inspector hands",
    "inspection start": "The assigned inspector starts an inspection",
    "inspection finish": "The assigned inspector records what he found",
    "inspection recheck-draw": "Redo an inspection's recorded random draw from the ledger",
    "override request": "An officer at the post asks to change an assessed declaration's channel",
    "override decide": "A superior of the requesting officer approves or refuses",
    "duties assess": "Compute and record the duties",
    "duties show": "Show the duties assessed on a declaration",
    "pay": "Record the payment of the duties due",
    "release": "Release the goods of a paid declaration",
    "reconcile": "Compare a movement's units and manifests with the declarations",
    "queue show": "Show a post's queues in order",
}
#: Arguments and options each command describes, beyond --as and --at.
ARGUMENTS = {
    "crossing register": ["JSON document"],
    "declaration lodge": ["JSON document"],
    "declaration show": ["declaration's id", "--json"],
    "declaration cancel": ["--reason"],
    "inspection reassign": ["--to", "--reason", "10 characters"],
    "inspection start": ["--reason", "out of turn"],
    "inspection finish": ["--findings", "nothing irregular"],
    "override request": ["--to", "green", "yellow", "red", "--reason"],
    "override decide": ["--approve", "--refuse"],
    "duties show": ["--json"],
    "pay": ["--amount", "--reference", "bank's reference"],
    "release": ["--reason", "out of turn"],
    "reconcile": ["MOVEMENT_CROSSING_ID"],
    "queue show": ["--post", "--channel", "--json"],
}
GROUPS = {
    "crossing": ["register"],
    "declaration": ["lodge", "show", "cancel", "assess"],
    "inspection": ["assign", "reassign", "start", "finish", "recheck-draw"],
    "override": ["request", "decide"],
    "duties": ["assess", "show"],
    "queue": ["show"],
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_lifecycle_command_has_help(runner: CliRunner, command: str) -> None:
    result = runner.invoke(app, [*command.split(), "--help"])
    assert result.exit_code == 0, result.output
    text = plain(result.output)
    assert f"{command} [OPTIONS]" in text
    assert COMMANDS[command] in text
    assert "--as ACTOR" in text and "--at ISO-TIME" in text
    assert "ISO 8601 with a time zone" in text
    for part in ARGUMENTS.get(command, []):
        assert part in text, part


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_group_lists_its_commands(runner: CliRunner, group: str) -> None:
    for args in ([group, "--help"], [group]):
        result = runner.invoke(app, args)
        text = plain(result.output)
        assert "Usage" in text
        for command in GROUPS[group]:
            assert command in text, (group, command)


def test_the_top_level_help_lists_the_lifecycle(runner: CliRunner) -> None:
    text = plain(runner.invoke(app, ["--help"]).output)
    for name in [*GROUPS, "pay", "release", "reconcile"]:
        assert name in text
    assert "Record the payment of the duties due on a declaration" in text
