"""``dostyk warehouse build`` refuses a folder whose state it cannot read, saying what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Invoke


@pytest.mark.parametrize(
    "state",
    [
        "{not json",
        "[]",
        '{"ledger_seq": "many", "tables": {}}',
        '{"ledger_seq": -4, "tables": {}}',
        '{"ledger_seq": 12, "tables": {"declarations": "all"}}',
    ],
)
def test_a_warehouse_state_that_is_not_one_is_refused_naming_the_file(
    dostyk: Invoke, home: Path, state: str
) -> None:
    """A hand-edited or damaged _state.json ended in "unexpected error (JSONDecodeError)" (or a
    KeyError), exit 70, as if Dostyk had a bug."""
    folder = home / "warehouse"
    folder.mkdir()
    (folder / "_state.json").write_text(state, encoding="utf-8")
    result = dostyk("warehouse", "build")
    assert result.exit_code == 2, result.output
    assert "_state.json" in result.output and "unexpected error" not in result.output
    assert "build the warehouse again in an empty folder" in result.output
    assert not list(folder.glob("*.parquet")), "nothing was written"


@pytest.mark.parametrize("damage", ["cut short", "deleted"])
def test_integrity_report_names_a_warehouse_table_it_cannot_read(
    dostyk: Invoke, home: Path, damage: str
) -> None:
    """A table file cut short (or gone) after the build ended the report in "unexpected error
    (InvalidInputException)" (or a FileNotFoundError), exit 70."""
    assert dostyk("warehouse", "build").exit_code == 0
    table = home / "warehouse" / "officers.parquet"
    if damage == "deleted":
        table.unlink()
    else:
        table.write_bytes(table.read_bytes()[:50])
    for command in (("integrity", "report"), ("integrity", "evaluate", "--truth", str(home))):
        if command[1] == "evaluate":
            (home / "agents.csv").write_text("agent_id,scheme\n", encoding="utf-8")
        result = dostyk(*command)
        assert result.exit_code == 2, (command, result.output)
        assert "officers.parquet" in result.output and "unexpected error" not in result.output
        assert "dostyk warehouse build" in result.output
