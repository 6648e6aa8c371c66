"""JSON documents for the lifecycle: a crossing, a declaration, an inspection's findings.

Each document is a JSON object whose records use the data package's column names (see
docs/data-package.md) and its value syntax: amounts and rates may be JSON numbers or their
canonical text (``"120500.00"``), instants are ISO 8601 text with a time zone. A number is read
from the exact digits written, never through a binary float, so ``301548.52`` stays exact.

Every record is built as its domain object, so the rules that guard the store guard a document
too. Every problem found is reported at once, located by the file and the JSON path of the field
(``decl.json: items[2].net_mass_kg: net mass 50.0 kg exceeds gross mass 40.0 kg``); list indices
count from 0, as in JSONPath and ``jq``. Reading a document writes nothing.

The shapes, in full, are in docs/lifecycle.md:

- crossing: ``{"movement": {...}, "units": [{...}], "conveyances": [{...}]}``; a unit's
  ``post_code``, ``direction`` and ``crossed_at`` default to the movement's, its ``part_of`` to
  the movement's ``crossing_id``.
- declaration: ``{"declaration": {...}, "items": [{...}], "units": ["crossing id", ...]}``;
  ``lodged_at``, ``status`` and ``channel`` are customs' to set, and an item's
  ``declaration_id`` defaults to the declaration's.
- findings: ``{"findings": [{...}]}``; ``inspection_id`` is the inspection being finished,
  ``extra_duty`` defaults to ``0.00`` and ``seized`` to ``false``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Column, Double, Integer, String, Table

from dostyk.domain.bounds import check_identifier, is_identifier
from dostyk.domain.conveyances import Conveyance, Crossing
from dostyk.domain.declarations import (
    Declaration,
    DeclarationItem,
    DeclarationStatus,
    DeclarationUnit,
)
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.inspections import Finding
from dostyk.store import tables as t
from dostyk.store.canonical import codec
from dostyk.store.records import RECORD_TYPES
from dostyk.store.types import ExactDecimal, UtcDateTime


class _Number(str):
    """A JSON number as the digits written, so that decimals are decoded exactly."""

    __slots__ = ()


@dataclass(frozen=True, order=True)
class DocumentError:
    """One problem, located by file and JSON path (empty for the document as a whole)."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        if self.path:
            return f"{self.file}: {self.path}: {self.message}"
        return f"{self.file}: {self.message}"


