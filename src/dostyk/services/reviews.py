"""Reviewing a finished inspection's result: the declarant's appeal, a post-clearance audit.

Findings are final when an inspection is finished; a review records, beside them, whether they
stood. Four eyes, as for overrides: the reviewer is a second officer, never the inspector
himself, above him in his chain of command and of the rank the kind of review needs
(:data:`~dostyk.domain.reviews.DECIDING_RANK`: a post chief or higher for an appeal, a regional
chief or higher for a post-clearance audit). An officer with a declared conflict of interest with
the declaration's importer, exporter or declarant may not decide it: the attempt is refused, and
recorded as an exclusion, as an override decision would be.

A post-clearance audit is of a released declaration; an appeal is against a finding, so it needs
one. Each finding (or an inspection's result as a whole) is appealed once and audited once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Engine

from dostyk.domain.conflicts import ExclusionAction
from dostyk.domain.declarations import Declaration, DeclarationStatus
from dostyk.domain.inspections import Finding, Inspection
from dostyk.domain.officers import chain_of_command, may_approve
from dostyk.domain.reviews import (
    DECIDING_RANK,
    OUTCOMES,
    FindingReview,
    ReviewKind,
    ReviewOutcome,
)
from dostyk.domain.spelling import utc_text
from dostyk.services.actors import officer
from dostyk.services.conflicts import refusal_of_conflicted
from dostyk.services.errors import Conflict, NotAuthorised, NotFound, Reason, ValidationFailed
from dostyk.services.ids import make_id
from dostyk.services.overrides import ConflictedOfficer
from dostyk.services.steps import load_for_move
from dostyk.store.repositories import Declarations, FindingReviews, Findings, Inspections
from dostyk.store.unit_of_work import UnitOfWork

#: The shortest written reason for a review's decision.
MIN_REASON = 10


@dataclass(frozen=True, slots=True)
class ReviewedInspection:
    """A finished inspection as a reviewer sees it: its declaration, findings and reviews."""

    inspection: Inspection
    declaration: Declaration
    findings: tuple[Finding, ...]
    reviews: tuple[FindingReview, ...]


def record_review(
    engine: Engine,
    inspection_id: str,
    kind: ReviewKind,
    outcome: ReviewOutcome,
    reason: str,
    *,
    finding_no: int | None = None,
    duty_amount: Decimal = Decimal("0.00"),
    actor: str,
    at: datetime,
) -> FindingReview:
    """A second officer records the outcome of an appeal or a post-clearance audit.

    The inspection's own records are not touched: the review is a record of its own, under the
    ledger, that the integrity unit's indicators read beside them.
    """
    refusal: str | None = None
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        inspection: Inspection | None = uow.inspections.get(inspection_id)
        if inspection is None:
            raise NotFound("inspection", inspection_id)
        reviewer = officer(uow, actor, f"decide an {kind}")
        inspector = inspection.inspector_id
        if actor == inspector:
            raise NotAuthorised(
                f"{actor} carried out inspection {inspection_id}; nobody reviews his own findings"
            )
        needed = DECIDING_RANK[kind]
        if reviewer.rank.seniority < needed.seniority:
            raise NotAuthorised(
                f"only a {needed} or above may decide an {kind}; {actor}'s rank is {reviewer.rank}"
            )
        officers = uow.officers.chain_of(inspector)
        if not may_approve(actor, inspector, officers):
            above = ", ".join(chain_of_command(inspector, officers)) or "nobody"
            raise NotAuthorised(
                f"{actor} is not in the chain of command of {inspector} ({above}), and may "
                f"not review his inspection {inspection_id}"
            )
        if inspection.ended_at is None:
            raise Conflict(
                f"inspection {inspection_id} is not finished; its result is reviewed only "
                "once it is on record"
            )
        if at < inspection.ended_at:
            raise Conflict(
                f"inspection {inspection_id} ended at {utc_text(inspection.ended_at)}, after "
                f"{utc_text(at)}"
            )
        declaration, last_step = load_for_move(uow, inspection.declaration_id)
        if kind is ReviewKind.AUDIT:
            if declaration.status is not DeclarationStatus.RELEASED:
                raise Conflict(
                    f"a post-clearance audit is of a released declaration; "
                    f"{declaration.declaration_id} is {declaration.status}"
                )
            # Released is final, so the last step is the release: the audit follows it.
            if last_step is not None and at < last_step.at:
                raise Conflict(
                    f"declaration {declaration.declaration_id} was released at "
                    f"{utc_text(last_step.at)}, after {utc_text(at)}: a post-clearance audit "
                    "follows the clearance"
                )
        findings: list[Finding] = uow.findings.of(inspection_id)
        repository = FindingReviews(uow.connection, uow.ledger)
        earlier: list[FindingReview] = repository.of(inspection_id)
        reasons = _check(kind, outcome, reason, finding_no, duty_amount, findings)
        if reasons:
            raise ValidationFailed(reasons, subject=f"{kind} of inspection {inspection_id}")
        same = [r for r in earlier if r.kind == kind and r.finding_no == finding_no]
        if same:
            what = "its result" if finding_no is None else f"its finding {finding_no}"
            raise Conflict(
                f"{what} of inspection {inspection_id} was already decided on {kind} "
                f"({same[0].review_id}, {same[0].outcome}, by {same[0].reviewed_by})"
            )
        refusal = refusal_of_conflicted(
            uow,
            actor,
            declaration,
            ExclusionAction.REVIEW_DECISION,
            inspection_id,
            f"review inspection {inspection_id}",
            at,
        )
        if refusal is not None:
            review = None
        else:
            review = FindingReview(
                review_id=make_id("V", inspection_id, len(earlier) + 1),
                inspection_id=inspection_id,
                declaration_id=declaration.declaration_id,
                kind=kind,
                outcome=outcome,
                reason=reason.strip(),
                reviewed_by=actor,
                reviewed_at=at,
                finding_no=finding_no,
                duty_amount=duty_amount,
            )
            repository.add(review)
    if refusal is not None:
        raise ConflictedOfficer(refusal)
    assert review is not None
    return review


def _check(
    kind: ReviewKind,
    outcome: ReviewOutcome,
    reason: str,
    finding_no: int | None,
    duty_amount: Decimal,
    findings: Sequence[Finding],
) -> list[str]:
    """Every reason the review cannot be recorded as asked, at once."""
    reasons: list[str] = []
    by_number = {f.finding_no: f for f in findings}
    if len((reason or "").strip()) < MIN_REASON:
        reasons.append(
            Reason("reason", f"a review needs a written reason of {MIN_REASON} characters")
        )
    if outcome not in OUTCOMES[kind]:
        allowed = " or ".join(sorted(OUTCOMES[kind]))
        reasons.append(Reason("outcome", f"an {kind} concludes {allowed}, not {outcome}"))
    if finding_no is not None and finding_no not in by_number:
        numbers = ", ".join(str(n) for n in sorted(by_number)) or "none"
        reasons.append(
            Reason(
                "finding_no",
                f"the inspection has no finding {finding_no} (its findings: {numbers})",
            )
        )
    if kind is ReviewKind.APPEAL and not findings:
        reasons.append(
            Reason("kind", "the inspection found nothing irregular: there is no finding to appeal")
        )
    if outcome is ReviewOutcome.NO_BASIS and finding_no is None:
        reasons.append(Reason("finding_no", "name the finding that had no basis (finding_no)"))
    if not duty_amount.is_finite() or duty_amount < 0:
        reasons.append(
            Reason("duty_amount", "the duty a review adds or remits is an amount of 0 or more")
        )
    elif outcome is ReviewOutcome.UPHELD and duty_amount != 0:
        reasons.append(Reason("duty_amount", "an upheld result changes no duty: duty_amount is 0"))
    elif outcome is ReviewOutcome.NO_BASIS and finding_no in by_number:
        added = by_number[finding_no].extra_duty
        if duty_amount > added:
            reasons.append(
                Reason(
                    "duty_amount",
                    f"finding {finding_no} added {added:,} of duty; a reversal remits at most that",
                )
            )
    return reasons


def reviewed_inspection(engine: Engine, inspection_id: str) -> ReviewedInspection:
    """A finished or open inspection with its declaration, findings and reviews so far."""
    with engine.connect() as connection:
        inspection: Inspection | None = Inspections(connection).get(inspection_id)
        if inspection is None:
            raise NotFound("inspection", inspection_id)
        declaration = Declarations(connection).get(inspection.declaration_id)
        assert declaration is not None, "an inspection's declaration exists (foreign key)"
        return ReviewedInspection(
            inspection,
            declaration,
            tuple(Findings(connection).of(inspection_id)),
            tuple(FindingReviews(connection).of(inspection_id)),
        )


def latest_reviews(
    engine: Engine, post_codes: frozenset[str] | None, limit: int = 100
) -> list[FindingReview]:
    """The newest reviews at these posts (every post for None), newest first."""
    with engine.connect() as connection:
        return FindingReviews(connection).latest(post_codes, limit)
