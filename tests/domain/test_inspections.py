from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from dostyk.domain.errors import InvariantViolation
from dostyk.domain.inspections import Finding, FindingKind, Inspection

from .helpers import NAIVE, T0, violates

INSPECTION = Inspection(
    inspection_id="I-1",
    declaration_id="D-1",
    inspector_id="INSP-1",
    assigned_at=T0,
    draw="seed=8842;candidates=INSP-1,INSP-2,INSP-3",
    started_at=T0 + timedelta(minutes=30),
    ended_at=T0 + timedelta(hours=2),
)
FINDING = Finding(
    inspection_id="I-1",
    finding_no=1,
    kind=FindingKind.UNDERVALUATION,
    description="Invoice shows 40 USD per phone; market price is 300 USD",
    extra_duty=Decimal("1250.00"),
    item_no=1,
)


def test_a_valid_inspection_is_accepted() -> None:
    assert INSPECTION.ended_at is not None


def test_an_assigned_but_not_started_inspection_is_accepted() -> None:
    assert replace(INSPECTION, started_at=None, ended_at=None).started_at is None


def test_an_inspection_may_start_at_the_moment_it_is_assigned_and_end_as_it_starts() -> None:
    instant = replace(INSPECTION, started_at=T0, ended_at=T0)
    assert instant.started_at == instant.ended_at == instant.assigned_at


def test_a_naive_assignment_time_is_refused() -> None:
    with violates("assigned_at"):
        replace(INSPECTION, assigned_at=NAIVE, started_at=None, ended_at=None)


def test_an_inspection_starting_before_its_assignment_is_refused() -> None:
    with violates("started_at"):
        replace(INSPECTION, started_at=T0 - timedelta(minutes=1))


def test_an_inspection_ending_before_it_starts_is_refused() -> None:
    with violates("ended_at"):
        replace(INSPECTION, ended_at=T0 + timedelta(minutes=29))


def test_an_inspection_ending_without_a_start_is_refused() -> None:
    with violates("ended_at"):
        replace(INSPECTION, started_at=None)


def test_a_reassignment_with_a_written_reason_is_accepted() -> None:
    reassigned = replace(
        INSPECTION,
        inspector_id="INSP-2",
        reassigned_from="INSP-1",
        reassigned_by="SUP-A",
        reassign_reason="INSP-1 is related to the importer's director",
    )
    assert reassigned.reassigned_from == "INSP-1"


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_reassignment_without_a_reason_is_refused(reason: str | None) -> None:
    with violates("reassign_reason"):
        replace(INSPECTION, reassigned_from="INSP-1", reassigned_by="SUP-A", reassign_reason=reason)


def test_a_naive_start_time_is_refused_as_an_invariant_violation() -> None:
    with pytest.raises(InvariantViolation):
        replace(INSPECTION, started_at=NAIVE, ended_at=None)


def test_a_valid_finding_is_accepted() -> None:
    assert FINDING.extra_duty == Decimal("1250.00")
    assert not FINDING.seized


def test_findings_are_numbered_from_one() -> None:
    with violates("finding_no"):
        replace(FINDING, finding_no=0)


def test_a_finding_says_what_was_found() -> None:
    with violates("description"):
        replace(FINDING, description=" ")


def test_a_negative_extra_duty_is_refused() -> None:
    with violates("extra_duty"):
        replace(FINDING, extra_duty=Decimal("-0.01"))
