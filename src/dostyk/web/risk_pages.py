"""The risk analyst's pages and API: rule profiles and their versions, models and their figures,
hit rates and revenue per channel, and rule, model and random selection over time per post.

Every page has its JSON twin at the same path under /api/v1; the charts are Plotly figures in
the page's data, drawn by static/charts.js from the served plotly.min.js.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from dostyk.web.policy import Grant, allow
from dostyk.web.templating import navigation, page

pages = APIRouter(tags=["risk"])
api = APIRouter(prefix="/api/v1", tags=["risk"])
routers = [pages, api]

navigation("risk.read", "/risk", "Risk")

PostFilter = Query(
    max_length=12, pattern=r"^[A-Z0-9][A-Z0-9-]{1,11}$", description="Only this post's figures."
)
COLOURS = {"model": "#1f6f8b", "rules": "#c77d00", "random": "#6b6b6b"}


def _charts(performance: dict[str, Any]) -> list[dict[str, Any]]:
    channels = performance["channels"]
    names = list(channels)
    figures: list[dict[str, Any]] = [
        {
            "element": "risk-channels",
            "data": [
                {
                    "type": "bar",
                    "x": names,
                    "y": [channels[c]["hit_rate"] for c in names],
                    "name": "hit rate",
                    "marker": {"color": ["#2e7d32", "#c9a400", "#b71c1c"][: len(names)]},
                }
            ],
            "layout": {
                "title": {"text": "Hit rate of inspections per channel"},
                "yaxis": {"tickformat": ".0%"},
                "height": 320,
            },
        },
        {
            "element": "risk-revenue",
            "data": [
                {
                    "type": "bar",
                    "x": names,
                    "y": [float(channels[c]["revenue"]) for c in names],
                    "name": "extra duty",
                }
            ],
            "layout": {"title": {"text": "Revenue recovered per channel (KZT)"}, "height": 320},
        },
    ]
    series: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in performance["weeks"]:
        series.setdefault((row["post"], row["source"]), []).append(row)
    figures.append(
        {
            "element": "risk-weeks",
            "data": [
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": f"{post} {source}",
                    "x": [r["week"] for r in rows],
                    "y": [r["hit_rate"] for r in rows],
                    "line": {"color": COLOURS[source]},
                }
                for (post, source), rows in sorted(series.items())
            ],
            "layout": {
                "title": {"text": "Hit rate per week: rules, model and random selection per post"},
                "yaxis": {"tickformat": ".0%"},
                "height": 380,
            },
        }
    )
    return figures


def _risk(request: Request, grant: Grant, post: str | None) -> dict[str, Any]:
    from dostyk.risk.performance import performance
    from dostyk.services import risk_admin
    from dostyk.services.selectivity import default_profile

    engine = request.app.state.engine
    posts = None if post is None else [grant.post(post)]
    if posts is None and grant.caller.scope.posts is not None:
        posts = sorted(grant.caller.scope.posts)
    state = risk_admin.selectivity(engine)
    default = default_profile()
    figures = performance(engine, posts)
    return {
        "post": post,
        "active": {"rules": state.rules_version, "model": state.model_version},
        "profiles": [
            {
                "version": default.version,
                "name": default.name,
                "rules": [
                    {
                        "name": r.name,
                        "version": r.version,
                        "channel": str(r.channel),
                        "when": r.when,
                    }
                    for r in default.rules
                ],
                "loaded_at": None,
                "loaded_by": "shipped",
                "sha256": default.digest,
            }
        ]
        + [
            {
                "version": p.version,
                "name": p.name,
                "rules": p.rules,
                "loaded_at": p.loaded_at.isoformat(),
                "loaded_by": p.loaded_by,
                "sha256": p.digest,
            }
            for p in state.profiles
        ],
        "models": [
            {
                "model_version": m.model_version,
                "trained_at": m.trained_at.isoformat(),
                "trained_by": m.trained_by,
                "labelled": m.labelled,
                "figures": json.loads(m.figures),
            }
            for m in state.models
        ],
        **figures,
        "charts": _charts(figures),
    }


@pages.get("/risk", include_in_schema=False)
def risk_page(
    request: Request,
    grant: Annotated[Grant, allow("risk.read")],
    post: Annotated[str | None, PostFilter] = None,
) -> Response:
    return page(request, "risk.html", _risk(request, grant, post))


@api.get("/risk", summary="Rule profiles, models, hit rates and revenue per channel, per week")
def risk_figures(
    request: Request,
    grant: Annotated[Grant, allow("risk.read")],
    post: Annotated[str | None, PostFilter] = None,
) -> dict[str, Any]:
    return _risk(request, grant, post)
