"""The ranked, explained list: one score per subject from the evidence of its indicators.

A subject's score is the sum, over his tested indicators, of the weight of evidence each carries
(``log_lr``: log10 of how much likelier his record is if he is corrupt than if he is honest),
bounded by +-CAP so that no single indicator decides alone, times the indicator's weight. Summing
log likelihood ratios treats the indicators as independent given the truth; the weights below
halve the indicators that re-count inspections another already counts. The score is signed: an
inspector whose many inspections found what his peers find ranks below one with no inspections,
who ranks at 0. Subjects are ranked within their kind (inspectors with inspectors, brokers with
brokers); the evidence keeps every tested indicator, what raises the score most first, with its
value, its peers' value, what it adds and the sentence a case officer reads.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

#: The most one indicator adds to (or takes from) a score: a likelihood ratio of a million.
CAP = 6.0
#: Indicators that inform but weigh less: their tests overlap another's or rest on few cases.
WEIGHTS: dict[str, float] = {
    "unit_value_outliers_accepted": 0.5,
    "weight_discrepancies_passed": 0.5,
    "benford": 0.0,
    "value_uplift": 0.0,
    "time_to_release": 0.0,
}
OFFICER_KINDS = frozenset({"inspector", "supervisor"})


@dataclass(frozen=True)
class Subject:
    kind: str
    subject_id: str
    post_code: str | None
    score: float
    rank: int
    evidence: list[dict[str, Any]] = field(default_factory=list)

    @property
    def officer_id(self) -> str | None:
        """The officer the subject is, so that no officer is shown indicators about himself."""
        return self.subject_id if self.kind in OFFICER_KINDS else None


def contribution(indicator: str, log_lr: float | None) -> float:
    """What one indicator adds to a score: its weight of evidence, bounded, times its weight."""
    if log_lr is None or math.isnan(log_lr):
        return 0.0
    return max(-CAP, min(CAP, log_lr)) * WEIGHTS.get(indicator, 1.0)


def rank(indicators: pd.DataFrame) -> list[Subject]:
    """Every subject with an indicator, ranked within its kind by score, strongest first."""
    subjects: list[Subject] = []
    if indicators.empty:
        return subjects
    # One pass over the rows as plain records, grouped by kind and subject in their order:
    # a pandas group per subject costs more than its evidence when there are thousands.
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in indicators.to_dict("records"):
        if pd.isna(row["subject_kind"]) or pd.isna(row["subject_id"]):
            continue
        grouped.setdefault((row["subject_kind"], row["subject_id"]), []).append(row)
    by_kind: dict[str, list[tuple[float, str, str | None, list[dict[str, Any]]]]] = {}
    for (kind, subject), rows in sorted(grouped.items(), key=lambda item: item[0]):
        evidence = []
        score = 0.0
        for row in rows:
            p = None if pd.isna(row["p_value"]) else float(row["p_value"])
            lr = _number(row["log_lr"])
            adds = contribution(str(row["indicator"]), lr)
            score += adds
            evidence.append(
                {
                    "indicator": row["indicator"],
                    "value": _number(row["value"]),
                    "peer_value": _number(row["peer_value"]),
                    "z": _number(row["z"]),
                    "p_value": p,
                    "log_lr": lr,
                    "adds": round(adds, 6) if lr is not None else None,
                    "words": row["words"],
                }
            )
        evidence.sort(key=lambda e: (-(e["adds"] or 0.0), e["adds"] is None, e["indicator"]))
        posts = [row["post_code"] for row in rows if not pd.isna(row["post_code"])]
        by_kind.setdefault(kind, []).append(
            (score, str(subject), str(posts[0]) if posts else None, evidence)
        )
    for kind, scored in by_kind.items():
        scored.sort(key=lambda s: (-s[0], s[1]))
        for position, (score, subject_id, post, evidence) in enumerate(scored, start=1):
            subjects.append(
                Subject(str(kind), subject_id, post, round(score, 6), position, evidence)
            )
    return subjects


def _number(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def ranking_frame(subjects: Iterable[Subject], computed_at: datetime | None = None) -> pd.DataFrame:
    """The ranking as the table ``ranking.parquet`` holds."""
    at = computed_at or datetime.now(UTC)
    rows = [
        {
            "subject_kind": s.kind,
            "subject_id": s.subject_id,
            "post_code": s.post_code,
            "score": s.score,
            "rank": s.rank,
            "evidence": json.dumps(s.evidence, ensure_ascii=False),
            "officer_id": s.officer_id,
            "computed_at": at,
        }
        for s in subjects
    ]
    columns = [
        "subject_kind",
        "subject_id",
        "post_code",
        "score",
        "rank",
        "evidence",
        "officer_id",
        "computed_at",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["rank"] = frame["rank"].astype("int64")
    frame["score"] = frame["score"].astype("float64")
    frame["computed_at"] = pd.to_datetime(frame["computed_at"], utc=True)
    return frame
