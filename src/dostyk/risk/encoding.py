"""The fast encoding of frames and rows into the trees' matrix: integer codes, not text.

The reference encoding (:meth:`FeatureSchema.encode` and :meth:`RiskHistories.transform`) turns
every key column of every row into text and looks the joined text up in each history's index —
most of a batch's time went there, not into the trees. :class:`Encoder` gives the same matrix,
bit for bit, by doing the text work once per *distinct* value instead of once per row:

* a text column held by Arrow (pandas' ``str`` and ``string[pyarrow]``) is mapped to the codes
  of a vocabulary fixed when the model was compiled by Arrow's own hash look-up
  (``pyarrow.compute.index_in``), without a Python string per row; any other column is
  factorised once per call and only its distinct values are turned into text (with the very
  same function, :func:`text_values`) and mapped (``-1``: never seen);
* a combined key (importer × HS6, route...) is a mixed-radix integer of its columns' codes
  shifted by one, so that a code never seen (0 after the shift) makes an integer no fitted value
  has;
* a key's *features* (smoothed rate, count, smoothed mean revenue) are computed once per fitted
  value when the model is compiled, by the same formula (:func:`encode_statistics`) on the same
  float64 sums, with a trailing slot for a value never seen; a batch then reads them with
  ``numpy.take`` straight into the matrix (a dense position array for small key spaces, a hash
  index over the seen integers otherwise), so every feature — and every score — is identical to
  the reference path;
* the matrix is written column by column, so it is built in column-major (Fortran) order, which
  LightGBM reads as it is.

A key whose fitted values cannot be split back into their columns (a value holding the
separator) keeps the reference text look-up for that key alone, so correctness never depends
on the data.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dostyk.risk.histories import SEPARATOR, RiskHistories, encode_statistics, key_values
from dostyk.risk.schema import FeatureSchema, text_value, text_values

#: Largest key space given a dense position array (positions are int64: 8 bytes each).
DENSE_LIMIT = 1 << 21
#: Largest mixed-radix key space: beyond it, the key keeps the text look-up.
RADIX_LIMIT = 1 << 62
#: ``numpy.take``'s mode for positions known to lie in ``[-1, len)``: "wrap" reads -1 as the
#: last slot, as indexing does, and lets ``take`` write into ``out`` directly ("raise", the
#: default, buffers every call's output first).
_IN_RANGE: Final = "wrap"


class _Vocabulary:
    """One column's texts → codes, for the batch path (array) and the one-row path (dict)."""

    __slots__ = ("_value_sets", "codes")

    def __init__(self, codes: dict[str, int]) -> None:
        self.codes = codes
        # The texts in code order as an Arrow array, per Arrow string type (built when needed).
        self._value_sets: dict[Any, Any] = {}

    @property
    def size(self) -> int:
        return len(self.codes)

    def encode(self, series: pd.Series) -> np.ndarray:
        """Each row's code (``-1``: a text not in the vocabulary), text made per distinct value."""
        strings = _arrow_strings(series)
        if strings is not None:
            return self._encode_arrow(strings)
        positions, texts = _distinct_texts(series)
        # The last slot is the code of a missing value (factorize's -1): the empty text.
        table = np.fromiter(
            (self.codes.get(text, -1) for text in [*texts, ""]),
            dtype=np.int64,
            count=len(texts) + 1,
        )
        return np.asarray(table[positions], dtype=np.int64)

    def _encode_arrow(self, strings: Any) -> np.ndarray:
        """Codes of an Arrow string column: a missing value is the empty text, as in
        :func:`text_values`; the look-up compares the UTF-8 bytes, i.e. the texts."""
        value_set = self._value_sets.get(strings.type)
        if value_set is None:
            texts = sorted(self.codes, key=self.codes.__getitem__)
            value_set = self._value_sets[strings.type] = pa.array(texts, type=strings.type)
        found = pc.index_in(strings, value_set=value_set)  # null: missing or never seen
        empty = self.codes.get("", -1)
        if empty >= 0 and strings.null_count:
            found = pc.if_else(pc.is_null(strings), pa.scalar(empty, found.type), found)
        return np.asarray(pc.fill_null(found, -1).to_numpy(), dtype=np.int64)


