"""The largest declaration the rules accept goes all the way: every sum fits its column.

The arithmetic is in :mod:`dostyk.domain.bounds`: 999 items each worth the most one item may be
(10^11 tenge), duty at the tariff's highest rate (1000 %) and VAT at its highest (100 %), and an
inspection with 99 findings each proposing the largest extra duty (10^12 tenge).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from dostyk.domain import bounds
from dostyk.domain.declarations import Channel, DeclarationStatus
from dostyk.domain.inspections import Finding, FindingKind
from dostyk.domain.tariff import MAX_DUTY_RATE, MAX_VAT_RATE, TariffRate
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import ARRIVED, Flow, item, lodging, read_declaration


def test_the_largest_declaration_is_assessed_paid_and_released(world: Engine) -> None:
    with UnitOfWork(world, actor="setup", at=ARRIVED) as uow:
        uow.tariff_rates.add(
            TariffRate("9503000000", date(2020, 1, 1), MAX_DUTY_RATE, MAX_VAT_RATE, "worst case")
        )
    value = bounds.MAX_ITEM_VALUE / 1000
    items = [
        item("D1", n, customs_value=value, exchange_rate=Decimal(1000), manifest_line_no=None)
        for n in range(1, bounds.MAX_ITEMS + 1)
    ]
    flow = Flow(world)
    lodged = flow.lodge(lodging(1, items=items, manifest_id=None))
    assert lodged.accepted, lodged.reasons
    flow.assess("D1", Channel.RED)
    findings = [
        Finding("I-D1-1", n, FindingKind.UNDERVALUATION, "Undervalued", bounds.MAX_EXTRA_DUTY)
        for n in range(1, bounds.MAX_FINDINGS + 1)
    ]
    flow.inspect("D1", findings)

    duties = flow.duties("D1")
    per_item = bounds.MAX_ITEM_VALUE * 10 + bounds.MAX_ITEM_VALUE * 11  # duty, VAT on value+duty
    expected = bounds.MAX_ITEMS * per_item + bounds.MAX_FINDINGS * bounds.MAX_EXTRA_DUTY
    assert duties.total == expected == Decimal("2196900000000000")
    assert duties.total < bounds.MONEY_MAX

    payment = flow.pay("D1")
    assert payment.amount == expected
    flow.release("D1")
    assert read_declaration(world, "D1").status is DeclarationStatus.RELEASED
