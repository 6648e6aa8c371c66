"""JSON Schemas of the lifecycle's documents, generated from the tables the parsers read.

The REST API takes the same documents as the command line (docs/lifecycle.md) and parses them
with the same code (:mod:`dostyk.interchange.json_documents`). Its OpenAPI description must say
the same thing, so it is not written by hand: each field's schema comes from the store's column
(its type, length, enum and nullability) and each document's sections, defaults and refused
fields from the constants the parsers use. A column that changes changes the parser and the
API's description at once.

The schema describes the shape; the records' own rules (an identifier's spelling, net mass not
above gross, items numbered without gaps) are the domain's, and a document that breaks them is
answered 422 with every field named, as the parser reports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from sqlalchemy import Boolean, Column, Double, Integer, String, Table

from dostyk.domain.bounds import MAX_ID_LENGTH
from dostyk.interchange.json_documents import (
    CROSSING_SECTIONS,
    DECLARATION_SECTIONS,
    FINDING_DEFAULTS,
    FINDINGS_SECTIONS,
    INHERITED,
    SET_BY_CUSTOMS,
)
from dostyk.store import tables as t
from dostyk.store.types import ExactDecimal, UtcDateTime

DocumentKind = Literal["crossing", "declaration", "findings"]

#: An integer column's range (the store's 32-bit integers).
INT_RANGE = (-(2**31), 2**31 - 1)


def column_schema(column: Column[Any]) -> dict[str, Any]:
    """The JSON Schema of one column's value, as :func:`json_documents.decode` accepts it."""
    kind = column.type
    schema: dict[str, Any]
    if isinstance(kind, Boolean):
        schema = {"type": "boolean"}
    elif isinstance(kind, Integer):
        schema = {"type": "integer", "minimum": INT_RANGE[0], "maximum": INT_RANGE[1]}
    elif isinstance(kind, Double):
        schema = {"type": "number"}
    elif isinstance(kind, ExactDecimal):
        whole = kind.precision - kind.scale
        text = rf"^-?[0-9]{{1,{whole}}}(\.[0-9]{{1,{kind.scale}}})?$"
        schema = {
            "anyOf": [{"type": "number"}, {"type": "string", "pattern": text}],
            "description": f"exact decimal, at most {kind.scale} decimals: a number or its text",
        }
    elif isinstance(kind, UtcDateTime):
        schema = {"type": "string", "format": "date-time"}
    elif isinstance(kind, String):
        schema = {"type": "string", "minLength": 1}
        if kind.length is not None:
            schema["maxLength"] = kind.length
        if column.info.get("enum") is not None:
            schema["enum"] = list(column.info["enum"])
    else:  # pragma: no cover - a column type the documents do not use
        raise TypeError(f"{column.table.name}.{column.name}: no JSON Schema for {kind!r}")
    if column.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


def record_schema(
    table: Table,
    *,
    optional: Iterable[str] = (),
    refused: Iterable[str] = (),
    defaults: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A record of ``table``: every column but the ``refused`` ones, required unless nullable,
    defaulted or ``optional`` (supplied by the command or inherited)."""
    left_out, defaults = set(refused), defaults or {}
    may_omit = set(optional) | set(defaults)
    properties: dict[str, Any] = {}
    required = []
    for column in table.columns:
        if column.name in left_out:
            continue
        properties[column.name] = column_schema(column)
        if column.name in defaults:
            properties[column.name]["default"] = defaults[column.name]
        if not column.nullable and column.name not in may_omit:
            required.append(column.name)
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _document(
    sections: Mapping[str, bool], schemas: Mapping[str, dict[str, Any]], title: str
) -> dict[str, Any]:
    return {
        "title": title,
        "type": "object",
        "properties": {name: schemas[name] for name in sections},
        "required": [name for name, required in sections.items() if required],
        "additionalProperties": False,
    }


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def document_schema(kind: DocumentKind) -> dict[str, Any]:
    """The JSON Schema of a crossing, declaration or findings document."""
    if kind == "crossing":
        unit = record_schema(t.crossings, optional=(*INHERITED, "part_of"))
        return _document(
            CROSSING_SECTIONS,
            {
                "movement": record_schema(t.crossings),
                "units": _array(unit),
                "conveyances": _array(record_schema(t.conveyances)),
            },
            "CrossingDocument",
        )
    if kind == "declaration":
        crossing_id = {"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH}
        return _document(
            DECLARATION_SECTIONS,
            {
                "declaration": record_schema(t.declarations, refused=SET_BY_CUSTOMS),
                "items": _array(record_schema(t.declaration_items, optional=("declaration_id",))),
                "units": _array(crossing_id),
            },
            "DeclarationDocument",
        )
    if kind == "findings":
        finding = record_schema(t.findings, optional=("inspection_id",), defaults=FINDING_DEFAULTS)
        return _document(FINDINGS_SECTIONS, {"findings": _array(finding)}, "FindingsDocument")
    raise ValueError(f"no document of kind {kind!r}")


def request_body(kind: DocumentKind, example: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI ``requestBody`` of an operation that takes a ``kind`` document."""
    media: dict[str, Any] = {"schema": document_schema(kind)}
    if example is not None:
        media["example"] = dict(example)
    return {"required": True, "content": {"application/json": media}}
