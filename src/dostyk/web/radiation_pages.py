"""The radiation operator's pages and API, and the post's view of the goods alarms hold.

``/posts/{post}/radiation`` lists the post's open and escalated alarms by lane (portal monitor)
and its recent history; ``/radiation/alarms/{alarm}`` is one alarm's record: the time profile of
the counts per panel as a Plotly chart (the served /static/plotly.min.js), every algorithm's
result, the adjudication's steps, the crossing, conveyance and declarations it holds, and the
form for the next step (CSRF-protected, through :func:`dostyk.services.radiation.adjudicate`).
``/posts/{post}/held`` is the post officers' list of conveyances held from release. Each page
has its JSON twin under /api/v1.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from dostyk.web import session
from dostyk.web.forms import form_texts
from dostyk.web.inspection_pages import record_id
from dostyk.web.policy import Grant, allow
from dostyk.web.post import PostCode
from dostyk.web.principals import now
from dostyk.web.problems import FieldError, bad_request, not_found
from dostyk.web.templating import navigation, page

pages = APIRouter(tags=["radiation"])
api = APIRouter(prefix="/api/v1", tags=["radiation"])
routers = [pages, api]

AlarmId = record_id("radiation alarm")

navigation("radiation.read", "/radiation", "Radiation")
session.start_page("radiation_operator", "/radiation")

#: Closed alarms shown in a post's history.
HISTORY = 50
STEPS = ("second_pass", "locate", "identify", "innocent", "escalate")


class Step(BaseModel):
    """One step of an alarm's adjudication; which fields it needs depends on the step."""

    kind: Literal["second_pass", "locate", "identify", "innocent", "escalate"] = Field(
        description="second_pass, locate, identify, innocent or escalate, in that order"
    )
    confirmed: bool | None = Field(None, description="second_pass: did the alarm come back")
    location: str | None = Field(None, max_length=2000, description="locate: where on the vehicle")
    nuclides: list[str] = Field(
        default_factory=list, max_length=20, description="identify: the nuclides found"
    )
    disposition: Literal["norm", "medical", "legal_shipment"] | None = Field(
        None, description="innocent: why"
    )
    note: str | None = Field(
        None, max_length=2000, description="the operator's words (innocent, escalate)"
    )


def _post_board(request: Request, grant: Grant, post_code: str) -> dict[str, Any]:
    from dostyk.domain.alarms import AlarmStatus
    from dostyk.services.radiation_view import alarm_json, alarms_at, held_at_post
    from dostyk.store.unit_of_work import UnitOfWork

    grant.post(post_code)
    engine = request.app.state.engine
    with UnitOfWork(engine) as uow:
        monitors = uow.portal_monitors.of_post(post_code)
    open_alarms = alarms_at(engine, [post_code], open_only=True)
    recent = [
        a
        for a in alarms_at(engine, [post_code], open_only=False, limit=HISTORY + len(open_alarms))
        if a.status not in (AlarmStatus.OPEN, AlarmStatus.ESCALATED)
    ][:HISTORY]
    by_lane: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for alarm in open_alarms:
        by_lane[alarm.monitor_id].append(alarm_json(alarm))
    return {
        "post_code": post_code,
        "lanes": [
            {
                "monitor_id": m.monitor_id,
                "lane": m.lane,
                "mode": m.mode.value,
                "open_alarms": by_lane.pop(m.monitor_id, []),
            }
            for m in monitors
        ],
        "open_alarms": [alarm_json(a) for a in open_alarms],
        "history": [alarm_json(a) for a in recent],
        "held": [h.to_json() for h in held_at_post(engine, post_code)],
    }


