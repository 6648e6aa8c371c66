"""Duties, payment and release.

Duties are computed, never typed in: the tariff rate in force on the day of lodgement, duty on
the customs value in national currency, VAT on value plus duty, plus the extra duties the
inspection found. Payment must match what is due to the tiyn. Release follows payment, and each
post releases its paid declarations first paid, first released, per channel: serving someone out
of turn needs a written reason and is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Engine

from dostyk.domain.bounds import MONEY_MAX
from dostyk.domain.declarations import Declaration, DeclarationItem, DeclarationKind
from dostyk.domain.declarations import DeclarationStatus as S
from dostyk.domain.inspections import Finding
from dostyk.domain.money import to_amount
from dostyk.domain.officers import Officer
from dostyk.domain.payments import Payment
from dostyk.domain.queues import QueueException, QueueKind
from dostyk.domain.tariff import DutyLine
from dostyk.services.actors import SYSTEM, national_day, posted_officer, staff
from dostyk.services.errors import NotAuthorised, ValidationFailed
from dostyk.services.ids import make_id
from dostyk.services.queues import serve
from dostyk.services.radiation_hold import check_not_held, without_held
from dostyk.services.steps import check_move, load_declaration, load_for_move, move
from dostyk.store.unit_of_work import UnitOfWork

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Duties:
    """What a declaration owes: duty and VAT per item, and the inspection's extra duties."""

    declaration_id: str
    lines: tuple[DutyLine, ...]
    extra_duty: Decimal

    @property
    def total(self) -> Decimal:
        return to_amount(sum((line.total for line in self.lines), ZERO) + self.extra_duty)


@dataclass(frozen=True, slots=True)
class Release:
    declaration: Declaration
    #: Set when the declaration was released out of turn.
    queue_exception: QueueException | None


def assess_duties(engine: Engine, declaration_id: str, *, actor: str, at: datetime) -> Duties:
    """Compute and store the duties (assessed green, or inspected → duties_assessed).

    Imports pay duty and VAT by the tariff; exports and transits pay neither (exports are
    zero-rated, transits travel under guarantee), only extra duties an inspection found.
    """
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        staff(uow, actor, "assess duties")
        declaration, last = load_for_move(uow, declaration_id)
        check_move(declaration, S.DUTIES_ASSESSED, actor=actor)
        items: list[DeclarationItem] = uow.items.of(declaration_id)
        lines: list[DutyLine] = []
        if declaration.kind is DeclarationKind.IMPORT:
            tariff = uow.tariff_rates.current()
            day = national_day(declaration.lodged_at)
            lines = [
                tariff.duty_line(
                    declaration_id, item.item_no, item.commodity_code, item.value_national, day
                )
                for item in items
            ]
        duties = Duties(declaration_id, tuple(lines), _extra_duty(uow, declaration_id))
        if duties.total > MONEY_MAX:
            # The bounds of domain/bounds.py keep the lifecycle's sums below this; only an
            # imported history with many more inspections than the lifecycle makes reaches it.
            raise ValidationFailed(
                [f"{duties.total} due is more than a payment can hold ({MONEY_MAX})"],
                subject=f"duties on {declaration_id}",
            )
        uow.duty_lines.add_many(lines)
        move(uow, declaration, S.DUTIES_ASSESSED, actor=actor, at=at, previous=last)
    return duties


def duties_due(engine: Engine, declaration_id: str) -> Duties:
    """The duties assessed on a declaration, for whoever is to pay them (reads only)."""
    with UnitOfWork(engine) as uow:
        load_declaration(uow, declaration_id)
        return _stored_duties(uow, declaration_id)


def record_payment(
    engine: Engine,
    declaration_id: str,
    amount: Decimal,
    reference: str,
    *,
    actor: str,
    at: datetime,
) -> Payment:
    """Record the payment of what is due (duties_assessed → paid).

    The amount must equal the duties due exactly: less leaves duty unpaid, more is money the
    state would owe back. The bank's ``reference`` identifies the payment and pays for one
    declaration only.
    """
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        declaration, last = load_for_move(uow, declaration_id)
        _check_payer(uow, declaration, actor)
        check_move(declaration, S.PAID, actor=actor)
        due = _stored_duties(uow, declaration_id).total
        payment_id = make_id("P", reference.strip())
        reasons = []
        if amount != due:
            side = "less" if amount < due else "more"
            reasons.append(f"{amount} is {side} than the {due} due; pay exactly what is due")
        used: Payment | None = uow.payments.get(payment_id)
        if used is not None:
            reasons.append(
                f"bank reference {reference} already paid for declaration {used.declaration_id}"
            )
        if reasons:
            raise ValidationFailed(reasons, subject=f"payment for {declaration_id}")
        payment = Payment(payment_id, declaration_id, to_amount(amount), at, reference.strip())
        uow.payments.add(payment)
        move(uow, declaration, S.PAID, actor=actor, at=at, previous=last)
    return payment


def release(
    engine: Engine,
    declaration_id: str,
    *,
    actor: str,
    at: datetime,
    reason: str | None = None,
) -> Release:
    """An officer at the post releases the goods (paid → released), in turn.

    Releasing while a declaration paid earlier waits in the same post and channel needs
    ``reason``, and the exception is recorded. Goods whose conveyance has an open or escalated
    radiation alarm are held (:class:`~dostyk.services.radiation_hold.HeldByAlarm`).
    """
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        declaration, last = load_for_move(uow, declaration_id)
        posted_officer(uow, actor, declaration.post_code, at, "release goods")
        check_move(declaration, S.RELEASED, actor=actor)
        check_not_held(uow, declaration_id)
        assert declaration.channel is not None, "a paid declaration has its channel"
        waiting = uow.declarations.release_queue(declaration.post_code, declaration.channel)
        # The queue is in the order of payment; everyone before this declaration is ahead (and
        # everyone, should its payment step be missing from an imported history).
        queued = [waiting_id for waiting_id, _ in waiting]
        position = queued.index(declaration_id) if declaration_id in queued else len(queued)
        # Goods held by a radiation alarm are not waiting for the gate: nobody passes them.
        ahead = without_held(uow, waiting[:position])
        exception = serve(
            uow,
            queue=QueueKind.RELEASE,
            key=f"R-{declaration_id}",
            post_code=declaration.post_code,
            channel=declaration.channel,
            declaration_id=declaration_id,
            ahead=ahead,
            reason=reason,
            actor=actor,
            at=at,
        )
        released = move(
            uow, declaration, S.RELEASED, actor=actor, at=at, reason=reason, previous=last
        )
    return Release(released, exception)


def _check_payer(uow: UnitOfWork, declaration: Declaration, actor: str) -> None:
    """The declarant, the importer, the treasury's feed (the system) or an officer."""
    if actor in {declaration.declarant_id, declaration.importer_id, SYSTEM}:
        return
    found: Officer | None = uow.officers.get(actor)
    if found is None:
        raise NotAuthorised(
            f"{actor} may not record a payment for declaration {declaration.declaration_id}: "
            "only its declarant, its importer, an officer or the treasury's feed"
        )


def _extra_duty(uow: UnitOfWork, declaration_id: str) -> Decimal:
    findings: list[Finding] = uow.findings.of_declaration(declaration_id)
    return to_amount(sum((finding.extra_duty for finding in findings), ZERO))


def _stored_duties(uow: UnitOfWork, declaration_id: str) -> Duties:
    lines: list[DutyLine] = uow.duty_lines.of(declaration_id)
    return Duties(declaration_id, tuple(lines), _extra_duty(uow, declaration_id))
