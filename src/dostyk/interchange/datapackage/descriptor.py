"""The ``datapackage.json`` descriptor, generated from the store's table definitions.

Types follow the Table Schema specification: text is ``string``, whole numbers ``integer``,
decimals and masses ``number``, ``boolean`` as true/false, ``date`` as YYYY-MM-DD, and instants
as ISO 8601 ``datetime`` in UTC with a trailing Z (fractions of a second where they matter).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Column, Date, Double, Integer, Table

from dostyk import __version__
from dostyk.store.tables import TABLES
from dostyk.store.types import ExactDecimal, UtcDateTime

PACKAGE_NAME = "dostyk-customs-records"
PROFILE = "tabular-data-package"
FORMATS = ("csv", "parquet")


def field_type(column: Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return "datetime"
    if isinstance(kind, Boolean):
        return "boolean"
    if isinstance(kind, Date):
        return "date"
    if isinstance(kind, Integer):
        return "integer"
    if isinstance(kind, (Double, ExactDecimal)):
        return "number"
    return "string"


def field_descriptor(column: Column[Any]) -> dict[str, Any]:
    field: dict[str, Any] = {
        "name": column.name,
        "type": field_type(column),
        "description": column.comment or "",
    }
    if field["type"] == "datetime":
        field["format"] = "any"
    if "missing" in column.info:
        missing = column.info["missing"]
        field["description"] += (
            f"; empty reads as `{missing}`" if missing else "; an empty cell is empty text"
        )
    constraints: dict[str, Any] = {}
    if not column.nullable and "missing" not in column.info:
        constraints["required"] = True
    if "enum" in column.info:
        constraints["enum"] = list(column.info["enum"])
    length = getattr(column.type, "length", None)
    if length:
        constraints["maxLength"] = length
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema(table: Table) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [field_descriptor(c) for c in table.columns],
        "missingValues": [""],
        "primaryKey": [c.name for c in table.primary_key.columns],
    }
    foreign_keys = []
    for constraint in sorted(table.foreign_key_constraints, key=lambda c: list(c.column_keys)):
        referred = constraint.referred_table
        foreign_keys.append(
            {
                "fields": list(constraint.column_keys),
                "reference": {
                    "resource": "" if referred is table else referred.name,
                    "fields": [e.column.name for e in constraint.elements],
                },
            }
        )
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def resource_descriptor(table: Table, file_format: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "name": table.name,
        "path": f"{table.name}.{file_format}",
        "description": table.info["description"],
        "profile": "tabular-data-resource",
        "format": file_format,
    }
    if file_format == "csv":
        resource["encoding"] = "utf-8"
        resource["mediatype"] = "text/csv"
    else:
        resource["mediatype"] = "application/vnd.apache.parquet"
    resource["schema"] = table_schema(table)
    return resource


def package_descriptor(file_format: str = "csv", folder: Path | None = None) -> dict[str, Any]:
    """The descriptor of a full package; it holds no dates, so exports are reproducible.

    Given the ``folder`` the tables were written to, each resource also records its size and
    SHA-256 hash (the standard ``bytes`` and ``hash`` properties), so a file truncated exactly
    at a row boundary, which no CSV parser can notice, is still caught on import.
    """
    resources = [resource_descriptor(table, file_format) for table in TABLES]
    if folder is not None:
        for resource in resources:
            data = (folder / resource["path"]).read_bytes()
            resource["bytes"] = len(data)
            resource["hash"] = f"sha256:{hashlib.sha256(data).hexdigest()}"
    return {
        "name": PACKAGE_NAME,
        "title": "Dostyk customs records",
        "profile": PROFILE,
        "version": __version__,
        "resources": resources,
    }
