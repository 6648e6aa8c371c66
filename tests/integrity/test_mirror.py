"""Mirror analysis: the simulated partner reports the true trade, the indicator finds an injected
gap (and who carries it) and none in honest trade, and DuckDB and Spark agree."""

from __future__ import annotations

import csv
import math
import shutil
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from dostyk.integrity.indicators import Indicators
from dostyk.integrity.mirror import (
    MirrorResult,
    MirrorSettings,
    chapter_months,
    covered_months,
    mirror_indicators,
)
from dostyk.integrity.report import render
from dostyk.integrity.suite import run
from dostyk.simulate.mirror import MASS_NOISE, VALUE_NOISE
from dostyk.store import tables as t
from dostyk.store.engine import make_engine
from dostyk.warehouse.backends import open_warehouse
from tests.integrity.conftest import World


def _truth(world: World, name: str) -> list[dict[str, str]]:
    with (world.truth / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _schemes(world: World) -> dict[str, str]:
    return {row["agent_id"]: row["scheme"] for row in _truth(world, "agents.csv")}


def _mirror(world: World, backend: str = "duckdb") -> tuple[MirrorResult, pd.DataFrame]:
    out = Indicators()
    result = mirror_indicators(open_warehouse(world.warehouse, backend), out)
    return result, out.frame()


def test_the_simulated_partner_reports_the_true_trade_it_shipped(undervalued_trade: World) -> None:
    engine = make_engine(f"sqlite:///{undervalued_trade.home / 'dostyk.db'}")
    with engine.connect() as connection:
        figures = connection.execute(select(t.partner_exports)).all()
        logged = connection.execute(
            select(func.count())
            .select_from(t.ledger_entries)
            .where(t.ledger_entries.c.table_name == "partner_exports")
        ).scalar_one()
    engine.dispose()
    assert figures and logged == len(figures)
    true_value: dict[tuple[str, str], float] = defaultdict(float)
    true_kg: dict[tuple[str, str], float] = defaultdict(float)
    declared: dict[tuple[str, str], float] = defaultdict(float)
    for row in _truth(undervalued_trade, "mirror.csv"):
        key = (row["hs6"], row["month"])
        true_value[key] += float(row["true_value_usd"])
        true_kg[key] += float(row["true_net_kg"])
        declared[key] += float(row["declared_value_usd"])
    margins = {
        row["hs6"]: float(row["cif_fob_margin"])
        for row in _truth(undervalued_trade, "partner_margins.csv")
    }
    assert {(f.hs6, f.month) for f in figures} == set(true_value)
    for f in figures:
        key = (f.hs6, f.month)
        # FOB is the true (CIF) value less the partner's margin, up to its reporting noise.
        cif = float(f.fob_usd) * (1 + margins[f.hs6])
        assert abs(math.log(cif / true_value[key])) < 5 * VALUE_NOISE, key
        assert abs(math.log(f.net_mass_kg / true_kg[key])) < 5 * MASS_NOISE, key
    # The undervaluation and the hidden goods are what the declarations lack.
    assert sum(true_value.values()) > 1.1 * sum(declared.values())


def test_an_injected_gap_is_found_and_drilled_down_to_who_carries_it(
    undervalued_trade: World,
) -> None:
    result, evidence = _mirror(undervalued_trade)
    gaps = result.gaps
    assert result.months == ["2025-01"]
    found = gaps[gaps["gap"]]
    assert len(found) >= 3, gaps[["chapter", "month", "gap_share", "q_value"]]
    # Every gap the indicator names is one the ground truth holds: the partner shipped more of
    # the chapter that month than was declared.
    shortfall: dict[tuple[str, str], float] = defaultdict(float)
    shipped: dict[tuple[str, str], float] = defaultdict(float)
    for row in _truth(undervalued_trade, "mirror.csv"):
        key = (row["hs6"][:2], row["month"])
        shipped[key] += float(row["true_value_usd"])
        shortfall[key] += float(row["true_value_usd"]) - float(row["declared_value_usd"])
    for row in found.itertuples():
        assert shortfall[(row.chapter, row.month)] > 0.1 * shipped[(row.chapter, row.month)]
        assert row.gap_usd > 0 and row.gap_share > 0.1
        assert row.words.startswith("CN reports USD")
    drill = result.drilldown
    assert set(drill["subject_kind"]) == {"post", "importer", "broker", "inspector"}
    # The post's declarations are all of the chapter-month's: its valuation gap is the whole of
    # the declared goods' share, and the rest is goods no declaration carries.
    posts = drill[drill["subject_kind"] == "post"].merge(found, on=["reporter", "chapter", "month"])
    assert np.allclose(posts["valuation_gap_usd_x"], posts["valuation_gap_usd_y"], rtol=1e-6)
    # Who carries the gap is who cheats: each gap's largest importer is a dishonest trader, and
    # so are most importers whose evidence is strong.
    schemes = _schemes(undervalued_trade)
    importers = drill[drill["subject_kind"] == "importer"]
    for _, of_unit in importers.groupby(["chapter", "month"]):
        assert schemes.get(of_unit.iloc[0]["subject_id"], "honest") != "honest"
    mine = evidence[evidence["subject_kind"] == "importer"]
    strong = mine[mine["p_value"] < 0.05]
    assert len(strong) >= 5
    dishonest = [schemes.get(s, "honest") != "honest" for s in strong["subject_id"]]
    assert sum(dishonest) >= 0.9 * len(dishonest), strong[["subject_id", "p_value"]]
    # Over all importers, the undervaluers' declared values sit further below the partner's
    # unit values than the honest ones' (the ROC AUC of -z).
    scheme = mine["subject_id"].map(lambda s: schemes.get(s, "honest"))
    low = -mine["z"][scheme == "undervaluation"].to_numpy()
    honest = -mine["z"][scheme == "honest"].to_numpy()
    assert len(low) and len(honest)
    auc = float(np.mean([(a > b) + 0.5 * (a == b) for a in low for b in honest]))
    assert auc >= 0.85, auc
    assert set(evidence["indicator"]) == {"mirror_gap"}
    assert set(evidence["subject_kind"]) == {"post", "importer"}


def test_honest_trade_shows_no_gap(clean_trade: World) -> None:
    result, evidence = _mirror(clean_trade)
    assert result.months == ["2025-01"]
    assert len(result.gaps) >= 5 and not result.gaps["gap"].any()
    assert (result.gaps["gap_share"].abs() < 0.2).all()
    assert result.drilldown.empty and evidence.empty


def test_the_suite_ranks_and_reports_the_mirror_gap(undervalued_trade: World) -> None:
    result = run(open_warehouse(undervalued_trade.warehouse))
    posts = [s for s in result.subjects if s.kind == "post"]
    assert posts[0].subject_id == "BKT"
    assert any(e["indicator"] == "mirror_gap" for e in posts[0].evidence)
    html = render(result, datetime(2025, 3, 1, tzinfo=UTC))
    assert "<h2>Mirror analysis</h2>" in html and "chart-mirror" in html


def test_a_partner_figure_with_nothing_declared_is_a_gap_and_small_ones_are_not_tested() -> None:
    partner = pd.DataFrame(
        {
            "reporter": ["CN"] * 8 + ["CN"],
            "chapter": [f"{c:02d}" for c in range(60, 68)] + ["90"],
            "ym": [202501] * 9,
            "fob": [1e6] * 8 + [5_000.0],
            "partner_kg": [1e5] * 9,
            "figures": [1] * 9,
            "weighed": [1] * 9,
        }
    )
    declared = partner[["reporter", "chapter", "ym"]].iloc[1:].copy()
    declared["declared_usd"] = [1.1e6 * f for f in (1.02, 0.97, 1.01, 0.99, 1.03, 0.98, 1.0)] + [0]
    declared["declared_kg"] = [1e5] * 7 + [0]
    declared["declarations"] = [10] * 7 + [0]
    gaps, noise, _ = chapter_months(partner, declared, MirrorSettings())
    by_chapter = gaps.set_index("chapter")
    assert by_chapter.loc["60", "gap"] and by_chapter.loc["60", "p_value"] < 1e-9
    assert not by_chapter.loc[["61", "62", "63", "64", "65", "66", "67"], "gap"].any()
    assert math.isnan(by_chapter.loc["90", "p_value"]) and not by_chapter.loc["90", "gap"]
    assert 0.02 < noise < 0.10


def test_only_months_the_recorded_imports_cover_are_compared() -> None:
    def at(day: str) -> datetime:
        return datetime.fromisoformat(day).replace(tzinfo=UTC)

    assert covered_months(at("2024-12-30"), at("2025-02-03")) == [202501]
    assert covered_months(at("2025-01-05"), at("2025-03-31")) == [202502, 202503]
    assert covered_months(at("2025-01-01"), at("2025-01-20")) == []
    assert covered_months(None, None) == []


@pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java")
def test_duckdb_and_spark_compute_the_same_mirror(undervalued_trade: World) -> None:
    on_duckdb, evidence_duckdb = _mirror(undervalued_trade, "duckdb")
    on_spark, evidence_spark = _mirror(undervalued_trade, "pyspark")
    for a, b in (
        (on_duckdb.gaps, on_spark.gaps),
        (on_duckdb.drilldown, on_spark.drilldown),
        (evidence_duckdb, evidence_spark),
    ):
        assert len(a) == len(b) > 0
        numbers = [c for c in a.columns if pd.api.types.is_float_dtype(a[c])]
        others = [c for c in a.columns if c not in numbers and c != "words"]
        assert a[others].astype(str).values.tolist() == b[others].astype(str).values.tolist()
        for column in numbers:
            assert np.allclose(
                a[column].to_numpy(dtype=float),
                b[column].to_numpy(dtype=float),
                rtol=1e-9,
                atol=1e-6,
                equal_nan=True,
            ), column


def test_a_warehouse_without_partner_figures_compares_nothing(tmp_path: Path, world: World) -> None:
    folder = tmp_path / "warehouse"
    shutil.copytree(world.warehouse, folder)
    (folder / "partner_exports.parquet").unlink()
    out = Indicators()
    result = mirror_indicators(open_warehouse(folder), out)
    assert result.gaps.empty and not out.rows
