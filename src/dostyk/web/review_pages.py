"""The reviewer's pages: deciding an appeal or a post-clearance audit of an inspection's result.

A post chief decides the declarant's appeals against the findings of his post's inspectors; a
regional chief, the post-clearance audits of his region's released declarations (and appeals
too). ``/reviews`` lists the latest reviews at the posts in the caller's reach and finds an
inspection by its id; ``/inspections/{id}/reviews`` shows the inspection, its findings as they
were made and the reviews so far, with the form that records a new one. The use case decides
the rest — never the inspector himself, only an officer above him in his chain of command, of
the rank the kind of review needs, without a declared conflict with the declaration's parties —
and its refusals are shown as they are given. An inspection outside the caller's reach is
answered 404, as its declaration would be.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from dostyk.domain.bounds import REMARK_MAX
from dostyk.domain.reviews import OUTCOMES, ReviewKind, ReviewOutcome
from dostyk.services.declaration_record import record_json
from dostyk.store import tables as t
from dostyk.web import api_shapes as s
from dostyk.web.forms import form_texts
from dostyk.web.inspection_pages import InspectionId, declaration_summary
from dostyk.web.policy import Grant, allow
from dostyk.web.principals import now
from dostyk.web.problems import FieldError, bad_request, not_found
from dostyk.web.templating import navigation, page

pages = APIRouter(tags=["reviews"])
api = APIRouter(prefix="/api/v1", tags=["reviews"])
routers = [pages, api]

#: How many of the latest reviews the list shows.
LATEST = 100
AMOUNT_PATTERN = r"^[0-9]{1,13}(\.[0-9]{1,2})?$"

navigation("review.read", "/reviews", "Reviews")
PostCode = Query(
    max_length=12, pattern=r"^[A-Z0-9]{2,12}$", description="The post to show (default: yours)."
)
Lookup = Query(
    max_length=40,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$",
    description="An inspection's id, to open its reviews.",
)

REVIEW = s.obj({**s.record(t.finding_reviews)["properties"], "reverses": {"type": "boolean"}})


class ReviewRequest(BaseModel):
    """The outcome of an appeal or a post-clearance audit of an inspection's result."""

    kind: ReviewKind = Field(description="appeal (the declarant's) or audit (post-clearance)")
    outcome: ReviewOutcome = Field(
        description="upheld; no_basis: reversed, the finding had no basis; fraud_missed: "
        "reversed, the inspection passed fraud (audits only)"
    )
    reason: str = Field(
        max_length=REMARK_MAX, description="Written reason, at least 10 characters."
    )
    finding_no: int | None = Field(
        default=None, ge=1, le=99, description="The finding reviewed; none for the whole result."
    )
    duty_amount: str = Field(
        default="0.00",
        pattern=AMOUNT_PATTERN,
        description="Duty the review adds (fraud_missed) or remits (no_basis), as text: 0.00",
    )


def _review_json(review: Any) -> dict[str, Any]:
    return {**record_json(review), "reverses": review.outcome.reverses}


def _latest(request: Request, grant: Grant, asked: str | None) -> dict[str, Any]:
    from dostyk.services.reviews import latest_reviews

    posts = grant.posts([asked] if asked else None)
    found = latest_reviews(request.app.state.engine, posts, LATEST)
    return {
        "reader": grant.caller.actor,
        "posts": None if posts is None else sorted(posts),
        "reviews": [_review_json(r) for r in found],
        "reversed": sum(1 for r in found if r.outcome.reverses),
    }


@pages.get("/reviews", include_in_schema=False)
def reviews_page(
    request: Request,
    grant: Annotated[Grant, allow("review.read")],
    post: Annotated[str | None, PostCode] = None,
    inspection: Annotated[str | None, Lookup] = None,
) -> Response:
    if inspection:
        return RedirectResponse(f"/inspections/{inspection}/reviews", status_code=303)
    return page(request, "reviews.html", _latest(request, grant, post))


@api.get("/reviews", summary="The latest reviews of inspections' results at my posts")
def reviews(
    request: Request,
    grant: Annotated[Grant, allow("review.read")],
    post: Annotated[str | None, PostCode] = None,
) -> dict[str, Any]:
    return _latest(request, grant, post)


def _seen(request: Request, grant: Grant, inspection_id: str) -> Any:
    """The inspection with its findings and reviews, if its declaration is in reach; else 404."""
    from dostyk.services.errors import NotFound
    from dostyk.services.reviews import reviewed_inspection

    try:
        seen = reviewed_inspection(request.app.state.engine, inspection_id)
    except NotFound:
        raise not_found(f"no inspection {inspection_id}") from None
    if not grant.sees(seen.declaration):  # as if it did not exist, like the declaration itself
        raise not_found(f"no inspection {inspection_id}")
    return seen


