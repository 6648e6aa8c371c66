"""The tail probabilities, likelihood ratios, peer rates and false-discovery control the
indicators share.

The ranking's currency is the weight of evidence: log10 of how much likelier a subject's record
is if he is corrupt than if he is honest (3 is a thousand times likelier, -1 ten times less
likely). An indicator with a model of what the scheme does to its figure (a bribe-taker finds a
share of what his peers find) gives it exactly, and it is signed: plenty of ordinary work is
evidence of honesty, so it ranks below no work at all. An indicator tested only against the
honest peers (how often a supervisor approves downgrades) gives a tail probability p; the most
that p can say against the peers' behaviour is the bound of Sellke, Bayarri and Berger (2001,
"Calibration of p values for testing precise null hypotheses", *The American Statistician*
55(1)): a likelihood ratio of at most 1 / (-e p ln p) for p < 1/e, none beyond.
"""

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
    """-log10 p (a p of 0.001 gives 3)."""
    return -math.log10(max(min(p, 1.0), FLOOR))


def calibrated_evidence(p: float) -> float:
    """The most a tail probability says against the null: log10 of the Sellke-Bayarri-Berger
    bound 1 / (-e p ln p) on the likelihood ratio, 0 for p >= 1/e (a p of 0.001 gives 1.73, a
    p of 1e-6 gives 4.68). Never negative: a test of the peers' behaviour alone cannot speak
    for honesty."""
    q = max(min(p, 1.0), FLOOR)
    if q >= 1 / math.e:
        return 0.0
    return -math.log10(-math.e * q * math.log(q))


def poisson_evidence(observed: Floats, expected: Floats, ratio: float) -> Floats:
    """log10 P(observed | Poisson(ratio x expected)) / P(observed | Poisson(expected)).

    The weight of evidence for a subject whose rate is ``ratio`` times his peers' (the
    alternative) against one whose rate is theirs: (O ln ratio - (ratio - 1) E) / ln 10. For a
    ratio below 1 each event counts for the peers' behaviour and each expected event that did
    not happen against it; zero events where none were expected says nothing."""
    e = np.maximum(expected, 0.0)
    value = (observed * math.log(ratio) - (ratio - 1.0) * e) / math.log(10)
    return np.asarray(value, dtype=np.float64)


def binomial_evidence(
    successes: Floats, trials: Floats, rate: Floats, alternative: Floats
) -> Floats:
    """log10 P(successes | Binomial(trials, alternative)) / P(successes | Binomial(trials, rate)):
    the weight of evidence for a subject whose rate is ``alternative`` against one whose rate is
    his peers' ``rate``."""
    p0 = np.clip(rate, 1e-9, 1 - 1e-9)
    p1 = np.clip(alternative, 1e-9, 1 - 1e-9)
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    value = (k * np.log(p1 / p0) + (n - k) * np.log((1 - p1) / (1 - p0))) / math.log(10)
    return np.asarray(value, dtype=np.float64)


def likelier(log_lr: float, corrupt: str, honest: str) -> str:
    """A weight of evidence in a case officer's words: "12 times likelier if <corrupt>"."""
    if abs(log_lr) < math.log10(1.5):
        return f"about as likely if {corrupt} as if {honest}"
    times = 10 ** min(abs(log_lr), 6.0)
    amount = (
        "over a million"
        if abs(log_lr) >= 6.0
        else f"{times:,.0f}"
        if times >= 10
        else f"{times:.1f}"
    )
    return f"{amount} times likelier if {corrupt if log_lr > 0 else honest}"
