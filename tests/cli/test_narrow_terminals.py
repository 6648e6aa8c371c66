"""Tables at 80 and 100 columns: every number is shown whole, never cut (``168,931…``).

A table too wide for the terminal is shown one block of ``header: value`` lines per row instead.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dostyk.cli import app
from tests.cli import documents as docs
from tests.cli.conftest import command

COUNTS = ("railcars_in", "railcars_out", "trucks_in", "trucks_out", "declarations")


def narrow(columns: int, home: Path) -> CliRunner:
    del home
    return CliRunner(env={"COLUMNS": str(columns), "NO_COLOR": "1"})


@pytest.mark.parametrize("columns", [80, 100])
def test_stats_never_cut_a_number(home: Path, columns: int) -> None:
    runner = narrow(columns, home)
    figures = json.loads(runner.invoke(app, ["--home", str(home), "stats", "--json"]).stdout)
    assert figures
    result = runner.invoke(app, ["--home", str(home), "stats"])
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    assert max(len(line) for line in result.output.splitlines()) <= columns
    words = set(result.output.split())
    for figure in figures:
        for name in COUNTS:
            assert f"{figure[name]:,}" in words, (name, figure)
        assert f"{Decimal(figure['value']):,.2f}" in words, figure
        assert f"{figure['tonnes']:,.1f}" in words, figure


@pytest.mark.parametrize("columns", [80, 100])
def test_items_and_duties_never_cut_a_number(home: Path, columns: int) -> None:
    runner = narrow(columns, home)

    def run(*args: str) -> str:
        result = runner.invoke(app, ["--home", str(home), *args])
        assert result.exit_code == 0, (args, result.output)
        assert "…" not in result.output
        return result.output

    docs.write("crossing.json", docs.crossing())
    document = docs.toys(value="168931234.56")
    document["items"][0]["description"] = "Toys " * 30
    docs.write("toys.json", document)
    run(*command("crossing register crossing.json --as IN-DST1", at=5))
    run(*command("declaration lodge toys.json --as BRK000", at=10))
    shown = run("declaration", "show", "D-TOYS")
    assert "168,931,234.56" in shown.split()
    run(*command("declaration assess D-TOYS --as system", at=15))
    record = json.loads(run("declaration", "show", "D-TOYS", "--json"))
    if record["declaration"]["channel"] != "green":  # the random share sent it to inspection
        reason = ["--reason", "Cleared on the documents by the post chief"]
        run(*command("override request D-TOYS --to green --as IN-DST1", *reason, at=20))
        run(*command("override decide O-D-TOYS-1 --approve --as SS-DST1", at=25))
    duties = run(*command("duties assess D-TOYS --as system", at=30))
    due = json.loads(run("duties", "show", "D-TOYS", "--json"))
    for line in due["duty_lines"]:
        for name in ("customs_value", "duty", "vat"):
            assert f"{Decimal(line[name]):,}" in duties.split(), name
