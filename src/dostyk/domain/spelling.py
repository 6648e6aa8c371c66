"""How an instant is written wherever Dostyk writes one: in UTC, ISO 8601, with a trailing ``Z``.

The store, the data package, the JSON documents and every message use this one spelling
(``2024-03-01T04:00:00Z``, with microseconds only when there are any), so that a time copied
from a message can be pasted into ``--at`` or searched for in an export.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_text(value: datetime) -> str:
    """``value`` in UTC as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``."""
    utc = value.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}"
    return text + "Z"
