"""Counts arrays as canonical text: compact in the store, hashed as they are by the ledger.

An occupancy holds thousands of counts (slices x panels x windows). They are kept as one text
per array, ``<dtype>:<shape>:<base64 of the zlib-compressed little-endian bytes>``, e.g.
``u2:52x4x3:eJz...``. The dtype is the narrowest unsigned integer that holds the largest count
(``u1``, ``u2``, ``u4``, ``u8``) or ``f8`` for background totals; the shape is the array's, joined
by ``x``. The text is the stored value, so the ledger hashes exactly what is stored, the data
package carries it unchanged, and the same array always gives the same text (the compressor is
run at a fixed level). A text that does not decode to its own shape is refused.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

import numpy as np
import numpy.typing as npt

#: The compressor's level: fixed, so that the same counts always give the same text.
LEVEL = 1
_UNSIGNED = (("u1", 0xFF), ("u2", 0xFFFF), ("u4", 0xFFFF_FFFF), ("u8", 2**64 - 1))
_DTYPES = {"u1": "<u1", "u2": "<u2", "u4": "<u4", "u8": "<u8", "f8": "<f8"}
_FORM = re.compile(r"(u1|u2|u4|u8|f8):(\d{1,6}(?:x\d{1,6}){0,3}|):([A-Za-z0-9+/=]*)", re.ASCII)
#: The most values one array may hold (a 10-minute rail occupancy of 8 panels x 8 windows).
MAX_VALUES = 6000 * 8 * 8


class SliceTextError(ValueError):
    """A stored or imported counts text that is not an array in :mod:`dostyk.domain.slices` form."""


def encode_counts(values: npt.NDArray[np.integer] | npt.NDArray[np.floating]) -> str:
    """The canonical text of an array of counts (integers) or totals (floats)."""
    array = np.asarray(values)
    if array.dtype.kind == "f":
        code, data = "f8", array.astype("<f8", copy=False)
    else:
        if not array.size:
            largest = 0
        else:
            if array.dtype.kind != "u" and int(array.min()) < 0:
                raise SliceTextError("counts cannot be negative")
            largest = int(array.max())
        code = next(name for name, top in _UNSIGNED if largest <= top)
        data = array.astype(_DTYPES[code], copy=False)
    shape = "x".join(map(str, array.shape))
    # b2a_base64 is what base64.b64encode calls, without its wrapper's checks.
    packed = binascii.b2a_base64(zlib.compress(data.tobytes(), LEVEL), newline=False)
    return f"{code}:{shape}:{packed.decode('ascii')}"


def decode_counts(text: str) -> npt.NDArray[np.int64] | npt.NDArray[np.float64]:
    """The array a canonical text holds: int64 counts or float64 totals."""
    found = _FORM.fullmatch(text)
    if found is None:
        raise SliceTextError(
            "counts are written <dtype>:<shape>:<base64>, dtype one of u1 u2 u4 u8 f8"
        )
    code, shape_text, packed = found.groups()
    shape = tuple(int(n) for n in shape_text.split("x")) if shape_text else (0,)
    size = int(np.prod(shape))
    if size > MAX_VALUES:
        raise SliceTextError(f"shape {shape_text} holds more than {MAX_VALUES} values")
    dtype = np.dtype(_DTYPES[code])
    try:
        raw = zlib.decompressobj().decompress(base64.b64decode(packed, validate=True), size * 8 + 1)
    except (binascii.Error, zlib.error) as error:
        raise SliceTextError(f"the counts do not decode: {error}") from None
    if len(raw) != size * dtype.itemsize:
        raise SliceTextError(
            f"shape {shape_text} needs {size * dtype.itemsize} bytes of {code}, "
            f"the text holds {len(raw)}"
        )
    array = np.frombuffer(raw, dtype=dtype).reshape(shape)
    if code == "f8":
        return array.astype(np.float64)
    return array.astype(np.int64)
