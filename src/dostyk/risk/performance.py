"""How selectivity has done, for the risk analyst: hit rates and revenue per channel, and per post
and week what the rules, the model and the random share each selected and found.

An analyst's report, read in a few grouped queries over the assessments and inspections (not a
live path: no declaration waits for it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select

from dostyk.store import tables as t

SOURCES = ("model", "rules", "random")


def source_of(criteria: str | None) -> str | None:
    """Which selector sent a declaration to inspection: the model, a rule, or the random draw."""
    parts = [c for c in (criteria or "").split("|") if c]
    if any(c.startswith("model:") for c in parts):
        return "model"
    if any(c.startswith("rule:") for c in parts):
        return "rules"
    if any(c.startswith("random:") and not c.startswith("random:green") for c in parts):
        return "random"
    return None


@dataclass
class Tally:
    assessed: int = 0
    inspected: int = 0
    found: int = 0
    revenue: Decimal = Decimal("0.00")

    def as_dict(self) -> dict[str, Any]:
        return {
            "assessed": self.assessed,
            "inspected": self.inspected,
            "found": self.found,
            "hit_rate": self.found / self.inspected if self.inspected else None,
            "revenue": f"{self.revenue:.2f}",
        }


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def performance(engine: Engine, posts: Iterable[str] | None = None) -> dict[str, Any]:
    """Per channel, and per post, week and source: assessed, inspected, found, revenue."""
    a, d, i, f = t.risk_assessments.c, t.declarations.c, t.inspections.c, t.findings.c
    wanted = None if posts is None else sorted(posts)
    with engine.connect() as connection:
        query = select(a.declaration_id, a.assessed_at, a.channel, a.criteria, d.post_code).join(
            t.declarations, d.declaration_id == a.declaration_id
        )
        if wanted is not None:
            query = query.where(d.post_code.in_(wanted))
        latest: dict[str, tuple[Any, ...]] = {}
        for row in connection.execute(query.order_by(a.assessed_at)):
            latest[row.declaration_id] = tuple(row)
        outcome: dict[str, tuple[bool, Decimal]] = {}
        for declaration_id, findings, extra in connection.execute(
            select(i.declaration_id, func.count(f.finding_no), func.sum(f.extra_duty))
            .select_from(t.inspections.outerjoin(t.findings, f.inspection_id == i.inspection_id))
            .where(i.ended_at.is_not(None))
            .group_by(i.declaration_id)
        ):
            outcome[declaration_id] = (int(findings) > 0, Decimal(str(extra or 0)))
    channels: dict[str, Tally] = defaultdict(Tally)
    weekly: dict[tuple[str, date, str], Tally] = defaultdict(Tally)
    for declaration_id, assessed_at, channel, criteria, post in latest.values():
        tallies = [channels[str(channel)]]
        source = source_of(criteria)
        if source is not None:
            tallies.append(weekly[(post, monday(assessed_at.date()), source)])
        inspected = declaration_id in outcome
        found, extra = outcome.get(declaration_id, (False, Decimal(0)))
        for tally in tallies:
            tally.assessed += 1
            tally.inspected += int(inspected)
            tally.found += int(found)
            tally.revenue += extra
    return {
        "channels": {c: channels[c].as_dict() for c in ("green", "yellow", "red") if c in channels},
        "weeks": [
            {"post": post, "week": week.isoformat(), "source": source, **tally.as_dict()}
            for (post, week, source), tally in sorted(weekly.items())
        ],
    }
