"""The README's "Working a declaration" commands run exactly as shown, on a fresh store.

The commands are read out of README.md itself, so that the README cannot drift from what the
command line does: change one and this test runs the change.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dostyk.cli import app
from tests.conftest import REPO
from tests.test_cli import plain

SECTION = "## Working a declaration"


def readme_commands() -> list[list[str]]:
    """The arguments of each ``uv run dostyk ...`` line of the section's first ``sh`` block."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert block is not None, "no sh block under " + SECTION
    commands = []
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        assert words[:3] == ["uv", "run", "dostyk"], line
        commands.append(words[3:])
    return commands


def test_the_readme_shows_a_whole_declaration() -> None:
    commands = [" ".join(args[:2]) for args in readme_commands()]
    for step in ("init", "import examples/sample-package", "declaration lodge", "pay D-DEMO-1"):
        assert any(c.startswith(step) for c in commands), step
    # Every step that changes something says when it happens.
    for args in readme_commands():
        if "--as" in args:
            assert "--at" in args, args


def test_the_readme_commands_run_as_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    runner = CliRunner(
        env={"DOSTYK_HOME": str(tmp_path / "home"), "COLUMNS": "100", "NO_COLOR": "1"}
    )
    outputs: dict[str, str] = {}
    for args in readme_commands():
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert "Traceback" not in result.output
        outputs[" ".join(args[:2])] = plain(result.output)
    assert "Declaration D-DEMO-1 is red" in outputs["declaration assess"]
    assert "Total due for D-DEMO-1: 1,048,872.00" in outputs["duties assess"]
    record = json.loads(runner.invoke(app, ["declaration", "show", "D-DEMO-1", "--json"]).stdout)
    assert record["declaration"]["status"] == "released"
    assert record["declaration"]["channel"] == "green"
    assert [p["amount"] for p in record["payments"]] == ["1048872.00"]
