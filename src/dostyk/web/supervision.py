"""The shift supervisor's and the post chief's pages: four eyes on the post's work.

Each post in the caller's reach shows the override requests awaiting a decision (with the
requester's reason), the inspections drawn and not started (which a supervisor may hand to
another inspector on duty, with a written reason), the reassignments standing on open
inspections, and the declarations served out of turn in the last day, with who served them and
why. Deciding and reassigning go through the use cases, which enforce four eyes and the chain of
command: their refusal (deciding one's own request, a request from outside one's chain) is shown
as it is given.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from dostyk.services.declaration_record import record_json
from dostyk.web import session
from dostyk.web.forms import form_texts
from dostyk.web.inspection_pages import InspectionId, declaration_summary, record_id
from dostyk.web.policy import Grant, allow
from dostyk.web.principals import now
from dostyk.web.problems import FieldError, bad_request
from dostyk.web.templating import navigation, page

pages = APIRouter(tags=["supervision"])
api = APIRouter(prefix="/api/v1", tags=["supervision"])
routers = [pages, api]

OverrideId = record_id("override")
PostCode = Query(
    max_length=12, pattern=r"^[A-Z0-9]{2,12}$", description="The post to show (default: yours)."
)

#: How far back the out-of-turn services are shown.
OUT_OF_TURN_WINDOW = timedelta(hours=24)

navigation("supervision.read", "/supervision", "Supervision")
for role in ("shift_supervisor", "post_chief", "regional_chief"):
    session.start_page(role, "/supervision")


class Decision(BaseModel):
    """A superior's decision on an override request."""

    decision: Literal["approve", "refuse"] = Field(description="approve or refuse")


class Reassignment(BaseModel):
    """Handing an unstarted inspection to another inspector on duty."""

    to: str = Field(min_length=1, max_length=24, description="Service number of the inspector.")
    reason: str = Field(max_length=2000, description="Written reason, at least 10 characters.")


def _inspection(o: Any) -> dict[str, Any]:
    return {**record_json(o.inspection), "declaration": declaration_summary(o.declaration)}


def _board(request: Request, grant: Grant, asked: str | None) -> dict[str, Any]:
    from dostyk.services.declaration_record import instant
    from dostyk.services.open_work import post_codes, supervision

    posts = grant.posts([asked] if asked else None)
    engine = request.app.state.engine
    codes = sorted(posts) if posts is not None else post_codes(engine)
    at = now(request)
    boards = [
        supervision(engine, code, grant.caller.actor, since=at - OUT_OF_TURN_WINDOW, at=at)
        for code in codes
    ]
    return {
        "reader": grant.caller.actor,
        "out_of_turn_since": instant(at - OUT_OF_TURN_WINDOW),
        "posts": [
            {
                "post_code": board.post_code,
                "pending_overrides": [
                    {
                        **record_json(p.override),
                        "declaration": declaration_summary(p.declaration),
                        "decidable": p.decidable,
                        "own_request": p.override.requested_by == grant.caller.actor,
                    }
                    for p in board.pending_overrides
                ],
                "waiting_inspections": [_inspection(o) for o in board.waiting],
                "reassignments": [_inspection(o) for o in board.reassigned],
                "out_of_turn": [record_json(e) for e in board.out_of_turn],
                "inspectors_on_duty": board.inspectors_on_duty,
            }
            for board in boards
        ],
    }


@pages.get("/supervision", include_in_schema=False)
def supervision_page(
    request: Request,
    grant: Annotated[Grant, allow("supervision.read")],
    post: Annotated[str | None, PostCode] = None,
) -> Response:
    return page(request, "supervision.html", _board(request, grant, post))


@api.get(
    "/supervision",
    summary="Overrides awaiting decision, waiting and reassigned inspections, out-of-turn "
    "services, per post",
)
def supervision_board(
    request: Request,
    grant: Annotated[Grant, allow("supervision.read")],
    post: Annotated[str | None, PostCode] = None,
) -> dict[str, Any]:
    return _board(request, grant, post)


def _decide(request: Request, grant: Grant, override_id: str, decision: str) -> Any:
    from dostyk.services.errors import NotFound
    from dostyk.services.open_work import override_of
    from dostyk.services.overrides import decide_override
    from dostyk.web.problems import not_found

    engine = request.app.state.engine
    try:
        _, declaration = override_of(engine, override_id)
    except NotFound:
        raise not_found(f"no override {override_id}") from None
    if not grant.sees(declaration):  # as if it did not exist, like the declaration itself
        raise not_found(f"no override {override_id}")
    if decision not in ("approve", "refuse"):
        raise bad_request("say approve or refuse", [FieldError("decision", "approve or refuse")])
    return decide_override(
        engine, override_id, decision == "approve", actor=grant.caller.actor, at=now(request)
    )


@pages.post("/supervision/overrides/{override_id}/decision", include_in_schema=False)
async def decide_page(
    request: Request,
    override_id: Annotated[str, OverrideId],
    grant: Annotated[Grant, allow("override.decide")],
) -> Response:
    (decision,) = await form_texts(request, "decision")
    _decide(request, grant, override_id, decision)
    return RedirectResponse("/supervision", status_code=303)


@api.post(
    "/supervision/overrides/{override_id}/decision",
    summary="Approve or refuse an override request (four eyes: not one's own)",
)
def decide(
    request: Request,
    override_id: Annotated[str, OverrideId],
    body: Decision,
    grant: Annotated[Grant, allow("override.decide")],
) -> dict[str, Any]:
    return record_json(_decide(request, grant, override_id, body.decision))


def _reassign(request: Request, grant: Grant, inspection_id: str, to: str, reason: str) -> Any:
    from dostyk.services.assignment import reassign
    from dostyk.services.errors import NotFound
    from dostyk.services.open_work import open_inspection
    from dostyk.web.problems import not_found

    engine = request.app.state.engine
    try:
        _, declaration = open_inspection(engine, inspection_id)
    except NotFound:
        raise not_found(f"no inspection {inspection_id}") from None
    if not grant.sees(declaration):  # as if it did not exist, like the declaration itself
        raise not_found(f"no inspection {inspection_id}")
    if not to.strip():
        raise bad_request("name the inspector", [FieldError("to", "a service number")])
    return reassign(
        engine, inspection_id, to.strip(), actor=grant.caller.actor, at=now(request), reason=reason
    )


@pages.post("/supervision/inspections/{inspection_id}/reassignment", include_in_schema=False)
async def reassign_page(
    request: Request,
    inspection_id: Annotated[str, InspectionId],
    grant: Annotated[Grant, allow("inspection.reassign")],
) -> Response:
    to, reason = await form_texts(request, "to", "reason")
    _reassign(request, grant, inspection_id, to, reason)
    return RedirectResponse("/supervision", status_code=303)


@api.post(
    "/supervision/inspections/{inspection_id}/reassignment",
    summary="Hand an unstarted inspection to another inspector on duty, with the reason",
)
def reassign(
    request: Request,
    inspection_id: Annotated[str, InspectionId],
    body: Reassignment,
    grant: Annotated[Grant, allow("inspection.reassign")],
) -> dict[str, Any]:
    return record_json(_reassign(request, grant, inspection_id, body.to, body.reason))
