"""How an instant is written wherever Dostyk writes one: in UTC, ISO 8601, with a trailing ``Z``.

The store, the data package, the JSON documents and every message use this one spelling
(``2024-03-01T04:00:00Z``, with microseconds only when there are any), so that a time copied
from a message can be pasted into ``--at`` or searched for in an export.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_text(value: datetime) -> str:
    """``value`` in UTC as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``.

    The year is always four digits (``0001``, not ``1`` as ``strftime`` writes it on Linux), so
    every instant is written in a form that ISO 8601 readers and ``decode_instant`` accept.
    """
    utc = value.astimezone(UTC)
    text = (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}"
        f"T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}"
    )
    if utc.microsecond:
        text += f".{utc.microsecond:06d}"
    return text + "Z"
