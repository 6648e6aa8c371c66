"""Errors raised when a record breaks a rule of the domain."""

from __future__ import annotations

import math
from datetime import datetime


class DomainError(Exception):
    """A rule of the customs domain was broken."""


class InvariantViolation(DomainError):
    """A record's own fields contradict each other or the reference data.

    ``field`` names the offending field so that every entry point (a data package row, an API
    request, a CLI argument) can point the user at it.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def check_positive(field: str, value: float) -> float:
    """A measured quantity: a finite number above zero (NaN compares false with everything)."""
    if not math.isfinite(value) or value <= 0:
        raise InvariantViolation(field, f"{value} is not a positive number")
    return value


def check_aware(field: str, value: datetime | None) -> None:
    """Times are instants: one without a time zone could be hours off."""
    if value is not None and value.tzinfo is None:
        raise InvariantViolation(field, "needs its time zone")
