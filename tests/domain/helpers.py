"""Shared helpers for the domain tests: an aware clock and a check on the offending field."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone

import pytest

from dostyk.domain.errors import InvariantViolation

#: A fixed, time-zone-aware instant; Dostyk is at UTC+5.
ALMATY = timezone(timedelta(hours=5))
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=ALMATY)
T0_UTC = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)
NAIVE = datetime(2025, 3, 1, 8, 0)


@contextmanager
def violates(field: str) -> Iterator[None]:
    """The block raises ``InvariantViolation`` naming ``field``."""
    with pytest.raises(InvariantViolation) as info:
        yield
    assert info.value.field == field, f"expected field {field!r}, got {info.value}"
