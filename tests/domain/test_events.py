from __future__ import annotations

from dataclasses import replace

from dostyk.domain.declarations import DeclarationStatus
from dostyk.domain.events import StatusChange

from .helpers import NAIVE, T0, violates

FIRST = StatusChange(
    declaration_id="D-1",
    seq=1,
    from_status=None,
    to_status=DeclarationStatus.LODGED,
    at=T0,
    actor="broker-7",
)


def test_a_valid_first_step_is_accepted() -> None:
    assert FIRST.from_status is None


def test_a_later_step_with_a_reason_is_accepted() -> None:
    step = replace(
        FIRST,
        seq=2,
        from_status=DeclarationStatus.LODGED,
        to_status=DeclarationStatus.REJECTED,
        actor="INSP-1",
        reason="Item 3 has no origin certificate",
    )
    assert step.reason is not None


def test_steps_are_numbered_from_one() -> None:
    with violates("seq"):
        replace(FIRST, seq=0)


def test_a_naive_step_time_is_refused() -> None:
    with violates("at"):
        replace(FIRST, at=NAIVE)


def test_every_step_names_who_took_it() -> None:
    with violates("actor"):
        replace(FIRST, actor="  ")
