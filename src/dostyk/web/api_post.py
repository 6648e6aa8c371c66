"""The post's API: register a crossing, reconcile a movement, the queues, the daily figures.

Each names a post, which must be one the caller serves at (his region, or every post for
headquarters); another post is answered 403, since post codes are public knowledge.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from dostyk.interchange.document_schemas import request_body
from dostyk.services.declaration_record import record_json
from dostyk.store import tables as t
from dostyk.web import api_shapes as s
from dostyk.web.policy import Grant, allow
from dostyk.web.principals import now
from dostyk.web.problems import FieldError, Problem

api = APIRouter(prefix="/api/v1", tags=["posts"])
routers = [api]

#: Hours Kazakhstan's local time is ahead of UTC, all year: a post's day is its local day.
UTC_OFFSET_HOURS = 5

CrossingId = Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
PostCode = Path(min_length=1, max_length=12, pattern=r"^[A-Z0-9]{1,12}$")

REGISTERED = s.obj(
    {
        "movement": s.record(t.crossings),
        "units": s.array(s.record(t.crossings)),
        "conveyances_added": s.array(s.TEXT),
        "discrepancies": s.array(s.record(t.discrepancies)),
    }
)
RECONCILED = s.obj(
    {
        "movement_crossing_id": s.TEXT,
        "discrepancies": s.array(s.record(t.discrepancies)),
        "added": s.INTEGER,
    }
)
_ASSIGN = {
    "channel": s.TEXT,
    "position": s.INTEGER,
    "declaration_id": s.TEXT,
    "assessed_at": s.TEXT,
    "waiting_minutes": s.INTEGER,
}
_INSPECT = {
    "inspector_id": s.TEXT,
    "channel": s.TEXT,
    "position": s.INTEGER,
    "inspection_id": s.TEXT,
    "declaration_id": s.TEXT,
    "assigned_at": s.TEXT,
    "waiting_minutes": s.INTEGER,
}
_RELEASE = {
    "channel": s.TEXT,
    "position": s.INTEGER,
    "declaration_id": s.TEXT,
    "declarant_id": s.TEXT,
    "paid_at": s.TEXT,
    "waiting_minutes": s.INTEGER,
}
QUEUES = s.obj(
    {
        "post_code": s.TEXT,
        "at": s.TEXT,
        "to_assign": s.array(s.obj(_ASSIGN)),
        "inspections": s.array(s.obj(_INSPECT)),
        "releases": s.array(s.obj(_RELEASE)),
    }
)
_FIGURES = {
    "post_code": s.TEXT,
    "day": s.TEXT,
    **{
        name: s.INTEGER
        for name in (
            "railcars_in",
            "railcars_out",
            "trucks_in",
            "trucks_out",
            "empty_returns",
            "passenger_trains",
            "declarations",
        )
    },
    "tonnes": {"type": "number"},
    "value": s.AMOUNT,
}
STATS = s.obj({"days": s.array(s.obj(_FIGURES))})


@api.post(
    "/crossings",
    summary="Register a movement with its units and any conveyances new to the register",
    status_code=201,
    response_model=None,
    responses=s.answers(REGISTERED, 201, "Registered"),
    openapi_extra={"requestBody": request_body("crossing")},
)
def register_crossing(
    request: Request,
    grant: Annotated[Grant, allow("crossing.register")],
    text: Annotated[str, Depends(s.document_text)],
) -> JSONResponse:
    from dostyk.interchange.json_documents import parse_crossing
    from dostyk.services import crossings

    parsed = parse_crossing(text, s.BODY)
    grant.post(parsed.movement.post_code)
    done = crossings.register_crossing(
        request.app.state.engine,
        parsed.movement,
        parsed.units,
        parsed.conveyances,
        actor=grant.caller.actor,
        at=now(request),
    )
    body = {
        "movement": record_json(done.movement),
        "units": [record_json(u) for u in done.units],
        "conveyances_added": list(done.conveyances_added),
        "discrepancies": [record_json(d) for d in done.discrepancies],
    }
    location = {"Location": f"/api/v1/crossings/{done.movement.crossing_id}"}
    return JSONResponse(body, status_code=201, headers=location)


@api.post(
    "/crossings/{crossing_id}/reconciliation",
    summary="Compare a movement's units and manifests with the declarations covering them",
    response_model=None,
    responses=s.answers(RECONCILED),
)
def reconcile(
    request: Request,
    crossing_id: Annotated[str, CrossingId],
    grant: Annotated[Grant, allow("reconciliation.run")],
) -> dict[str, Any]:
    from dostyk.services import lookups, reconciliation

    engine = request.app.state.engine
    grant.post(lookups.crossing(engine, crossing_id).post_code)
    done = reconciliation.reconcile(engine, crossing_id, actor=grant.caller.actor, at=now(request))
    return {
        "movement_crossing_id": done.movement_crossing_id,
        "discrepancies": [record_json(d) for d in done.discrepancies],
        "added": done.added,
    }


@api.get(
    "/posts/{post_code}/queues",
    summary="A post's first-in-first-out queues: to assign, inspections, releases",
    response_model=None,
    responses=s.answers(QUEUES),
)
def queues(
    request: Request,
    post_code: Annotated[str, PostCode],
    grant: Annotated[Grant, allow("queue.read")],
    channel: Literal["green", "yellow", "red"] | None = None,
) -> dict[str, Any]:
    from dostyk.domain.declarations import Channel
    from dostyk.services.queue_view import read_queues

    grant.post(post_code)
    chosen = Channel(channel) if channel else None
    view = read_queues(request.app.state.engine, post_code, chosen, now(request))
    return view.to_json()


@api.get(
    "/stats",
    summary="Daily figures per post (local days): crossings, declarations, tonnes, value",
    response_model=None,
    responses=s.answers(STATS),
)
def stats(
    request: Request,
    grant: Annotated[Grant, allow("stats.read")],
    post: Annotated[list[str] | None, Query(max_length=20)] = None,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    from dostyk.services.figures import daily_figures

    if first is not None and last is not None and first > last:
        raise Problem(422, "from is after to", errors=(FieldError("from", "after to"),))
    for code in post or ():
        if not re.fullmatch(r"[A-Z0-9]{1,12}", code):
            raise Problem(422, f"{code!r} is not a post code", errors=(FieldError("post", code),))
    posts = grant.posts(post)
    figures = daily_figures(
        request.app.state.engine,
        offset_hours=UTC_OFFSET_HOURS,
        posts=None if posts is None else sorted(posts),
        start=first,
        end=last,
    )
    return {"days": [f.as_json() for f in figures]}
