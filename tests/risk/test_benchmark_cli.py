"""``dostyk risk benchmark kcs`` on a slice of the public data: its table, its JSON, its errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dostyk.cli import app
from dostyk.risk.kcs import DATA_FOLDER
from dostyk.risk.metrics import RATES
from tests.conftest import shared_data

DATA = shared_data() / DATA_FOLDER
SLICE = ["--limit", "400", "--seeds", "2"]


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("DOSTYK_SHARED_DATA", str(shared_data()))
    return CliRunner(env={"COLUMNS": "200", "NO_COLOR": "1"})


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    result = CliRunner().invoke(
        app, ["risk", "benchmark", "kcs", "--data-dir", str(DATA), *SLICE, "--json"]
    )
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_json_report_has_both_models_over_every_seed(report: dict[str, Any]) -> None:
    assert report["benchmark"] == "kcs" and report["limit"] == 400
    (version,) = report["versions"]
    assert version["version"] == "hs6-2023-02"
    assert version["rows"] == {"train": 400, "valid": 400, "test": 400}
    assert version["seeds"] == [0, 1]
    assert version["revenue"] is None  # the KCS data carry no revenue
    metrics = [f"{kind}@{rate:g}%" for rate in RATES for kind in ("precision", "recall")]
    for name in ("baseline", "risk"):
        figures = version["models"][name]
        for metric in [*metrics, "roc_auc"]:
            figure = figures[metric]
            assert len(figure["runs"]) == 2
            assert all(0.0 <= run <= 1.0 for run in figure["runs"])
            assert figure["mean"] == pytest.approx(sum(figure["runs"]) / 2)
        # 400 test rows: 1% inspects 4, so precision@1% is a multiple of 1/4.
        for run in figures["precision@1%"]["runs"]:
            assert (run * 4) == pytest.approx(round(run * 4))
    uplift = version["uplift_over_baseline"]["precision@5%"]
    models = version["models"]
    assert uplift == pytest.approx(
        models["risk"]["precision@5%"]["mean"] / models["baseline"]["precision@5%"]["mean"] - 1
    )


def test_the_table_shows_every_metric_for_both_models(runner: CliRunner) -> None:
    result = runner.invoke(app, ["risk", "benchmark", "kcs", "--limit", "300", "--seeds", "1"])
    assert result.exit_code == 0, result.output
    assert "plain LightGBM" in result.stdout and "risk model" in result.stdout
    for rate in RATES:
        assert f"precision@{rate:g}%" in result.stdout and f"recall@{rate:g}%" in result.stdout
    assert "roc_auc" in result.stdout and "0.762" in result.stdout


def test_a_folder_without_the_data_is_named(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["risk", "benchmark", "kcs", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert str(tmp_path / "hs6-2023-02" / "df_syn_train_eng.csv") in result.output
    assert "no such file" in result.output
    assert "Traceback" not in result.output
