"""Payments of duties and taxes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from dostyk.domain.errors import InvariantViolation


@dataclass(frozen=True, slots=True)
class Payment:
    """Money received against a declaration, in national currency, with the bank's reference."""

    payment_id: str
    declaration_id: str
    amount: Decimal
    paid_at: datetime
    reference: str

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise InvariantViolation("amount", "cannot be negative")
        if self.paid_at.tzinfo is None:
            raise InvariantViolation("paid_at", "needs its time zone")
        if not self.reference.strip():
            raise InvariantViolation("reference", "a payment carries its bank reference")