class DocumentRejected(Exception):
    """The document is not usable; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[DocumentError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True, slots=True)
class CrossingDocument:
    movement: Crossing
    units: tuple[Crossing, ...]
    conveyances: tuple[Conveyance, ...]


@dataclass(frozen=True, slots=True)
class DeclarationDocument:
    declaration: Declaration
    items: tuple[DeclarationItem, ...]
    units: tuple[DeclarationUnit, ...]


#: Declaration fields customs sets: the time of lodgement is the command's time.
SET_BY_CUSTOMS = {
    "lodged_at": "is the time of lodgement, set when it is lodged (--at); leave it out",
    "status": "is set by customs as the declaration moves through its lifecycle; leave it out",
    "channel": "is set by risk assessment; leave it out",
}
#: Unit fields that default to the movement's.
INHERITED = ("post_code", "direction", "crossed_at")

#: Each document's sections, and whether each is required (the parsers and the schemas read
#: these, so the API describes exactly what the parsers accept).
CROSSING_SECTIONS = {"movement": True, "units": False, "conveyances": False}
DECLARATION_SECTIONS = {"declaration": True, "items": True, "units": True}
FINDINGS_SECTIONS = {"findings": True}
#: Finding fields a document may leave out, with the canonical text of their default.
FINDING_DEFAULTS = {"extra_duty": "0.00", "seized": False}

_MISSING: Any = object()


class _Reader:
    """Collects a document's problems while its records are decoded and built."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[DocumentError] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(DocumentError(self.file, path, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise DocumentRejected(self.errors)

    def load(self, text: str, sections: Mapping[str, bool]) -> dict[str, Any]:
        """The top-level object; ``sections`` maps each allowed key to whether it is required."""
        try:
            document = json.loads(text, parse_float=_Number, parse_int=_Number)
        except json.JSONDecodeError as error:
            problem = f"not JSON: {error.msg} (line {error.lineno}, column {error.colno})"
            raise DocumentRejected([DocumentError(self.file, "", problem)]) from None
        if not isinstance(document, dict):
            problem = f"must be a JSON object with {_names(sections)}, not {_kind(document)}"
            raise DocumentRejected([DocumentError(self.file, "", problem)])
        for key in document:
            if key not in sections:
                self.error(key, f"unknown section; the document has {_names(sections)}")
        for key, required in sections.items():
            if required and document.get(key) is None:
                self.error(key, "required")
        return document

    def array(self, document: Mapping[str, Any], key: str) -> list[Any]:
        value = document.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(key, f"must be a JSON array, not {_kind(value)}")
            return []
        return value

    def fields(
        self,
        table: Table,
        value: Any,
        path: str,
        *,
        given: Mapping[str, Any] | None = None,
        defaults: Mapping[str, Any] | None = None,
        refused: Mapping[str, str] | None = None,
        quiet: frozenset[str] = frozenset(),
    ) -> dict[str, Any] | None:
        """The record's decoded values by column, or None when any is wrong (and logged)."""
        decoded, ok = self.partial(
            table, value, path, given=given, defaults=defaults, refused=refused, quiet=quiet
        )
        return decoded if ok else None

    def partial(
        self,
        table: Table,
        value: Any,
        path: str,
        *,
        given: Mapping[str, Any] | None = None,
        defaults: Mapping[str, Any] | None = None,
        refused: Mapping[str, str] | None = None,
        quiet: frozenset[str] = frozenset(),
    ) -> tuple[dict[str, Any], bool]:
        """The values that decode, and whether the whole record did.

        ``given`` are decoded values the command supplies; the document may repeat them, but
        only with the same value. ``defaults`` are decoded values used when the document leaves
        a field out. ``refused`` names fields the document must leave out, and why. A required
        field in ``quiet`` that is missing is not reported (its problem was reported elsewhere).
        """
        if not isinstance(value, dict):
            self.error(path, f"must be a JSON object, not {_kind(value)}")
            return {}, False
        given, defaults, refused = given or {}, defaults or {}, refused or {}
        before = len(self.errors)
        names = [c.name for c in table.columns]
        for key in value:
            if key in refused:
                self.error(_join(path, key), refused[key])
            elif key not in names:
                known = ", ".join(n for n in names if n not in refused)
                self.error(_join(path, key), f"unknown field; {_article(table)} has {known}")
        decoded: dict[str, Any] = {}
        for column in table.columns:
            name = column.name
            if name in refused:
                decoded[name] = given.get(name)
                continue
            raw = value.get(name, _MISSING)
            where = _join(path, name)
            if raw is _MISSING or raw is None:
                if name in given:
                    decoded[name] = given[name]
                elif name in defaults:
                    decoded[name] = defaults[name]
                elif column.nullable:
                    decoded[name] = None
                elif name not in quiet:
                    self.error(where, "required")
                continue
            try:
                decoded[name] = decode(column, raw)
            except ValueError as error:
                self.error(where, str(error))
                continue
            if name in given and decoded[name] != given[name]:
                self.error(where, f"{raw!r} does not match {given[name]!r}; leave it out")
        return decoded, len(self.errors) == before and len(decoded) == len(names)

    def record(self, table: Table, decoded: Mapping[str, Any] | None, path: str) -> Any:
        """The domain object, its own rules checked; None when they are broken (and logged)."""
        if decoded is None:
            return None
        try:
            return RECORD_TYPES[table.name].to_domain([decoded[c.name] for c in table.columns])
        except InvariantViolation as error:
            for violation in error.violations:
                self.error(_join(path, violation.field), violation.message)
            return None


