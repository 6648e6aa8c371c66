"""Counts arrays as canonical text: the same array, the same text; a bad text is refused."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dostyk.domain.slices import SliceTextError, decode_counts, encode_counts

counts = hnp.arrays(
    np.int64,
    hnp.array_shapes(min_dims=1, max_dims=3, max_side=12),
    elements=st.integers(0, 2**40),
)


@given(counts)
def test_counts_come_back_exactly_and_spell_one_way(values: np.ndarray) -> None:
    text = encode_counts(values)
    again = decode_counts(text)
    assert again.dtype == np.int64
    assert np.array_equal(again, values)
    assert encode_counts(again) == text


def test_the_narrowest_type_is_chosen() -> None:
    assert encode_counts(np.array([[1, 255]])).startswith("u1:1x2:")
    assert encode_counts(np.array([256])).startswith("u2:1:")
    assert encode_counts(np.array([70_000])).startswith("u4:1:")
    assert encode_counts(np.array([1.5, 2.0])).startswith("f8:2:")
    assert np.array_equal(decode_counts(encode_counts(np.array([1.5, 2.0]))), [1.5, 2.0])


def test_negative_counts_are_refused() -> None:
    with pytest.raises(SliceTextError, match="cannot be negative"):
        encode_counts(np.array([1, -1]))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("i4:2:AAAA", "dtype one of u1 u2 u4 u8 f8"),
        ("u1:2:not base64!", "dtype one of"),
        ("u1:3:" + encode_counts(np.array([1, 2], dtype=np.int64)).split(":")[2], "needs 3 bytes"),
        ("u8:999999x999999:", "holds more than"),
        ("u1:2:AAAA", "do not decode"),
    ],
)
def test_a_text_that_is_not_its_shape_is_refused(text: str, message: str) -> None:
    with pytest.raises(SliceTextError, match=message):
        decode_counts(text)
