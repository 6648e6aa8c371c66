from __future__ import annotations

from dataclasses import replace

import pytest

from dostyk.domain.declarations import Channel
from dostyk.domain.risk import RiskAssessment

from .helpers import NAIVE, T0, violates

ASSESSMENT = RiskAssessment(
    assessment_id="R-1",
    declaration_id="D-1",
    assessed_at=T0,
    channel=Channel.RED,
    score=0.42,
    criteria=("value-per-kg-low", "new-importer"),
    selector="profile-2025.03",
)


@pytest.mark.parametrize("score", [0.0, 0.42, 1.0])
def test_a_probability_score_is_accepted(score: float) -> None:
    assert replace(ASSESSMENT, score=score).score == score


@pytest.mark.parametrize("score", [-0.01, 1.01, float("nan"), float("inf")])
def test_a_score_that_is_not_a_probability_is_refused(score: float) -> None:
    with violates("score"):
        replace(ASSESSMENT, score=score)


def test_a_naive_assessment_time_is_refused() -> None:
    with violates("assessed_at"):
        replace(ASSESSMENT, assessed_at=NAIVE)


def test_no_criteria_is_accepted() -> None:
    assert replace(ASSESSMENT, criteria=()).criteria == ()


def test_a_criterion_containing_the_separator_is_refused() -> None:
    with violates("criteria"):
        replace(ASSESSMENT, criteria=("ok", "a|b"))
