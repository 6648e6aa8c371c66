"""The Ibis expressions every indicator starts from, over the warehouse's tables.

Everything heavy (joins, per-subject aggregates over millions of declarations) is an Ibis
expression here or in an indicator module, so it runs on whichever backend the warehouse is open
on; only the per-subject aggregates (thousands of rows) come back to Python for the statistics.
"""

from __future__ import annotations

from typing import Any

import ibis
import pandas as pd

from dostyk.warehouse.backends import Warehouse


def fetch(expression: Any) -> pd.DataFrame:
    """Execute an expression; rows in a stable order (by every column) so backends compare."""
    frame: pd.DataFrame = expression.to_pandas()
    if len(frame.columns) and len(frame):
        frame = frame.sort_values(list(frame.columns), kind="mergesort").reset_index(drop=True)
    return frame


def first_assessments(w: Warehouse, of: Any | None = None) -> Any:
    """Each declaration's first risk assessment: the channel and criteria risk chose, before any
    override; with ``of`` (a table with a ``declaration_id``), of those declarations only.

    Ranking every assessment of ten million declarations is the dearest step of the indicators
    that start from the finished inspections, and only about half of the declarations were
    inspected: restricted first, the ranking and the rewriting of the criteria see half the rows.
    """
    r = w.table("risk_assessments")
    if of is not None:
        r = r.semi_join(of, r.declaration_id == of.declaration_id)
    ranked = r.mutate(
        n=ibis.row_number().over(
            group_by=r.declaration_id, order_by=[r.assessed_at, r.assessment_id]
        )
    )
    first = ranked.filter(ranked.n == 0)
    return first.select(
        "declaration_id",
        risk_channel=first.channel,
        # The random draw's record ("random:green@size=N") names the ledger size it drew at;
        # without it the criteria say which rules fired and which way the draw went.
        criteria=_without_size(first.criteria.fill_null("")),
        score=first.score,
    )


def _without_size(criteria: Any) -> Any:
    """The criteria without the ledger size a random draw names (``@size=N``): the regular
    expression runs only on the few criteria that hold one."""
    return ibis.cases(
        (criteria.contains("@size="), criteria.re_replace(r"@size=[0-9]+", "")),
        else_=criteria,
    )


def finished_inspections(w: Warehouse) -> Any:
    """Finished inspections, each with its declaration, risk, findings and extra duty found
    (computed once per warehouse)."""
    return w.kept("finished_inspections", lambda: _finished_inspections(w))


def _finished_inspections(w: Warehouse) -> Any:
    i = w.table("inspections")
    f = w.table("findings")
    d = w.table("declarations")
    found = f.group_by("inspection_id").aggregate(findings=f.count(), extra_duty=f.extra_duty.sum())
    done = i.filter(i.ended_at.notnull())
    joined = done.left_join(found, done.inspection_id == found.inspection_id).select(
        done.inspection_id,
        done.declaration_id,
        done.inspector_id,
        done.reassigned_from,
        done.reassigned_by,
        done.assigned_at,
        done.ended_at,
        done.draw,
        findings=found.findings.fill_null(0),
        extra_duty=found.extra_duty.fill_null(0.0),
    )
    withdecl = joined.join(d, joined.declaration_id == d.declaration_id).select(
        joined,
        d.post_code,
        d.declarant_id,
        d.importer_id,
        d.lodged_at,
    )
    risk = first_assessments(w, of=done.select("declaration_id"))
    return withdecl.left_join(risk, withdecl.declaration_id == risk.declaration_id).select(
        withdecl,
        risk_channel=risk.risk_channel.fill_null("unknown"),
        criteria=risk.criteria.fill_null(""),
        score=risk.score.fill_null(0.0),
    )


def releases(w: Warehouse) -> Any:
    """Each released declaration's release time (its last step to ``released``)."""

    def make() -> Any:
        s = w.table("status_changes")
        r = s.filter(s.to_status == "released")
        return r.group_by("declaration_id").aggregate(released_at=r.at.max())

    return w.kept("releases", make)


def mass_excess(w: Warehouse) -> Any:
    """Declarations the weighbridge or track scale found heavier than declared."""

    def make() -> Any:
        z = w.table("discrepancies")
        m = z.filter((z.kind == "mass_excess") & z.declaration_id.notnull())
        return m.group_by("declaration_id").aggregate(mass_excess=m.count())

    return w.kept("mass_excess", make)


def seconds(later: Any, earlier: Any) -> Any:
    return (later.epoch_seconds() - earlier.epoch_seconds()).cast("float64")


def left_add(table: Any, other: Any, key: str) -> Any:
    """``table`` with ``other``'s columns added by a left join on ``key`` (nulls where none)."""
    joined = table.left_join(other, table[key] == other[key])
    extra = [other[c] for c in other.columns if c != key]
    return joined.select(*[table[c] for c in table.columns], *extra)
