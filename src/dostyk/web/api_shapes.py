"""The shapes of the API's answers, generated from the tables, and its document bodies.

An answer holds records as :func:`~dostyk.services.declaration_record.record_json` spells them:
each record's fields under their column names, decimals and instants as their canonical text,
enums as their value. Their schemas come from the same columns (and, for the few fields a domain
type keeps as a tuple, from its type), so the description cannot drift from what is sent.

A request that carries a lifecycle document is read as its raw text and parsed by the same code
as the command line's (:mod:`dostyk.interchange.json_documents`): exact decimals, every error
located by its JSON path.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from sqlalchemy import Boolean, Column, Double, Integer, Table

from dostyk.store import tables as t
from dostyk.store.records import DOMAIN_TYPES
from dostyk.store.types import ExactDecimal, UtcDateTime

#: The name a request body's errors are reported under (``body: items[0].quantity: ...``).
BODY = "body"


def value_schema(column: Column[Any], hint: Any = None) -> dict[str, Any]:
    """A column's value as an answer spells it."""
    kind = column.type
    schema: dict[str, Any]
    if typing.get_origin(hint) is tuple:
        schema = {"type": "array", "items": {"type": "string"}}
    elif isinstance(kind, Boolean):
        schema = {"type": "boolean"}
    elif isinstance(kind, Integer):
        schema = {"type": "integer"}
    elif isinstance(kind, Double):
        schema = {"type": "number"}
    elif isinstance(kind, ExactDecimal):
        schema = {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}
    elif isinstance(kind, UtcDateTime):
        schema = {"type": "string", "description": "ISO 8601 in UTC, with Z"}
    else:
        schema = {"type": "string"}
        if column.info.get("enum") is not None:
            schema["enum"] = list(column.info["enum"])
    if column.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def record(table: Table) -> dict[str, Any]:
    """A stored record of ``table``, every field present."""
    hints = typing.get_type_hints(DOMAIN_TYPES[table.name])
    return {
        "type": "object",
        "properties": {c.name: value_schema(c, hints.get(c.name)) for c in table.columns},
        "required": [c.name for c in table.columns],
    }


def obj(required: Mapping[str, Any], optional: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
    }


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


TEXT: dict[str, Any] = {"type": "string"}
INTEGER: dict[str, Any] = {"type": "integer"}
AMOUNT = value_schema(t.payments.c.amount)

DUTIES = obj(
    {
        "declaration_id": TEXT,
        "duty_lines": array(record(t.duty_lines)),
        "extra_duty": AMOUNT,
        "total": AMOUNT,
    }
)
DECLARATION_RECORD = obj(
    {
        "declaration": record(t.declarations),
        "units": array(TEXT),
        "items": array(record(t.declaration_items)),
        "status_changes": array(record(t.status_changes)),
        "risk_assessments": array(record(t.risk_assessments)),
        "overrides": array(record(t.overrides)),
        "inspections": array(
            {
                **record(t.inspections),
                "properties": {
                    **record(t.inspections)["properties"],
                    "findings": array(record(t.findings)),
                },
            }
        ),
        "duties": obj(
            {
                "assessed": {"type": "boolean"},
                "duty_lines": array(record(t.duty_lines)),
                "extra_duty": AMOUNT,
                "total": AMOUNT,
            }
        ),
        "payments": array(record(t.payments)),
        "queue_exceptions": array(record(t.queue_exceptions)),
    }
)


def answers(schema: dict[str, Any], status: int = 200, description: str = "Done") -> Any:
    """The ``responses`` of an operation whose success answers ``schema`` as JSON."""
    return {
        status: {"description": description, "content": {"application/json": {"schema": schema}}}
    }


async def document_text(request: Request) -> str:
    """A request's body as text, for the document parsers (which report what is wrong)."""
    from dostyk.interchange.json_documents import DocumentError, DocumentRejected

    raw = await request.body()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        problem = f"not UTF-8 text ({error.reason} at byte {error.start})"
        raise DocumentRejected([DocumentError(BODY, "", problem)]) from None
