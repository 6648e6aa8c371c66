"""The fast encoding of frames and rows into the trees' matrix: integer codes, not text.

The reference encoding (:meth:`FeatureSchema.encode` and :meth:`RiskHistories.transform`) turns
every key column of every row into text and looks the joined text up in each history's index —
most of a batch's time went there, not into the trees. :class:`Encoder` gives the same matrix,
bit for bit, by doing the text work once per *distinct* value instead of once per row:

* each column a key or a category reads is factorised once per call; only its distinct values
  are turned into text (with the very same function, :func:`text_values`) and mapped to the
  column's integer code in a vocabulary fixed when the model was compiled (``-1``: never seen);
* a combined key (importer × HS6, route...) is a mixed-radix integer of its columns' codes;
* a key's sums are ``numpy.take`` on arrays aligned with those integers (a dense position array
  for small key spaces, ``searchsorted`` over the sorted integers of the seen values otherwise),
  an unseen value reading the appended zero sums;
* the smoothed features use the same formula (:func:`encode_statistics`) on the same float64
  sums, so every feature — and every score — is identical to the reference path.

A key whose fitted values cannot be split back into their columns (a value holding the
separator) keeps the reference text look-up for that key alone, so correctness never depends
on the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dostyk.risk.histories import SEPARATOR, RiskHistories, encode_statistics, key_values
from dostyk.risk.schema import FeatureSchema, text_value, text_values

#: Largest key space given a dense position array (positions are int64: 8 bytes each).
DENSE_LIMIT = 1 << 21
#: Largest mixed-radix key space: beyond it, the key keeps the text look-up.
RADIX_LIMIT = 1 << 62
#: The sums of a key value never seen.
_UNSEEN = (0.0, 0.0, 0.0)


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    """One column's texts → codes, for the batch path (array) and the one-row path (dict)."""

    codes: dict[str, int]

    @property
    def size(self) -> int:
        return len(self.codes)

    def encode(self, series: pd.Series) -> np.ndarray:
        """Each row's code (``-1``: a text not in the vocabulary), text made per distinct value."""
        positions, texts = _distinct_texts(series)
        # The last slot is the code of a missing value (factorize's -1): the empty text.
        table = np.fromiter(
            (self.codes.get(text, -1) for text in [*texts, ""]),
            dtype=np.int64,
            count=len(texts) + 1,
        )
        return np.asarray(table[positions], dtype=np.int64)


