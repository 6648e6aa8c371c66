"""The integrity report: one self-contained HTML file, charts included, readable offline.

Plotly's JavaScript is inlined from the installed ``plotly`` package (no CDN: an integrity unit's
laptop may be offline, and a report must not call out to anyone); every text from the store is
escaped by Jinja's autoescape.
"""

from __future__ import annotations

import json
import math
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from plotly.offline import get_plotlyjs

from dostyk.integrity.indicators import SUBJECT_KINDS
from dostyk.integrity.suite import SuiteResult

#: Subjects of each kind shown in full.
SHOWN = 20

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Dostyk integrity report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:70em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;
vertical-align:top;text-align:left}th{background:#f3f3f3}.n{text-align:right}
ul{margin:.2em 0;padding-left:1.2em}
</style>
<script>{{ plotly_js|safe }}</script>
</head><body>
<h1>Integrity report</h1>
<p>Computed {{ computed_at }} over the warehouse; {{ total }} subjects ranked.
Each score adds up the weight of evidence of the subject's indicators: log<sub>10</sub> of how
much likelier each figure is if he is corrupt than if he is honest, bounded by ±6; a negative
score is a record that speaks for him. See docs/integrity.md for every formula.</p>
{% for kind in kinds %}
<h2>{{ kind|capitalize }}s</h2>
<div id="chart-{{ kind }}" style="height:360px"></div>
<table><tr><th>#</th><th>subject</th><th>post</th><th class="n">score</th><th>evidence</th></tr>
{% for s in subjects[kind] %}
<tr><td class="n">{{ s.rank }}</td><td>{{ s.subject_id }}</td><td>{{ s.post_code or "" }}</td>
<td class="n">{{ "%.1f"|format(s.score) }}</td><td><ul>
{% for e in s.evidence[:4] %}<li>{{ e.words }}{% if e.p_value is not none %}
(p = {{ "%.2g"|format(e.p_value) }}{% if e.adds is not none %},
adds {{ "%+.2f"|format(e.adds) }}{% endif %}){% endif %}</li>{% endfor %}</ul></td></tr>
{% endfor %}</table>
{% endfor %}
{% if mirror.rows %}
<h2>Mirror analysis</h2>
<p>Partners' reported exports against the declared imports from them, per HS chapter and month
({{ mirror.months }}): FOB raised to CIF at {{ mirror.factor }}, each import dated
{{ mirror.transit }} days before its lodgement; the usual noise is {{ mirror.noise }}.
{{ mirror.gaps|length }} chapter-month{{ "" if mirror.gaps|length == 1 else "s" }} show a gap
(q &lt; {{ mirror.fdr }}).</p>
<div id="chart-mirror" style="height:360px"></div>
<table><tr><th>partner</th><th>chapter</th><th>month</th><th class="n">partner CIF, USD</th>
<th class="n">declared, USD</th><th class="n">gap, USD</th><th class="n">share</th>
<th class="n">z</th><th class="n">q</th><th class="n">mass gap</th></tr>
{% for r in mirror.rows %}<tr><td>{{ r.reporter }}</td><td>{{ r.chapter }}</td>
<td>{{ r.month }}</td><td class="n">{{ r.cif }}</td><td class="n">{{ r.declared }}</td>
<td class="n">{% if r.gap %}<b>{{ r.gap_text }}</b>{% else %}{{ r.gap_text }}{% endif %}</td>
<td class="n">{{ r.share }}</td><td class="n">{{ r.z }}</td><td class="n">{{ r.q }}</td>
<td class="n">{{ r.mass }}</td></tr>{% endfor %}</table>
{% for g in mirror.gaps %}
<h3>{{ g.reporter }}, chapter {{ g.chapter }}, {{ g.month }}</h3>
<p>{{ g.words }}</p>
<table><tr><th>who</th><th>subject</th><th class="n">declarations</th>
<th class="n">declared, USD</th><th class="n">at the partner's unit values</th>
<th class="n">ratio</th><th class="n">share of the gap</th>
<th class="n">heavier than declared</th></tr>
{% for d in g.carriers %}<tr><td>{{ d.subject_kind }}</td><td>{{ d.subject_id }}</td>
<td class="n">{{ d.declarations }}</td><td class="n">{{ d.declared }}</td>
<td class="n">{{ d.at_partner }}</td><td class="n">{{ d.ratio }}</td>
<td class="n">{{ d.share }}</td><td class="n">{{ d.mass_excess_declarations }}</td></tr>
{% endfor %}</table>
{% endfor %}
{% endif %}
{% if suggested %}
<h2>Relationships to check (undeclared)</h2>
<table><tr><th>officer</th><th>party</th><th>post</th><th class="n">inspections</th>
<th class="n">expected</th><th class="n">q</th></tr>
{% for r in suggested %}<tr><td>{{ r.officer_id }}</td><td>{{ r.party_id }}</td>
<td>{{ r.post_code }}</td><td class="n">{{ r.inspections }}</td>
<td class="n">{{ "%.1f"|format(r.expected) }}</td><td class="n">{{ "%.2g"|format(r.q_value) }}</td>
</tr>{% endfor %}</table>
{% endif %}
<script>
const charts = {{ charts|safe }};
for (const [id, figure] of Object.entries(charts)) {
  Plotly.newPlot(id, figure.data, figure.layout, {displaylogo: false, responsive: true});
}
</script>
</body></html>
"""


def _chart(kind: str, subjects: list[Any]) -> dict[str, Any]:
    top = subjects[:SHOWN]
    return {
        "data": [
            {
                "type": "bar",
                "x": [s.subject_id for s in top],
                "y": [s.score for s in top],
                "marker": {"color": "#b03a2e"},
                "hovertext": [s.evidence[0]["words"] if s.evidence else "" for s in top],
            }
        ],
        "layout": {
            "title": {"text": f"Top {len(top)} {kind}s by score"},
            "yaxis": {"title": {"text": "score"}},
            "margin": {"b": 120},
        },
    }


#: Subjects of each kind listed under a gap chapter-month, the largest valuation gap first.
CARRIERS = 5


def _percent(value: float) -> str:
    if value is None or math.isnan(value):
        return ""
    text = f"{value:.0%}"
    return "0%" if text == "-0%" else text


def _figure(value: float, digits: int) -> str:
    return "" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _mirror(result: SuiteResult) -> dict[str, Any]:
    """The mirror analysis as the template shows it: every chapter-month compared (largest gap
    first), and for each gap the posts, importers, brokers and inspectors that carry it."""
    mirror = result.mirror
    gaps = mirror.gaps
    ordered = gaps.sort_values(["gap", "gap_usd"], ascending=False, kind="mergesort")
    rows = [
        {
            **row,
            "cif": f"{row['partner_cif_usd']:,.0f}",
            "declared": f"{row['declared_usd']:,.0f}",
            "gap_text": f"{row['gap_usd']:,.0f}",
            "share": _percent(row["gap_share"]),
            "z": _figure(row["z_value"], 1),
            "q": _figure(row["q_value"], 3),
            "mass": _percent(row["gap_kg_share"]),
        }
        for row in ordered.head(SHOWN * 2).to_dict("records")
    ]
    drill = mirror.drilldown
    units = []
    for row in ordered[ordered["gap"].astype(bool)].to_dict("records"):
        mine = drill[
            (drill["reporter"] == row["reporter"])
            & (drill["chapter"] == row["chapter"])
            & (drill["month"] == row["month"])
        ]
        carriers = [
            {
                **d,
                "declared": f"{d['declared_usd']:,.0f}",
                "at_partner": f"{d['at_partner_usd']:,.0f}",
                "ratio": _figure(d["unit_value_ratio"], 2),
                "share": _percent(d["share_of_gap"]),
            }
            for kind in ("post", "importer", "broker", "inspector")
            for d in mine[mine["subject_kind"] == kind].head(CARRIERS).to_dict("records")
        ]
        units.append({**row, "carriers": carriers})
    return {
        "rows": rows,
        "gaps": units,
        "months": ", ".join(mirror.months),
        "factor": f"{mirror.settings.cif_fob_factor:.2f}",
        "transit": mirror.settings.transit_days,
        "fdr": mirror.settings.fdr,
        "noise": _percent(mirror.noise_value),
    }


def _mirror_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "data": [
            {
                "type": "bar",
                "x": [f"{r['reporter']} {r['chapter']} {r['month']}" for r in rows],
                "y": [r["gap_share"] for r in rows],
                "marker": {"color": ["#b03a2e" if r["gap"] else "#999999" for r in rows]},
                "hovertext": [r["words"] for r in rows],
            }
        ],
        "layout": {
            "title": {"text": "Partner's figure not declared, share (red: a gap)"},
            "yaxis": {"title": {"text": "gap / partner CIF"}, "tickformat": ".0%"},
            "margin": {"b": 120},
        },
    }


def _script_json(document: Any) -> str:
    """JSON safe inside a <script> element (no "</script>" can close it early)."""
    text = json.dumps(document, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(result: SuiteResult, computed_at: datetime | None = None) -> str:
    at = computed_at or datetime.now(UTC)
    by_kind = {kind: [s for s in result.subjects if s.kind == kind] for kind in SUBJECT_KINDS}
    kinds = [k for k in SUBJECT_KINDS if by_kind[k]]
    charts = {f"chart-{k}": _chart(k, by_kind[k]) for k in kinds}
    mirror = _mirror(result)
    if mirror["rows"]:
        charts["chart-mirror"] = _mirror_chart(mirror["rows"])
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return environment.from_string(TEMPLATE).render(
        plotly_js=get_plotlyjs(),
        computed_at=at.strftime("%Y-%m-%d %H:%M UTC"),
        total=len(result.subjects),
        kinds=kinds,
        subjects={k: by_kind[k][:SHOWN] for k in kinds},
        suggested=result.suggested[:50],
        mirror=mirror,
        charts=_script_json(charts),
    )


def write_html(result: SuiteResult, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(render(result), encoding="utf-8")
    os.replace(temporary, path)
    return path
