"""Reviews of an inspection's result: a second officer above the inspector, under the ledger."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from dostyk.domain.conflicts import ConflictKind, ExclusionAction
from dostyk.domain.declarations import Channel
from dostyk.domain.inspections import Finding, FindingKind, Inspection
from dostyk.domain.reviews import FindingReview, ReviewKind, ReviewOutcome
from dostyk.services.conflicts import declare_conflict, list_exclusions
from dostyk.services.errors import Conflict, NotAuthorised, NotFound, ValidationFailed
from dostyk.services.overrides import ConflictedOfficer
from dostyk.services.reviews import latest_reviews, record_review, reviewed_inspection
from dostyk.store import tables as t
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import Flow, ledger_size, lodging

REASON = "The invoice and the bank transfer match the declared value"
DUTY = Decimal("1250000.00")


def inspected(
    engine: Engine, found: bool = True, released: bool = False
) -> tuple[Flow, Inspection]:
    """D1 inspected red, with one undervaluation finding (or none), and released if asked."""
    flow = Flow(engine)
    flow.lodge(lodging(1))
    flow.assess("D1", Channel.RED)
    inspection = flow.start(flow.assign("D1"))
    findings = (
        [
            Finding(
                inspection.inspection_id, 1, FindingKind.UNDERVALUATION, "invoice", DUTY, False, 1
            )
        ]
        if found
        else []
    )
    inspection = flow.finish(inspection, findings)
    if released:
        flow.duties("D1")
        flow.pay("D1")
        flow.release("D1")
    return flow, inspection


def appeal(
    flow: Flow,
    inspection: Inspection,
    outcome: ReviewOutcome = ReviewOutcome.NO_BASIS,
    actor: str = "PC-DST1",
    **changes: object,
) -> FindingReview:
    options: dict[str, object] = {"finding_no": 1, "duty_amount": DUTY, **changes}
    return record_review(
        flow.engine,
        inspection.inspection_id,
        ReviewKind.APPEAL,
        outcome,
        REASON,
        actor=actor,
        at=flow.tick(),
        **options,  # type: ignore[arg-type]
    )


def test_a_post_chief_reverses_a_finding_on_appeal_and_the_ledger_logs_it(world: Engine) -> None:
    flow, inspection = inspected(world)
    before = ledger_size(world)
    review = appeal(flow, inspection)
    assert review == FindingReview(
        f"V-{inspection.inspection_id}-1",
        inspection.inspection_id,
        "D1",
        ReviewKind.APPEAL,
        ReviewOutcome.NO_BASIS,
        REASON,
        "PC-DST1",
        flow.now,
        1,
        DUTY,
    )
    assert ledger_size(world) == before + 1
    seen = reviewed_inspection(world, inspection.inspection_id)
    assert seen.reviews == (review,)
    assert [f.finding_no for f in seen.findings] == [1]  # the finding stays as it was made
    assert latest_reviews(world, frozenset({"DST"})) == [review]
    assert latest_reviews(world, frozenset({"KHR"})) == []
    assert latest_reviews(world, None) == [review]


def test_an_audit_finds_the_fraud_an_inspection_passed(lite: Engine) -> None:
    flow, inspection = inspected(lite, found=False, released=True)
    review = record_review(
        lite,
        inspection.inspection_id,
        ReviewKind.AUDIT,
        ReviewOutcome.FRAUD_MISSED,
        "Bank records show twice the declared price",
        duty_amount=DUTY,
        actor="RC-0001",
        at=flow.tick(),
    )
    assert (review.outcome, review.finding_no, review.duty_amount) == (
        ReviewOutcome.FRAUD_MISSED,
        None,
        DUTY,
    )
    # The same result is audited once; an appeal of it is another matter, and needs a finding.
    with pytest.raises(Conflict, match="already decided on audit"):
        record_review(
            lite,
            inspection.inspection_id,
            ReviewKind.AUDIT,
            ReviewOutcome.UPHELD,
            REASON,
            actor="HQ-0001",
            at=flow.tick(),
        )
    with pytest.raises(ValidationFailed, match="no finding to appeal"):
        record_review(
            lite,
            inspection.inspection_id,
            ReviewKind.APPEAL,
            ReviewOutcome.UPHELD,
            REASON,
            actor="PC-DST1",
            at=flow.tick(),
        )


def test_four_eyes_keep_the_inspector_and_those_outside_his_chain_out(lite: Engine) -> None:
    flow, inspection = inspected(lite, released=True)
    before = ledger_size(lite)
    with pytest.raises(NotAuthorised, match="nobody reviews his own findings"):
        appeal(flow, inspection, actor=inspection.inspector_id)
    with pytest.raises(NotAuthorised, match="only a post_chief or above"):
        appeal(flow, inspection, actor="SS-DST1")
    with pytest.raises(NotAuthorised, match="not in the chain of command"):
        appeal(flow, inspection, actor="PC-KHR1")
    with pytest.raises(NotAuthorised, match="only a regional_chief or above may decide an audit"):
        record_review(
            lite,
            inspection.inspection_id,
            ReviewKind.AUDIT,
            ReviewOutcome.UPHELD,
            REASON,
            finding_no=1,
            actor="PC-DST1",
            at=flow.tick(),
        )
    with pytest.raises(NotAuthorised, match="only an officer"):
        appeal(flow, inspection, actor="BRK1")
    assert ledger_size(lite) == before


def test_what_a_review_may_conclude_is_checked_all_at_once(lite: Engine) -> None:
    flow, inspection = inspected(lite)
    with pytest.raises(ValidationFailed) as refused:
        record_review(
            lite,
            inspection.inspection_id,
            ReviewKind.APPEAL,
            ReviewOutcome.FRAUD_MISSED,
            "short",
            finding_no=3,
            duty_amount=Decimal("5.00"),
            actor="PC-DST1",
            at=flow.tick(),
        )
    reasons = " | ".join(refused.value.reasons)
    assert "written reason of 10" in reasons
    assert "an appeal concludes no_basis or upheld, not fraud_missed" in reasons
    assert "no finding 3 (its findings: 1)" in reasons
    with pytest.raises(ValidationFailed, match="remits at most that"):
        appeal(flow, inspection, duty_amount=DUTY + 1)
    with pytest.raises(ValidationFailed, match="upheld result changes no duty"):
        appeal(flow, inspection, ReviewOutcome.UPHELD)
    with pytest.raises(ValidationFailed, match="name the finding"):
        appeal(flow, inspection, finding_no=None)
    upheld = appeal(flow, inspection, ReviewOutcome.UPHELD, duty_amount=Decimal("0.00"))
    assert upheld.outcome is ReviewOutcome.UPHELD
    with pytest.raises(Conflict, match="already decided on appeal"):
        appeal(flow, inspection)


def test_an_unfinished_inspection_or_unreleased_audit_is_refused(lite: Engine) -> None:
    flow = Flow(lite)
    flow.lodge(lodging(1))
    flow.assess("D1", Channel.RED)
    inspection = flow.start(flow.assign("D1"))
    with pytest.raises(Conflict, match="is not finished"):
        appeal(flow, inspection)
    flow.finish(inspection)
    with pytest.raises(Conflict, match="post-clearance audit is of a released declaration"):
        record_review(
            lite,
            inspection.inspection_id,
            ReviewKind.AUDIT,
            ReviewOutcome.UPHELD,
            REASON,
            actor="RC-0001",
            at=flow.tick(),
        )
    with pytest.raises(NotFound, match="no inspection I-NONE"):
        record_review(
            lite,
            "I-NONE",
            ReviewKind.AUDIT,
            ReviewOutcome.UPHELD,
            REASON,
            actor="RC-0001",
            at=flow.tick(),
        )


def test_an_audit_dated_before_the_release_it_follows_is_refused(lite: Engine) -> None:
    """A post-clearance audit comes after the clearance: one dated while the declaration was
    still being paid for would say it was released before it was."""
    flow, inspection = inspected(lite, found=False, released=True)
    released_at = flow.now
    before = ledger_size(lite)
    with pytest.raises(Conflict, match=r"released at .*, after"):
        record_review(
            lite,
            inspection.inspection_id,
            ReviewKind.AUDIT,
            ReviewOutcome.UPHELD,
            REASON,
            actor="RC-0001",
            at=released_at - timedelta(minutes=1),
        )
    assert ledger_size(lite) == before, "nothing was written"
    review = record_review(
        lite,
        inspection.inspection_id,
        ReviewKind.AUDIT,
        ReviewOutcome.UPHELD,
        REASON,
        actor="RC-0001",
        at=released_at,
    )
    assert review.reviewed_at == released_at


def test_a_conflicted_reviewer_is_refused_and_the_attempt_is_recorded(lite: Engine) -> None:
    flow, inspection = inspected(lite)
    conflict = declare_conflict(
        lite,
        "PC-DST1",
        "IMP1",
        ConflictKind.KIN,
        "His cousin owns it",
        actor="HQ-0001",
        at=flow.tick(),
    )
    with pytest.raises(ConflictedOfficer, match="attempt is recorded"):
        appeal(flow, inspection)
    (exclusion,) = [e for e in list_exclusions(lite) if e.action is ExclusionAction.REVIEW_DECISION]
    assert (exclusion.conflict_id, exclusion.subject_id, exclusion.officer_id) == (
        conflict.conflict_id,
        inspection.inspection_id,
        "PC-DST1",
    )
    with UnitOfWork(lite) as uow:
        assert uow.connection.execute(t.finding_reviews.select()).all() == []
    # Another officer above the inspector, with no conflict, decides it.
    assert appeal(flow, inspection, actor="RC-0001").reviewed_by == "RC-0001"
