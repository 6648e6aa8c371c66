"""The learned risk model: gradient-boosted trees over a declaration and its risk histories.

:class:`RiskModel` is a scikit-learn estimator (``get_params``/``set_params``, ``clone``,
``fit``/``predict_proba``; what it learns ends in an underscore). It scores two things: the
probability that an inspection finds something (``booster_``, binary) and, when trained with
revenue, the revenue at stake (``revenue_booster_``, fitted on the declarations with a finding,
so that ``predict_revenue`` = probability × revenue expected when there is a finding). The
channel can then be chosen on expected revenue recovered per inspection-hour.

The model keeps the schema of the frame it was trained on (``schema_``) and refuses another
(:class:`~dostyk.risk.schema.SchemaMismatch`). It explains each score by the features that moved
it most (LightGBM's exact TreeSHAP contributions, ``pred_contrib``), in words.

:meth:`RiskModel.save` writes one JSON file holding the trees, the schema, the histories and
metadata (training period, parameters, a slot for benchmark figures); its version id is a hash
of everything that decides a score, so two files with the same id score alike.
"""

# ruff: noqa: N803 -- X is the scikit-learn name for the feature frame

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError

from dostyk.risk.encoding import Encoder
from dostyk.risk.histories import HistoryKey, KeyStatistics, RiskHistories
from dostyk.risk.schema import FeatureSchema, SchemaMismatch, text_value

#: The format written by :meth:`RiskModel.save`.
FILE_FORMAT = "dostyk-risk-model/1"
#: Rows per scoring thread: below it, one thread (waking an OpenMP pool costs more than it gives,
#: and on a loaded machine an idle pool's threads wait to be scheduled).
ROWS_PER_THREAD = 20_000


def scoring_threads(rows: int) -> int:
    """Threads for predicting ``rows`` rows: one per :data:`ROWS_PER_THREAD`, at most the cores
    this process may use. Scores do not depend on it (trees are summed per row)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, rows // ROWS_PER_THREAD))


@dataclass(frozen=True, slots=True)
class Contribution:
    """One feature's part in a score: its value, its effect (log-odds), the sentence saying so."""

    feature: str
    value: str
    effect: float
    words: str


@dataclass(frozen=True, slots=True)
class RowAssessment:
    """One declaration scored in one pass: P(finding), the revenue at stake (``None`` for a
    model trained without revenue) and the contributions that moved the score most."""

    score: float
    expected_revenue: float | None
    explanation: list[Contribution]


def _describe(feature: str, value: float, shown: str, effect: float) -> str:
    direction = "raises" if effect > 0 else "lowers"
    if feature.endswith("_rate"):
        name = feature[: -len("_rate")].replace("_", " ")
        what = f"{name}: {value:.0%} of past declarations had a finding"
    elif feature.endswith("_count"):
        what = f"{feature[: -len('_count')].replace('_', ' ')}: {value:,.0f} past declarations"
    elif feature.endswith("_revenue"):
        what = (
            f"{feature[: -len('_revenue')].replace('_', ' ')}: mean revenue recovered {value:,.2f}"
        )
    else:
        what = f"{feature} is {shown or 'missing'}"
    return f"{what} — {direction} the risk ({effect:+.2f})"