def decode(column: Column[Any], raw: Any) -> Any:
    """A JSON value as the column's Python value, by the canonical decoders; ValueError if not."""
    kind = column.type
    if isinstance(raw, (dict, list)):
        raise ValueError(f"must be a single value, not {_kind(raw)}")
    if isinstance(kind, Boolean):
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, _Number) or not isinstance(raw, str):
            raise ValueError(f"{raw!s} is not a boolean (true or false)")
        return codec(column)[1](raw)
    if isinstance(raw, bool):
        raise ValueError(f"must be {_expected(column)}, not {str(raw).lower()}")
    numeric = isinstance(kind, (Integer, Double, ExactDecimal))
    if isinstance(raw, _Number) and not numeric:
        raise ValueError(f"must be {_expected(column)} in quotes, not the number {raw}")
    if isinstance(kind, Double) and not isinstance(raw, _Number):
        # Only exact decimals may be written as text (their canonical form); a mass or a count
        # in quotes is a mistake in the program that wrote the document.
        raise ValueError(f"must be {_expected(column)} without quotes, not {_kind(raw)}")
    text = str(raw)
    if numeric and not text.strip():
        raise ValueError(f"must be {_expected(column)}")
    if isinstance(raw, _Number) and isinstance(kind, ExactDecimal) and "e" in text.lower():
        text = f"{Decimal(text):f}"  # JSON allows 1e-06; the canonical text does not
    value = codec(column)[1](text)
    if isinstance(kind, ExactDecimal) and value and value.adjusted() >= kind.precision - kind.scale:
        whole = kind.precision - kind.scale
        raise ValueError(f"{text} has more than {whole} digits before the decimal point")
    if isinstance(kind, Integer) and not -(2**31) <= value < 2**31:
        raise ValueError(f"{text} is out of range")
    if isinstance(kind, String):
        choices = column.info.get("enum")
        if not text.strip():
            raise ValueError("is empty")
        if choices is not None and text not in choices:
            raise ValueError(f"{text!r} is not one of {', '.join(choices)}")
        if kind.length is not None and len(text) > kind.length:
            raise ValueError(f"is longer than {kind.length} characters")
    return value


def _expected(column: Column[Any]) -> str:
    kind = column.type
    if isinstance(kind, Integer):
        return "an integer"
    if isinstance(kind, (Double, ExactDecimal)):
        return "a number"
    if isinstance(kind, UtcDateTime):
        return "an ISO 8601 date and time"
    return "text"


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, _Number):
        return f"the number {value}"
    return f"the text {value!r}"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _names(sections: Mapping[str, bool]) -> str:
    return ", ".join(sections)


def _article(table: Table) -> str:
    singular = {
        "crossings": "a crossing",
        "conveyances": "a conveyance",
        "declarations": "a declaration",
        "declaration_items": "an item",
        "findings": "a finding",
    }
    return singular.get(table.name, f"a {table.name} record")


