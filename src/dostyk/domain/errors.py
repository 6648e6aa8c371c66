"""Errors raised when a record breaks a rule of the domain.

A record's constructor checks every rule and reports every one it breaks at once, as a single
:class:`InvariantViolations`: a broker who learns of one mistake per attempt makes many attempts.
Every entrance (a JSON document, a data package row, a lodgement) lists each violation under its
field through :attr:`InvariantViolation.violations`, which a lone violation has too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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

    @property
    def violations(self) -> tuple[InvariantViolation, ...]:
        """Every broken rule, each with its field: here just this one."""
        return (self,)


class InvariantViolations(InvariantViolation):
    """Several rules of one record broken at once; still an :class:`InvariantViolation`.

    ``field`` is the first violation's field and ``message`` reads every violation, so a caller
    that knows only the single form still shows them all; callers that locate each one iterate
    :attr:`violations`.
    """

    def __init__(self, violations: Sequence[InvariantViolation]) -> None:
        flat = tuple(v for violation in violations for v in violation.violations)
        if not flat:
            raise ValueError("InvariantViolations needs at least one violation")
        first, rest = flat[0], flat[1:]
        message = "; ".join([first.message, *(f"{v.field}: {v.message}" for v in rest)])
        super().__init__(first.field, message)
        self._violations = flat

    @property
    def violations(self) -> tuple[InvariantViolation, ...]:
        return self._violations


def check_positive(field: str, value: float) -> float:
    """A measured quantity: a finite number above zero (NaN compares false with everything)."""
    if isinstance(value, str) or not math.isfinite(value) or value <= 0:
        raise InvariantViolation(field, f"{value!r} is not a positive number")
    return value


def check_aware(field: str, value: datetime | None) -> None:
    """Times are instants: one without a time zone could be hours off."""
    if value is not None and value.tzinfo is None:
        raise InvariantViolation(field, "needs its time zone")
