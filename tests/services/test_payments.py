"""Duties by the tariff, payment to the tiyn, release in the order of payment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine

from dostyk.domain.conveyances import Crossing, Direction
from dostyk.domain.declarations import (
    Channel,
    DeclarationKind,
    DeclarationStatus,
    DeclarationUnit,
)
from dostyk.domain.queues import QueueKind
from dostyk.domain.tariff import DutyLine
from dostyk.services import payments
from dostyk.services.errors import NotAuthorised, ValidationFailed
from dostyk.services.queues import OutOfTurn
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import (
    T0,
    TARE_KG,
    Flow,
    Lodging,
    item,
    ledger_size,
    lodging,
    read_declaration,
)

DUE = Decimal("2320000.00")
PERISHABLE = "Perishable cargo: refrigerated railcar losing temperature"


def test_duties_are_computed_per_item_at_the_rate_in_force(world: Engine) -> None:
    flow = Flow(world)
    toys = item("D1", 1)
    valves = item(
        "D1",
        2,
        commodity_code="8481800000",
        description="Valves",
        customs_value=Decimal("1234.57"),
        exchange_rate=Decimal("452.1"),
        manifest_line_no=None,
    )
    flow.lodge(lodging(1, items=[toys, valves]))
    flow.assess("D1", Channel.GREEN)
    duties = flow.duties("D1")
    assert duties.lines == (
        DutyLine(
            "D1",
            1,
            Decimal("10000000.00"),
            Decimal(10),
            Decimal("1000000.00"),
            Decimal(12),
            Decimal("1320000.00"),
        ),
        # 1,234.57 USD at 452.1 is 558,149.10 tenge; no duty on valves, 12 % VAT.
        DutyLine(
            "D1",
            2,
            Decimal("558149.10"),
            Decimal(0),
            Decimal("0.00"),
            Decimal(12),
            Decimal("66977.89"),
        ),
    )
    assert duties.total == Decimal("2386977.89")
    assert payments.duties_due(world, "D1") == duties
    with UnitOfWork(world) as uow:
        assert uow.duty_lines.of("D1") == list(duties.lines)


def test_an_export_pays_only_what_an_inspection_found(lite: Engine) -> None:
    leaving = Crossing("X-RC1-OUT", "DST", "RC1", Direction.OUT, T0, True, TARE_KG + 40_000.0, None)
    with UnitOfWork(lite, actor="setup", at=T0) as uow:
        uow.crossings.add(leaving)
    export = lodging(
        1,
        kind=DeclarationKind.EXPORT,
        importer_id=None,
        manifest_id=None,
        items=[item("D1", manifest_line_no=None)],
    )
    export = Lodging(export.declaration, export.items, (DeclarationUnit("D1", "X-RC1-OUT"),))
    flow = Flow(lite)
    assert flow.lodge(export).accepted
    flow.assess("D1", Channel.GREEN)
    duties = flow.duties("D1")
    assert (duties.lines, duties.total) == ((), Decimal("0.00"))
    assert flow.pay("D1").amount == Decimal("0.00")


@pytest.mark.parametrize(
    ("amount", "refusal"),
    [
        (DUE - Decimal("0.01"), "2319999.99 is less than the 2320000.00 due"),
        (DUE + Decimal(1), "2320001.00 is more than the 2320000.00 due"),
    ],
)
def test_the_payment_must_equal_what_is_due(lite: Engine, amount: Decimal, refusal: str) -> None:
    flow = Flow(lite)
    flow.lodge(lodging(1))
    flow.assess("D1", Channel.GREEN)
    flow.duties("D1")
    size = ledger_size(lite)
    with pytest.raises(ValidationFailed, match=refusal):
        flow.pay("D1", amount)
    assert ledger_size(lite) == size
    assert read_declaration(lite, "D1").status is DeclarationStatus.DUTIES_ASSESSED


def test_a_bank_reference_pays_for_one_declaration(lite: Engine) -> None:
    flow = Flow(lite)
    flow.to_payment(lodging(1), Channel.GREEN)
    flow.lodge(lodging(2))
    flow.assess("D2", Channel.GREEN)
    flow.duties("D2")
    with pytest.raises(ValidationFailed, match="KZ-TRS-D1 already paid for declaration D1"):
        payments.record_payment(lite, "D2", DUE, "KZ-TRS-D1", actor="BRK1", at=flow.tick())


def test_only_parties_to_the_declaration_or_customs_record_a_payment(lite: Engine) -> None:
    flow = Flow(lite)
    flow.lodge(lodging(1))
    flow.assess("D1", Channel.GREEN)
    flow.duties("D1")
    with pytest.raises(NotAuthorised, match="BRK2 may not record a payment"):
        payments.record_payment(lite, "D1", DUE, "KZ-TRS-1", actor="BRK2", at=flow.tick())
    payment = payments.record_payment(lite, "D1", DUE, "KZ-TRS-1", actor="IMP1", at=flow.tick())
    assert payment.payment_id == "P-KZ-TRS-1"


def test_release_follows_the_order_of_payment_per_channel(world: Engine) -> None:
    flow = Flow(world)
    first = flow.to_payment(lodging(1), Channel.GREEN)
    yellow = flow.to_payment(lodging(2), Channel.YELLOW)
    second = flow.to_payment(lodging(3), Channel.GREEN)
    third = flow.to_payment(lodging(4), Channel.GREEN)
    size = ledger_size(world)
    with pytest.raises(OutOfTurn, match="2 declaration\\(s\\) wait ahead of it, first D1"):
        flow.release(third)
    assert ledger_size(world) == size
    released = flow.release(third, reason=PERISHABLE)
    exception = released.queue_exception
    assert exception is not None
    assert (exception.exception_id, exception.queue, exception.channel) == (
        "Q-R-D4",
        QueueKind.RELEASE,
        Channel.GREEN,
    )
    assert (exception.overtaken, exception.first_overtaken_id, exception.officer_id) == (
        2,
        "D1",
        "SS-DST1",
    )
    # The yellow queue is another queue; the green one goes on in order.
    assert flow.release(yellow).queue_exception is None
    assert flow.release(first).queue_exception is None
    assert flow.release(second).queue_exception is None
    with UnitOfWork(world) as uow:
        assert uow.queue_exceptions.all() == [exception]


def test_only_an_officer_of_the_post_releases(lite: Engine) -> None:
    flow = Flow(lite)
    flow.to_payment(lodging(1), Channel.GREEN)
    for actor in ("PC-KHR1", "BRK1", "HQ-0001"):
        with pytest.raises(NotAuthorised, match="only an officer"):
            payments.release(lite, "D1", actor=actor, at=flow.tick())
    assert payments.release(lite, "D1", actor="IN-DST2", at=flow.tick()).declaration.status is (
        DeclarationStatus.RELEASED
    )


def test_duties_use_the_rate_of_the_national_day_of_lodgement(lite: Engine) -> None:
    """VAT went from 12 % to 16 % on 1 January 2026, Dostyk time (UTC+5)."""
    flow = Flow(lite, T0.replace(year=2025, month=12, day=31, hour=23, minute=58))
    flow.lodge(lodging(1))  # 23:59 on 31 December
    flow.assess("D1", Channel.GREEN)
    flow.tick(30)
    # Assessed after midnight, the duties of D1 are those of the day it was lodged.
    assert [line.vat_rate for line in flow.duties("D1").lines] == [Decimal(12)]
    # D2 is lodged at 00:31 on 1 January in Dostyk, still 31 December in UTC.
    assert flow.lodge(lodging(2)).declaration.lodged_at.day == 1
    flow.assess("D2", Channel.GREEN)
    assert [line.vat_rate for line in flow.duties("D2").lines] == [Decimal(16)]
