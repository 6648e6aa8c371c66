"""The tail probabilities, peer rates and false-discovery control the indicators share."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy import stats

Floats = npt.NDArray[np.float64]

#: Pseudo-observations pulling a small peer group's rate towards the national rate.
PRIOR_WEIGHT = 20.0
#: The smallest p-value an indicator reports (beyond it, evidence adds nothing a case officer uses).
FLOOR = 1e-12


def poisson_lower(observed: Floats, expected: Floats) -> Floats:
    """P(X <= observed) for X ~ Poisson(expected): too few findings for the risk inspected."""
    p = stats.poisson.cdf(observed, np.maximum(expected, 1e-9))
    return np.clip(np.asarray(p, dtype=np.float64), FLOOR, 1.0)


def poisson_upper(observed: Floats, expected: Floats) -> Floats:
    """P(X >= observed) for X ~ Poisson(expected): more events than peers would have."""
    p = stats.poisson.sf(observed - 1, np.maximum(expected, 1e-9))
    return np.clip(np.asarray(p, dtype=np.float64), FLOOR, 1.0)


def binomial_upper(successes: Floats, trials: Floats, rate: Floats) -> Floats:
    """P(X >= successes) for X ~ Binomial(trials, rate)."""
    p = stats.binom.sf(successes - 1, trials, np.clip(rate, 1e-9, 1 - 1e-9))
    return np.clip(np.asarray(p, dtype=np.float64), FLOOR, 1.0)


def binomial_lower(successes: Floats, trials: Floats, rate: Floats) -> Floats:
    """P(X <= successes) for X ~ Binomial(trials, rate)."""
    p = stats.binom.cdf(successes, trials, np.clip(rate, 1e-9, 1 - 1e-9))
    return np.clip(np.asarray(p, dtype=np.float64), FLOOR, 1.0)


def poisson_z(observed: Floats, expected: Floats) -> Floats:
    return np.asarray((observed - expected) / np.sqrt(np.maximum(expected, 1e-9)), dtype=np.float64)


def benjamini_hochberg(p: Floats) -> Floats:
    """The BH q-value of each p-value: the false-discovery rate at which it is a discovery."""
    n = len(p)
    if n == 0:
        return np.asarray(p, dtype=np.float64)
    order = np.argsort(p, kind="mergesort")
    ranked = p[order] * n / np.arange(1, n + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n, dtype=np.float64)
    out[order] = np.minimum(q, 1.0)
    return out


def shrunk_rate(events: Floats, trials: Floats, prior_rate: float) -> Floats:
    """A peer group's rate, pulled towards ``prior_rate`` when the group is small."""
    return np.asarray(
        (events + PRIOR_WEIGHT * prior_rate) / (trials + PRIOR_WEIGHT), dtype=np.float64
    )


def evidence_strength(p: float) -> float:
    """-log10 p, the currency the ranking adds up (a p of 0.001 weighs 3)."""
    return -math.log10(max(min(p, 1.0), FLOOR))
