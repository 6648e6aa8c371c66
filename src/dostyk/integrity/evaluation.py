"""The ranking scored against a simulated world's ground truth, beside a naive baseline.

The ground truth (``HOME/truth/agents.csv``, written by ``dostyk simulate``, never in the store)
names every officer and broker who is not honest and his scheme. For each kind of subject the
evaluation takes the population the data can judge — inspectors who finished an inspection,
shift supervisors who worked a shift, brokers who lodged a declaration — and reports ROC AUC,
precision at 5, 10 and 20, and how many of the top 20 are honest (false accusations). The
baseline ranks by raw detection rate alone (fewest findings per inspection first): what a service
without risk adjustment, peer comparison or the other indicators would look at.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from dostyk.integrity.frames import fetch, finished_inspections
from dostyk.integrity.ranking import Subject
from dostyk.warehouse.backends import Warehouse

SCHEMES = {
    "inspector": "bribe-taking",
    "supervisor": "pass-up",
    "broker": "paying-for-priority",
}
TOP = (5, 10, 20)


class TruthMissing(FileNotFoundError):
    """No ground truth: only a simulated world has one."""


@dataclass(frozen=True)
class Scores:
    method: str
    kind: str
    population: int
    positives: int
    roc_auc: float | None
    precision_at_5: float
    precision_at_10: float
    precision_at_20: float
    false_accusations_top20: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_truth(folder: Path) -> dict[str, str]:
    """Agent id -> scheme, for every agent the truth says is not honest."""
    path = folder / "agents.csv"
    if not path.exists():
        raise TruthMissing(f"{path} does not exist: only a simulated world has a ground truth")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ValueError(f"{path}: line {line} is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"agent_id", "scheme"} - set(reader.fieldnames or [])
    if missing:
        raise ValueError(f"{path}: no column {', '.join(sorted(missing))} in the header")
    return {row["agent_id"]: row["scheme"] for row in reader}


def populations(w: Warehouse) -> dict[str, pd.DataFrame]:
    """Per kind, every subject the data can judge with its raw detection rate (the baseline)."""
    base = finished_inspections(w)
    found = (base.findings > 0).cast("int64")
    inspectors = fetch(
        base.group_by(inspector=base.inspector_id).aggregate(n=base.count(), found=found.sum())
    )
    d = w.table("declarations")
    brokers_seen = fetch(d.select(subject=d.declarant_id).distinct())
    brokers = brokers_seen.merge(
        fetch(
            base.group_by(subject=base.declarant_id).aggregate(n=base.count(), found=found.sum())
        ),
        on="subject",
        how="left",
    ).fillna({"n": 0, "found": 0})
    o = fetch(w.table("officers").select("officer_id", "rank", "supervisor_id"))
    s = fetch(w.table("duty_shifts").select("officer_id").distinct())
    sup = o[(o["rank"] == "shift_supervisor") & o["officer_id"].isin(s["officer_id"])]
    crew = inspectors.merge(o, left_on="inspector", right_on="officer_id")
    per_sup = crew.groupby("supervisor_id").agg(n=("n", "sum"), found=("found", "sum"))
    supervisors = (
        sup[["officer_id"]]
        .merge(per_sup, left_on="officer_id", right_index=True, how="left")
        .fillna({"n": 0, "found": 0})
    )
    frames = {
        "inspector": inspectors.rename(columns={"inspector": "subject"}),
        "supervisor": supervisors.rename(columns={"officer_id": "subject"}),
        "broker": brokers,
    }
    for frame in frames.values():
        frame["rate"] = frame["found"] / frame["n"].where(frame["n"] > 0)
    return frames


def _scores(
    method: str, kind: str, score: np.ndarray[Any, Any], truth: np.ndarray[Any, Any]
) -> Scores:
    positives = int(truth.sum())
    auc = float(roc_auc_score(truth, score)) if 0 < positives < len(truth) else None
    order = np.argsort(-score, kind="mergesort")
    hits = truth[order]

    def precision(k: int) -> float:
        top = hits[:k]
        return float(top.mean()) if len(top) else 0.0

    return Scores(
        method,
        kind,
        len(truth),
        positives,
        auc,
        precision(5),
        precision(10),
        precision(20),
        int(len(hits[:20]) - hits[:20].sum()),
    )


def evaluate(w: Warehouse, subjects: list[Subject], truth: dict[str, str]) -> list[Scores]:
    """Scores of the ranking and of the baseline, per kind."""
    results: list[Scores] = []
    frames = populations(w)
    for kind, scheme in SCHEMES.items():
        frame = frames[kind].sort_values("subject", kind="mergesort").reset_index(drop=True)
        if frame.empty:
            continue
        ranked = {s.subject_id: s for s in subjects if s.kind == kind}
        ids = frame["subject"].astype(str).tolist()
        labels = np.array([truth.get(i) == scheme for i in ids], dtype=np.int64)
        # Ties are broken by the ranking's own order (its rank), then by identifier. A subject
        # with no indicator has no evidence either way: a score of 0, after the ranked zeros.
        n = len(ids)
        score = np.array(
            [
                ranked[i].score - ranked[i].rank * 1e-9 if i in ranked else -(n + k + 1) * 1e-9
                for k, i in enumerate(ids)
            ]
        )
        results.append(_scores("ranking", kind, score, labels))
        rate = frame["rate"].to_numpy(dtype=np.float64)
        # Lowest detection first; subjects never inspected last.
        baseline = np.where(np.isnan(rate), -2.0, -rate) - np.arange(n) * 1e-12
        results.append(_scores("baseline: raw detection rate", kind, baseline, labels))
    return results
