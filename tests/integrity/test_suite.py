"""The indicator suite over a simulated warehouse: its outputs, what it finds, what it leaves."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dostyk.integrity.indicators import Indicators
from dostyk.integrity.networks import suggested_relationships
from dostyk.integrity.pairing import pairing_indicators
from dostyk.integrity.ranking import Subject
from dostyk.integrity.suite import rank_subjects, run, write
from dostyk.warehouse.backends import open_warehouse
from tests.integrity.conftest import World

RANKING_COLUMNS = [
    "subject_kind",
    "subject_id",
    "post_code",
    "score",
    "rank",
    "evidence",
    "officer_id",
    "computed_at",
]


def test_the_ranking_and_indicators_are_written_as_the_pages_read_them(
    world: World, tmp_path: Path
) -> None:
    result = run(open_warehouse(world.warehouse))
    folder = write(result, tmp_path)
    ranking = pq.read_table(folder / "ranking.parquet").to_pylist()
    assert list(ranking[0]) == RANKING_COLUMNS
    kinds = {row["subject_kind"] for row in ranking}
    assert {"inspector", "supervisor", "broker"} <= kinds
    for kind in kinds:
        of_kind = [row for row in ranking if row["subject_kind"] == kind]
        assert sorted(row["rank"] for row in of_kind) == list(range(1, len(of_kind) + 1))
        scores = [row["score"] for row in sorted(of_kind, key=lambda r: r["rank"])]
        assert scores == sorted(scores, reverse=True)
    for row in ranking:
        officer = row["subject_kind"] in ("inspector", "supervisor")
        assert row["officer_id"] == (row["subject_id"] if officer else None)
        evidence = json.loads(row["evidence"])
        assert evidence and {"indicator", "value", "peer_value", "p_value", "words"} <= set(
            evidence[0]
        )
    indicators = pq.read_table(folder / "indicators.parquet")
    assert indicators.column_names == [
        "subject_kind",
        "subject_id",
        "post_code",
        "indicator",
        "value",
        "peer_value",
        "z",
        "p_value",
        "log_lr",
    ]
    assert _to_nine_digits(rank_subjects(world.warehouse)) == _to_nine_digits(result.subjects)


def _to_nine_digits(subjects: list[Subject]) -> list[Subject]:
    """The subjects with their evidence's figures to nine significant digits: DuckDB sums in
    parallel, so two runs over the same warehouse may differ in the last bit of a mean."""

    def rounded(value: object) -> object:
        return float(f"{value:.9g}") if isinstance(value, float) else value

    return [
        replace(s, evidence=[{k: rounded(v) for k, v in e.items()} for e in s.evidence])
        for s in subjects
    ]


def _steer(world: World, tmp_path: Path) -> tuple[Path, str, str]:
    """A copy of the warehouse where one broker's inspections all went to one inspector."""
    copy = tmp_path / "warehouse"
    copy.mkdir()
    for path in world.warehouse.glob("*.parquet"):
        (copy / path.name).write_bytes(path.read_bytes())
    inspections = pq.read_table(copy / "inspections.parquet").to_pandas()
    declarations = pq.read_table(copy / "declarations.parquet").to_pandas()
    joined = inspections.merge(declarations[["declaration_id", "declarant_id", "post_code"]])
    busiest = joined.groupby(["post_code", "declarant_id"]).size().idxmax()
    post, broker = busiest
    mine = joined[(joined["post_code"] == post) & (joined["declarant_id"] == broker)]
    inspector = str(mine["inspector_id"].mode().iloc[0])
    steered = inspections["inspection_id"].isin(mine["inspection_id"])
    inspections.loc[steered, "inspector_id"] = inspector
    import pyarrow as pa

    original = pq.read_table(copy / "inspections.parquet").schema
    pq.write_table(
        pa.Table.from_pandas(inspections, schema=original, preserve_index=False),
        copy / "inspections.parquet",
    )
    return copy, str(broker), inspector


def test_a_broker_always_met_by_one_inspector_is_over_paired_and_suggested(
    world: World, tmp_path: Path
) -> None:
    copy, broker, inspector = _steer(world, tmp_path)
    w = open_warehouse(copy)
    out = Indicators()
    pairs = pairing_indicators(w, out)
    flagged = [r for r in out.rows if r["indicator"] == "over_pairing"]
    assert {(r["subject_kind"], r["subject_id"]) for r in flagged} >= {
        ("broker", broker),
        ("inspector", inspector),
    }
    suggested = suggested_relationships(w, pairs)
    assert (inspector, broker) in {(s.officer_id, s.party_id) for s in suggested}
    # Once the relationship is declared in the register, it is no longer suggested.
    import pyarrow as pa

    register = pa.table(
        {
            "officer_id": [inspector],
            "party_id": [broker],
            "kind": ["kin"],
        }
    )
    pq.write_table(register, copy / "conflicts_of_interest.parquet")
    declared = open_warehouse(copy)
    left = suggested_relationships(declared, pairing_indicators(declared, Indicators()))
    assert (inspector, broker) not in {(s.officer_id, s.party_id) for s in left}


def test_the_same_draws_leave_an_honest_warehouse_with_few_over_paired_pairs(
    world: World,
) -> None:
    w = open_warehouse(world.warehouse)
    pairs = pairing_indicators(w, Indicators())
    tested = pairs[pairs["observed"] > 0]
    # Under the recorded draws, only reassignments (recorded) pull a pair above expectation.
    unexplained = tested[(tested["q_value"] < 0.05) & (tested["reassigned"] == 0)]
    assert len(unexplained) <= max(1, len(tested) // 20)


@pytest.mark.parametrize("kind", ["inspector", "supervisor", "broker"])
def test_every_officer_and_broker_who_worked_is_ranked(world: World, kind: str) -> None:
    subjects = rank_subjects(world.warehouse)
    assert any(s.kind == kind for s in subjects)
