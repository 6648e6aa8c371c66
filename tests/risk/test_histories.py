"""Risk histories come from the training period only, and a row's own label never enters its
own training feature."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dostyk.risk import HistoryKey, KeyStatistics, RiskHistories

KEY = HistoryKey("importer", ("importer",))


def _frame() -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.DataFrame({"importer": ["A", "A", "A", "B", "B", "C"] * 10})
    labels = np.array([1, 1, 0, 0, 0, 1] * 10)
    return frame, labels


def test_rates_are_smoothed_towards_the_overall_rate() -> None:
    frame, labels = _frame()
    histories = RiskHistories([KEY], smoothing=10).fit(frame, labels)
    features = histories.transform(pd.DataFrame({"importer": ["A", "B", "Z"]}))
    prior = labels.mean()  # 0.5
    assert features[0, 0] == pytest.approx((20 + 10 * prior) / (30 + 10))
    assert features[1, 0] == pytest.approx((0 + 10 * prior) / (20 + 10))
    assert features[2, 0] == pytest.approx(prior)  # never seen: the prior itself
    assert list(features[:, 1]) == [30, 20, 0]


def test_a_training_rows_own_label_never_enters_its_feature() -> None:
    frame, labels = _frame()
    histories = RiskHistories([KEY], smoothing=1).fit(frame, labels)
    before = histories.out_of_fold(frame, labels, folds=5, seed=3)
    flipped = labels.copy()
    flipped[0] = 1 - flipped[0]
    after = RiskHistories([KEY], smoothing=1).fit(frame, flipped)
    after.prior_rate = histories.prior_rate  # the prior is not the row's own feature either
    changed = after.out_of_fold(frame, flipped, folds=5, seed=3)
    assert changed[0, 0] == before[0, 0]
    # ... whereas its label does move the feature of rows in other folds,
    assert not np.array_equal(changed[:, 0], before[:, 0])
    # ... and an in-sample transform, the leak this guards against, would move its own.
    assert after.transform(frame)[0, 0] != histories.transform(frame)[0, 0]


def test_later_rows_are_encoded_from_the_training_period_only() -> None:
    frame, labels = _frame()
    histories = RiskHistories([KEY], smoothing=5).fit(frame, labels)
    later = pd.DataFrame({"importer": ["A", "C"]})
    first = histories.transform(later)
    # Scoring more later rows changes nothing: transform learns nothing.
    histories.transform(pd.DataFrame({"importer": ["A"] * 100}))
    assert np.array_equal(histories.transform(later), first)


def test_one_row_from_live_statistics_matches_the_batch_encoding() -> None:
    frame = pd.DataFrame({"importer": ["A", "A", "B"], "hs": ["01", "02", "01"]})
    keys = [KEY, HistoryKey("importer_hs", ("importer", "hs"))]
    histories = RiskHistories(keys, smoothing=2, with_revenue=True).fit(
        frame, [1, 0, 1], [100.0, 0.0, 50.0]
    )
    row = {"importer": "A", "hs": "01"}
    from_tables = histories.row_features(row)
    live = {
        "importer": KeyStatistics(count=2, findings=1, revenue=100.0),
        "importer_hs": KeyStatistics(count=1, findings=1, revenue=100.0),
    }
    assert histories.row_features(row, live) == pytest.approx(from_tables)
    assert from_tables == pytest.approx(list(histories.transform(pd.DataFrame([row]))[0]))


def test_histories_survive_their_document() -> None:
    frame, labels = _frame()
    histories = RiskHistories([KEY], smoothing=3).fit(frame, labels)
    again = RiskHistories.from_document(histories.to_document())
    assert np.array_equal(again.transform(frame), histories.transform(frame))
