"""A store's declarations as the model learns from them: facts, outcomes and how each was chosen.

Read once, in bulk, for training and evaluation (O(history), never on the live path): every
assessed declaration with its items, units, release time, the outcome of its inspection (a
finding, the extra duty assessed) and its assessment (channel, criteria, selection probability).
:func:`replay` then walks them in time order through a :class:`~dostyk.risk.features.HistoryBook`
so each declaration's features are what the running statistics held when it was assessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select

from dostyk.domain.declarations import DeclarationStatus
from dostyk.risk.features import HistoryBook, feature_row
from dostyk.store import tables as t
from dostyk.store.outcomes import cents
from dostyk.store.risk_tables import risk_decisions


@dataclass
class Case:
    """One assessed declaration."""

    declaration_id: str
    lodged_at: datetime
    released_at: datetime | None
    facts: dict[str, Any]
    items: list[dict[str, Any]]
    channel: str
    criteria: tuple[str, ...]
    #: Recorded selection probability (None for assessments made before it was recorded).
    probability: float | None
    random_share: float | None
    inspected: bool = False
    found: bool = False
    extra_cents: int = 0
    features: dict[str, Any] = field(default_factory=dict)

    @property
    def random(self) -> bool:
        """Whether the random share drew it for inspection."""
        return any(
            c.startswith("random:") and not c.startswith("random:green") for c in self.criteria
        )

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(c for c in self.criteria if c.startswith("rule:"))


def load(engine: Engine, posts: Sequence[str] | None = None) -> list[Case]:
    """Every assessed declaration of the store (at ``posts`` only, if given), oldest first."""
    d, p, i, a = t.declarations.c, t.posts.c, t.declaration_items.c, t.risk_assessments.c
    wanted = [] if posts is None else list(posts)
    with engine.connect() as connection:
        query = (
            select(
                d.declaration_id,
                d.kind,
                d.post_code,
                d.declarant_id,
                d.importer_id,
                d.exporter_id,
                d.lodged_at,
                p.neighbour_country,
                p.mode,
            )
            .join(t.posts, p.code == d.post_code)
            .where(d.channel.is_not(None))
        )
        if wanted:
            query = query.where(d.post_code.in_(wanted))
        cases: dict[str, Case] = {}
        for row in connection.execute(query):
            cases[row.declaration_id] = Case(
                row.declaration_id,
                row.lodged_at,
                None,
                {
                    "declaration.kind": str(row.kind),
                    "post.code": row.post_code,
                    "post.neighbour": row.neighbour_country,
                    "post.mode": str(row.mode),
                    "importer.id": row.importer_id,
                    "declarant.id": row.declarant_id,
                    "seller.id": row.exporter_id,
                },
                [],
                "green",
                (),
                None,
                None,
            )
        for item_row in connection.execute(
            select(
                i.declaration_id,
                i.commodity_code,
                i.origin,
                i.customs_value,
                i.exchange_rate,
                i.net_mass_kg,
                i.gross_mass_kg,
            ).order_by(i.declaration_id, i.item_no)
        ):
            case = cases.get(item_row.declaration_id)
            if case is None:
                continue
            value = float(Decimal(item_row.customs_value) * Decimal(item_row.exchange_rate))
            net = float(item_row.net_mass_kg)
            case.items.append(
                {
                    "item.code": item_row.commodity_code,
                    "item.chapter": item_row.commodity_code[:2],
                    "item.heading": item_row.commodity_code[:4],
                    "item.hs6": item_row.commodity_code[:6],
                    "item.origin": item_row.origin,
                    "item.value": value,
                    "item.net_mass_kg": net,
                    "item.gross_mass_kg": float(item_row.gross_mass_kg),
                    "item.value_per_kg": value / net if net > 0 else None,
                }
            )
        units: dict[str, int] = dict(
            connection.execute(
                select(t.declaration_units.c.declaration_id, func.count()).group_by(
                    t.declaration_units.c.declaration_id
                )
            ).all()
        )
        s = t.status_changes.c
        for declaration_id, at in connection.execute(
            select(s.declaration_id, s.at).where(s.to_status == DeclarationStatus.RELEASED.value)
        ):
            if declaration_id in cases:
                cases[declaration_id].released_at = at
        ins, f = t.inspections.c, t.findings.c
        for declaration_id, findings, extra in connection.execute(
            select(ins.declaration_id, func.count(f.finding_no), func.sum(f.extra_duty))
            .select_from(t.inspections.outerjoin(t.findings, f.inspection_id == ins.inspection_id))
            .where(ins.ended_at.is_not(None))
            .group_by(ins.declaration_id)
        ):
            case = cases.get(declaration_id)
            if case is not None:
                case.inspected, case.found = True, int(findings) > 0
                case.extra_cents = cents(extra or 0)
        r = risk_decisions.c
        for assessed in connection.execute(
            select(a.declaration_id, a.channel, a.criteria, r.selection_probability, r.random_share)
            .outerjoin(risk_decisions, r.assessment_id == a.assessment_id)
            .order_by(a.declaration_id, a.assessed_at)
        ):
            case = cases.get(assessed.declaration_id)
            if case is not None:  # the latest assessment decides
                case.channel = str(assessed.channel)
                case.criteria = tuple(c for c in (assessed.criteria or "").split("|") if c)
                case.probability = assessed.selection_probability
                case.random_share = assessed.random_share
    for case in cases.values():
        count = units.get(case.declaration_id, 0)
        gross = sum(item["item.gross_mass_kg"] for item in case.items)
        case.facts.update(
            {
                "declaration.items": len(case.items),
                "declaration.value": sum(item["item.value"] for item in case.items),
                "declaration.gross_mass_kg": gross,
                "units.count": count,
                "load.per_unit_kg": gross / count if count else None,
            }
        )
    return sorted(cases.values(), key=lambda c: (c.lodged_at, c.declaration_id))


Outcome = Callable[[Case], tuple[bool, bool, int]]


def recorded(case: Case) -> tuple[bool, bool, int]:
    """What the store says inspecting it found."""
    return case.inspected, case.found, case.extra_cents


def replay(cases: Iterable[Case], outcome: Outcome = recorded) -> list[Case]:
    """Set each case's features as of its lodgement, counting releases in time order with the
    outcome ``outcome`` gives (the store's own by default)."""
    ordered = list(cases)
    events: list[tuple[datetime, int, int]] = []
    for n, case in enumerate(ordered):
        events.append((case.lodged_at, 1, n))
        if case.released_at is not None:
            events.append((case.released_at, 0, n))
    events.sort()
    book = HistoryBook()
    for _, kind, n in events:
        case = ordered[n]
        if kind == 1:
            facts, items = book.complete(case.facts, case.items)
            case.features = feature_row(facts, items, book.histories)
        else:
            inspected, found, extra = outcome(case)
            book.released(
                case.facts, case.items, inspected=inspected, found=found, extra_cents=extra
            )
    return ordered
