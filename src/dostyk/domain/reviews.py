"""Reviews of a finished inspection's result: the declarant's appeal, a post-clearance audit.

An inspection's findings are final in the flow: once it is finished they are not changed. What
can happen later is a review by someone else. The declarant appeals a finding he thinks has no
basis; a post-clearance audit re-examines the declaration after release and may find what the
inspection missed. Either way the review's outcome is recorded beside the inspection, never over
it: the finding stays as the inspector made it, and the review says whether it stood.

Reversals are evidence about the inspector in both directions. A finding reversed for having no
basis is what extortion leaves behind (a finding made up to be paid to drop); fraud that a later
audit finds on a declaration the inspection passed is what a bribe to look away leaves behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from dostyk.domain.bounds import MAX_EXTRA_DUTY, MAX_FINDINGS, REMARK_MAX, Checks
from dostyk.domain.errors import check_aware
from dostyk.domain.officers import Rank


class ReviewKind(StrEnum):
    #: The declarant contests a finding.
    APPEAL = "appeal"
    #: Customs re-examines the declaration after release.
    AUDIT = "audit"


class ReviewOutcome(StrEnum):
    #: The inspection's result stands.
    UPHELD = "upheld"
    #: Reversed: the finding had no basis (the duty it added is remitted).
    NO_BASIS = "no_basis"
    #: Reversed: the inspection missed fraud (the duty it should have found is added).
    FRAUD_MISSED = "fraud_missed"

    @property
    def reverses(self) -> bool:
        return self is not ReviewOutcome.UPHELD


#: The lowest rank that may decide each kind of review. An appeal goes to the post's chief or
#: higher; a post-clearance audit is a regional department's or headquarters' work, independent
#: of the post whose inspection it re-examines.
DECIDING_RANK: dict[ReviewKind, Rank] = {
    ReviewKind.APPEAL: Rank.POST_CHIEF,
    ReviewKind.AUDIT: Rank.REGIONAL_CHIEF,
}

#: What each kind of review may conclude: a declarant appeals against a finding, never for one.
OUTCOMES: dict[ReviewKind, frozenset[ReviewOutcome]] = {
    ReviewKind.APPEAL: frozenset({ReviewOutcome.UPHELD, ReviewOutcome.NO_BASIS}),
    ReviewKind.AUDIT: frozenset(ReviewOutcome),
}


@dataclass(frozen=True, slots=True)
class FindingReview:
    """One review of a finished inspection's result, decided by a second officer.

    ``finding_no`` names the finding reviewed; it is None when the review is of the inspection's
    result as a whole (an audit of a declaration the inspection found nothing on).
    ``duty_amount`` is what the review changes, in national currency: the duty it adds when the
    inspection missed fraud, the duty it remits when the finding had no basis, 0 when upheld.
    """

    review_id: str
    inspection_id: str
    declaration_id: str
    kind: ReviewKind
    outcome: ReviewOutcome
    reason: str
    reviewed_by: str
    reviewed_at: datetime
    finding_no: int | None = None
    duty_amount: Decimal = Decimal("0.00")

    def __post_init__(self) -> None:
        checks = Checks()
        for name in ("review_id", "inspection_id", "declaration_id"):
            checks.identifier(name, getattr(self, name))
        checks.identifier("reviewed_by", self.reviewed_by, 24)
        if self.finding_no is not None and not 1 <= self.finding_no <= MAX_FINDINGS:
            checks.add("finding_no", f"findings are numbered from 1 to {MAX_FINDINGS}")
        if len(self.reason.strip()) < 10:
            checks.add("reason", "a review needs a written reason")
        else:
            checks.text("reason", self.reason, REMARK_MAX, prose=True)
        if checks.check(check_aware, "reviewed_at", self.reviewed_at):
            checks.instant("reviewed_at", self.reviewed_at)
        if self.outcome not in OUTCOMES[self.kind]:
            checks.add(
                "outcome",
                f"an {self.kind} concludes {' or '.join(sorted(OUTCOMES[self.kind]))}, "
                f"not {self.outcome}",
            )
        if (
            checks.decimal("duty_amount", self.duty_amount, MAX_EXTRA_DUTY)
            and self.outcome is ReviewOutcome.UPHELD
            and self.duty_amount != 0
        ):
            checks.add("duty_amount", "an upheld result changes no duty")
        if self.outcome is ReviewOutcome.NO_BASIS and self.finding_no is None:
            checks.add("finding_no", "a finding reversed for having no basis is named")
        checks.done()