def read_text(path: Path) -> str:
    """The document's text; DocumentRejected naming the file when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problem = f"not UTF-8 text ({error.reason} at byte {error.start})"
    except OSError as error:
        problem = f"cannot be read: {error.strerror or error}"
    raise DocumentRejected([DocumentError(str(path), "", problem)])


# --- crossings ---------------------------------------------------------------------------------


def read_crossing(path: Path) -> CrossingDocument:
    return parse_crossing(read_text(path), str(path))


def parse_crossing(text: str, file: str) -> CrossingDocument:
    """A movement (a train's or truck's crossing), its units, and conveyances new to the
    register."""
    reader = _Reader(file)
    document = reader.load(text, CROSSING_SECTIONS)
    movement: Crossing | None = None
    inherited: dict[str, Any] = {}
    if document.get("movement") is not None:
        head, ok = reader.partial(t.crossings, document["movement"], "movement")
        movement = reader.record(t.crossings, head if ok else None, "movement")
        inherited = {name: head[name] for name in INHERITED if name in head}
        if "crossing_id" in head:
            inherited["part_of"] = head["crossing_id"]
    quiet = frozenset(n for n in (*INHERITED, "part_of") if n not in inherited)
    units = []
    for index, unit in enumerate(reader.array(document, "units")):
        where = f"units[{index}]"
        values = reader.fields(t.crossings, unit, where, defaults=inherited, quiet=quiet)
        units.append(reader.record(t.crossings, values, where))
    conveyances = []
    for index, vehicle in enumerate(reader.array(document, "conveyances")):
        where = f"conveyances[{index}]"
        values = reader.fields(t.conveyances, vehicle, where)
        conveyances.append(reader.record(t.conveyances, values, where))
    reader.raise_if_any()
    assert movement is not None
    return CrossingDocument(movement, tuple(units), tuple(conveyances))


# --- declarations ------------------------------------------------------------------------------


def read_declaration(path: Path, *, lodged_at: datetime) -> DeclarationDocument:
    return parse_declaration(read_text(path), str(path), lodged_at=lodged_at)


def parse_declaration(text: str, file: str, *, lodged_at: datetime) -> DeclarationDocument:
    """A declaration to lodge at ``lodged_at``, its goods items and the units it covers."""
    reader = _Reader(file)
    document = reader.load(text, DECLARATION_SECTIONS)
    declaration: Declaration | None = None
    declaration_id: str | None = None
    if document.get("declaration") is not None:
        head = document["declaration"]
        given = {"lodged_at": lodged_at, "status": DeclarationStatus.LODGED.value, "channel": None}
        values = reader.fields(
            t.declarations, head, "declaration", given=given, refused=SET_BY_CUSTOMS
        )
        declaration = reader.record(t.declarations, values, "declaration")
        if isinstance(head, dict) and is_identifier(head.get("declaration_id")):
            declaration_id = head["declaration_id"]  # items and units belong to it
    quiet = frozenset() if declaration_id is not None else frozenset({"declaration_id"})
    owner = {} if declaration_id is None else {"declaration_id": declaration_id}
    items = []
    for index, item in enumerate(reader.array(document, "items")):
        where = f"items[{index}]"
        values = reader.fields(t.declaration_items, item, where, given=owner, quiet=quiet)
        items.append(reader.record(t.declaration_items, values, where))
    units = []
    for index, unit in enumerate(reader.array(document, "units")):
        where = f"units[{index}]"
        if not isinstance(unit, str) or isinstance(unit, _Number) or not unit.strip():
            reader.error(where, f"must be a unit's crossing id in quotes, not {_kind(unit)}")
        elif not is_identifier(unit):
            try:
                check_identifier("crossing_id", unit)
            except InvariantViolation as violation:
                reader.error(where, violation.message)
        elif declaration_id is not None:
            units.append(DeclarationUnit(declaration_id, unit))
    reader.raise_if_any()
    assert declaration is not None
    return DeclarationDocument(declaration, tuple(items), tuple(units))


# --- findings ----------------------------------------------------------------------------------


def read_findings(path: Path, inspection_id: str) -> tuple[Finding, ...]:
    return parse_findings(read_text(path), str(path), inspection_id)


def parse_findings(text: str, file: str, inspection_id: str) -> tuple[Finding, ...]:
    """What an inspection found; an empty list records that it found nothing irregular."""
    reader = _Reader(file)
    document = reader.load(text, FINDINGS_SECTIONS)
    given = {"inspection_id": inspection_id}
    defaults = {
        name: value if isinstance(value, bool) else decode(t.findings.columns[name], value)
        for name, value in FINDING_DEFAULTS.items()
    }
    findings = []
    for index, finding in enumerate(reader.array(document, "findings")):
        where = f"findings[{index}]"
        values = reader.fields(t.findings, finding, where, given=given, defaults=defaults)
        findings.append(reader.record(t.findings, values, where))
    reader.raise_if_any()
    return tuple(findings)
