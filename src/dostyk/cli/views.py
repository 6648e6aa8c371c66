"""``declaration show``: a declaration's whole record as a short summary (or ``--json``).

The record itself is read by :mod:`dostyk.services.declaration_record`, which the web app shows
too; :mod:`dostyk.cli.queues` shows a post's queues the same way.
"""

from __future__ import annotations

from typing import Any

from dostyk.cli import terminal
from dostyk.cli.acting import instant
from dostyk.domain.inspections import Inspection
from dostyk.services.declaration_record import (
    ZERO,
    DeclarationView,
    plain,
    read_declaration,
    record_json,
)

__all__ = ["DeclarationView", "plain", "read_declaration", "record_json", "show_declaration"]


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
