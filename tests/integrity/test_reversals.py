"""``findings_reversed``: an inspector whose results later reviews reverse more than his peers'."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dostyk.integrity.indicators import Indicators
from dostyk.integrity.inspectors import REVIEWS, inspector_indicators, reversal_totals
from dostyk.integrity.ranking import rank
from dostyk.store import tables as t
from dostyk.warehouse.backends import open_warehouse
from dostyk.warehouse.columns import to_arrow
from tests.integrity.conftest import World


def with_reviews(world: World, folder: Path, reversed_for: str) -> Path:
    """The world's warehouse with reviews: every finished inspection of ``reversed_for``
    reversed (alternately no basis and fraud missed), one in four of everyone else's upheld,
    and one of theirs reversed."""
    copy = folder / "warehouse"
    shutil.copytree(world.warehouse, copy)
    inspections = pq.read_table(copy / "inspections.parquet").to_pylist()
    rows = []
    others = 0
    for n, i in enumerate(sorted(inspections, key=lambda r: r["inspection_id"])):
        if i["ended_at"] is None:
            continue
        mine = i["inspector_id"] == reversed_for
        if not mine and n % 4:
            continue
        outcome = "upheld"
        if mine:
            outcome = "no_basis" if n % 2 else "fraud_missed"
        elif others == 0:
            outcome = "fraud_missed"
        others += not mine
        rows.append(
            (
                f"V-{i['inspection_id']}-1",
                i["inspection_id"],
                i["declaration_id"],
                "audit",
                outcome,
                "Desk audit of the importer's accounts",
                "HQ-0001",
                i["ended_at"] + timedelta(days=20),
                None,
                0.0,
            )
        )
    pq.write_table(to_arrow(t.finding_reviews, rows), copy / f"{REVIEWS}.parquet")
    return copy


def busiest_inspector(world: World) -> str:
    inspections = pq.read_table(world.warehouse / "inspections.parquet")
    counts = inspections.group_by("inspector_id").aggregate([("inspection_id", "count")])
    best = max(counts.to_pylist(), key=lambda r: (r["inspection_id_count"], r["inspector_id"]))
    return str(best["inspector_id"])


def test_an_inspector_reversed_far_beyond_his_peers_is_found(world: World, tmp_path: Path) -> None:
    suspect = busiest_inspector(world)
    w = open_warehouse(with_reviews(world, tmp_path, suspect))
    totals = reversal_totals(w).set_index("inspector_id")
    assert totals.loc[suspect, "reversed"] == totals.loc[suspect, "reviewable"] > 3
    assert (
        totals.loc[suspect, "no_basis"] + totals.loc[suspect, "fraud_missed"]
        == (totals.loc[suspect, "reversed"])
    )
    out = Indicators()
    inspector_indicators(w, out)
    frame = out.frame()
    rows = frame[frame.indicator == "findings_reversed"].set_index("subject_id")
    assert rows.loc[suspect, "p_value"] < 1e-3
    assert rows.loc[suspect, "value"] > rows.loc[suspect, "peer_value"]
    others = rows.drop(index=suspect)
    assert (others["p_value"] > 0.01).all()
    assert "were later reversed" in rows.loc[suspect, "words"]
    subject = next(s for s in rank(frame) if s.subject_id == suspect)
    assert any(e["indicator"] == "findings_reversed" for e in subject.evidence)


def test_without_reviews_there_is_no_such_indicator(world: World, tmp_path: Path) -> None:
    copy = tmp_path / "warehouse"
    shutil.copytree(world.warehouse, copy)
    (copy / f"{REVIEWS}.parquet").unlink(missing_ok=True)
    out = Indicators()
    inspector_indicators(open_warehouse(copy), out)
    assert "findings_reversed" not in set(out.frame().indicator)
    empty = pa.Table.from_pylist([], schema=to_arrow(t.finding_reviews, []).schema)
    pq.write_table(empty, copy / f"{REVIEWS}.parquet")
    assert reversal_totals(open_warehouse(copy)).empty


def test_a_finding_reversed_as_baseless_is_no_detection(world: World, tmp_path: Path) -> None:
    """An extorting inspector's made-up findings must not stand for the fraud he passes."""
    findings = pq.read_table(world.warehouse / "findings.parquet").to_pylist()
    inspections = pq.read_table(world.warehouse / "inspections.parquet").to_pylist()
    found_by = {i["inspection_id"]: i["inspector_id"] for i in inspections}
    found = {f["inspection_id"] for f in findings}
    suspect = max(
        sorted({found_by[i] for i in found}),
        key=lambda who: sum(found_by[i] == who for i in found),
    )
    theirs = [i for i in found if found_by[i] == suspect]
    assert theirs, "the world gives the suspect no finding"
    copy = tmp_path / "warehouse"
    shutil.copytree(world.warehouse, copy)
    by_id = {i["inspection_id"]: i for i in inspections}
    rows = [
        (
            f"V-{inspection}-1",
            inspection,
            by_id[inspection]["declaration_id"],
            "appeal",
            "no_basis",
            "The declarant's contracts support the declared value",
            "HQ-0001",
            by_id[inspection]["ended_at"] + timedelta(days=10),
            1,
            0.0,
        )
        for inspection in sorted(theirs)
    ]
    pq.write_table(to_arrow(t.finding_reviews, rows), copy / f"{REVIEWS}.parquet")

    def detection(warehouse: Path) -> tuple[float, float]:
        out = Indicators()
        inspector_indicators(open_warehouse(warehouse), out)
        frame = out.frame()
        row = frame[(frame.indicator == "detection_vs_risk") & (frame.subject_id == suspect)]
        return float(row["value"].iloc[0]), float(row["log_lr"].iloc[0])

    before, after = detection(world.warehouse), detection(copy)
    assert before[0] >= len(theirs) > 0
    assert after[0] == before[0] - len(theirs)
    assert after[1] > before[1], "fewer standing findings must weigh against him"
