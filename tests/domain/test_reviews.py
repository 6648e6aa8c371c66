"""A review's own rules: what each kind may conclude, what it names, what duty it changes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from dostyk.domain.errors import InvariantViolation
from dostyk.domain.reviews import FindingReview, ReviewKind, ReviewOutcome

AT = datetime(2025, 3, 20, 9, 0, tzinfo=UTC)


def review(**changes: object) -> FindingReview:
    fields: dict[str, object] = {
        "review_id": "V-I-D1-1-1",
        "inspection_id": "I-D1-1",
        "declaration_id": "D1",
        "kind": ReviewKind.APPEAL,
        "outcome": ReviewOutcome.NO_BASIS,
        "reason": "The bank statement confirms the price",
        "reviewed_by": "PC-DST1",
        "reviewed_at": AT,
        "finding_no": 1,
        "duty_amount": Decimal("10.00"),
        **changes,
    }
    return FindingReview(**fields)  # type: ignore[arg-type]


def test_a_reversal_either_way_reverses_and_upholding_does_not() -> None:
    assert review().outcome.reverses
    audit = review(kind=ReviewKind.AUDIT, outcome=ReviewOutcome.FRAUD_MISSED, finding_no=None)
    assert audit.outcome.reverses
    assert not review(outcome=ReviewOutcome.UPHELD, duty_amount=Decimal("0.00")).outcome.reverses


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outcome": ReviewOutcome.FRAUD_MISSED}, "outcome"),  # a declarant appeals against
        ({"finding_no": None}, "finding_no"),  # a finding without basis is named
        ({"outcome": ReviewOutcome.UPHELD}, "duty_amount"),  # upheld changes no duty
        ({"duty_amount": Decimal("-1.00")}, "duty_amount"),
        ({"reason": "short"}, "reason"),
        ({"finding_no": 0}, "finding_no"),
        ({"reviewed_at": datetime(2025, 3, 20, 9, 0)}, "reviewed_at"),
    ],
)
def test_a_review_that_breaks_its_rules_is_refused_at_the_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvariantViolation) as refused:
        review(**changes)
    fields = {v.field for v in getattr(refused.value, "violations", [refused.value])}
    assert field in fields
