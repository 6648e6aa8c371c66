"""The integer encoding gives the trees exactly the matrix of the text encoding, so every score
of the fast batch and one-row paths equals the reference score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from dostyk.risk import HistoryKey, RiskModel
from dostyk.risk import encoding as encoding_module
from dostyk.risk.encoding import Encoder
from dostyk.risk.histories import SEPARATOR
from tests.risk.frames import declarations

#: Single, combined (three columns, one numeric) and numeric keys.
KEYS = (
    HistoryKey("importer", ("importer",)),
    HistoryKey("importer_hs", ("importer", "hs")),
    HistoryKey("route", ("importer", "hs", "office")),
    HistoryKey("mass", ("rounded",)),
)


def awkward(rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Declarations with missing values, a float key column (with -0.0 beside 0.0) and a
    categorical column of numbers."""
    frame, labels, revenue = declarations(rows, seed)
    rng = np.random.default_rng(seed + 10)
    frame["rounded"] = np.round(frame["mass"] / 25.0) - 1.0  # 0.0, 1.0, 2.0, 3.0
    frame.loc[frame.index[::7], "rounded"] = -0.0  # equal to 0.0, but its text is "-0.0"
    frame.loc[frame.index[::11], "rounded"] = np.nan
    frame["importer"] = frame["importer"].astype(object)
    frame.loc[frame.index[::13], "importer"] = None
    frame.loc[frame.index[rng.integers(0, rows, 5)], "hs"] = pd.NA
    return frame, labels, revenue


def fitted() -> tuple[RiskModel, pd.DataFrame]:
    frame, labels, revenue = awkward(800, 0)
    later, _, _ = awkward(300, 1)
    later.loc[later.index[:20], "importer"] = [f"NEW{i}" for i in range(20)]  # never seen
    later.loc[later.index[20:30], "hs"] = "9999"  # a text (Arrow) category never seen
    model = RiskModel(
        categorical=("hs", "office", "importer"),
        histories=KEYS,
        history_only=("importer",),
        n_estimators=40,
        num_leaves=7,
        min_child_samples=5,
        min_data_per_group=5,
    ).fit(frame, labels, revenue=revenue)
    return model, later


@pytest.fixture(scope="module")
def trained() -> tuple[RiskModel, pd.DataFrame]:
    return fitted()


def reference_scores(model: RiskModel, frame: pd.DataFrame) -> np.ndarray:
    matrix = model.reference_features(frame)
    return np.asarray(model.booster_.predict(matrix, num_iteration=model.best_iteration_))


def test_the_integer_matrix_is_the_text_matrix(trained: tuple[RiskModel, pd.DataFrame]) -> None:
    model, later = trained
    fast = model.transform_features(later)
    np.testing.assert_array_equal(fast, model.reference_features(later))  # NaN where NaN
    assert np.isnan(fast[:, model.feature_names_.index("hs")]).sum() > 0


@pytest.mark.parametrize(
    "dtype",
    [pd.StringDtype("pyarrow"), pd.StringDtype("python"), pd.ArrowDtype(pa.large_string())],
    ids=["string-pyarrow", "string-python", "arrow-large-string"],
)
def test_every_text_dtype_gives_the_text_matrix(
    trained: tuple[RiskModel, pd.DataFrame], dtype: object
) -> None:
    """Text held by Arrow is looked up in Arrow, other text through its distinct values: the
    same codes either way, missing values and texts never seen included."""
    model, later = trained
    changed = later.assign(importer=later["importer"].astype(dtype), hs=later["hs"].astype(dtype))
    assert changed["importer"].isna().any() and changed["hs"].isna().any()
    fast = model.transform_features(changed)
    assert fast.flags.f_contiguous  # written column by column, read so by LightGBM
    np.testing.assert_array_equal(fast, model.reference_features(later))


def test_batch_scores_equal_the_reference(trained: tuple[RiskModel, pd.DataFrame]) -> None:
    model, later = trained
    scores = model.predict_proba(later)[:, 1]
    reference = reference_scores(model, later)
    assert np.abs(scores - reference).max() <= 1e-12
    assert scores.std() > 0  # the scores tell declarations apart


def test_large_key_spaces_and_keys_holding_the_separator_score_alike(
    trained: tuple[RiskModel, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    model, later = trained
    monkeypatch.setattr(encoding_module, "DENSE_LIMIT", 4)  # every key through searchsorted
    sorted_path = Encoder(model.schema_, model.model_columns_, model.histories_)
    np.testing.assert_array_equal(sorted_path.matrix(later), model.reference_features(later))

    frame, labels, revenue = awkward(400, 2)
    frame["importer"] = frame["importer"].map(
        lambda v: None if v is None else f"{v}{SEPARATOR}x", na_action="ignore"
    )
    odd = RiskModel(categorical=("hs", "office", "importer"), histories=KEYS, n_estimators=10).fit(
        frame, labels, revenue=revenue
    )
    np.testing.assert_array_equal(odd.transform_features(frame), odd.reference_features(frame))
    row = dict(frame.iloc[3].items())
    assert odd.score_one(row) == pytest.approx(odd.predict_proba(frame)[3, 1], abs=1e-12)


def test_one_row_assessment_equals_the_one_row_frame(
    trained: tuple[RiskModel, pd.DataFrame],
) -> None:
    model, later = trained
    for position in (0, 7, 13, 22, 42, 77):  # unseen, missing and ordinary importers
        row = dict(later.iloc[position].items())
        one = later.iloc[[position]]
        assessed = model.assess_one(row, top=3)
        assert assessed.score == pytest.approx(reference_scores(model, one)[0], abs=1e-12)
        assert model.score_one(row) == pytest.approx(assessed.score, abs=1e-12)
        assert assessed.expected_revenue == pytest.approx(
            float(model.predict_revenue(one)[0]), abs=1e-12
        )
        assert assessed.explanation == model.explain(one, top=3)[0]
