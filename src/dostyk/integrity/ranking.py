"""The ranked, explained list: one score per subject from the evidence of its indicators.

A subject's score is the sum, over its tested indicators, of the evidence each carries:
-log10 of its tail probability (a p of 0.001 weighs 3), capped so that no single indicator
decides alone, times the indicator's weight. Subjects are ranked within their kind (inspectors
with inspectors, brokers with brokers); the evidence keeps every tested indicator, strongest
first, with its value, its peers' value and the sentence a case officer reads.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from dostyk.integrity.statistics import evidence_strength

#: The most one indicator adds to a score (a p-value of 1e-6).
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


def _strength(p: float) -> float:
    return 0.0 if p is None or math.isnan(p) else min(evidence_strength(p), CAP)


def rank(indicators: pd.DataFrame) -> list[Subject]:
    """Every subject with an indicator, ranked within its kind by score, strongest first."""
    subjects: list[Subject] = []
    if indicators.empty:
        return subjects
    for kind, of_kind in indicators.groupby("subject_kind", sort=True):
        scored: list[tuple[float, str, str | None, list[dict[str, Any]]]] = []
        for subject, rows in of_kind.groupby("subject_id", sort=True):
            evidence = []
            score = 0.0
            for row in rows.itertuples():
                p = None if pd.isna(row.p_value) else float(row.p_value)
                strength = _strength(p) if p is not None else 0.0
                score += strength * WEIGHTS.get(str(row.indicator), 1.0)
                evidence.append(
                    {
                        "indicator": row.indicator,
                        "value": _number(row.value),
                        "peer_value": _number(row.peer_value),
                        "z": _number(row.z),
                        "p_value": p,
                        "words": row.words,
                        "_strength": strength,
                    }
                )
            evidence.sort(key=lambda e: (-e["_strength"], e["indicator"]))
            for item in evidence:
                del item["_strength"]
            posts = rows["post_code"].dropna()
            scored.append(
                (score, str(subject), str(posts.iloc[0]) if len(posts) else None, evidence)
            )
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
