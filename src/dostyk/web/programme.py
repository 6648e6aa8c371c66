"""The programme manager's pages: site reports per post and day, with a map of the posts.

The national overview lists every post in the reader's reach (every post for headquarters, his
region's for a regional chief) with its figures for a chosen period — sortable by any of them —
and draws the posts on a map coloured by throughput or by the rollout of the electronic system.
A post's page shows its daily series: throughput, dwell time (median and 90th percentile) and
channel mix. The figures come from :mod:`dostyk.services.site_report`, which reads a bounded
period through the indexes; the charts are Plotly figures drawn by static/programme.js.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import StringConstraints

from dostyk.services import site_report as sr
from dostyk.web import session
from dostyk.web.assets import PLOTLY_OFFLINE_CONFIG
from dostyk.web.policy import Grant, allow
from dostyk.web.principals import now
from dostyk.web.programme_charts import COLOURINGS, post_charts, posts_map
from dostyk.web.templating import navigation, page

pages = APIRouter(tags=["programme"])
api = APIRouter(prefix="/api/v1", tags=["programme"])
routers = [pages, api]

navigation("programme.read", "/programme", "Programme")
session.start_page("programme_manager", "/programme")

#: What the overview's table sorts by: the column's key and how to read it from a post's JSON.
SORTS: dict[str, Any] = {
    "post": lambda p: p["post_code"],
    "name": lambda p: p["name"],
    "region": lambda p: p["region"],
    "railcars": lambda p: p["totals"]["railcars_in"] + p["totals"]["railcars_out"],
    "trucks": lambda p: p["totals"]["trucks_in"] + p["totals"]["trucks_out"],
    "declarations": lambda p: p["totals"]["declarations"],
    "tonnes": lambda p: p["totals"]["tonnes"],
    "value": lambda p: float(p["totals"]["value"]),
    "dwell_median": lambda p: p["dwell"]["median_hours"],
    "dwell_p90": lambda p: p["dwell"]["p90_hours"],
    "rpm_lanes": lambda p: p["rpm_lanes"],
    "electronic_since": lambda p: p["electronic_since"],
}
SortKey = Literal[
    "post",
    "name",
    "region",
    "railcars",
    "trucks",
    "declarations",
    "tonnes",
    "value",
    "dwell_median",
    "dwell_p90",
    "rpm_lanes",
    "electronic_since",
]

Start = Query(description="First local day of the period (default: six days before the end).")
End = Query(description="Last local day of the period (default: today at the post).")
#: A post's code as a filter gives it; the form's field may be left blank.
AskedPost = Annotated[str, StringConstraints(max_length=12, pattern=r"^([A-Z0-9-]{2,12})?$")]
Posts = Query(description="Only these posts (repeatable; a blank one is ignored).")
PostCode = Path(max_length=12, pattern=r"^[A-Z0-9-]{2,12}$", description="The post's code.")


def _period(request: Request, start: date | None, end: date | None) -> sr.Period:
    last = end or (now(request) + timedelta(hours=sr.UTC_OFFSET_HOURS)).date()
    first = start or sr.Period.ending(last).start
    return sr.Period.checked(first, last)


def _period_json(period: sr.Period) -> dict[str, Any]:
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "days": period.days,
        "max_days": sr.MAX_DAYS,
        "utc_offset_hours": sr.UTC_OFFSET_HOURS,
    }


def _sorted(posts: list[dict[str, Any]], sort: str, order: str) -> list[dict[str, Any]]:
    """Posts in the asked order; posts without the figure (no dwell yet, never electronic) last."""
    key = SORTS[sort]
    present = [p for p in posts if key(p) is not None]
    absent = [p for p in posts if key(p) is None]
    present.sort(key=lambda p: (key(p), p["post_code"]), reverse=order == "desc")
    return present + absent


def _overview(
    request: Request,
    grant: Grant,
    asked: list[str] | None,
    start: date | None,
    end: date | None,
    sort: str,
    order: str,
) -> dict[str, Any]:
    reach = grant.posts([code for code in asked or () if code] or None)
    engine = request.app.state.engine
    period = _period(request, start, end)
    report = sr.site_report(engine, sr.posts(engine, reach), period)
    posts = _sorted([p.as_json(with_days=False) for p in report], sort, order)
    return {
        "period": _period_json(period),
        "reach": grant.caller.reach_text,
        "sort": sort,
        "order": order,
        "posts": posts,
    }


def _post(
    request: Request, grant: Grant, code: str, start: date | None, end: date | None
) -> dict[str, Any]:
    engine = request.app.state.engine
    period = _period(request, start, end)
    (report,) = sr.site_report(engine, sr.posts(engine, [grant.post(code)]), period)
    return {"period": _period_json(period), **report.as_json(with_days=True)}


def _figures(figures: list[dict[str, Any]]) -> dict[str, Any]:
    return {"config": PLOTLY_OFFLINE_CONFIG, "figures": figures}


@pages.get("/programme", include_in_schema=False)
def overview_page(
    request: Request,
    grant: Annotated[Grant, allow("programme.read")],
    post: Annotated[list[AskedPost] | None, Posts] = None,
    start: Annotated[date | None, Start] = None,
    end: Annotated[date | None, End] = None,
    sort: SortKey = "post",
    order: Literal["asc", "desc"] = "asc",
    colour: Literal["throughput", "rollout"] = "throughput",
) -> Response:
    data = _overview(request, grant, post, start, end, sort, order)
    chart = posts_map(data["posts"], colour, data["period"]["end"])
    context = {"colour": colour, "colourings": COLOURINGS, "charts": _figures([chart])}
    return page(request, "programme_overview.html", data, context)


@api.get(
    "/programme",
    summary="Each post's throughput, dwell, channel mix, equipment and rollout over a period",
)
def overview(
    request: Request,
    grant: Annotated[Grant, allow("programme.read")],
    post: Annotated[list[AskedPost] | None, Posts] = None,
    start: Annotated[date | None, Start] = None,
    end: Annotated[date | None, End] = None,
    sort: SortKey = "post",
    order: Literal["asc", "desc"] = "asc",
) -> dict[str, Any]:
    return _overview(request, grant, post, start, end, sort, order)


@pages.get("/programme/posts/{code}", include_in_schema=False)
def post_page(
    request: Request,
    grant: Annotated[Grant, allow("programme.read")],
    code: Annotated[str, PostCode],
    start: Annotated[date | None, Start] = None,
    end: Annotated[date | None, End] = None,
) -> Response:
    data = _post(request, grant, code, start, end)
    return page(request, "programme_post.html", data, {"charts": _figures(post_charts(data))})


@api.get(
    "/programme/posts/{code}",
    summary="One post's daily throughput, dwell median and 90th percentile, and channel mix",
)
def post_days(
    request: Request,
    grant: Annotated[Grant, allow("programme.read")],
    code: Annotated[str, PostCode],
    start: Annotated[date | None, Start] = None,
    end: Annotated[date | None, End] = None,
) -> dict[str, Any]:
    return _post(request, grant, code, start, end)
