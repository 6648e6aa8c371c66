"""Every shortcut through the lifecycle is refused by the use cases, and leaves no trace."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel, DeclarationStatus
from dostyk.domain.lifecycle import IllegalTransition
from dostyk.services import (
    assignment,
    declarations,
    overrides,
    payments,
    selectivity,
)
from dostyk.services.errors import Conflict
from tests.services.world import T0, Fixed, Flow, ledger_size, lodging, path, read_declaration

LATER = T0 + timedelta(hours=3)
ZERO = Decimal("0.00")
Attempt = Callable[[Engine], object]

AFTER_RELEASE: dict[str, tuple[Attempt, type[Exception], str]] = {
    "cancel": (
        lambda e: declarations.cancel(e, "D1", actor="BRK1", at=LATER),
        IllegalTransition,
        "after release",
    ),
    "assess risk again": (
        lambda e: selectivity.assess_risk(e, "D1", Fixed(Channel.RED), actor="system", at=LATER),
        IllegalTransition,
        "after release",
    ),
    "assess duties again": (
        lambda e: payments.assess_duties(e, "D1", actor="system", at=LATER),
        IllegalTransition,
        "after release",
    ),
    "pay again": (
        lambda e: payments.record_payment(e, "D1", ZERO, "KZ-TRS-AGAIN", actor="BRK1", at=LATER),
        IllegalTransition,
        "after release",
    ),
    "release again": (
        lambda e: payments.release(e, "D1", actor="SS-DST1", at=LATER),
        IllegalTransition,
        "after release",
    ),
    "inspect": (
        lambda e: assignment.assign_inspector(e, "D1", actor="system", at=LATER),
        IllegalTransition,
        "after release",
    ),
    "override": (
        lambda e: overrides.request_override(
            e, "D1", Channel.RED, "Tip-off from the border police", actor="IN-DST1", at=LATER
        ),
        Conflict,
        "is released",
    ),
}


@pytest.mark.parametrize("attempt", sorted(AFTER_RELEASE))
def test_nothing_is_edited_after_release(lite: Engine, attempt: str) -> None:
    flow = Flow(lite)
    flow.to_payment(lodging(1), Channel.GREEN)
    flow.release("D1")
    size = ledger_size(lite)
    act, error, message = AFTER_RELEASE[attempt]
    with pytest.raises(error, match=message):
        act(lite)
    assert ledger_size(lite) == size
    assert read_declaration(lite, "D1").status is DeclarationStatus.RELEASED


def test_release_before_payment_is_refused(lite: Engine) -> None:
    flow = Flow(lite)
    flow.lodge(lodging(1))
    flow.assess("D1", Channel.GREEN)
    with pytest.raises(IllegalTransition, match="from assessed to released"):
        flow.release("D1")
    flow.duties("D1")
    with pytest.raises(IllegalTransition, match="from duties_assessed to released"):
        flow.release("D1")


def test_paying_twice_is_refused(lite: Engine) -> None:
    flow = Flow(lite)
    flow.to_payment(lodging(1), Channel.GREEN)
    with pytest.raises(IllegalTransition, match="from paid to paid"):
        payments.record_payment(lite, "D1", ZERO, "KZ-TRS-2", actor="BRK1", at=flow.tick())


def test_a_green_declaration_is_not_inspected_without_an_override(lite: Engine) -> None:
    flow = Flow(lite)
    flow.lodge(lodging(1))
    flow.assess("D1", Channel.GREEN)
    with pytest.raises(IllegalTransition, match="from assessed to under_inspection"):
        flow.assign("D1")


def test_a_red_declaration_does_not_skip_its_inspection(lite: Engine) -> None:
    flow = Flow(lite)
    flow.lodge(lodging(1))
    flow.assess("D1", Channel.RED)
    with pytest.raises(IllegalTransition, match="red declaration is inspected before its duties"):
        flow.duties("D1")
    inspection = flow.start(flow.assign("D1"))
    with pytest.raises(IllegalTransition, match="from under_inspection to duties_assessed"):
        flow.duties("D1")
    flow.finish(inspection)
    flow.duties("D1")


def test_a_rejected_declaration_goes_nowhere(lite: Engine) -> None:
    flow = Flow(lite)
    lodged = flow.lodge(lodging(1, importer_id="BRK2"))
    assert lodged.reasons == ("party BRK2 is not registered as importer",)
    with pytest.raises(IllegalTransition, match="a rejected declaration is final"):
        flow.assess("D1", Channel.GREEN)
    with pytest.raises(IllegalTransition, match="a rejected declaration is final"):
        declarations.cancel(lite, "D1", actor="BRK1", at=flow.tick())
    assert path(lite, "D1") == ["lodged", "rejected"]


def test_steps_do_not_go_back_in_time(lite: Engine) -> None:
    flow = Flow(lite)
    flow.lodge(lodging(1))
    with pytest.raises(IllegalTransition, match="before the previous one"):
        selectivity.assess_risk(
            lite, "D1", Fixed(Channel.GREEN), actor="system", at=T0 - timedelta(minutes=1)
        )
