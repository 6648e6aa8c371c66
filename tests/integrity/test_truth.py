"""Reading a simulation's ground truth: a file that is not one says so, naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dostyk.integrity.evaluation import TruthMissing, read_truth


def test_the_truth_names_the_corrupt_agents(tmp_path: Path) -> None:
    (tmp_path / "agents.csv").write_text(
        "agent_id,kind,scheme\nIN-1,inspector,bribe-taking\nBR-1,broker,paying-for-priority\n",
        encoding="utf-8",
    )
    assert read_truth(tmp_path) == {"IN-1": "bribe-taking", "BR-1": "paying-for-priority"}


def test_a_missing_truth_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TruthMissing, match="only a simulated world has a ground truth"):
        read_truth(tmp_path)


def test_a_truth_that_is_not_utf8_is_refused_naming_the_file_and_the_line(tmp_path: Path) -> None:
    """The decoder's own words ("can't decode byte 0xff in position 9") say neither which file
    nor where in it."""
    path = tmp_path / "agents.csv"
    path.write_bytes(b"agent_id,scheme\nIN-1,bribe-taking\nIN-2,\xff\xfe\n")
    with pytest.raises(ValueError, match=r"agents\.csv: line 3 is not UTF-8 text") as caught:
        read_truth(tmp_path)
    assert str(path) in str(caught.value)
