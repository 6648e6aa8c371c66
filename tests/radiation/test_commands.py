"""``dostyk radiation evaluate`` and ``dostyk radiation export`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dostyk.cli import app
from dostyk.interchange.n42 import read_n42, validate
from tests.conftest import shared_data

SCHEMA = shared_data() / "radiation" / "n42-2011-annexes" / "n42.xsd"
ANNEX_D = SCHEMA.parent / "Annex_D_alarmed_n42.xml"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


def test_evaluate_prints_the_roc_as_json_and_writes_a_self_contained_chart(
    runner: CliRunner, tmp_path: Path
) -> None:
    chart = tmp_path / "roc.html"
    result = runner.invoke(
        app, ["radiation", "evaluate", "--per-class", "20", "--json", "--out", str(chart)]
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    names = {c["algorithm"] for c in document["curves"]}
    assert {"gross-count", "energy-window", "sprt", "neutron"} <= names
    for curve in document["curves"]:
        detections = [p["detection"] for p in curve["points"]]
        assert all(0.0 <= d <= 1.0 for d in detections)
        if curve["algorithm"] != "sprt":  # SPRT's alternative moves with the rate
            # Looser targets never detect less.
            assert detections == sorted(detections), curve["algorithm"]
    html = chart.read_text()
    assert "<script src=" not in html
    assert "Plotly.newPlot" in html and "energy-window" in html


def test_export_of_simulated_occupancies_validates(runner: CliRunner, tmp_path: Path) -> None:
    if not SCHEMA.exists():
        pytest.skip("shared radiation data not found")
    out = tmp_path / "lane.n42"
    result = runner.invoke(
        app,
        ["radiation", "export", "--simulate", "12", "--out", str(out), "--schema", str(SCHEMA)],
    )
    assert result.exit_code == 0, result.output
    assert "12 occupancies" in result.output and "valid against the schema" in result.output
    validate(out.read_bytes(), out.name, SCHEMA)
    assert len(read_n42(out, post_code="DOSTYK").occupancies) == 12


def test_export_from_an_annex_file_keeps_its_occupancy(runner: CliRunner, tmp_path: Path) -> None:
    if not SCHEMA.exists():
        pytest.skip("shared radiation data not found")
    out = tmp_path / "again.n42"
    result = runner.invoke(
        app,
        ["radiation", "export", "--from", str(ANNEX_D), "--out", str(out), "--schema", str(SCHEMA)],
    )
    assert result.exit_code == 0, result.output
    (occupancy,) = read_n42(out, post_code="DOSTYK").occupancies
    assert occupancy.gamma.shape == (3, 4, 3)


def test_export_refuses_a_hostile_file_without_a_traceback(
    runner: CliRunner, tmp_path: Path
) -> None:
    hostile = tmp_path / "bad.n42"
    hostile.write_text('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x "y">]>\n<r>&x;</r>\n')
    result = runner.invoke(
        app, ["radiation", "export", "--from", str(hostile), "--out", str(tmp_path / "o.n42")]
    )
    assert result.exit_code == 2
    assert "bad.n42, line 2: refused" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.n42").exists()
