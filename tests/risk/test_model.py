"""The risk model keeps the scikit-learn estimator contract, its schema and its files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from dostyk.risk import RiskModel, SchemaMismatch
from tests.risk.frames import declarations, small_model

LEARNED = (
    "booster_",
    "revenue_booster_",
    "histories_",
    "schema_",
    "feature_names_",
    "feature_names_in_",
    "n_features_in_",
    "classes_",
    "best_iteration_",
    "metadata_",
    "version_",
)


@pytest.fixture(scope="module")
def trained() -> tuple[RiskModel, pd.DataFrame]:
    frame, labels, revenue = declarations(600)
    later, later_labels, later_revenue = declarations(200, seed=1)
    model = small_model().fit(
        frame,
        labels,
        revenue=revenue,
        eval_set=(later, later_labels, later_revenue),
        period=("2024-01-01", "2024-12-31"),
    )
    return model, later


def test_clone_gives_an_unfitted_model_with_the_same_parameters(
    trained: tuple[RiskModel, pd.DataFrame],
) -> None:
    model, _ = trained
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert not any(hasattr(copy, name) for name in LEARNED)
    with pytest.raises(NotFittedError):
        copy.predict_proba(declarations(5)[0])


def test_fit_learns_underscore_attributes_and_scores_probabilities(
    trained: tuple[RiskModel, pd.DataFrame],
) -> None:
    model, later = trained
    assert all(hasattr(model, name) for name in LEARNED)
    proba = model.predict_proba(later)
    assert proba.shape == (len(later), 2)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert ((proba >= 0) & (proba <= 1)).all()
    assert model.predict(later).shape == (len(later),)
    assert {"importer_rate", "importer_count", "importer_hs_revenue"} <= set(model.feature_names_)
    assert "importer" not in model.feature_names_  # history only, not a tree feature
    assert model.metadata_["period"] == ["2024-01-01", "2024-12-31"]


def test_the_model_learns_the_importer_risk(trained: tuple[RiskModel, pd.DataFrame]) -> None:
    model, later = trained
    score = model.predict_proba(later)[:, 1]
    risky = later["importer"].isin([f"IMP{i:03d}" for i in range(30, 40)]).to_numpy()
    safe = later["importer"].isin([f"IMP{i:03d}" for i in range(10)]).to_numpy()
    assert score[risky].mean() > score[safe].mean() + 0.3


def test_revenue_at_stake_needs_revenue_in_training(
    trained: tuple[RiskModel, pd.DataFrame],
) -> None:
    model, later = trained
    expected = model.predict_revenue(later)
    assert expected.shape == (len(later),) and (expected >= 0).all()
    frame, labels, _ = declarations(300)
    without = small_model().fit(frame, labels)
    assert without.revenue_booster_ is None
    with pytest.raises(NotFittedError, match="without revenue"):
        without.predict_revenue(later)


def test_save_and_load_give_identical_scores_and_version(
    trained: tuple[RiskModel, pd.DataFrame], tmp_path: Path
) -> None:
    model, later = trained
    path = tmp_path / "model.json"
    version = model.save(path)
    loaded = RiskModel.load(path)
    assert version == loaded.version_ == model.version_
    assert np.array_equal(model.predict_proba(later), loaded.predict_proba(later))
    assert np.array_equal(model.predict_revenue(later), loaded.predict_revenue(later))
    assert loaded.metadata_["period"] == ["2024-01-01", "2024-12-31"]
    assert loaded.get_params() == model.get_params()


def test_a_changed_model_file_is_refused(
    trained: tuple[RiskModel, pd.DataFrame], tmp_path: Path
) -> None:
    model, _ = trained
    path = tmp_path / "model.json"
    model.save(path)
    document = json.loads(path.read_text())
    document["histories"]["prior_rate"] = 0.99
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="does not match its version id"):
        RiskModel.load(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not a risk model file"):
        RiskModel.load(path)


def test_a_frame_of_another_schema_is_refused_naming_the_columns(
    trained: tuple[RiskModel, pd.DataFrame],
) -> None:
    model, later = trained
    other = later.drop(columns=["mass"]).assign(weight=1.0, value=later["value"].astype(str))
    with pytest.raises(SchemaMismatch) as refused:
        model.predict_proba(other)
    message = str(refused.value)
    assert "column 'mass' is missing" in message
    assert "column 'weight' is not in the schema" in message
    assert "column 'value' should be numeric" in message
    with pytest.raises(SchemaMismatch, match="'office' was trained on numbers"):
        model.predict_proba(later.assign(office=later["office"].astype(str)))
    with pytest.raises(SchemaMismatch, match="field 'mass' is missing"):
        model.score_one({k: v for k, v in later.iloc[0].items() if k != "mass"})


def test_unseen_categories_are_scored_not_refused(
    trained: tuple[RiskModel, pd.DataFrame],
) -> None:
    model, later = trained
    novel = later.head(3).assign(importer=pd.array(["NEW1", "NEW2", "NEW3"], dtype="string"))
    assert model.predict_proba(novel).shape == (3, 2)


def test_one_declaration_scores_as_in_a_batch(trained: tuple[RiskModel, pd.DataFrame]) -> None:
    model, later = trained
    batch = model.predict_proba(later)[:, 1]
    for position in (0, 7, 42):
        row = dict(later.iloc[position].items())
        assert model.score_one(row) == pytest.approx(batch[position], abs=1e-12)


def test_explanations_name_the_largest_contributions(
    trained: tuple[RiskModel, pd.DataFrame],
) -> None:
    model, later = trained
    explained = model.explain(later.head(5), top=3)
    full = np.asarray(
        model.booster_.predict(model.transform_features(later.head(5)), pred_contrib=True)
    )  # every feature's contribution and the expected value
    assert len(explained) == 5
    for row, contributions in enumerate(explained):
        assert 1 <= len(contributions) <= 3
        effects = [abs(c.effect) for c in contributions]
        assert effects == sorted(effects, reverse=True)
        assert effects[0] == pytest.approx(np.abs(full[row, :-1]).max())
        for contribution in contributions:
            assert ("raises" if contribution.effect > 0 else "lowers") in contribution.words
            assert contribution.feature.split("_")[0] in contribution.words
