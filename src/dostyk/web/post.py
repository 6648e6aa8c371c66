"""The post officer's pages: today's arrivals, registering a crossing, the queues, discrepancies.

Every page names its post in the path, and the grant admits only the posts the caller serves at
(403 for any other). A crossing is registered from the CLI's crossing document or, for a truck,
from a form written into that document and read by the same parser, so the errors name the same
fields. "Reconcile now" compares each of the day's movements with the declarations covering it.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from dostyk.services.declaration_record import instant, record_json
from dostyk.web import session
from dostyk.web.policy import Grant, allow
from dostyk.web.principals import now
from dostyk.web.problems import FieldError, bad_request
from dostyk.web.templating import navigation, page

pages = APIRouter(tags=["post"])
api = APIRouter(prefix="/api/v1", tags=["post"])
routers = [pages, api]

PostCode = Path(min_length=1, max_length=12, pattern=r"^[A-Z0-9]{1,12}$", description="A post.")

navigation("arrivals.read", "/post", "My post")
session.start_page("post_officer", "/post")


def _posts(request: Request, grant: Grant) -> dict[str, Any]:
    from dostyk.services.open_work import post_codes

    posts = grant.posts()
    codes = sorted(posts) if posts is not None else post_codes(request.app.state.engine)
    return {"posts": codes}


@pages.get("/post", include_in_schema=False)
def post_start(request: Request, grant: Annotated[Grant, allow("arrivals.read")]) -> Response:
    """An officer serving at one post goes straight to its arrivals; others choose."""
    data = _posts(request, grant)
    if len(data["posts"]) == 1:
        return RedirectResponse(f"/posts/{data['posts'][0]}/arrivals", status_code=303)
    return page(request, "post_choose.html", data)


# --- arrivals ----------------------------------------------------------------------------------


def _arrivals(request: Request, grant: Grant, post_code: str) -> dict[str, Any]:
    from dostyk.services.post_day import day_bounds, movements_of_day

    grant.post(post_code)
    at = now(request)
    start, end = day_bounds(at)
    movements = movements_of_day(request.app.state.engine, post_code, at)

    def unit(crossing: Any, vehicles: dict[str, Any]) -> dict[str, Any]:
        vehicle = vehicles.get(crossing.conveyance_id)
        return {
            **record_json(crossing),
            "kind": None if vehicle is None else vehicle.kind.value,
            "registration": None if vehicle is None else vehicle.registration,
            "tare_mass_kg": None if vehicle is None else vehicle.tare_mass_kg,
        }

    return {
        "post_code": post_code,
        "day_starts": instant(start),
        "day_ends": instant(end),
        "movements": [
            {**unit(m.crossing, m.conveyances), "units": [unit(u, m.conveyances) for u in m.units]}
            for m in movements
        ],
    }


@pages.get("/posts/{post_code}/arrivals", include_in_schema=False)
def arrivals_page(
    request: Request,
    post_code: Annotated[str, PostCode],
    grant: Annotated[Grant, allow("arrivals.read")],
) -> Response:
    from dostyk.web.policy import allowed

    data = _arrivals(request, grant, post_code)
    may_register = allowed(grant.caller, "crossing.register")
    return page(request, "post_arrivals.html", data, {"may_register": may_register})


@api.get(
    "/posts/{post_code}/arrivals",
    summary="Today's movements at a post: trains with their railcars, trucks; in and out",
)
def arrivals(
    request: Request,
    post_code: Annotated[str, PostCode],
    grant: Annotated[Grant, allow("arrivals.read")],
) -> dict[str, Any]:
    return _arrivals(request, grant, post_code)


# --- registering a crossing --------------------------------------------------------------------

NUMBER = re.compile(r"^\d+(\.\d+)?$")


def _truck_document(form: Any, post_code: str, at: str) -> str:
    """The crossing document of one truck, from the form (new trucks described as well)."""

    def text(name: str) -> str:
        value = form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def number(name: str) -> str | None:
        value = text(name)
        if not value:
            return None
        return value if NUMBER.match(value) else json.dumps(value)

    movement = {
        "crossing_id": json.dumps(text("crossing_id")),
        "post_code": json.dumps(post_code),
        "conveyance_id": json.dumps(text("conveyance_id")),
        "direction": json.dumps(text("direction")),
        "crossed_at": json.dumps(text("crossed_at") or at),
        "laden": "true" if text("laden") == "yes" else "false",
    }
    weighed = number("gross_mass_kg")
    if weighed is not None:
        movement["gross_mass_kg"] = weighed
    parts = ", ".join(f'"{k}": {v}' for k, v in movement.items())
    conveyances = ""
    if text("registration"):
        vehicle = {
            "conveyance_id": json.dumps(text("conveyance_id")),
            "kind": json.dumps("truck"),
            "registration": json.dumps(text("registration")),
            "country": json.dumps(text("country")),
        }
        if text("carrier_id"):
            vehicle["carrier_id"] = json.dumps(text("carrier_id"))
        tare = number("tare_mass_kg")
        if tare is not None:
            vehicle["tare_mass_kg"] = tare
        conveyances = (
            ', "conveyances": [{' + ", ".join(f'"{k}": {v}' for k, v in vehicle.items()) + "}]"
        )
    return '{"movement": {' + parts + "}" + conveyances + "}"


def _register(request: Request, grant: Grant, post_code: str, text: str, source: str) -> Any:
    from dostyk.interchange.json_documents import parse_crossing
    from dostyk.services.crossings import register_crossing

    grant.post(post_code)
    document = parse_crossing(text, source)
    if document.movement.post_code != post_code:
        raise bad_request(
            f"the document registers a crossing at {document.movement.post_code}, not here",
            [FieldError("movement.post_code", f"must be {post_code}")],
        )
    return register_crossing(
        request.app.state.engine,
        document.movement,
        document.units,
        document.conveyances,
        actor=grant.caller.actor,
        at=now(request),
    )


@pages.post("/posts/{post_code}/crossings", include_in_schema=False)
async def register_page(
    request: Request,
    post_code: Annotated[str, PostCode],
    grant: Annotated[Grant, allow("crossing.register")],
) -> Response:
    form = await request.form()
    upload = form.get("document")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        raw = await upload.read(4 * 1024 * 1024)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise bad_request(
                "the document is not UTF-8 text", [FieldError("document", "not UTF-8")]
            ) from None
        _register(request, grant, post_code, text, upload.filename)
    else:
        text = _truck_document(form, post_code, instant(now(request)))
        _register(request, grant, post_code, text, "form")
    return RedirectResponse(f"/posts/{post_code}/arrivals", status_code=303)


# --- queues ------------------------------------------------------------------------------------


def _queues(request: Request, grant: Grant, post_code: str) -> dict[str, Any]:
    from dostyk.services.queue_view import read_queues

    grant.post(post_code)
    return read_queues(request.app.state.engine, post_code, None, now(request)).to_json()


@pages.get("/posts/{post_code}/queues", include_in_schema=False)
def queues_page(
    request: Request,
    post_code: Annotated[str, PostCode],
    grant: Annotated[Grant, allow("queue.read")],
) -> Response:
    return page(request, "post_queues.html", _queues(request, grant, post_code))


# --- reconciliation ----------------------------------------------------------------------------


def _discrepancies(request: Request, grant: Grant, post_code: str) -> dict[str, Any]:
    from dostyk.services.post_day import day_bounds, discrepancies_of_day

    grant.post(post_code)
    at = now(request)
    start, end = day_bounds(at)
    found = discrepancies_of_day(request.app.state.engine, post_code, at)
    return {
        "post_code": post_code,
        "day_starts": instant(start),
        "day_ends": instant(end),
        "discrepancies": [record_json(d) for d in found],
    }


@pages.get("/posts/{post_code}/discrepancies", include_in_schema=False)
def discrepancies_page(
    request: Request,
    post_code: Annotated[str, PostCode],
    grant: Annotated[Grant, allow("reconciliation.read")],
) -> Response:
    from dostyk.web.policy import allowed

    data = _discrepancies(request, grant, post_code)
    may_run = allowed(grant.caller, "reconciliation.run")
    return page(request, "post_discrepancies.html", data, {"may_run": may_run})


@api.get(
    "/posts/{post_code}/discrepancies",
    summary="Today's discrepancies at a post between what crossed, was manifested and declared",
)
def discrepancies(
    request: Request,
    post_code: Annotated[str, PostCode],
    grant: Annotated[Grant, allow("reconciliation.read")],
) -> dict[str, Any]:
    return _discrepancies(request, grant, post_code)


@pages.post("/posts/{post_code}/reconciliation", include_in_schema=False)
def reconcile_page(
    request: Request,
    post_code: Annotated[str, PostCode],
    grant: Annotated[Grant, allow("reconciliation.run")],
) -> Response:
    """Reconcile every movement that crossed at the post today."""
    from dostyk.services.post_day import movements_of_day
    from dostyk.services.reconciliation import reconcile

    grant.post(post_code)
    engine = request.app.state.engine
    at = now(request)
    for movement in movements_of_day(engine, post_code, at):
        reconcile(engine, movement.crossing.crossing_id, actor=grant.caller.actor, at=at)
    return RedirectResponse(f"/posts/{post_code}/discrepancies", status_code=303)
