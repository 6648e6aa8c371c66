"""What the integrity unit's pages read besides the store: the analytics' Parquet outputs.

``dostyk integrity report`` (over the warehouse that ``dostyk warehouse build`` extracts) writes
``HOME/warehouse/integrity/ranking.parquet`` — one row per ranked subject with its score, rank and
evidence (a JSON list of indicators in words and numbers) — and ``indicators.parquet`` with every
indicator of every subject beside its peers'. The pages read them as they are; nothing here
computes an indicator.

No officer sees indicators about himself: every row whose ``officer_id`` is the reader's officer,
or whose subject is that officer, is left out before anything is shown or counted.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RANKING = Path("warehouse") / "integrity" / "ranking.parquet"
INDICATORS = Path("warehouse") / "integrity" / "indicators.parquet"
#: Officer–party pairs the network analysis ties together with no declared conflict.
SUGGESTED = Path("warehouse") / "integrity" / "suggested_relationships.parquet"
OFFICER_KINDS = frozenset({"inspector", "supervisor"})


@dataclass(frozen=True)
class Ranked:
    """The ranked list as the reader may see it."""

    built: bool
    computed_at: str | None
    subjects: list[dict[str, Any]]


def _plain(value: Any) -> Any:
    """A Parquet value as JSON can hold it (a NaN is no value)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "isoformat"):
        text: str = value.isoformat()
        return text.replace("+00:00", "Z")
    return value


def _about(row: dict[str, Any], reader: str | None) -> bool:
    """Whether the row is about the reader himself."""
    if reader is None:
        return False
    if row.get("officer_id") == reader:
        return True
    return row.get("subject_kind") in OFFICER_KINDS and row.get("subject_id") == reader


def _rows(path: Path) -> list[dict[str, Any]] | None:
    """The file's rows, None when the report has not written it; a file that is there but cannot
    be read (damaged, cut short) is a 503 that names it, not a bug's 500."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dostyk.web.problems import Problem

    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as error:
        raise Problem(
            503,
            f"{path} cannot be read ({error}); run `dostyk integrity report` to write it again",
            kind="analytics",
        ) from None
    return [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]


def _evidence(text: Any) -> list[dict[str, Any]]:
    if not isinstance(text, str) or not text:
        return []
    try:
        items = json.loads(text)
    except ValueError:
        return [{"indicator": "evidence", "words": text}]
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def ranking(home: Path, reader: str | None, kind: str | None = None) -> Ranked:
    rows = _rows(home / RANKING)
    if rows is None:
        return Ranked(False, None, [])
    shown = []
    for row in rows:
        if _about(row, reader) or (kind and row.get("subject_kind") != kind):
            continue
        row["evidence"] = _evidence(row.get("evidence"))
        shown.append(row)
    shown.sort(key=lambda r: (r.get("rank") is None, r.get("rank") or 0, str(r.get("subject_id"))))
    computed = max((str(r["computed_at"]) for r in rows if r.get("computed_at")), default=None)
    return Ranked(True, computed, shown)


def subject(
    home: Path, reader: str | None, kind: str, subject_id: str
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The subject's ranked row (if ranked) and all his indicators, both without what is about
    the reader."""
    ranked = [r for r in ranking(home, reader, kind).subjects if r.get("subject_id") == subject_id]
    rows = _rows(home / INDICATORS) or []
    indicators = [
        r
        for r in rows
        if r.get("subject_kind") == kind
        and r.get("subject_id") == subject_id
        and not _about(r, reader)
    ]
    indicators.sort(key=lambda r: str(r.get("indicator")))
    return (ranked[0] if ranked else None), indicators


def suggested(home: Path, reader: str | None) -> list[dict[str, Any]]:
    """Undeclared relationships the analysis suggests, for the unit to check (none about the
    reader); empty when the report has not written any."""
    rows = _rows(home / SUGGESTED) or []
    return [r for r in rows if reader is None or r.get("officer_id") != reader]


def evidence_chart(subject_id: str, indicators: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A Plotly figure: each indicator's value beside its peers', and how far off in sigmas."""
    named = [r for r in indicators if isinstance(r.get("value"), (int, float))]
    if not named:
        return None
    names = [str(r["indicator"]) for r in named]
    return {
        "element": "chart-indicators",
        "data": [
            {
                "type": "bar",
                "name": subject_id,
                "x": names,
                "y": [r.get("value") for r in named],
            },
            {
                "type": "bar",
                "name": "peers at the post",
                "x": names,
                "y": [r.get("peer_value") for r in named],
            },
            {
                "type": "scatter",
                "mode": "markers",
                "name": "z (right axis)",
                "x": names,
                "y": [r.get("z") for r in named],
                "yaxis": "y2",
            },
        ],
        "layout": {
            "title": {"text": f"{subject_id}: indicators against peers"},
            "barmode": "group",
            "yaxis": {"title": {"text": "value"}},
            "yaxis2": {"title": {"text": "z"}, "overlaying": "y", "side": "right"},
            "legend": {"orientation": "h"},
            "margin": {"t": 50, "b": 120},
        },
    }


def ranking_chart(subjects: list[dict[str, Any]], top: int = 20) -> dict[str, Any] | None:
    """A Plotly figure of the top subjects' scores."""
    head = [s for s in subjects if isinstance(s.get("score"), (int, float))][:top]
    if not head:
        return None
    return {
        "element": "chart-ranking",
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [s["score"] for s in head][::-1],
                "y": [f"{s['subject_kind']} {s['subject_id']}" for s in head][::-1],
            }
        ],
        "layout": {
            "title": {"text": f"The {len(head)} highest scores"},
            "margin": {"l": 160, "t": 50},
            "height": 120 + 22 * len(head),
        },
    }
