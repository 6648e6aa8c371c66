"""The tail probabilities and false-discovery control the indicators rest on."""

from __future__ import annotations

import numpy as np

from dostyk.integrity import statistics as st


def test_benjamini_hochberg_matches_the_published_procedure() -> None:
    # R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.5), "BH") = 0.025 0.05 0.05 0.025 0.5
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.5])
    assert np.allclose(st.benjamini_hochberg(p), [0.025, 0.05, 0.05, 0.025, 0.5])


def test_no_finding_where_ten_were_expected_is_very_unlikely_but_three_is_not() -> None:
    p = st.poisson_lower(np.array([0.0, 3.0]), np.array([10.0, 3.0]))
    assert p[0] < 1e-4 < 0.3 < p[1]


def test_a_small_peer_group_is_pulled_towards_the_national_rate() -> None:
    rate = st.shrunk_rate(np.array([0.0, 0.0]), np.array([1.0, 1000.0]), 0.2)
    assert 0.15 < rate[0] < 0.2 and rate[1] < 0.01
