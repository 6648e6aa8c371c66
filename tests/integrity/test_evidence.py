"""The signed weight of evidence the ranking adds up: what it says for and against a subject."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dostyk.integrity import statistics as st
from dostyk.integrity.indicators import Indicators
from dostyk.integrity.inspectors import SUPPRESSION, honest_peers
from dostyk.integrity.ranking import CAP, rank
from dostyk.integrity.supervisors import BACKGROUND_SHARE, PASSUP_SHARE, passup_evidence


def _detection(found: float, expected: float) -> float:
    return float(st.poisson_evidence(np.array([found]), np.array([expected]), SUPPRESSION)[0])


def test_more_ordinary_inspections_lower_the_detection_evidence() -> None:
    # Finding what peers would find: the more of it, the stronger the case for honesty.
    ordinary = [_detection(e, e) for e in (1.0, 5.0, 20.0)]
    assert 0 > ordinary[0] > ordinary[1] > ordinary[2]
    # Finding nothing: the more was expected, the stronger the case against him.
    nothing = [_detection(0.0, e) for e in (1.0, 5.0, 20.0)]
    assert 0 < nothing[0] < nothing[1] < nothing[2]
    # No inspections at all: no evidence either way, between the two.
    assert _detection(0.0, 0.0) == 0.0
    assert ordinary[0] < _detection(0.0, 0.0) < nothing[0]


def test_the_detection_evidence_is_the_poisson_likelihood_ratio() -> None:
    from scipy import stats

    found, expected = 2.0, 6.0
    exact = math.log10(
        stats.poisson.pmf(found, SUPPRESSION * expected) / stats.poisson.pmf(found, expected)
    )
    assert _detection(found, expected) == pytest.approx(exact)


def test_the_binomial_evidence_is_signed_by_the_rate_the_record_shows() -> None:
    rate, alternative = np.array([0.3]), np.array([0.8])
    # Passing 3 of 10 (the peers' rate) says he is honest, more so out of 30; 9 of 10 says not.
    at_peers = st.binomial_evidence(np.array([3.0]), np.array([10.0]), rate, alternative)[0]
    more = st.binomial_evidence(np.array([9.0]), np.array([30.0]), rate, alternative)[0]
    against = st.binomial_evidence(np.array([9.0]), np.array([10.0]), rate, alternative)[0]
    assert more < at_peers < 0 < against


def test_a_p_value_weighs_at_most_its_calibrated_bound() -> None:
    # Sellke, Bayarri and Berger: the likelihood ratio is at most 1 / (-e p ln p).
    assert st.calibrated_evidence(0.001) == pytest.approx(
        -math.log10(-math.e * 0.001 * math.log(0.001))
    )
    assert st.calibrated_evidence(0.001) < st.evidence_strength(0.001)
    bounds = [st.calibrated_evidence(p) for p in (1.0, 0.5, 1 / math.e, 0.1, 1e-3, 1e-9)]
    assert bounds[:3] == [0.0, 0.0, 0.0]
    assert bounds[2] < bounds[3] < bounds[4] < bounds[5]


def test_an_indicator_without_its_own_model_weighs_its_calibrated_p_value() -> None:
    out = Indicators()
    out.add("broker", "B", "DST", "downgraded", 3, 0.2, None, 0.001, "words")
    out.add("broker", "B", "DST", "benford", 0.02, 0.01, None, None, "words")
    frame = out.frame().set_index("indicator")
    assert frame.loc["downgraded", "log_lr"] == pytest.approx(st.calibrated_evidence(0.001))
    assert math.isnan(frame.loc["benford", "log_lr"])


def _inspector(out: Indicators, subject: str, log_lr: float) -> None:
    out.add("inspector", subject, "DST", "detection_vs_risk", 0, 0, None, 0.5, subject, log_lr)


def test_the_ranking_puts_evidence_of_honesty_below_no_evidence() -> None:
    out = Indicators()
    _inspector(out, "ordinary", -3.0)
    _inspector(out, "unknown", 0.0)
    _inspector(out, "suspect", 2.0)
    out.add("inspector", "suspect", "DST", "value_uplift", 0, 10, None, None, "uplift")
    subjects = rank(out.frame())
    assert [(s.subject_id, s.score) for s in subjects] == [
        ("suspect", 2.0),
        ("unknown", 0.0),
        ("ordinary", -3.0),
    ]
    first = subjects[0].evidence
    assert [e["indicator"] for e in first] == ["detection_vs_risk", "value_uplift"]
    assert first[0]["adds"] == 2.0 and first[1]["adds"] is None


def test_no_indicator_moves_a_score_by_more_than_the_cap() -> None:
    out = Indicators()
    _inspector(out, "damned", 40.0)
    _inspector(out, "cleared", -40.0)
    scores = {s.subject_id: s.score for s in rank(out.frame())}
    assert scores == {"damned": CAP, "cleared": -CAP}


def test_bribe_takers_at_a_post_do_not_lower_what_their_peers_are_expected_to_find() -> None:
    # Three honest inspectors find what the risk predicts; two bribe-takers find nothing.
    frame = pd.DataFrame(
        {
            "inspector_id": ["H1", "H2", "H3", "C1", "C2"],
            "post_code": ["DST"] * 5,
            "found": [10.0, 11.0, 9.0, 0.0, 0.0],
            "expected": [10.0, 10.0, 10.0, 10.0, 10.0],
        }
    )
    adjusted, honest = honest_peers(frame)
    # A plain leave-one-out rate would expect 20/40 of the risk from each bribe-taker.
    assert adjusted[3] > 8.0 and adjusted[4] > 8.0
    assert honest[:3].min() > 0.99 and honest[3:].max() < 0.01


def test_pass_up_needs_deficits_under_several_inspectors() -> None:
    one = passup_evidence(np.array([6.0]))
    assert one[0] == pytest.approx(math.log10(PASSUP_SHARE / BACKGROUND_SHARE), rel=1e-4)
    # One damning record under an otherwise ordinary crew weighs less than three clear deficits.
    crew_with_one = passup_evidence(np.array([6.0, -1.0, -1.0])).sum()
    three = passup_evidence(np.array([1.5, 1.5, 1.5])).sum()
    assert crew_with_one < one[0] < three
    # Inspectors who find what their peers find speak for their supervisor; no record says nothing.
    assert passup_evidence(np.array([-2.0]))[0] < 0
    assert passup_evidence(np.array([0.0]))[0] == pytest.approx(0.0)
