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
    # ``isoformat`` (written in C) gives exactly this for a UTC instant, with ``+00:00`` where
    # the text has ``Z``: the same four-digit year and seconds, and six places of a fraction
    # only when there is one.
    return value.astimezone(UTC).isoformat()[:-6] + "Z"
