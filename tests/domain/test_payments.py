from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from dostyk.domain.payments import Payment

from .helpers import NAIVE, T0, violates

PAYMENT = Payment(
    payment_id="P-1",
    declaration_id="D-1",
    amount=Decimal("218.00"),
    paid_at=T0,
    reference="HALYK-20250301-000017",
)


def test_a_valid_payment_is_accepted() -> None:
    assert PAYMENT.amount == Decimal("218.00")


def test_a_zero_payment_is_accepted() -> None:
    assert replace(PAYMENT, amount=Decimal("0.00")).amount == 0


def test_a_negative_payment_is_refused() -> None:
    with violates("amount"):
        replace(PAYMENT, amount=Decimal("-0.01"))


def test_a_naive_payment_time_is_refused() -> None:
    with violates("paid_at"):
        replace(PAYMENT, paid_at=NAIVE)


def test_a_payment_carries_its_bank_reference() -> None:
    with violates("reference"):
        replace(PAYMENT, reference=" ")
