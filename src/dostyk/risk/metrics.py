"""Selection metrics: what inspecting the top n% of declarations by score finds.

The protocol of the customs-fraud literature (DATE, Kim et al. 2020; Jeong et al. 2022): rank
the test declarations by score, inspect the first ``floor(n × rate)`` (at least one), and report
precision (share of inspected with a finding), recall (share of all findings that were inspected)
and, where revenue is known, the share of all revenue at stake that was recovered. Ties in the
score are broken by the original order, so the figures are deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

#: The inspection rates of the benchmark, in percent.
RATES: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0)


@dataclass(frozen=True, slots=True)
class AtRate:
    """The outcome of inspecting the top ``rate`` percent."""

    rate: float
    inspected: int
    found: int
    precision: float
    recall: float
    revenue: float | None


def inspected_count(rows: int, rate: float) -> int:
    """How many of ``rows`` declarations an inspection rate of ``rate`` percent inspects."""
    if rows <= 0:
        return 0
    return max(1, math.floor(rows * rate / 100.0 + 1e-9))


def at_rates(
    y: Any, score: Any, revenue: Any = None, rates: Sequence[float] = RATES
) -> list[AtRate]:
    """Precision, recall and revenue share at each inspection rate."""
    labels = np.asarray(y, dtype=np.float64)
    scores = np.asarray(score, dtype=np.float64)
    if labels.shape != scores.shape:
        raise ValueError(f"{labels.shape[0]} labels but {scores.shape[0]} scores")
    order = np.argsort(-scores, kind="stable")
    ranked = labels[order]
    money = None if revenue is None else np.asarray(revenue, dtype=np.float64)[order]
    positives = ranked.sum()
    results = []
    for rate in rates:
        k = inspected_count(len(ranked), rate)
        found = int(ranked[:k].sum())
        share = None
        if money is not None:
            total = money.sum()
            share = float(money[:k].sum() / total) if total > 0 else 0.0
        results.append(
            AtRate(
                rate,
                k,
                found,
                found / k if k else 0.0,
                found / positives if positives else 0.0,
                share,
            )
        )
    return results


def roc_auc(y: Any, score: Any) -> float:
    """Area under the ROC curve (0.5 when only one class is present: nothing to rank)."""
    labels = np.asarray(y)
    if len(np.unique(labels)) < 2:
        return 0.5
    return float(roc_auc_score(labels, np.asarray(score, dtype=np.float64)))
