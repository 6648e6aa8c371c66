"""The programme manager's figures, as Plotly figure documents (data and layout) built from the
report's JSON.

The pages carry them in ``<script type="application/json">`` and static/programme.js draws them
(the Content-Security-Policy forbids inline scripts). Every figure is drawn with
:data:`~dostyk.web.assets.PLOTLY_OFFLINE_CONFIG`, so the map's topojson comes from Dostyk itself.
"""

from __future__ import annotations

from typing import Any

from dostyk.web.assets import KAZAKHSTAN_GEO

#: How the posts on the national map are coloured.
COLOURINGS = ("throughput", "rollout")
CHANNEL_COLOURS = {
    "green": "#2e7d32",
    "yellow": "#f9a825",
    "red": "#c62828",
    "unassessed": "#9e9e9e",
}


def _figure(element: str, data: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    base = {"margin": {"l": 50, "r": 20, "t": 40, "b": 40}, "legend": {"orientation": "h"}}
    return {"element": element, "data": data, "layout": {**base, **layout}}


def _label(post: dict[str, Any]) -> str:
    rollout = post["electronic_since"] or "not yet"
    funder = post["rpm_funder"] or "none"
    return (
        f"{post['post_code']} {post['name']}<br>declarations {post['totals']['declarations']}, "
        f"{post['totals']['tonnes']} t<br>electronic since {rollout}<br>"
        f"portal monitor lanes {post['rpm_lanes']} ({funder})"
    )


def posts_map(posts: list[dict[str, Any]], colour_by: str, end: str) -> dict[str, Any]:
    """The posts at their coordinates, coloured by declarations in the period or by rollout."""
    layout = {"geo": KAZAKHSTAN_GEO, "title": {"text": f"Posts by {colour_by}"}, "height": 520}

    def trace(chosen: list[dict[str, Any]], name: str, marker: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "scattergeo",
            "name": name,
            "lat": [p["latitude"] for p in chosen],
            "lon": [p["longitude"] for p in chosen],
            "text": [_label(p) for p in chosen],
            "customdata": [p["post_code"] for p in chosen],
            "hoverinfo": "text",
            "mode": "markers",
            "marker": {"size": 9, **marker},
        }

    if colour_by == "rollout":
        live = [p for p in posts if p["electronic_since"] and p["electronic_since"] <= end]
        not_yet = [p for p in posts if p not in live]
        data = [
            trace(live, f"electronic by {end}", {"color": "#1565c0"}),
            trace(not_yet, "not yet electronic", {"color": "#9e9e9e"}),
        ]
    else:
        marker = {
            "color": [p["totals"]["declarations"] for p in posts],
            "colorscale": "Viridis",
            "showscale": True,
            "colorbar": {"title": {"text": "declarations"}},
        }
        data = [trace(posts, "declarations in the period", marker)]
    return _figure("posts-map", data, layout)


def post_charts(post: dict[str, Any]) -> list[dict[str, Any]]:
    """A post's daily series: throughput, dwell median and 90th percentile, channel mix."""
    days = post["days"]
    x = [day["day"] for day in days]
    dated = {"xaxis": {"type": "date", "tickformat": "%d %b"}}
    throughput = _figure(
        "chart-throughput",
        [
            {
                "type": "bar",
                "name": "railcars",
                "x": x,
                "y": [d["railcars_in"] + d["railcars_out"] for d in days],
            },
            {
                "type": "bar",
                "name": "trucks",
                "x": x,
                "y": [d["trucks_in"] + d["trucks_out"] for d in days],
            },
            {"type": "bar", "name": "declarations", "x": x, "y": [d["declarations"] for d in days]},
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "tonnes",
                "x": x,
                "y": [d["tonnes"] for d in days],
                "yaxis": "y2",
            },
        ],
        {
            **dated,
            "title": {"text": "Throughput per day"},
            "barmode": "group",
            "yaxis": {"title": {"text": "count"}, "rangemode": "tozero"},
            "yaxis2": {
                "title": {"text": "tonnes"},
                "overlaying": "y",
                "side": "right",
                "rangemode": "tozero",
            },
        },
    )
    dwell = _figure(
        "chart-dwell",
        [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": name,
                "x": x,
                "y": [d["dwell"][key] for d in days],
                "connectgaps": False,
            }
            for name, key in (("median", "median_hours"), ("90th percentile", "p90_hours"))
        ],
        {
            **dated,
            "title": {"text": "Dwell from lodgement to release (hours)"},
            "yaxis": {"title": {"text": "hours"}, "rangemode": "tozero"},
        },
    )
    mix = _figure(
        "chart-channels",
        [
            {
                "type": "bar",
                "name": channel,
                "x": x,
                "y": [d["channels"][channel] for d in days],
                "marker": {"color": colour},
            }
            for channel, colour in CHANNEL_COLOURS.items()
        ],
        {
            **dated,
            "title": {"text": "Channel mix of the declarations lodged"},
            "barmode": "stack",
            "yaxis": {"title": {"text": "declarations"}, "rangemode": "tozero"},
        },
    )
    return [throughput, dwell, mix]
