"""``declaration show``: a declaration's whole record, read in one transaction.

The view is read on a connection that never writes, and is available both as JSON (records under
their data package column names, values in their canonical spelling) and as a short Rich summary.
:mod:`dostyk.cli.queues` shows a post's queues the same way.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from rich.box import SIMPLE_HEAD
from rich.console import Console
from rich.table import Table as RichTable
from sqlalchemy import Engine, Table

from dostyk.cli.acting import instant
from dostyk.domain.declarations import Declaration, DeclarationStatus
from dostyk.domain.inspections import Inspection
from dostyk.domain.money import to_amount
from dostyk.services.errors import NotFound
from dostyk.store import repositories as r
from dostyk.store import tables as t
from dostyk.store.canonical import codec
from dostyk.store.records import DOMAIN_TYPES

ZERO = Decimal("0.00")


def plain(value: Any) -> Any:
    """A value as JSON holds it: instants and decimals as their canonical text."""
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return value


#: The table each domain type is stored in, for the canonical spelling of its decimals.
TABLE_OF: dict[type[Any], Table] = {
    domain: t.metadata.tables[name] for name, domain in DOMAIN_TYPES.items()
}


def record_json(record: Any) -> dict[str, Any]:
    """A domain record as an object of its fields (the data package's column names).

    Decimals are spelled as the data package spells them: amounts with two places, rates and
    quantities in their shortest form.
    """
    table = TABLE_OF.get(type(record))
    document = {}
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if isinstance(value, Decimal) and table is not None and field.name in table.columns:
            document[field.name] = codec(table.columns[field.name])[0](value)
        else:
            document[field.name] = plain(value)
    return document


@dataclass(frozen=True)
class DeclarationView:
    declaration: Declaration
    units: list[str]
    items: list[Any]
    steps: list[Any]
    assessments: list[Any]
    overrides: list[Any]
    inspections: list[Inspection]
    findings: dict[str, list[Any]]
    duty_lines: list[Any]
    payments: list[Any]
    queue_exceptions: list[Any]

    @property
    def extra_duty(self) -> Decimal:
        found = [f.extra_duty for fs in self.findings.values() for f in fs]
        return to_amount(sum(found, ZERO))

    @property
    def duties_total(self) -> Decimal:
        return to_amount(sum((line.total for line in self.duty_lines), ZERO) + self.extra_duty)

    def to_json(self) -> dict[str, Any]:
        duties_assessed = bool(self.duty_lines) or any(
            step.to_status is DeclarationStatus.DUTIES_ASSESSED for step in self.steps
        )
        return {
            "declaration": record_json(self.declaration),
            "units": self.units,
            "items": [record_json(item) for item in self.items],
            "status_changes": [record_json(step) for step in self.steps],
            "risk_assessments": [record_json(a) for a in self.assessments],
            "overrides": [record_json(o) for o in self.overrides],
            "inspections": [
                {
                    **record_json(inspection),
                    "findings": [record_json(f) for f in self.findings[inspection.inspection_id]],
                }
                for inspection in self.inspections
            ],
            "duties": {
                "assessed": duties_assessed,
                "duty_lines": [record_json(line) for line in self.duty_lines],
                "extra_duty": plain(self.extra_duty),
                "total": plain(self.duties_total),
            },
            "payments": [record_json(p) for p in self.payments],
            "queue_exceptions": [record_json(q) for q in self.queue_exceptions],
        }


def read_declaration(engine: Engine, declaration_id: str) -> DeclarationView:
    with engine.connect() as c:
        declaration: Declaration | None = r.Declarations(c).get(declaration_id)
        if declaration is None:
            raise NotFound("declaration", declaration_id)
        inspections: list[Inspection] = r.Inspections(c).of(declaration_id)
        findings = r.Findings(c)
        steps = r.StatusChanges(c).of(declaration_id)
        return DeclarationView(
            declaration=declaration,
            units=[u.crossing_id for u in r.DeclarationUnits(c).of(declaration_id)],
            items=r.DeclarationItems(c).of(declaration_id),
            steps=sorted(steps, key=lambda step: step.seq),
            assessments=r.RiskAssessments(c).of(declaration_id),
            overrides=r.Overrides(c).of(declaration_id),
            inspections=inspections,
            findings={i.inspection_id: findings.of(i.inspection_id) for i in inspections},
            duty_lines=r.DutyLines(c).of(declaration_id),
            payments=r.Payments(c).of(declaration_id),
            queue_exceptions=r.QueueExceptions(c).of(declaration_id),
        )


def show_declaration(console: Console, view: DeclarationView) -> None:
    d = view.declaration
    channel = d.channel.value if d.channel else "not assessed"
    console.print(
        f"[bold]Declaration {d.declaration_id}[/bold]  {d.kind} at {d.post_code}  "
        f"status [bold]{d.status}[/bold]  channel [bold]{channel}[/bold]"
    )
    parties = [f"declarant {d.declarant_id}", f"reference {d.reference}"]
    parties += [f"importer {d.importer_id}"] if d.importer_id else []
    parties += [f"exporter {d.exporter_id}"] if d.exporter_id else []
    parties += [f"manifest {d.manifest_id}"] if d.manifest_id else []
    console.print(", ".join(parties) + f"; lodged {instant(d.lodged_at)}", highlight=False)
    console.print(f"units: {', '.join(view.units) or 'none'}", highlight=False)
    items = RichTable(
        "item",
        "commodity",
        "description",
        "origin",
        "net kg",
        "value",
        title="Items",
        box=SIMPLE_HEAD,
    )
    for item in view.items:
        value = f"{item.customs_value:,} {item.currency}"
        items.add_row(
            str(item.item_no),
            item.commodity_code,
            item.description,
            item.origin,
            f"{item.net_mass_kg:,.1f}",
            value,
        )
    console.print(items)
    steps = RichTable("#", "at (UTC)", "status", "by", "reason", title="History", box=SIMPLE_HEAD)
    for column in steps.columns[:4]:
        column.no_wrap = True
    for step in view.steps:
        steps.add_row(
            str(step.seq), instant(step.at), str(step.to_status), step.actor, step.reason or ""
        )
    console.print(steps)
    for a in view.assessments:
        criteria = ", ".join(a.criteria) or "none fired"
        console.print(
            f"risk assessment {a.assessment_id}: {a.channel} by {a.selector} at "
            f"{instant(a.assessed_at)}; criteria: {criteria}",
            highlight=False,
        )
    for o in view.overrides:
        decided = f", {o.decision} by {o.decided_by}" if o.decided_by else f", {o.decision}"
        console.print(
            f"override {o.override_id}: {o.from_channel} → {o.to_channel} requested by "
            f"{o.requested_by} ({o.reason}){decided}",
            highlight=False,
        )
    for i in view.inspections:
        _show_inspection(console, i, view.findings[i.inspection_id])
    if view.duty_lines or view.extra_duty:
        console.print(
            f"duties: {sum((x.duty for x in view.duty_lines), ZERO):,} duty, "
            f"{sum((x.vat for x in view.duty_lines), ZERO):,} VAT, {view.extra_duty:,} extra; "
            f"total [bold]{view.duties_total:,}[/bold]"
        )
    for p in view.payments:
        console.print(
            f"paid {p.amount:,} at {instant(p.paid_at)}, bank reference {p.reference}",
            highlight=False,
        )
    for q in view.queue_exceptions:
        console.print(
            f"served out of turn in the {q.queue} queue by {q.officer_id} at {instant(q.at)}, "
            f"ahead of {q.overtaken} ({q.reason})",
            highlight=False,
        )


def _show_inspection(console: Console, i: Inspection, findings: list[Any]) -> None:
    times = f"assigned {instant(i.assigned_at)}"
    times += f", started {instant(i.started_at)}" if i.started_at else ", not started"
    times += f", ended {instant(i.ended_at)}" if i.ended_at else ""
    console.print(f"inspection {i.inspection_id} by {i.inspector_id}: {times}", highlight=False)
    if i.reassigned_from:
        console.print(
            f"  reassigned from {i.reassigned_from} by {i.reassigned_by}: {i.reassign_reason}",
            highlight=False,
        )
    for f in findings:
        item = f" (item {f.item_no})" if f.item_no is not None else ""
        seized = ", seized" if f.seized else ""
        console.print(
            f"  finding {f.finding_no}: {f.kind}{item}: {f.description}; extra duty "
            f"{f.extra_duty:,}{seized}",
            highlight=False,
        )
    if i.ended_at and not findings:
        console.print("  nothing irregular found")