def _distinct_texts(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's position among the distinct values (``-1``: missing) and their texts.

    Values that compare equal share a text only when their texts are equal: float64 values are
    told apart by their bits (``0.0`` and ``-0.0`` print differently), and an object column of
    anything but strings is turned into text row by row, as the reference does.
    """
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype == np.float64:
        numbers = series.to_numpy(dtype=np.float64)
        missing = np.isnan(numbers)
        positions, bits = pd.factorize(numbers.view(np.int64))
        positions = np.where(missing, -1, positions)
        uniques = pd.Series(np.asarray(bits, dtype=np.int64).view(np.float64))
    else:
        source = series
        positions, uniques_raw = pd.factorize(source, use_na_sentinel=True)
        if dtype == np.dtype(object) and not all(type(u) is str for u in uniques_raw):
            source = text_values(series)  # mixed objects: text per row, as the reference
            positions, uniques_raw = pd.factorize(source, use_na_sentinel=True)
        uniques = pd.Series(uniques_raw)
    texts = [str(text) for text in text_values(uniques).tolist()] if len(uniques) else []
    return np.asarray(positions, dtype=np.int64), texts


@dataclass(frozen=True, slots=True)
class _KeyIndex:
    """One history key: its columns, their radices, and its sums aligned with key integers."""

    name: str
    columns: tuple[str, ...]
    radices: tuple[int, ...]
    dense: np.ndarray | None  # key integer → table position (-1: unseen), small key spaces
    sorted_keys: np.ndarray | None  # sorted key integers of the seen values, large key spaces
    sorted_positions: np.ndarray | None
    count: np.ndarray  # each with a trailing zero: the sums of an unseen value
    findings: np.ndarray
    revenue: np.ndarray
    by_codes: dict[tuple[int, ...], tuple[float, float, float]]  # codes → sums, one-row path

    def positions(self, codes: Sequence[np.ndarray]) -> np.ndarray:
        """Table position of each row (the trailing zero slot when unseen)."""
        unseen = len(self.count) - 1
        known = np.ones(len(codes[0]), dtype=bool)
        combined = np.zeros(len(codes[0]), dtype=np.int64)
        for column_codes, radix in zip(codes, self.radices, strict=True):
            known &= column_codes >= 0
            combined = combined * radix + np.where(column_codes >= 0, column_codes, 0)
        if self.dense is not None:
            found = self.dense[combined]
        else:
            assert self.sorted_keys is not None and self.sorted_positions is not None
            if len(self.sorted_keys) == 0:
                return np.full(len(combined), unseen, dtype=np.int64)
            slot = np.minimum(
                np.searchsorted(self.sorted_keys, combined), len(self.sorted_keys) - 1
            )
            found = np.where(self.sorted_keys[slot] == combined, self.sorted_positions[slot], -1)
        return np.where(known & (found >= 0), found, unseen)


class Encoder:
    """The schema's and the histories' encoding of a model, compiled once for fast scoring."""

    def __init__(
        self, schema: FeatureSchema, model_columns: Sequence[str], histories: RiskHistories
    ) -> None:
        self._schema = schema
        self._histories = histories
        self._model_columns = [(name, schema.column(name)) for name in model_columns]
        parts: dict[str, set[str]] = {}
        splits: dict[str, list[list[str]] | None] = {}
        split: list[list[str]] | None
        for key in histories.keys:
            for column in key.columns:
                parts.setdefault(column, set())
            values = [str(value) for value in histories.tables[key.name].index]
            split = [value.split(SEPARATOR) for value in values]
            if any(len(pieces) != len(key.columns) for pieces in split):
                splits[key.name] = None  # a value holds the separator: text look-up
                continue
            splits[key.name] = split
            for position, column in enumerate(key.columns):
                parts.setdefault(column, set()).update(pieces[position] for pieces in split)
        self._vocabularies: dict[str, _Vocabulary] = {}
        for name, spec in self._model_columns:
            if spec.kind == "categorical":
                self._vocabularies[name] = _Vocabulary(
                    {category: code for code, category in enumerate(spec.categories)}
                )
        # Key columns get a vocabulary of their own: the texts their histories have seen.
        self._key_vocabularies = {
            column: _Vocabulary({text: code for code, text in enumerate(sorted(texts))})
            for column, texts in parts.items()
        }
        self._keys: list[_KeyIndex | None] = []
        for key in histories.keys:
            split = splits[key.name]
            table = histories.tables[key.name]
            radices = tuple(self._key_vocabularies[c].size + 1 for c in key.columns)
            space = int(np.prod([float(r) for r in radices])) if radices else 0
            if split is None or space > RADIX_LIMIT:
                self._keys.append(None)
                continue
            combined = np.zeros(len(split), dtype=np.int64)
            by_codes: dict[tuple[int, ...], tuple[float, float, float]] = {}
            for row, pieces in enumerate(split):
                codes = tuple(
                    self._key_vocabularies[column].codes[piece]
                    for column, piece in zip(key.columns, pieces, strict=True)
                )
                by_codes[codes] = (
                    float(table.count[row]),
                    float(table.findings[row]),
                    float(table.revenue[row]),
                )
                value = 0
                for code, radix in zip(codes, radices, strict=True):
                    value = value * radix + code
                combined[row] = value
            dense = sorted_keys = sorted_positions = None
            if space <= DENSE_LIMIT:
                dense = np.full(space, -1, dtype=np.int64)
                dense[combined] = np.arange(len(combined), dtype=np.int64)
            else:
                order = np.argsort(combined, kind="stable")
                sorted_keys, sorted_positions = combined[order], order.astype(np.int64)
            self._keys.append(
                _KeyIndex(
                    key.name,
                    key.columns,
                    radices,
                    dense,
                    sorted_keys,
                    sorted_positions,
                    np.append(table.count, 0.0),
                    np.append(table.findings, 0.0),
                    np.append(table.revenue, 0.0),
                    by_codes,
                )
            )

    # Batch ------------------------------------------------------------------------------------

    def matrix(self, frame: pd.DataFrame) -> np.ndarray:
        """The trees' matrix of ``frame`` (already checked against the schema)."""
        histories = self._histories
        width = len(self._model_columns) + len(histories.feature_names)
        out = np.empty((len(frame), width), dtype=np.float64)
        for position, (name, spec) in enumerate(self._model_columns):
            if spec.kind == "numeric":
                out[:, position] = pd.to_numeric(frame[name], errors="coerce").to_numpy(
                    dtype=np.float64, na_value=np.nan
                )
            else:
                codes = self._vocabularies[name].encode(frame[name])
                values = codes.astype(np.float64)
                values[codes < 0] = np.nan
                out[:, position] = values
        column_codes: dict[str, np.ndarray] = {}
        texts: dict[str, pd.Series] = {}
        position = len(self._model_columns)
        for key, index in zip(histories.keys, self._keys, strict=True):
            if index is None:
                count, findings, money = histories.tables[key.name].lookup(
                    key_values(frame, key, texts)
                )
            else:
                for column in key.columns:
                    if column not in column_codes:
                        column_codes[column] = self._key_vocabularies[column].encode(frame[column])
                at = index.positions([column_codes[c] for c in key.columns])
                count = index.count.take(at)
                findings = index.findings.take(at)
                money = index.revenue.take(at)
            rate, mean_revenue, count = encode_statistics(
                count, findings, money, histories.prior_rate, histories.prior_revenue,
                histories.smoothing,
            )  # fmt: skip
            out[:, position] = rate
            out[:, position + 1] = count
            position += 2
            if histories.with_revenue:
                out[:, position] = mean_revenue
                position += 1
        return out

    # One row ----------------------------------------------------------------------------------

    def row(self, row: Mapping[str, Any]) -> list[float]:
        """One declaration's features (field → value), from dicts alone."""
        values: list[float] = []
        for name, spec in self._model_columns:
            value = row[name]
            if spec.kind == "categorical":
                code = self._vocabularies[name].codes.get(text_value(value))
                values.append(np.nan if code is None else float(code))
            else:
                values.append(np.nan if value is None else float(value))
        histories = self._histories
        m = histories.smoothing
        codes: dict[str, int] = {}
        for key, index in zip(histories.keys, self._keys, strict=True):
            if index is None:
                sums = histories.statistics(
                    key, SEPARATOR.join(text_value(row[c]) for c in key.columns)
                )
                count, findings, money = sums.count, sums.findings, sums.revenue
            else:
                for column in key.columns:
                    if column not in codes:
                        codes[column] = self._key_vocabularies[column].codes.get(
                            text_value(row[column]), -1
                        )
                count, findings, money = index.by_codes.get(
                    tuple(codes[c] for c in key.columns), _UNSEEN
                )
            values.append((findings + m * histories.prior_rate) / (count + m))
            values.append(count)
            if histories.with_revenue:
                values.append((money + m * histories.prior_revenue) / (count + m))
        return values
