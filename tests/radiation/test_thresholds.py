"""The thresholds the alarm algorithms compare with: exact to their definitions."""

from __future__ import annotations

import numpy as np
from scipy import special

from dostyk.radiation.thresholds import poisson_threshold, scan_threshold


def test_poisson_threshold_is_the_least_count_that_rare() -> None:
    # From a fraction of a count (a neutron tube's slice) to tens of thousands (a gross window
    # over a long train), at the rates the algorithms ask for and at plain ones.
    means = np.concatenate([np.geomspace(1e-6, 1e5, 1_500), np.linspace(0.0, 40.0, 801)])
    for probability in (1e-9, 1e-6, 1e-4, 1e-3, 0.05, 0.5, 0.9):
        count = poisson_threshold(probability, means)
        assert (special.gammainc(count, means) <= probability).all()
        below = count - 1.0
        least = (below < 1.0) | (special.gammainc(np.maximum(below, 1.0), means) > probability)
        assert least.all(), means[~least][:5]


def test_poisson_threshold_takes_a_probability_per_mean() -> None:
    rng = np.random.default_rng(5)
    means = rng.uniform(0.0, 200.0, 2_000)
    probabilities = rng.uniform(1e-7, 0.5, 2_000)
    together = poisson_threshold(probabilities, means)
    one_by_one = [
        float(poisson_threshold(p, np.array([m]))[0])
        for p, m in zip(probabilities, means, strict=True)
    ]
    assert together.tolist() == one_by_one


def test_scan_threshold_is_the_same_for_one_width_as_for_many() -> None:
    rng = np.random.default_rng(6)
    windows = rng.uniform(0.5, 2e4, 500)
    widths = rng.integers(3, 40, 500)
    mixed = scan_threshold(1e-3, windows, widths)
    alone = [
        float(scan_threshold(1e-3, np.array([n]), np.array([k]))[0])
        for n, k in zip(windows, widths, strict=True)
    ]
    assert mixed.tolist() == alone
    # Higher thresholds for more windows and for a rarer target.
    assert (np.diff(scan_threshold(1e-3, np.geomspace(1, 1e4, 50), np.full(50, 10))) > 0).all()
    assert (scan_threshold(1e-4, windows, widths) > mixed).all()
