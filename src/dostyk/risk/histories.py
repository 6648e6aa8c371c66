"""Risk histories: what the past says about a declaration's importer, declarant, HS code, route...

For each entity key (one column such as the importer, or a combination such as importer × HS
code) a history is three running sums over the labelled past: how many declarations, how many
with a finding, how much revenue was recovered. A declaration's features are that key's
smoothed finding rate, its smoothed mean revenue and its count, shrunk towards the overall rate
with ``smoothing`` pseudo-declarations so that a key seen twice does not look certain.

The sums are exactly what a live store keeps incrementally per key (:class:`KeyStatistics`), so
the model scores a live declaration from the store's statistics with :func:`encode_statistics`,
the same formula as here, and never scans history per declaration.

No target leakage: the histories a model scores with are built from the training period only
(:meth:`RiskHistories.fit`, then :meth:`RiskHistories.transform` on later rows). The training
rows themselves get out-of-fold features (:meth:`RiskHistories.out_of_fold`): a row's feature is
computed from the other folds only, so its own label never enters it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dostyk.risk.schema import text_value, text_values

#: Separator between the parts of a combined key (a unit separator: never in an identifier).
SEPARATOR = "\x1f"


@dataclass(frozen=True, slots=True)
class HistoryKey:
    """An entity whose history is a feature: a name (used in feature names) and its columns."""

    name: str
    columns: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.name or not self.columns:
            raise ValueError("a history key needs a name and at least one column")


@dataclass(frozen=True, slots=True)
class KeyStatistics:
    """The running sums of one key value: declarations, those with a finding, revenue recovered."""

    count: float = 0.0
    findings: float = 0.0
    revenue: float = 0.0


def encode_statistics(
    count: Any,
    findings: Any,
    revenue: Any,
    prior_rate: float,
    prior_revenue: float,
    smoothing: float,
) -> tuple[Any, Any, Any]:
    """(smoothed finding rate, smoothed mean revenue, count): scalars or numpy arrays alike."""
    rate = (findings + smoothing * prior_rate) / (count + smoothing)
    mean_revenue = (revenue + smoothing * prior_revenue) / (count + smoothing)
    return rate, mean_revenue, count


def key_values(
    frame: pd.DataFrame, key: HistoryKey, texts: dict[str, pd.Series] | None = None
) -> pd.Series:
    """The text of ``key`` for every row of ``frame`` (parts joined by :data:`SEPARATOR`).

    ``texts`` caches each column's text across the keys of one call.
    """
    cache = {} if texts is None else texts

    def text(column: str) -> pd.Series:
        if column not in cache:
            cache[column] = text_values(frame[column])
        return cache[column]

    values = text(key.columns[0])
    for column in key.columns[1:]:
        values = values + SEPARATOR + text(column)
    return values


def key_value(row: Mapping[str, Any], key: HistoryKey) -> str:
    """The text of ``key`` for one row, as :func:`key_values` writes it."""
    return SEPARATOR.join(text_value(row[column]) for column in key.columns)


@dataclass
class _Table:
    """One key's sums per key value, as arrays aligned with ``index``."""

    index: pd.Index
    count: np.ndarray
    findings: np.ndarray
    revenue: np.ndarray

    def lookup(self, values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        positions = self.index.get_indexer(values.to_numpy(dtype=object))
        known = positions >= 0
        safe = np.where(known, positions, 0)
        zero = np.zeros(len(values))
        if len(self.index) == 0:
            return zero, zero.copy(), zero.copy()
        return (
            np.where(known, self.count[safe], 0.0),
            np.where(known, self.findings[safe], 0.0),
            np.where(known, self.revenue[safe], 0.0),
        )


class RiskHistories:
    """Smoothed risk histories of a set of keys, fitted on a training period.

    ``with_revenue`` adds the mean revenue feature (only when the training data has revenue).
    """

    def __init__(
        self, keys: Sequence[HistoryKey], *, smoothing: float = 20.0, with_revenue: bool = False
    ) -> None:
        names = [key.name for key in keys]
        if len(set(names)) != len(names):
            raise ValueError(f"history key names repeat: {names}")
        self.keys = tuple(keys)
        self.smoothing = float(smoothing)
        self.with_revenue = with_revenue
        self.prior_rate = 0.0
        self.prior_revenue = 0.0
        self.tables: dict[str, _Table] = {}

    @property
    def feature_names(self) -> list[str]:
        names = []
        for key in self.keys:
            names += [f"{key.name}_rate", f"{key.name}_count"]
            if self.with_revenue:
                names.append(f"{key.name}_revenue")
        return names

    @property
    def columns(self) -> set[str]:
        """Every input column some key reads."""
        return {column for key in self.keys for column in key.columns}

    def fit(self, frame: pd.DataFrame, y: Any, revenue: Any = None) -> RiskHistories:
        """Sum the labelled rows of ``frame`` per key value."""
        labels = np.asarray(y, dtype=np.float64)
        money = np.zeros(len(labels)) if revenue is None else np.asarray(revenue, dtype=np.float64)
        self.prior_rate = float(labels.mean()) if len(labels) else 0.0
        self.prior_revenue = float(money.mean()) if len(money) else 0.0
        self.tables = {}
        for key in self.keys:
            codes, uniques = pd.factorize(key_values(frame, key).to_numpy(dtype=object), sort=True)
            size = len(uniques)
            self.tables[key.name] = _Table(
                pd.Index(np.asarray(uniques, dtype=object)),
                np.bincount(codes, minlength=size).astype(np.float64),
                np.bincount(codes, weights=labels, minlength=size),
                np.bincount(codes, weights=money, minlength=size),
            )
        return self

    def transform(self, frame: pd.DataFrame) -> np.ndarray:
        """The history features of each row of ``frame`` (columns as :attr:`feature_names`)."""
        blocks = []
        texts: dict[str, pd.Series] = {}
        for key in self.keys:
            count, findings, money = self.tables[key.name].lookup(key_values(frame, key, texts))
            rate, mean_revenue, count = encode_statistics(
                count, findings, money, self.prior_rate, self.prior_revenue, self.smoothing
            )
            blocks += [rate, count]
            if self.with_revenue:
                blocks.append(mean_revenue)
        if not blocks:
            return np.empty((len(frame), 0))
        return np.column_stack(blocks)

    def out_of_fold(
        self, frame: pd.DataFrame, y: Any, revenue: Any = None, *, folds: int = 5, seed: int = 0
    ) -> np.ndarray:
        """History features for the training rows themselves, each from the other folds only."""
        labels = np.asarray(y, dtype=np.float64)
        money = None if revenue is None else np.asarray(revenue, dtype=np.float64)
        out = np.empty((len(frame), len(self.feature_names)))
        fold_of = np.random.default_rng(seed).permutation(len(frame)) % max(folds, 2)
        for fold in range(max(folds, 2)):
            held = fold_of == fold
            rest = ~held
            part = RiskHistories(
                self.keys, smoothing=self.smoothing, with_revenue=self.with_revenue
            )
            part.fit(frame[rest], labels[rest], None if money is None else money[rest])
            # The overall prior stays the whole training period's, as at scoring time.
            part.prior_rate, part.prior_revenue = self.prior_rate, self.prior_revenue
            out[held] = part.transform(frame[held])
        return out

    # One declaration, from tables or from a live store's statistics --------------------------

    def statistics(self, key: HistoryKey, value: str) -> KeyStatistics:
        """The sums this history holds for one key value (zero when never seen)."""
        table = self.tables[key.name]
        position = table.index.get_indexer([value])[0]
        if position < 0:
            return KeyStatistics()
        return KeyStatistics(
            float(table.count[position]),
            float(table.findings[position]),
            float(table.revenue[position]),
        )

    def row_features(
        self,
        row: Mapping[str, Any],
        statistics: Mapping[str, KeyStatistics] | None = None,
    ) -> list[float]:
        """The features of one row: from ``statistics`` (key name → sums, e.g. a live store's)
        when given, else from the fitted tables."""
        features: list[float] = []
        for key in self.keys:
            if statistics is not None:
                sums = statistics.get(key.name, KeyStatistics())
            else:
                sums = self.statistics(key, key_value(row, key))
            rate, mean_revenue, count = encode_statistics(
                sums.count, sums.findings, sums.revenue,
                self.prior_rate, self.prior_revenue, self.smoothing,
            )  # fmt: skip
            features += [float(rate), float(count)]
            if self.with_revenue:
                features.append(float(mean_revenue))
        return features

    # Persistence ------------------------------------------------------------------------------

    def to_document(self) -> dict[str, Any]:
        return {
            "keys": [{"name": key.name, "columns": list(key.columns)} for key in self.keys],
            "smoothing": self.smoothing,
            "with_revenue": self.with_revenue,
            "prior_rate": self.prior_rate,
            "prior_revenue": self.prior_revenue,
            "tables": {
                name: {
                    "values": [str(value) for value in table.index],
                    "count": table.count.tolist(),
                    "findings": table.findings.tolist(),
                    "revenue": table.revenue.tolist(),
                }
                for name, table in self.tables.items()
            },
        }

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> RiskHistories:
        keys = [HistoryKey(str(k["name"]), tuple(k["columns"])) for k in document["keys"]]
        histories = cls(
            keys,
            smoothing=float(document["smoothing"]),
            with_revenue=bool(document["with_revenue"]),
        )
        histories.prior_rate = float(document["prior_rate"])
        histories.prior_revenue = float(document["prior_revenue"])
        histories.tables = {
            name: _Table(
                pd.Index(np.asarray(table["values"], dtype=object)),
                np.asarray(table["count"], dtype=np.float64),
                np.asarray(table["findings"], dtype=np.float64),
                np.asarray(table["revenue"], dtype=np.float64),
            )
            for name, table in document["tables"].items()
        }
        return histories