#: The Arrow string types whose columns the vocabularies look up in Arrow.
_ARROW_STRINGS = (pa.string(), pa.large_string())


def _arrow_strings(series: pd.Series) -> Any:
    """The Arrow array behind a text column held by Arrow (``None`` for any other column): a
    pandas ``StringDtype`` on pyarrow storage or an ``ArrowDtype`` of strings."""
    dtype = series.dtype
    if isinstance(dtype, pd.StringDtype):
        if dtype.storage != "pyarrow":
            return None
    elif not (isinstance(dtype, pd.ArrowDtype) and dtype.pyarrow_dtype in _ARROW_STRINGS):
        return None
    strings = pa.array(series.array)  # the column's own buffers, not a copy
    return strings if strings.type in _ARROW_STRINGS else None


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
    """One history key: its columns, their radices, and its features aligned with key integers."""

    name: str
    columns: tuple[str, ...]
    radices: tuple[int, ...]
    dense: np.ndarray | None  # key integer → table position (-1: unseen), small key spaces
    lookup: pd.Index | None  # the seen key integers in table order (a hash index), large spaces
    #: Per table position, then the unseen slot (read as position -1): the smoothed rate, the
    #: count and (when the histories have revenue) the smoothed mean revenue.
    features: tuple[np.ndarray, ...]
    #: The one-row path: the columns' codes (an int for a one-column key, else a tuple, as
    #: ``codes_of`` reads them from a column → code mapping) → that value's features as Python
    #: floats; ``unseen`` for a value never seen.
    codes_of: Callable[[Mapping[str, int]], Any]
    by_codes: dict[Any, tuple[float, ...]]
    unseen: tuple[float, ...]

    def positions(self, codes: Sequence[np.ndarray]) -> np.ndarray:
        """Table position of each row, ``-1`` (the trailing unseen slot) when unseen."""
        combined = codes[0] + 1
        for column_codes, radix in zip(codes[1:], self.radices[1:], strict=True):
            combined *= radix
            combined += column_codes
            combined += 1
        if self.dense is not None:
            return np.asarray(self.dense.take(combined), dtype=np.int64)
        assert self.lookup is not None
        return np.asarray(self.lookup.get_indexer(combined), dtype=np.int64)


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
        self._category_values: dict[str, np.ndarray] = {}
        for name, spec in self._model_columns:
            if spec.kind == "categorical":
                self._vocabularies[name] = _Vocabulary(
                    {category: code for code, category in enumerate(spec.categories)}
                )
                # A category's value in the matrix is its code; one never seen (-1) is NaN.
                self._category_values[name] = np.append(
                    np.arange(len(spec.categories), dtype=np.float64), np.nan
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
            keys_of_rows: list[Any] = []
            for row, pieces in enumerate(split):
                codes = tuple(
                    self._key_vocabularies[column].codes[piece]
                    for column, piece in zip(key.columns, pieces, strict=True)
                )
                keys_of_rows.append(codes[0] if len(codes) == 1 else codes)
                value = 0
                for code, radix in zip(codes, radices, strict=True):
                    value = value * radix + code + 1  # 0 is kept for a code never seen
                combined[row] = value
            dense = lookup = None
            if space <= DENSE_LIMIT:
                dense = np.full(space, -1, dtype=np.int64)
                dense[combined] = np.arange(len(combined), dtype=np.int64)
            else:
                lookup = pd.Index(combined, dtype=np.int64)
            rate, mean_revenue, count = encode_statistics(
                np.append(table.count, 0.0),
                np.append(table.findings, 0.0),
                np.append(table.revenue, 0.0),
                histories.prior_rate, histories.prior_revenue, histories.smoothing,
            )  # fmt: skip
            features = (rate, count, mean_revenue) if histories.with_revenue else (rate, count)
            per_value = list(zip(*(values.tolist() for values in features), strict=True))
            self._keys.append(
                _KeyIndex(
                    key.name,
                    key.columns,
                    radices,
                    dense,
                    lookup,
                    features,
                    operator.itemgetter(*key.columns),
                    dict(zip(keys_of_rows, per_value, strict=False)),  # the last: unseen
                    per_value[-1],
                )
            )

    # Batch ------------------------------------------------------------------------------------

    def matrix(self, frame: pd.DataFrame) -> np.ndarray:
        """The trees' matrix of ``frame`` (already checked against the schema), in column-major
        order: every column below is written whole."""
        histories = self._histories
        width = len(self._model_columns) + len(histories.feature_names)
        out = np.empty((len(frame), width), dtype=np.float64, order="F")
        series: dict[str, pd.Series] = {}

        def column(name: str) -> pd.Series:
            if name not in series:
                series[name] = frame[name]
            return series[name]

        for position, (name, spec) in enumerate(self._model_columns):
            if spec.kind == "numeric":
                out[:, position] = pd.to_numeric(column(name), errors="coerce").to_numpy(
                    dtype=np.float64, na_value=np.nan
                )
            else:
                # Code → its value in the matrix; position -1 (never seen) reads NaN.
                np.take(
                    self._category_values[name],
                    self._vocabularies[name].encode(column(name)),
                    out=out[:, position],
                    mode=_IN_RANGE,
                )
        column_codes: dict[str, np.ndarray] = {}
        texts: dict[str, pd.Series] = {}
        position = len(self._model_columns)
        for key, index in zip(histories.keys, self._keys, strict=True):
            if index is None:
                count, findings, money = histories.tables[key.name].lookup(
                    key_values(frame, key, texts)
                )
                rate, mean_revenue, count = encode_statistics(
                    count, findings, money, histories.prior_rate, histories.prior_revenue,
                    histories.smoothing,
                )  # fmt: skip
                out[:, position] = rate
                out[:, position + 1] = count
                if histories.with_revenue:
                    out[:, position + 2] = mean_revenue
            else:
                for name in key.columns:
                    if name not in column_codes:
                        column_codes[name] = self._key_vocabularies[name].encode(column(name))
                at = index.positions([column_codes[c] for c in key.columns])
                for offset, values in enumerate(index.features):
                    np.take(values, at, out=out[:, position + offset], mode=_IN_RANGE)
            position += 3 if histories.with_revenue else 2
        return out

    # One row ----------------------------------------------------------------------------------

    def fields(self, row: Mapping[str, Any]) -> list[float]:
        """One declaration's own features (the model columns), from dicts alone."""
        values: list[float] = []
        for name, spec in self._model_columns:
            value = row[name]
            if spec.kind == "categorical":
                code = self._vocabularies[name].codes.get(text_value(value))
                values.append(np.nan if code is None else float(code))
            else:
                values.append(np.nan if value is None else float(value))
        return values

    def row(self, row: Mapping[str, Any]) -> list[float]:
        """One declaration's features (field → value), from dicts alone: the history features
        are read from the same per-value tables as the batch's."""
        values = self.fields(row)
        histories = self._histories
        codes = {
            column: vocabulary.codes.get(text_value(row[column]), -1)
            for column, vocabulary in self._key_vocabularies.items()
        }
        for key, index in zip(histories.keys, self._keys, strict=True):
            if index is None:
                sums = histories.statistics(
                    key, SEPARATOR.join(text_value(row[c]) for c in key.columns)
                )
                rate, mean_revenue, count = encode_statistics(
                    sums.count, sums.findings, sums.revenue,
                    histories.prior_rate, histories.prior_revenue, histories.smoothing,
                )  # fmt: skip
                values += [rate, count, mean_revenue] if histories.with_revenue else [rate, count]
            else:
                values += index.by_codes.get(index.codes_of(codes), index.unseen)
        return values
