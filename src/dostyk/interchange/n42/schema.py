"""Validating N42 documents against the standard's XML schema, n42.xsd.

The schema is the standard's (published by NIST with ANSI N42.42-2011) and carries no licence
that lets Dostyk redistribute it, so Dostyk does not ship it: validation runs against the schema
file the operator names, by argument or by ``DOSTYK_N42_SCHEMA``. Loading the schema takes a few
seconds, so each is loaded once per process.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import xmlschema

from dostyk.interchange.n42.errors import N42Error
from dostyk.interchange.n42.parsing import parse_bytes

SCHEMA_VARIABLE = "DOSTYK_N42_SCHEMA"


def configured_schema() -> Path | None:
    value = os.environ.get(SCHEMA_VARIABLE)
    return Path(value) if value else None


@lru_cache(maxsize=4)
def _schema(path: str) -> xmlschema.XMLSchema:
    try:
        return xmlschema.XMLSchema(path)
    except (OSError, xmlschema.XMLSchemaException) as failure:
        raise N42Error(path, f"is not a usable XML schema: {failure}") from None


def validate(data: bytes, file: str, schema: Path) -> None:
    """Raise :class:`N42Error` with the first violation (and its line) if ``data`` does not
    validate against ``schema``. The document is first parsed with defusedxml, so a hostile
    one is refused before the validator sees it."""
    parsed = parse_bytes(data, file)
    checker = _schema(str(schema))
    for error in checker.iter_errors(parsed.root):
        element = error.elem
        line = parsed.line(element) if element is not None else None
        name = element.tag.rsplit("}", 1)[-1] if element is not None else None
        reason = (error.reason or str(error)).splitlines()[0]
        raise N42Error(
            file, f"does not validate against {schema.name}: {reason}", line=line, element=name
        )
