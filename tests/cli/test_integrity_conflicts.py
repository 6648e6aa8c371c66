"""``dostyk integrity conflicts``: the register kept from the command line, on the sample store
(which holds two declared conflicts, one withdrawn)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Invoke, snapshot
from tests.test_cli import plain

AT = "2024-03-02T09:00:00Z"


def test_a_conflict_is_declared_listed_and_withdrawn(dostyk: Invoke) -> None:
    added = dostyk(
        "integrity", "conflicts", "add", "IN-DST1", "IMP0001", "--kind", "financial",
        "--note", "The importer lent him money", "--as", "HQ-0001", "--at", AT,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "Conflict C-IN-DST1-1 declared: IN-DST1 (financial) with IMP0001" in plain(added.output)
    listed = json.loads(dostyk("integrity", "conflicts", "list", "--current", "--json").output)
    assert [(c["conflict_id"], c["withdrawn_at"]) for c in listed] == [
        ("C-IN-DST1-1", None),
        ("C-IN-DST2-1", None),
    ]
    withdrawn = dostyk(
        "integrity", "conflicts", "withdraw", "C-IN-DST1-1", "--as", "HQ-0001", "--at", AT
    )
    assert withdrawn.exit_code == 0, withdrawn.output
    current = json.loads(dostyk("integrity", "conflicts", "list", "--current", "--json").output)
    assert [c["conflict_id"] for c in current] == ["C-IN-DST2-1"]
    exclusions = json.loads(
        dostyk("integrity", "conflicts", "list", "--exclusions", "--json").output
    )
    assert [(x["officer_id"], x["action"], x["subject_id"]) for x in exclusions] == [
        ("IN-DST2", "draw", "I000000000")
    ]


def test_a_refused_declaration_writes_nothing(dostyk: Invoke, home: Path) -> None:
    before = snapshot(home)
    refused = dostyk(
        "integrity", "conflicts", "add", "IN-DST1", "NOBODY", "--kind", "kin",
        "--note", "x", "--as", "SS-DST1", "--at", AT,
    )  # fmt: skip
    assert refused.exit_code == 1
    assert "only a hq or above may keep the register" in plain(refused.output)
    assert snapshot(home) == before
