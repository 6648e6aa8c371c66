"""docs/web.md shows the policy table as the app enforces it."""

from __future__ import annotations

from pathlib import Path

from dostyk.web.policy import policy_table_markdown

DOC = Path(__file__).parents[2] / "docs" / "web.md"


def test_the_documented_policy_table_is_the_one_enforced() -> None:
    table = policy_table_markdown()
    assert table in DOC.read_text(encoding="utf-8"), (
        "docs/web.md's policy table is out of date; paste the output of "
        "`uv run python -c 'from dostyk.web.policy import policy_table_markdown as t; print(t())'`"
    )
