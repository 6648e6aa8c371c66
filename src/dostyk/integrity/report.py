"""The integrity report: one self-contained HTML file, charts included, readable offline.

Plotly's JavaScript is inlined from the installed ``plotly`` package (no CDN: an integrity unit's
laptop may be offline, and a report must not call out to anyone); every text from the store is
escaped by Jinja's autoescape.
"""

from __future__ import annotations

import json
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


def _script_json(document: Any) -> str:
    """JSON safe inside a <script> element (no "</script>" can close it early)."""
    text = json.dumps(document, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(result: SuiteResult, computed_at: datetime | None = None) -> str:
    at = computed_at or datetime.now(UTC)
    by_kind = {kind: [s for s in result.subjects if s.kind == kind] for kind in SUBJECT_KINDS}
    kinds = [k for k in SUBJECT_KINDS if by_kind[k]]
    charts = {f"chart-{k}": _chart(k, by_kind[k]) for k in kinds}
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return environment.from_string(TEMPLATE).render(
        plotly_js=get_plotlyjs(),
        computed_at=at.strftime("%Y-%m-%d %H:%M UTC"),
        total=len(result.subjects),
        kinds=kinds,
        subjects={k: by_kind[k][:SHOWN] for k in kinds},
        suggested=result.suggested[:50],
        charts=_script_json(charts),
    )


def write_html(result: SuiteResult, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(render(result), encoding="utf-8")
    os.replace(temporary, path)
    return path
