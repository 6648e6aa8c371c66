"""Precision, recall and revenue at an inspection rate, on examples worked by hand."""

from __future__ import annotations

import pytest

from dostyk.risk.metrics import at_rates, inspected_count, roc_auc


def test_the_top_share_is_inspected_and_counted() -> None:
    # 20 declarations, scores 20..1 in order; findings at ranks 1, 2, 4 and 15.
    labels = [0] * 20
    for rank in (1, 2, 4, 15):
        labels[rank - 1] = 1
    scores = [20 - i for i in range(20)]
    money = [10.0 if label else 0.0 for label in labels]
    money[14] = 60.0  # the finding at rank 15 holds most of the revenue (total 90)
    five, ten, twenty = at_rates(labels, scores, money, rates=(5, 10, 20))
    assert (five.inspected, five.found, five.precision, five.recall) == (1, 1, 1.0, 0.25)
    assert (ten.inspected, ten.found, ten.precision, ten.recall) == (2, 2, 1.0, 0.5)
    assert (twenty.inspected, twenty.found) == (4, 3)
    assert twenty.precision == 0.75 and twenty.recall == 0.75
    assert twenty.revenue == pytest.approx(30 / 90)


def test_order_not_input_position_decides() -> None:
    labels = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    scores = [0.1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.05]
    (result,) = at_rates(labels, scores, rates=(10,))
    assert result.found == 0 and result.revenue is None
    assert roc_auc(labels, scores) == pytest.approx(1 / 9)


def test_inspected_count_rounds_down_but_inspects_at_least_one() -> None:
    assert inspected_count(8481, 1) == 84
    assert inspected_count(8481, 10) == 848
    assert inspected_count(30, 1) == 1
    assert inspected_count(0, 5) == 0
