"""The broker's API: lodge, list, read a declaration's state piece by piece, cancel.

Lodging takes the declaration document of docs/lifecycle.md as the command line does, parsed by
the same code. It is idempotent on the declarant's reference: the same document again answers
200 with the declaration first lodged, a new one 201. A declaration that breaks the rules is
still recorded, as rejected, and answered 422 with every reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from dostyk.domain.declarations import DeclarationStatus
from dostyk.interchange.document_schemas import request_body
from dostyk.services.declaration_record import instant, plain, record_json
from dostyk.store import tables as t
from dostyk.web import api_shapes as s
from dostyk.web.declarations import DeclarationId, declaration_record
from dostyk.web.policy import Grant, allow
from dostyk.web.principals import now
from dostyk.web.problems import FieldError, Problem

api = APIRouter(prefix="/api/v1", tags=["declarations"])
routers = [api]

LODGEMENT = s.obj(
    {
        "declaration": s.record(t.declarations),
        "accepted": {"type": "boolean"},
        "new": {"type": "boolean"},
        "reasons": s.array(s.TEXT),
    }
)


@api.post(
    "/declarations",
    summary="Lodge a declaration (idempotent on the declarant's reference)",
    status_code=201,
    response_model=None,
    responses={
        **s.answers(LODGEMENT, 201, "Lodged and accepted"),
        **s.answers(LODGEMENT, 200, "Lodged before under this reference; nothing new recorded"),
    },
    openapi_extra={"requestBody": request_body("declaration")},
)
def lodge(
    request: Request,
    grant: Annotated[Grant, allow("declaration.lodge")],
    text: Annotated[str, Depends(s.document_text)],
) -> JSONResponse:
    from dostyk.interchange.json_documents import parse_declaration
    from dostyk.services import declarations

    at = now(request)
    parsed = parse_declaration(text, s.BODY, lodged_at=at)
    lodged = declarations.lodge(
        request.app.state.engine,
        parsed.declaration,
        parsed.items,
        parsed.units,
        actor=grant.caller.actor,
        at=at,
    )
    d = lodged.declaration
    body = {
        "declaration": record_json(d),
        "accepted": lodged.accepted,
        "new": lodged.new,
        "reasons": list(lodged.reasons),
    }
    if not lodged.accepted:
        raise Problem(
            422,
            f"declaration {d.declaration_id} is recorded as rejected",
            errors=tuple(FieldError("declaration", reason) for reason in lodged.reasons),
            kind="rejected",
            extra=body,
        )
    location = {"Location": f"/api/v1/declarations/{d.declaration_id}"}
    return JSONResponse(body, status_code=201 if lodged.new else 200, headers=location)


PAGE = s.obj({"declarations": s.array(s.record(t.declarations)), "next_cursor": s.nullable(s.TEXT)})


@api.get(
    "/declarations",
    summary="Declarations within your reach, oldest lodgement first, one page at a time",
    response_model=None,
    responses=s.answers(PAGE),
)
def list_declarations(
    request: Request,
    grant: Annotated[Grant, allow("declaration.list")],
    status: DeclarationStatus | None = None,
    post: Annotated[str | None, Query(max_length=12, pattern=r"^[A-Z0-9]{1,12}$")] = None,
    lodged_from: Annotated[datetime | None, Query(alias="from")] = None,
    lodged_to: Annotated[datetime | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    from dostyk.services.lookups import list_declarations as read_page

    for name, moment in (("from", lodged_from), ("to", lodged_to)):
        if moment is not None and moment.tzinfo is None:
            raise Problem(422, f"{name} needs a time zone", errors=(FieldError(name, "no zone"),))
    principal = grant.caller
    parties = principal.scope.parties if principal.account.party_id is not None else frozenset()
    if parties:
        if post is not None:
            posts: frozenset[str] | None = frozenset({post})
        else:
            posts = None
    else:
        posts = grant.posts([post] if post else None)
    page = read_page(
        request.app.state.engine,
        posts=posts,
        parties=parties,
        status=status,
        since=lodged_from,
        until=lodged_to,
        cursor=cursor,
        limit=limit,
    )
    return {
        "declarations": [record_json(d) for d in page.declarations],
        "next_cursor": page.next_cursor,
    }


STATUS = s.obj(
    {
        "declaration_id": s.TEXT,
        "status": s.value_schema(t.declarations.c.status),
        "channel": s.value_schema(t.declarations.c.channel),
        "lodged_at": s.TEXT,
        "since": s.TEXT,
    }
)


@api.get(
    "/declarations/{declaration_id}/status",
    summary="A declaration's status and since when",
    response_model=None,
    responses=s.answers(STATUS),
)
def status_of(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("declaration.read")],
) -> dict[str, Any]:
    whole = declaration_record(request, grant, declaration_id)
    d = whole["declaration"]
    steps = whole["status_changes"]
    return {
        "declaration_id": d["declaration_id"],
        "status": d["status"],
        "channel": d["channel"],
        "lodged_at": d["lodged_at"],
        "since": steps[-1]["at"] if steps else d["lodged_at"],
    }


HISTORY = s.obj({"declaration_id": s.TEXT, "status_changes": s.array(s.record(t.status_changes))})


@api.get(
    "/declarations/{declaration_id}/history",
    summary="Every step of a declaration, in order",
    response_model=None,
    responses=s.answers(HISTORY),
)
def history(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("declaration.read")],
) -> dict[str, Any]:
    whole = declaration_record(request, grant, declaration_id)
    return {"declaration_id": declaration_id, "status_changes": whole["status_changes"]}


CHANNEL = s.obj(
    {
        "declaration_id": s.TEXT,
        "channel": s.value_schema(t.declarations.c.channel),
        "risk_assessments": s.array(s.record(t.risk_assessments)),
        "overrides": s.array(s.record(t.overrides)),
    }
)


@api.get(
    "/declarations/{declaration_id}/channel",
    summary="A declaration's channel, the assessments that set it and the overrides asked",
    response_model=None,
    responses=s.answers(CHANNEL),
)
def channel(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("declaration.read")],
) -> dict[str, Any]:
    whole = declaration_record(request, grant, declaration_id)
    return {
        "declaration_id": declaration_id,
        "channel": whole["declaration"]["channel"],
        "risk_assessments": whole["risk_assessments"],
        "overrides": whole["overrides"],
    }


POSITION = s.obj(
    {
        "declaration_id": s.TEXT,
        "queue": s.nullable({"type": "string", "enum": ["to_assign", "inspection", "release"]}),
        "position": s.nullable(s.INTEGER),
        "ahead": s.nullable(s.INTEGER),
        "waiting_minutes": s.nullable(s.INTEGER),
        "at": s.TEXT,
    }
)


@api.get(
    "/declarations/{declaration_id}/queue-position",
    summary="Where a declaration stands in its post's first-in-first-out queue",
    response_model=None,
    responses=s.answers(POSITION),
)
def queue_position(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("declaration.read")],
) -> dict[str, Any]:
    from dostyk.services import lookups
    from dostyk.services.queue_view import read_queues

    engine = request.app.state.engine
    declaration = grant.declaration(lookups.declaration(engine, declaration_id))
    at = now(request)
    answer: dict[str, Any] = {
        "declaration_id": declaration_id,
        "queue": None,
        "position": None,
        "ahead": None,
        "waiting_minutes": None,
        "at": instant(at),
    }
    if declaration.channel is None:
        return answer
    view = read_queues(engine, declaration.post_code, declaration.channel, at)
    for queue, rows in (
        ("to_assign", view.to_assign),
        ("inspection", view.inspections),
        ("release", view.releases),
    ):
        for row in rows:
            if row["declaration_id"] == declaration_id:
                answer.update(
                    queue=queue,
                    position=row["position"],
                    ahead=row["position"] - 1,
                    waiting_minutes=row["waiting_minutes"],
                )
                return answer
    return answer


@api.get(
    "/declarations/{declaration_id}/duties",
    summary="The duties assessed on a declaration: what is to be paid",
    response_model=None,
    responses=s.answers(s.DUTIES),
)
def duties(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("declaration.read")],
) -> dict[str, Any]:
    from dostyk.services import lookups, payments

    engine = request.app.state.engine
    grant.declaration(lookups.declaration(engine, declaration_id))
    return duties_json(payments.duties_due(engine, declaration_id))


def duties_json(due: Any) -> dict[str, Any]:
    """Duties as ``dostyk duties show --json`` prints them."""
    return {
        "declaration_id": due.declaration_id,
        "duty_lines": [record_json(line) for line in due.lines],
        "extra_duty": plain(due.extra_duty),
        "total": plain(due.total),
    }


class Reason(BaseModel):
    """A written reason, where the step takes one."""

    reason: str | None = Field(default=None, max_length=2000)


@api.post(
    "/declarations/{declaration_id}/cancellation",
    summary="The declarant withdraws his declaration",
    response_model=None,
    responses=s.answers(s.record(t.declarations)),
)
def cancel(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("declaration.cancel")],
    body: Reason | None = None,
) -> dict[str, Any]:
    from dostyk.services import declarations, lookups

    engine = request.app.state.engine
    grant.declaration(lookups.declaration(engine, declaration_id))
    reason = body.reason if body is not None else None
    cancelled = declarations.cancel(
        engine, declaration_id, actor=grant.caller.actor, at=now(request), reason=reason
    )
    return record_json(cancelled)