@pages.get("/radiation", include_in_schema=False)
def radiation_start(request: Request, grant: Annotated[Grant, allow("radiation.read")]) -> Response:
    """An operator at one post goes straight to its alarms; others choose among their posts."""
    from dostyk.services.radiation_view import monitored_posts

    posts = grant.posts()
    monitored = monitored_posts(request.app.state.engine)
    codes = [c for c in monitored if posts is None or c in posts]
    if len(codes) == 1:
        return RedirectResponse(f"/posts/{codes[0]}/radiation", status_code=303)
    return page(request, "radiation_choose.html", {"posts": codes})


@pages.get("/posts/{post_code}/radiation", include_in_schema=False)
def post_radiation_page(
    request: Request,
    post_code: Annotated[str, PostCode],
    grant: Annotated[Grant, allow("radiation.read")],
) -> Response:
    data = _post_board(request, grant, post_code)
    return page(request, "radiation_post.html", data)


@api.get(
    "/posts/{post_code}/radiation",
    summary="A post's open radiation alarms by lane, its recent history and the goods held",
)
def post_radiation(
    request: Request,
    post_code: Annotated[str, PostCode],
    grant: Annotated[Grant, allow("radiation.read")],
) -> dict[str, Any]:
    return _post_board(request, grant, post_code)


def _held(request: Request, grant: Grant, post_code: str) -> dict[str, Any]:
    from dostyk.services.radiation_view import held_at_post

    grant.post(post_code)
    held = held_at_post(request.app.state.engine, post_code)
    return {"post_code": post_code, "held": [h.to_json() for h in held]}


@pages.get("/posts/{post_code}/held", include_in_schema=False)
def held_page(
    request: Request,
    post_code: Annotated[str, PostCode],
    grant: Annotated[Grant, allow("radiation.held")],
) -> Response:
    return page(request, "radiation_held.html", _held(request, grant, post_code))


@api.get(
    "/posts/{post_code}/held",
    summary="Conveyances a radiation alarm holds from release at a post, with their declarations",
)
def held(
    request: Request,
    post_code: Annotated[str, PostCode],
    grant: Annotated[Grant, allow("radiation.held")],
) -> dict[str, Any]:
    return _held(request, grant, post_code)


def _record(request: Request, grant: Grant, alarm_id: str) -> dict[str, Any]:
    from dostyk.services.errors import NotFound
    from dostyk.services.radiation_view import alarm_record

    try:
        found = alarm_record(request.app.state.engine, alarm_id)
    except NotFound:
        raise not_found(f"no radiation alarm {alarm_id}") from None
    grant.post(found.alarm.post_code)
    return found.to_json()


def _chart(data: dict[str, Any]) -> dict[str, Any]:
    """The counts' time profile: gross counts per slice for each gamma panel, neutrons summed."""
    occupancy = data["occupancy"]
    step = occupancy["slice_seconds"]
    traces: list[dict[str, Any]] = []
    for panel, counts in zip(occupancy["gamma_panels"], occupancy["gross_counts"], strict=False):
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"gamma {panel}",
                "x": [round(i * step, 3) for i in range(len(counts))],
                "y": counts,
            }
        )
    neutrons = occupancy["neutron_counts"]
    if neutrons:
        traces.append(
            {
                "type": "bar",
                "name": "neutrons (all tubes)",
                "x": [round(i * step, 3) for i in range(len(neutrons))],
                "y": neutrons,
                "yaxis": "y2",
                "opacity": 0.5,
            }
        )
    layout = {
        "title": {
            "text": f"Counts per {step:g} s slice during occupancy {occupancy['occupancy_id']}"
        },
        "xaxis": {"title": {"text": "seconds into the occupancy"}},
        "yaxis": {"title": {"text": "gross gamma counts per slice"}},
        "yaxis2": {"title": {"text": "neutron counts"}, "overlaying": "y", "side": "right"},
        "legend": {"orientation": "h"},
        "margin": {"t": 48},
    }
    return {
        "figures": [{"element": "counts-profile", "data": traces, "layout": layout}],
        "config": {"displaylogo": False, "responsive": True},
    }


