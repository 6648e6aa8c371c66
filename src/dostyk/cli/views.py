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

from sqlalchemy import Engine, Table

from dostyk.cli import terminal
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


def show_declaration(view: DeclarationView) -> None:
    d = view.declaration
    say = terminal.say
    say(
        "[bold]Declaration {}[/bold]  {} at {}  status [bold]{}[/bold]  channel [bold]{}[/bold]",
        d.declaration_id,
        d.kind,
        d.post_code,
        d.status,
        d.channel.value if d.channel else "not assessed",
    )
    parties = [f"declarant {d.declarant_id}", f"reference {d.reference}"]
    parties += [f"importer {d.importer_id}"] if d.importer_id else []
    parties += [f"exporter {d.exporter_id}"] if d.exporter_id else []
    parties += [f"manifest {d.manifest_id}"] if d.manifest_id else []
    say("{}; lodged {}", ", ".join(parties), instant(d.lodged_at))
    say("units: {}", ", ".join(view.units) or "none")
    items = terminal.table(
        "item",
        "commodity",
        "description",
        "origin",
        "net kg",
        "value",
        title=terminal.line("Items"),
        compact=True,
    )
    for item in view.items:
        items.add_row(
            item.item_no,
            item.commodity_code,
            item.description,
            item.origin,
            f"{item.net_mass_kg:,.1f}",
            f"{item.customs_value:,} {item.currency}",
        )
    items.show()
    steps = terminal.table(
        "#", "at (UTC)", "status", "by", "reason", title=terminal.line("History"), compact=True
    )
    for step in view.steps:
        steps.add_row(step.seq, instant(step.at), step.to_status, step.actor, step.reason or "")
    steps.show()
    for a in view.assessments:
        say(
            "risk assessment {}: {} by {} at {}; criteria: {}",
            a.assessment_id,
            a.channel,
            a.selector,
            instant(a.assessed_at),
            ", ".join(a.criteria) or "none fired",
        )
    for o in view.overrides:
        decided = f", {o.decision} by {o.decided_by}" if o.decided_by else f", {o.decision}"
        say(
            "override {}: {} → {} requested by {} ({}){}",
            o.override_id,
            o.from_channel,
            o.to_channel,
            o.requested_by,
            o.reason,
            decided,
        )
    for i in view.inspections:
        _show_inspection(i, view.findings[i.inspection_id])
    if view.duty_lines or view.extra_duty:
        say(
            "duties: {:,} duty, {:,} VAT, {:,} extra; total [bold]{:,}[/bold]",
            sum((x.duty for x in view.duty_lines), ZERO),
            sum((x.vat for x in view.duty_lines), ZERO),
            view.extra_duty,
            view.duties_total,
        )
    for p in view.payments:
        say("paid {:,} at {}, bank reference {}", p.amount, instant(p.paid_at), p.reference)
    for q in view.queue_exceptions:
        say(
            "served out of turn in the {} queue by {} at {}, ahead of {} ({})",
            q.queue,
            q.officer_id,
            instant(q.at),
            q.overtaken,
            q.reason,
        )


def _show_inspection(i: Inspection, findings: list[Any]) -> None:
    times = f"assigned {instant(i.assigned_at)}"
    times += f", started {instant(i.started_at)}" if i.started_at else ", not started"
    times += f", ended {instant(i.ended_at)}" if i.ended_at else ""
    terminal.say("inspection {} by {}: {}", i.inspection_id, i.inspector_id, times)
    if i.reassigned_from:
        terminal.say(
            "  reassigned from {} by {}: {}", i.reassigned_from, i.reassigned_by, i.reassign_reason
        )
    for f in findings:
        terminal.say(
            "  finding {}: {}{}: {}; extra duty {:,}{}",
            f.finding_no,
            f.kind,
            f" (item {f.item_no})" if f.item_no is not None else "",
            f.description,
            f.extra_duty,
            ", seized" if f.seized else "",
        )
    if i.ended_at and not findings:
        terminal.say("  nothing irregular found")
