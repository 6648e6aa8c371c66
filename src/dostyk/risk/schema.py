"""The feature schema a risk model was trained on, and the one encoding of frames and rows.

A model scores only what looks like what it learned from: the same columns, each of the same
kind (numeric or categorical). A frame of another schema is refused with :class:`SchemaMismatch`,
naming every column that differs, rather than scored into nonsense. Categories that training
never saw are not a schema difference — a new importer is the normal case live — and are scored
as missing values.

Frames and single rows go through the same rules (:func:`text_values`, :func:`text_value`), so the
fast one-row path gives the same codes as the batch path.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd

Kind = Literal["numeric", "categorical"]

#: Column families: a column must keep its family between training and scoring.
_NUMERIC_KINDS = frozenset("biuf")


class SchemaMismatch(ValueError):
    """A frame whose columns or column kinds differ from the schema the model was trained on."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(
            "the frame does not match the model's feature schema: " + "; ".join(self.problems)
        )


def is_numeric(series: pd.Series) -> bool:
    """Whether ``series`` holds numbers (booleans and integers included), not text or categories."""
    return bool(
        series.dtype.kind in _NUMERIC_KINDS and not isinstance(series.dtype, pd.CategoricalDtype)
    )


def text_values(series: pd.Series) -> pd.Series:
    """The values of ``series`` as text, missing values as the empty string."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    return series.astype("string").fillna("")


def text_value(value: Any) -> str:
    """One value as :func:`text_values` writes it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, np.generic):
        value = value.item()
    return str(value)


@lru_cache(maxsize=512)
def category_index(categories: tuple[str, ...]) -> pd.Index:
    """The lookup index of a column's categories, built once per schema rather than per call."""
    return pd.Index(categories, dtype=object)


@dataclass(frozen=True, slots=True)
class Column:
    """One input column: its name, its kind, and for a categorical column its known categories."""

    name: str
    kind: Kind
    numeric_dtype: bool
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FeatureSchema:
    """The columns a model reads, in order, with their kinds and categories."""

    columns: tuple[Column, ...]

    @classmethod
    def infer(cls, frame: pd.DataFrame, categorical: Sequence[str] | None = None) -> FeatureSchema:
        """The schema of a training frame: ``categorical`` columns (default: the non-numeric ones)
        are categorical, with the categories seen in ``frame``; every other column is numeric."""
        chosen = (
            {name for name in frame.columns if not is_numeric(frame[name])}
            if categorical is None
            else set(categorical)
        )
        missing = sorted(chosen - set(frame.columns))
        if missing:
            raise SchemaMismatch(
                [f"categorical column {name!r} is not in the frame" for name in missing]
            )
        columns = []
        problems = []
        for name in frame.columns:
            series = frame[name]
            if not isinstance(name, str):
                problems.append(f"column name {name!r} is not text")
                continue
            if name in chosen:
                categories = tuple(sorted(set(text_values(series)) - {""}))
                columns.append(Column(name, "categorical", is_numeric(series), categories))
            elif is_numeric(series):
                columns.append(Column(name, "numeric", True))
            else:
                problems.append(
                    f"column {name!r} holds {series.dtype} values: declare it categorical"
                )
        if problems:
            raise SchemaMismatch(problems)
        return cls(tuple(columns))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def check(self, frame: pd.DataFrame) -> None:
        """Refuse ``frame`` unless it has exactly these columns, each of the same family."""
        expected = {column.name: column for column in self.columns}
        problems = [f"column {name!r} is missing" for name in expected if name not in frame.columns]
        problems += [
            f"column {name!r} is not in the schema"
            for name in frame.columns
            if name not in expected
        ]
        for name, column in expected.items():
            if name not in frame.columns:
                continue
            numeric = is_numeric(frame[name])
            if column.kind == "numeric" and not numeric:
                problems.append(
                    f"column {name!r} should be numeric but holds {frame[name].dtype} values"
                )
            elif column.kind == "categorical" and numeric != column.numeric_dtype:
                was = "numbers" if column.numeric_dtype else "text"
                problems.append(
                    f"categorical column {name!r} was trained on {was} "
                    f"but holds {frame[name].dtype} values"
                )
        if problems:
            raise SchemaMismatch(problems)

    def check_row(self, row: Mapping[str, Any]) -> None:
        expected = set(self.names)
        problems = [f"field {name!r} is missing" for name in self.names if name not in row]
        problems += [f"field {name!r} is not in the schema" for name in row if name not in expected]
        if problems:
            raise SchemaMismatch(problems)

    def encode(self, frame: pd.DataFrame, names: Sequence[str]) -> np.ndarray:
        """Columns ``names`` of ``frame`` as a float matrix: categories as their codes, unknown
        and missing as NaN (LightGBM's missing value)."""
        out = np.empty((len(frame), len(names)), dtype=np.float64)
        for position, name in enumerate(names):
            column = self.column(name)
            if column.kind == "numeric":
                out[:, position] = pd.to_numeric(frame[name], errors="coerce").to_numpy(
                    dtype=np.float64, na_value=np.nan
                )
            else:
                codes = category_index(column.categories).get_indexer(
                    text_values(frame[name]).to_numpy(dtype=object)
                )
                values = codes.astype(np.float64)
                values[codes < 0] = np.nan
                out[:, position] = values
        return out

    def to_document(self) -> list[dict[str, Any]]:
        return [
            {
                "name": column.name,
                "kind": column.kind,
                "numeric_dtype": column.numeric_dtype,
                "categories": list(column.categories),
            }
            for column in self.columns
        ]

    @classmethod
    def from_document(cls, document: Sequence[Mapping[str, Any]]) -> FeatureSchema:
        return cls(
            tuple(
                Column(
                    str(item["name"]),
                    "categorical" if item["kind"] == "categorical" else "numeric",
                    bool(item["numeric_dtype"]),
                    tuple(str(category) for category in item["categories"]),
                )
                for item in document
            )
        )
