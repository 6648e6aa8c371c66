"""The inspector's pages: the inspections drawn for me, starting one, recording findings.

An inspector sees only the inspections drawn for him (or handed to him by a supervisor) at the
posts he serves today; anyone else's inspection is answered 404, as if it did not exist. The use
cases decide the rest: only the assigned inspector may start or finish, and starting before an
older inspection waiting in his queue needs a written reason and is recorded as an exception.
An officer who thinks a declaration's channel is wrong asks a superior to change it, with a
reason (four eyes); the request is made from the declaration's or the inspection's page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from dostyk.domain.declarations import Channel, Declaration
from dostyk.domain.inspections import INSPECTOR_KINDS, Inspection
from dostyk.interchange.document_schemas import request_body
from dostyk.services.declaration_record import record_json
from dostyk.web import session
from dostyk.web.declarations import DeclarationId
from dostyk.web.forms import form_texts
from dostyk.web.policy import Grant, allow
from dostyk.web.principals import now
from dostyk.web.problems import not_found
from dostyk.web.templating import navigation, page

pages = APIRouter(tags=["inspections"])
api = APIRouter(prefix="/api/v1", tags=["inspections"])
routers = [pages, api]


def record_id(what: str) -> Any:
    """The path parameter of a record's id, spelled as the store's identifiers are."""
    return Path(
        min_length=1,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$",
        description=f"The {what}'s id.",
    )


InspectionId = record_id("inspection")

navigation("inspection.mine", "/inspections", "My inspections")
session.start_page("inspector", "/inspections")


class StartRequest(BaseModel):
    """Starting an inspection; the reason is needed only to start it out of turn."""

    reason: str | None = Field(
        default=None, max_length=2000, description="Written reason for starting out of turn."
    )


class OverrideRequest(BaseModel):
    """Asking a superior to change an assessed declaration's channel."""

    to_channel: Channel = Field(description="The channel asked for.")
    reason: str = Field(max_length=2000, description="Written reason, at least 10 characters.")


#: What a list of work shows of each declaration.
DECLARATION_SUMMARY = ("declaration_id", "post_code", "kind", "status", "channel", "lodged_at")


def declaration_summary(declaration: Declaration) -> dict[str, Any]:
    record = record_json(declaration)
    return {key: record[key] for key in (*DECLARATION_SUMMARY, "declarant_id")}


def _inspection_json(inspection: Inspection, declaration: Declaration) -> dict[str, Any]:
    state = "finished" if inspection.ended_at else "in progress" if inspection.started_at else ""
    return {
        **record_json(inspection),
        "state": state or "waiting",
        "declaration": declaration_summary(declaration),
    }


def _mine(request: Request, grant: Grant) -> dict[str, Any]:
    from dostyk.services.open_work import inspections_of

    posts = grant.posts()
    caller = grant.caller
    assert posts is not None, "an inspector serves at named posts"
    found = inspections_of(request.app.state.engine, caller.actor, posts)
    return {
        "inspector_id": caller.actor,
        "posts": sorted(posts),
        "inspections": [_inspection_json(o.inspection, o.declaration) for o in found],
    }


@pages.get("/inspections", include_in_schema=False)
def inspections_page(
    request: Request, grant: Annotated[Grant, allow("inspection.mine")]
) -> Response:
    return page(request, "inspection_list.html", _mine(request, grant))


@api.get("/inspections", summary="The inspections drawn for me and not finished, oldest first")
def inspections(
    request: Request, grant: Annotated[Grant, allow("inspection.mine")]
) -> dict[str, Any]:
    return _mine(request, grant)


def _own(request: Request, grant: Grant, inspection_id: str) -> tuple[Inspection, Declaration]:
    """The caller's own inspection at a post in his reach; 404 for anyone else's."""
    from dostyk.services.errors import NotFound
    from dostyk.services.open_work import open_inspection

    try:
        inspection, declaration = open_inspection(request.app.state.engine, inspection_id)
    except NotFound:
        raise not_found(f"no inspection {inspection_id} drawn for you") from None
    if inspection.inspector_id != grant.caller.actor or not grant.sees(declaration):
        raise not_found(f"no inspection {inspection_id} drawn for you")
    grant.post(declaration.post_code)
    return inspection, declaration


def _one(request: Request, grant: Grant, inspection_id: str) -> dict[str, Any]:
    from dostyk.services.declaration_record import read_declaration

    inspection, declaration = _own(request, grant, inspection_id)
    view = read_declaration(request.app.state.engine, declaration.declaration_id)
    return {
        "inspection": _inspection_json(inspection, declaration),
        "items": [record_json(item) for item in view.items],
        "findings": [record_json(f) for f in view.findings.get(inspection_id, [])],
        "finding_kinds": [kind.value for kind in INSPECTOR_KINDS],
    }


@pages.get("/inspections/{inspection_id}", include_in_schema=False)
def inspection_page(
    request: Request,
    inspection_id: Annotated[str, InspectionId],
    grant: Annotated[Grant, allow("inspection.mine")],
    rows: Annotated[int | None, Query(ge=1, le=99, description="Blank finding rows")] = None,
) -> Response:
    from dostyk.web.findings_form import row_count

    data = _one(request, grant, inspection_id)
    return page(request, "inspection.html", data, {"rows": row_count(rows)})


