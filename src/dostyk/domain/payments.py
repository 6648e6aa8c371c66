"""Payments of duties and taxes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from dostyk.domain.bounds import (
    MONEY_MAX,
    REFERENCE_MAX,
    Checks,
)


@dataclass(frozen=True, slots=True)
class Payment:
    """Money received against a declaration, in national currency, with the bank's reference."""

    payment_id: str
    declaration_id: str
    amount: Decimal
    paid_at: datetime
    reference: str

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("payment_id", self.payment_id)
        checks.identifier("declaration_id", self.declaration_id)
        checks.decimal("amount", self.amount, MONEY_MAX)
        checks.instant("paid_at", self.paid_at)
        if not self.reference.strip():
            checks.add("reference", "a payment carries its bank reference")
        else:
            checks.text("reference", self.reference, REFERENCE_MAX)
        checks.done()