@pages.get("/radiation/alarms/{alarm_id}", include_in_schema=False)
def alarm_page(
    request: Request,
    alarm_id: Annotated[str, AlarmId],
    grant: Annotated[Grant, allow("radiation.read")],
) -> Response:
    data = _record(request, grant, alarm_id)
    may_adjudicate = grant.caller.account.role.value == "radiation_operator"
    return page(
        request,
        "radiation_alarm.html",
        data,
        {"charts": _chart(data), "may_adjudicate": may_adjudicate, "steps": STEPS},
    )


@api.get(
    "/radiation/alarms/{alarm_id}",
    summary="A radiation alarm's record: counts profile, every algorithm's result, its steps",
)
def alarm(
    request: Request,
    alarm_id: Annotated[str, AlarmId],
    grant: Annotated[Grant, allow("radiation.read")],
) -> dict[str, Any]:
    return _record(request, grant, alarm_id)


def _reach(request: Request, grant: Grant, alarm_id: str) -> None:
    """The alarm exists (404) and its post is in the caller's reach (403), before anything else
    of the request is looked at."""
    from dostyk.services.errors import NotFound
    from dostyk.services.radiation_view import alarm_post

    try:
        post_code = alarm_post(request.app.state.engine, alarm_id)
    except NotFound:
        raise not_found(f"no radiation alarm {alarm_id}") from None
    grant.post(post_code)


def _adjudicate(request: Request, grant: Grant, alarm_id: str, body: Step) -> dict[str, Any]:
    from dostyk.domain.alarms import Disposition, StepKind
    from dostyk.services import radiation
    from dostyk.services.radiation_view import alarm_json, step_json

    engine = request.app.state.engine
    _reach(request, grant, alarm_id)
    done = radiation.adjudicate(
        engine,
        alarm_id,
        StepKind(body.kind),
        actor=grant.caller.actor,
        at=now(request),
        confirmed=body.confirmed,
        location=body.location,
        nuclides=body.nuclides,
        disposition=None if body.disposition is None else Disposition(body.disposition),
        note=body.note,
    )
    return {"alarm": alarm_json(done.alarm), "step": step_json(done.step)}


@pages.post("/radiation/alarms/{alarm_id}/steps", include_in_schema=False)
async def adjudicate_page(
    request: Request,
    alarm_id: Annotated[str, AlarmId],
    grant: Annotated[Grant, allow("radiation.adjudicate")],
) -> Response:
    _reach(request, grant, alarm_id)
    kind, confirmed, location, nuclides, disposition, note = await form_texts(
        request, "kind", "confirmed", "location", "nuclides", "disposition", "note"
    )
    if kind not in STEPS:
        raise bad_request("choose a step", [FieldError("kind", f"one of {', '.join(STEPS)}")])
    if disposition and disposition not in ("norm", "medical", "legal_shipment"):
        raise bad_request(
            "choose why it is innocent",
            [FieldError("disposition", "norm, medical or legal_shipment")],
        )
    body = Step(
        kind=kind,  # type: ignore[arg-type]
        confirmed={"yes": True, "no": False}.get(confirmed),
        location=location or None,
        nuclides=[n.strip() for n in nuclides.replace(";", ",").split(",") if n.strip()],
        disposition=disposition or None,  # type: ignore[arg-type]
        note=note or None,
    )
    _adjudicate(request, grant, alarm_id, body)
    return RedirectResponse(f"/radiation/alarms/{alarm_id}", status_code=303)


@api.post(
    "/radiation/alarms/{alarm_id}/steps",
    summary="Record the next step of a radiation alarm's adjudication (radiation operator)",
)
def adjudicate(
    request: Request,
    alarm_id: Annotated[str, AlarmId],
    body: Step,
    grant: Annotated[Grant, allow("radiation.adjudicate")],
) -> dict[str, Any]:
    return _adjudicate(request, grant, alarm_id, body)