class RiskModel(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """LightGBM over declaration features and risk histories.

    Parameters
    ----------
    categorical:
        Columns of ``X`` to treat as categorical (LightGBM native categories). Default: every
        non-numeric column.
    histories:
        Entity keys whose smoothed risk histories are features (see :mod:`dostyk.risk.histories`).
    history_only:
        Columns that feed the histories but are not themselves tree features (high-cardinality
        identifiers such as the importer, which native categories would overfit).
    The rest are LightGBM's parameters; ``n_estimators`` is an upper bound when ``eval_set``
    is given (early stopping after ``early_stopping_rounds`` rounds without improvement).
    """

    def __init__(
        self,
        *,
        categorical: Sequence[str] | None = None,
        histories: Sequence[HistoryKey] = (),
        history_only: Sequence[str] = (),
        history_smoothing: float = 20.0,
        history_folds: int = 5,
        n_estimators: int = 1000,
        learning_rate: float = 0.1,
        num_leaves: int = 31,
        min_child_samples: int = 20,
        subsample: float = 0.8,
        colsample_bytree: float = 0.8,
        reg_lambda: float = 1.0,
        cat_smooth: float = 10.0,
        min_data_per_group: int = 50,
        max_cat_threshold: int = 32,
        early_stopping_rounds: int = 50,
        random_state: int = 0,
        n_jobs: int = 1,
    ) -> None:
        self.categorical = categorical
        self.histories = histories
        self.history_only = history_only
        self.history_smoothing = history_smoothing
        self.history_folds = history_folds
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.cat_smooth = cat_smooth
        self.min_data_per_group = min_data_per_group
        self.max_cat_threshold = max_cat_threshold
        self.early_stopping_rounds = early_stopping_rounds
        self.random_state = random_state
        self.n_jobs = n_jobs

    # Training ---------------------------------------------------------------------------------

    def _lgb_params(self, objective: str) -> dict[str, Any]:
        return {
            "objective": objective,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_child_samples": self.min_child_samples,
            "bagging_fraction": self.subsample,
            "bagging_freq": 1 if self.subsample < 1.0 else 0,
            "feature_fraction": self.colsample_bytree,
            "lambda_l2": self.reg_lambda,
            "cat_smooth": self.cat_smooth,
            "min_data_per_group": self.min_data_per_group,
            "max_cat_threshold": self.max_cat_threshold,
            "seed": self.random_state,
            "num_threads": self.n_jobs,
            "deterministic": True,
            "force_col_wise": True,
            "verbosity": -1,
        }

    def fit(
        self,
        X: pd.DataFrame,
        y: Any,
        *,
        revenue: Any = None,
        sample_weight: Any = None,
        eval_set: tuple[Any, ...] | None = None,
        period: tuple[str, str] | None = None,
    ) -> RiskModel:
        """Learn from declarations ``X`` with outcomes ``y`` (1 = finding).

        ``revenue``: revenue recovered per declaration (0 without a finding), for the revenue
        model and the revenue histories. ``sample_weight``: e.g. inverse selection
        probabilities. ``eval_set``: ``(X, y)`` or ``(X, y, revenue)`` of a later period, for
        early stopping. ``period``: the first and last day of the training data (metadata).
        """
        if not isinstance(X, pd.DataFrame):
            raise TypeError("X must be a pandas DataFrame with named columns")
        labels = np.asarray(y, dtype=np.float64)
        if labels.shape != (len(X),):
            raise ValueError(f"y has shape {labels.shape}, X has {len(X)} rows")
        if not np.isin(labels, (0.0, 1.0)).all():
            raise ValueError("y must hold 0 (no finding) and 1 (finding) only")
        money = None if revenue is None else np.asarray(revenue, dtype=np.float64)
        self.schema_ = FeatureSchema.infer(X, self.categorical)
        unknown = sorted(set(self.history_only) - set(self.schema_.names))
        for key in self.histories:
            unknown += sorted(set(key.columns) - set(self.schema_.names))
        if unknown:
            raise SchemaMismatch([f"column {name!r} is not in the frame" for name in unknown])
        self.model_columns_ = [n for n in self.schema_.names if n not in set(self.history_only)]
        self.histories_ = RiskHistories(
            self.histories, smoothing=self.history_smoothing, with_revenue=money is not None
        ).fit(X, labels, money)
        train = self._matrix(
            X,
            self.histories_.out_of_fold(
                X, labels, money, folds=self.history_folds, seed=self.random_state
            ),
        )
        self.feature_names_ = self.model_columns_ + self.histories_.feature_names
        self.categorical_features_ = [
            name for name in self.model_columns_ if self.schema_.column(name).kind == "categorical"
        ]
        self.n_features_in_ = len(self.schema_.names)
        self.feature_names_in_ = np.asarray(self.schema_.names, dtype=object)
        self.classes_ = np.array([0, 1])

        valid = None
        if eval_set is not None:
            self.schema_.check(eval_set[0])
            valid = (self._matrix(eval_set[0]), np.asarray(eval_set[1], dtype=np.float64))
        self.booster_ = self._train(
            "binary", train, labels, sample_weight, valid, self.n_estimators
        )
        self.best_iteration_ = int(
            self.booster_.best_iteration or self.booster_.current_iteration()
        )

        self.revenue_booster_: lgb.Booster | None = None
        if money is not None and (labels == 1).sum() >= 2:
            hit = labels == 1
            weight = None if sample_weight is None else np.asarray(sample_weight)[hit]
            revenue_valid = None
            if eval_set is not None and len(eval_set) > 2 and valid is not None:
                valid_hit = valid[1] == 1
                revenue_valid = (
                    valid[0][valid_hit],
                    np.asarray(eval_set[2], dtype=np.float64)[valid_hit],
                )
            self.revenue_booster_ = self._train(
                "regression", train[hit], money[hit], weight, revenue_valid, self.n_estimators
            )
        self.metadata_: dict[str, Any] = {
            "format": FILE_FORMAT,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "period": list(period) if period else None,
            "rows": len(X),
            "findings": int(labels.sum()),
            "parameters": _plain(self.get_params()),
            "best_iteration": self.best_iteration_,
            "benchmark": {},
        }
        self.version_ = self._version()
        self._compile()
        return self

    def _train(
        self,
        objective: str,
        matrix: np.ndarray,
        target: np.ndarray,
        weight: Any,
        valid: tuple[np.ndarray, np.ndarray] | None,
        rounds: int,
    ) -> lgb.Booster:
        categorical = [self.feature_names_.index(n) for n in self.categorical_features_]
        data = lgb.Dataset(
            matrix,
            target,
            weight=weight,
            feature_name=self.feature_names_,
            categorical_feature=categorical,
            free_raw_data=False,
        )
        callbacks: list[Callable[..., Any]] = []
        valid_sets = []
        if valid is not None and len(valid[1]):
            valid_sets = [data.create_valid(valid[0], valid[1])]
            callbacks = [lgb.early_stopping(self.early_stopping_rounds, verbose=False)]
        return lgb.train(
            self._lgb_params(objective),
            data,
            num_boost_round=rounds,
            valid_sets=valid_sets,
            callbacks=callbacks,
        )

    def _matrix(self, X: pd.DataFrame, histories: np.ndarray | None = None) -> np.ndarray:
        base = self.schema_.encode(X, self.model_columns_)
        extra = self.histories_.transform(X) if histories is None else histories
        return np.hstack([base, extra]) if extra.shape[1] else base

    # Scoring ----------------------------------------------------------------------------------

    def _fitted(self) -> None:
        if not hasattr(self, "booster_"):
            raise NotFittedError("this RiskModel is not fitted yet: call fit or RiskModel.load")

    def transform_features(self, X: pd.DataFrame) -> np.ndarray:
        """The matrix the trees see for ``X`` (after the schema check), by integer codes
        (:class:`~dostyk.risk.encoding.Encoder`), in column-major order (LightGBM reads it
        without a copy)."""
        self._checked(X)
        return self._encoder.matrix(X)

    def reference_features(self, X: pd.DataFrame) -> np.ndarray:
        """The same matrix through the text encoding (each key as joined text, looked up in the
        history indexes): the reference the integer encoding is held equal to."""
        self._checked(X)
        return self._matrix(X)

    def _checked(self, X: pd.DataFrame) -> None:
        self._fitted()
        if not isinstance(X, pd.DataFrame):
            raise TypeError("X must be a pandas DataFrame with named columns")
        self.schema_.check(X)

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        """P(finding) for each row of an encoded matrix."""
        return np.asarray(
            self.booster_.predict(
                matrix,
                num_iteration=self.best_iteration_,
                num_threads=scoring_threads(len(matrix)),
            ),
            dtype=np.float64,
        )

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Per row, [P(no finding), P(finding)]."""
        score = self.probabilities(self.transform_features(X))
        return np.column_stack([1.0 - score, score])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def predict_revenue(self, X: pd.DataFrame) -> np.ndarray:
        """Expected revenue at stake per row: P(finding) × revenue expected given a finding."""
        matrix = self.transform_features(X)
        if self.revenue_booster_ is None:
            raise NotFittedError(
                "this RiskModel was trained without revenue: it cannot score revenue"
            )
        return self._revenue(matrix, self.probabilities(matrix))

    def _revenue(self, matrix: np.ndarray, score: np.ndarray) -> np.ndarray:
        assert self.revenue_booster_ is not None
        given = np.asarray(
            self.revenue_booster_.predict(matrix, num_threads=scoring_threads(len(matrix))),
            dtype=np.float64,
        )
        return score * np.clip(given, 0.0, None)

    def explain(self, X: pd.DataFrame, top: int = 3) -> list[list[Contribution]]:
        """Per row, the ``top`` features that moved its score most, largest effect first."""
        matrix = self.transform_features(X)
        return self._explain(matrix, self._shown_values(X, matrix), top)

    def _explain(
        self, matrix: np.ndarray, shown: list[list[str]], top: int
    ) -> list[list[Contribution]]:
        contributions = np.asarray(
            self.booster_.predict(
                matrix,
                num_iteration=self.best_iteration_,
                pred_contrib=True,
                num_threads=scoring_threads(len(matrix)),
            )
        )[:, :-1]  # the last column is the expected value, not a feature
        explained = []
        for row in range(len(matrix)):
            order = np.argsort(-np.abs(contributions[row]), kind="stable")[:top]
            explained.append(
                [
                    Contribution(
                        self.feature_names_[i],
                        shown[row][i],
                        float(contributions[row, i]),
                        _describe(
                            self.feature_names_[i],
                            float(matrix[row, i]),
                            shown[row][i],
                            float(contributions[row, i]),
                        ),
                    )
                    for i in order
                    if contributions[row, i] != 0.0
                ]
            )
        return explained

    def _shown_values(self, X: pd.DataFrame, matrix: np.ndarray) -> list[list[str]]:
        columns = []
        for position, name in enumerate(self.feature_names_):
            if name in self.model_columns_:
                columns.append([text_value(v) for v in X[name].tolist()])
            else:
                columns.append([f"{v:.6g}" for v in matrix[:, position]])
        return (
            [list(row) for row in zip(*columns, strict=True)]
            if columns
            else [[] for _ in range(len(X))]
        )

    # One declaration, without pandas -----------------------------------------------------------

    def _compile(self) -> None:
        """Build the integer encoding of the batch and one-row paths, once per model."""
        self._encoder = Encoder(self.schema_, self.model_columns_, self.histories_)
        self._model_column_set = frozenset(self.model_columns_)

    def row_matrix(
        self, row: Mapping[str, Any], statistics: Mapping[str, KeyStatistics] | None = None
    ) -> np.ndarray:
        """One declaration (field → value) as the trees' one-row matrix.

        ``statistics`` (history key name → sums) replaces the fitted history tables, e.g. with a
        live store's incremental statistics.
        """
        self._fitted()
        self.schema_.check_row(row)
        if statistics is None:
            return np.asarray([self._encoder.row(row)], dtype=np.float64)
        values = self._encoder.fields(row) + self.histories_.row_features(row, statistics)
        return np.asarray([values], dtype=np.float64)

    def score_one(
        self, row: Mapping[str, Any], statistics: Mapping[str, KeyStatistics] | None = None
    ) -> float:
        """P(finding) for one declaration, from a mapping, without building a DataFrame."""
        return float(self.probabilities(self.row_matrix(row, statistics))[0])

    def assess_one(
        self,
        row: Mapping[str, Any],
        *,
        top: int = 3,
        statistics: Mapping[str, KeyStatistics] | None = None,
    ) -> RowAssessment:
        """One declaration's score, revenue at stake and explanation, from one encoding of the
        mapping: what :meth:`predict_proba`, :meth:`predict_revenue` and :meth:`explain` give
        for the same declaration as a one-row frame, without building one."""
        matrix = self.row_matrix(row, statistics)
        score = self.probabilities(matrix)
        expected = None if self.revenue_booster_ is None else float(self._revenue(matrix, score)[0])
        shown = [
            text_value(row[name]) if name in self._model_column_set else f"{value:.6g}"
            for name, value in zip(self.feature_names_, matrix[0].tolist(), strict=True)
        ]
        return RowAssessment(float(score[0]), expected, self._explain(matrix, [shown], top)[0])

    # Persistence ------------------------------------------------------------------------------

    def _content(self) -> dict[str, Any]:
        return {
            "parameters": _plain(self.get_params()),
            "schema": self.schema_.to_document(),
            "model_columns": self.model_columns_,
            "feature_names": self.feature_names_,
            "categorical_features": self.categorical_features_,
            "histories": self.histories_.to_document(),
            "best_iteration": self.best_iteration_,
            "booster": self.booster_.model_to_string(),
            "revenue_booster": (
                None if self.revenue_booster_ is None else self.revenue_booster_.model_to_string()
            ),
        }

    def _version(self) -> str:
        text = json.dumps(self._content(), sort_keys=True, separators=(",", ":"))
        return "rm-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def save(self, path: Path | str) -> str:
        """Write the model to ``path`` (one JSON file); returns its version id."""
        self._fitted()
        document = {
            "format": FILE_FORMAT,
            "version": self.version_,
            "metadata": self.metadata_,
            **self._content(),
        }
        target = Path(path)
        partial = target.with_name(target.name + ".partial")
        partial.write_text(json.dumps(document), encoding="utf-8")
        partial.replace(target)  # never a half-written model under the real name
        return self.version_

    @classmethod
    def load(cls, path: Path | str) -> RiskModel:
        """Read a model written by :meth:`save`; refuses another format or a changed file."""
        source = Path(path)
        try:
            document = json.loads(source.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(
                f"{source}: not a risk model file ({error.msg} at line {error.lineno})"
            ) from None
        if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
            raise ValueError(f"{source}: not a {FILE_FORMAT} file")
        parameters = dict(document["parameters"])
        parameters["histories"] = tuple(
            HistoryKey(str(k["name"]), tuple(k["columns"])) for k in parameters["histories"]
        )
        for name in ("categorical", "history_only"):
            if parameters[name] is not None:
                parameters[name] = tuple(parameters[name])
        model = cls(**parameters)
        model.schema_ = FeatureSchema.from_document(document["schema"])
        model.model_columns_ = list(document["model_columns"])
        model.feature_names_ = list(document["feature_names"])
        model.categorical_features_ = list(document["categorical_features"])
        model.histories_ = RiskHistories.from_document(document["histories"])
        model.best_iteration_ = int(document["best_iteration"])
        model.booster_ = lgb.Booster(model_str=document["booster"])
        model.revenue_booster_ = (
            None
            if document["revenue_booster"] is None
            else lgb.Booster(model_str=document["revenue_booster"])
        )
        model.n_features_in_ = len(model.schema_.names)
        model.feature_names_in_ = np.asarray(model.schema_.names, dtype=object)
        model.classes_ = np.array([0, 1])
        model.metadata_ = dict(document["metadata"])
        model.version_ = model._version()
        if model.version_ != document["version"]:
            raise ValueError(
                f"{source}: content does not match its version id {document['version']} "
                f"(it hashes to {model.version_}): the file was changed"
            )
        model._compile()
        return model


def _plain(value: Any) -> Any:
    """Parameters as JSON values (history keys as objects, tuples as lists)."""
    if isinstance(value, HistoryKey):
        return {"name": value.name, "columns": list(value.columns)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