def _one(request: Request, grant: Grant, inspection_id: str) -> dict[str, Any]:
    seen = _seen(request, grant, inspection_id)
    inspection = seen.inspection
    return {
        "reader": grant.caller.actor,
        "inspection": {
            **record_json(inspection),
            "finished": inspection.ended_at is not None,
            "declaration": declaration_summary(seen.declaration),
        },
        "findings": [record_json(f) for f in seen.findings],
        "reviews": [_review_json(r) for r in seen.reviews],
        "own_inspection": inspection.inspector_id == grant.caller.actor,
        "outcomes": {kind.value: sorted(o.value for o in OUTCOMES[kind]) for kind in ReviewKind},
    }


@pages.get("/inspections/{inspection_id}/reviews", include_in_schema=False)
def reviews_of_page(
    request: Request,
    inspection_id: Annotated[str, InspectionId],
    grant: Annotated[Grant, allow("review.read")],
) -> Response:
    return page(request, "reviews_of.html", _one(request, grant, inspection_id))


@api.get(
    "/inspections/{inspection_id}/reviews",
    summary="An inspection's findings as made and every review of its result",
)
def reviews_of(
    request: Request,
    inspection_id: Annotated[str, InspectionId],
    grant: Annotated[Grant, allow("review.read")],
) -> dict[str, Any]:
    return _one(request, grant, inspection_id)


def _record(request: Request, grant: Grant, inspection_id: str, body: ReviewRequest) -> Any:
    from dostyk.services.reviews import record_review

    _seen(request, grant, inspection_id)
    return record_review(
        request.app.state.engine,
        inspection_id,
        body.kind,
        body.outcome,
        body.reason,
        finding_no=body.finding_no,
        duty_amount=Decimal(body.duty_amount).quantize(Decimal("0.01")),
        actor=grant.caller.actor,
        at=now(request),
    )


def _from_form(kind: str, outcome: str, reason: str, finding: str, duty: str) -> ReviewRequest:
    """The form's fields as the API's body, each fault named by its field."""
    errors = []
    if kind not in ReviewKind.__members__.values():
        errors.append(FieldError("kind", "appeal or audit"))
    if outcome not in ReviewOutcome.__members__.values():
        errors.append(FieldError("outcome", "upheld, no_basis or fraud_missed"))
    number: int | None = None
    if finding.strip():
        if not finding.strip().isdigit() or not 1 <= int(finding) <= 99:
            errors.append(FieldError("finding_no", "a finding's number, 1 to 99"))
        else:
            number = int(finding)
    duty = duty.strip() or "0.00"
    if not re.fullmatch(AMOUNT_PATTERN, duty):
        errors.append(FieldError("duty_amount", "an amount such as 1250000.00"))
    if len(reason) > REMARK_MAX:
        errors.append(
            FieldError("reason", f"is {len(reason):,} characters long; at most {REMARK_MAX:,}")
        )
    if errors:
        raise bad_request("the review is not complete", errors)
    return ReviewRequest(
        kind=ReviewKind(kind),
        outcome=ReviewOutcome(outcome),
        reason=reason,
        finding_no=number,
        duty_amount=duty,
    )


@pages.post("/inspections/{inspection_id}/reviews", include_in_schema=False)
async def record_page(
    request: Request,
    inspection_id: Annotated[str, InspectionId],
    grant: Annotated[Grant, allow("review.record")],
) -> Response:
    _seen(request, grant, inspection_id)  # reach first: nobody learns of a form he cannot use
    fields = await form_texts(request, "kind", "outcome", "reason", "finding_no", "duty_amount")
    _record(request, grant, inspection_id, _from_form(*fields))
    return RedirectResponse(f"/inspections/{inspection_id}/reviews", status_code=303)


@api.post(
    "/inspections/{inspection_id}/reviews",
    summary="Record the outcome of an appeal or a post-clearance audit (four eyes: not the "
    "inspector's own; above him in his chain of command)",
    status_code=201,
    response_model=None,
    responses=s.answers(REVIEW, 201, "Recorded"),
)
def record(
    request: Request,
    inspection_id: Annotated[str, InspectionId],
    body: ReviewRequest,
    grant: Annotated[Grant, allow("review.record")],
) -> dict[str, Any]:
    return _review_json(_record(request, grant, inspection_id, body))
