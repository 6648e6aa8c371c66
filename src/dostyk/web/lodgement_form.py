"""The lodgement form, turned into the declaration document the command line lodges.

The form is one more way of writing the document of docs/lifecycle.md, so it is read by the same
parser (:func:`~dostyk.interchange.json_documents.parse_declaration`): the same exact decimals,
the same checks and the same error paths (``items[1].net_mass_kg``), which the page shows beside
the field of that name. Masses and counts go into the document as numbers when they look like
numbers and as text otherwise, so that the parser names the field a person mistyped.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Float, Integer
from starlette.datastructures import FormData

from dostyk.services.ids import make_id
from dostyk.store import tables as t

#: Goods rows on a blank form, and the most a form may carry.
ROWS = 1
MAX_ROWS = 99
#: The fields of a goods item the form asks for, in the order of the form.
ITEM_FIELDS = (
    "commodity_code",
    "description",
    "origin",
    "quantity",
    "unit",
    "gross_mass_kg",
    "net_mass_kg",
    "customs_value",
    "currency",
    "exchange_rate",
    "manifest_line_no",
)
#: The declaration's own fields the form asks for.
HEAD_FIELDS = ("reference", "kind", "post_code", "importer_id", "exporter_id", "manifest_id")
NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")
#: Columns written as JSON numbers (masses, counts); exact decimals travel as text.
NUMERIC = frozenset(
    name
    for name, column in t.declaration_items.columns.items()
    if isinstance(column.type, (Integer, Float))
)


def row_count(asked: int | None) -> int:
    return max(1, min(asked or ROWS, MAX_ROWS))


def field_name(item_index: int, name: str) -> str:
    """The form field of an item's value: ``item-1-quantity`` for ``items[0].quantity``."""
    return f"item-{item_index + 1}-{name}"


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _value(name: str, text: str) -> str:
    if name in NUMERIC and NUMBER.match(text):
        return text
    return json.dumps(text)


def document_from(form: FormData, declarant_id: str) -> tuple[str, str]:
    """The declaration document the form describes, and its declaration id.

    The id is made from the declarant and his reference, so the same form sent twice is the
    same lodgement (lodging is idempotent on the reference).
    """
    head: dict[str, str] = {name: _text(form, name) for name in HEAD_FIELDS}
    declaration_id = make_id("D", declarant_id, head["reference"])
    declaration: dict[str, Any] = {
        "declaration_id": declaration_id,
        "declarant_id": declarant_id,
        **{name: value for name, value in head.items() if value},
    }
    rows: list[str] = []
    for index in range(MAX_ROWS):
        values = {name: _text(form, field_name(index, name)) for name in ITEM_FIELDS}
        if not any(values.values()):
            continue
        cells = [f'"item_no": {len(rows) + 1}']
        cells += [f"{json.dumps(name)}: {_value(name, v)}" for name, v in values.items() if v]
        rows.append("{" + ", ".join(cells) + "}")
    units = [u for u in re.split(r"[\s,]+", _text(form, "units")) if u]
    text = (
        '{"declaration": '
        + json.dumps(declaration)
        + ', "items": ['
        + ", ".join(rows)
        + '], "units": '
        + json.dumps(units)
        + "}"
    )
    return text, declaration_id