@api.get("/inspections/{inspection_id}", summary="One of my inspections, its items and findings")
def inspection(
    request: Request,
    inspection_id: Annotated[str, InspectionId],
    grant: Annotated[Grant, allow("inspection.mine")],
) -> dict[str, Any]:
    return _one(request, grant, inspection_id)


def _start(request: Request, grant: Grant, inspection_id: str, reason: str | None) -> Any:
    from dostyk.services.inspections import start_inspection

    _own(request, grant, inspection_id)
    return start_inspection(
        request.app.state.engine,
        inspection_id,
        actor=grant.caller.actor,
        at=now(request),
        reason=(reason or "").strip() or None,
    )


@pages.post("/inspections/{inspection_id}/start", include_in_schema=False)
async def start_page(
    request: Request,
    inspection_id: Annotated[str, InspectionId],
    grant: Annotated[Grant, allow("inspection.start")],
) -> Response:
    (reason,) = await form_texts(request, "reason")
    _start(request, grant, inspection_id, reason)
    return RedirectResponse(f"/inspections/{inspection_id}", status_code=303)


@api.post(
    "/inspections/{inspection_id}/start",
    summary="Start one of my inspections (a reason is needed to start it out of turn)",
)
def start(
    request: Request,
    inspection_id: Annotated[str, InspectionId],
    body: StartRequest,
    grant: Annotated[Grant, allow("inspection.start")],
) -> dict[str, Any]:
    started = _start(request, grant, inspection_id, body.reason)
    exception = started.queue_exception
    return {
        "inspection": record_json(started.inspection),
        "queue_exception": None if exception is None else record_json(exception),
    }


async def _finish(request: Request, grant: Grant, inspection_id: str) -> Any:
    from dostyk.services.inspections import finish_inspection
    from dostyk.web.findings_form import findings_from

    _own(request, grant, inspection_id)
    findings = await findings_from(await request.form(), inspection_id)
    return finish_inspection(
        request.app.state.engine, inspection_id, findings, actor=grant.caller.actor, at=now(request)
    )


@pages.post("/inspections/{inspection_id}/finish", include_in_schema=False)
async def finish_page(
    request: Request,
    inspection_id: Annotated[str, InspectionId],
    grant: Annotated[Grant, allow("inspection.finish")],
) -> Response:
    done = await _finish(request, grant, inspection_id)
    return RedirectResponse(f"/declarations/{done.inspection.declaration_id}", status_code=303)


#: The findings document ``dostyk inspection finish --findings`` reads (docs/lifecycle.md), its
#: schema generated from the findings table as the parser reads it.
FINDINGS_DOCUMENT = {"requestBody": request_body("findings")}


@api.post(
    "/inspections/{inspection_id}/finish",
    summary="Record the findings of one of my inspections and finish it",
    openapi_extra=FINDINGS_DOCUMENT,
)
async def finish(
    request: Request,
    inspection_id: Annotated[str, InspectionId],
    grant: Annotated[Grant, allow("inspection.finish")],
) -> dict[str, Any]:
    from dostyk.interchange.json_documents import parse_findings
    from dostyk.services.inspections import finish_inspection
    from dostyk.web.problems import FieldError, bad_request

    _own(request, grant, inspection_id)
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("the body is not UTF-8", [FieldError("", "not UTF-8 text")]) from None
    findings = parse_findings(text, "body", inspection_id)
    done = finish_inspection(
        request.app.state.engine, inspection_id, findings, actor=grant.caller.actor, at=now(request)
    )
    return {
        "inspection": record_json(done.inspection),
        "findings": [record_json(f) for f in done.findings],
    }


def _request_override(
    request: Request, grant: Grant, declaration_id: str, to_channel: str, reason: str
) -> Any:
    from dostyk.services.overrides import request_override
    from dostyk.web.declarations import declaration_record
    from dostyk.web.problems import FieldError, bad_request

    record = declaration_record(request, grant, declaration_id)
    grant.post(record["declaration"]["post_code"])
    try:
        channel = Channel(to_channel)
    except ValueError:
        choices = ", ".join(c.value for c in Channel)
        raise bad_request(
            "the channel asked for is not a channel",
            [FieldError("to_channel", f"one of {choices}")],
        ) from None
    return request_override(
        request.app.state.engine,
        declaration_id,
        channel,
        reason,
        actor=grant.caller.actor,
        at=now(request),
    )


@pages.post("/declarations/{declaration_id}/overrides", include_in_schema=False)
async def override_page(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("override.request")],
) -> Response:
    to_channel, reason = await form_texts(request, "to_channel", "reason")
    _request_override(request, grant, declaration_id, to_channel, reason)
    return RedirectResponse(f"/declarations/{declaration_id}", status_code=303)


@api.post(
    "/declarations/{declaration_id}/overrides",
    summary="Ask a superior to change an assessed declaration's channel, with the reason",
    status_code=201,
)
def request_override(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    body: OverrideRequest,
    grant: Annotated[Grant, allow("override.request")],
) -> dict[str, Any]:
    asked = _request_override(request, grant, declaration_id, body.to_channel.value, body.reason)
    return record_json(asked)
