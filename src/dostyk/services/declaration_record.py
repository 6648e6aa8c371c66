"""A declaration's whole record, read in one transaction, and records as JSON holds them.

Every entrance shows the same view: ``declaration show`` on the command line, the web page and its
JSON twin. It is read on a connection that never writes; records appear under their data package
column names, values in their canonical spelling.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Engine, Table

from dostyk.domain.declarations import Declaration, DeclarationStatus
from dostyk.domain.inspections import Inspection
from dostyk.domain.money import to_amount
from dostyk.services.errors import NotFound
from dostyk.store import repositories as r
from dostyk.store import tables as t
from dostyk.store.canonical import codec, encode_instant
from dostyk.store.records import DOMAIN_TYPES


def instant(value: datetime | None) -> str:
    """An instant as the store writes it (UTC, trailing Z); empty for none."""
    return "" if value is None else encode_instant(value)


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
