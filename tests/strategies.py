"""Hypothesis strategies for Dostyk's records: broad values, filtered through the domain's rules.

Values are drawn from the store's column types, far wider than real traffic: any Unicode text
(but NUL, which every entrance refuses), numbers to the edge of their columns, instants from
year 1 to 9999 in several zones. Whether a record is valid is left to the domain constructors
(``RECORD_TYPES[...].to_domain``): a drawn row the rules refuse is dropped, so these strategies
stay valid however the rules tighten. A world is drawn table by table, each record referring
only to records already accepted (or to the posts ``dostyk init`` loads), so the package it makes
is consistent across records as well.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import strategies as st
from sqlalchemy import Boolean, Column, Date, Double, Integer, Table

from dostyk import reference
from dostyk.domain.declarations import DeclarationStatus
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.parties import PartyRole
from dostyk.store import tables as t
from dostyk.store.canonical import integer_bounds
from dostyk.store.records import RECORD_TYPES
from dostyk.store.types import ExactDecimal, UtcDateTime

ZONES = [UTC, timezone(timedelta(hours=5)), timezone(timedelta(hours=-11, minutes=-30))]
COUNTRIES = ["KZ", "CN", "RU", "DE", "UZ", "TR", "XX"]
CURRENCIES = ["KZT", "USD", "EUR", "CNY", "RUB", "ZZZ"]
UNITS = ["KGM", "NAR", "LTR", "MTQ", "FOO"]

#: Any character UTF-8 can carry except NUL: control characters, bidirectional marks,
#: combining and astral characters included.
any_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1)


def identifiers(length: int) -> st.SearchStrategy[str]:
    """Mostly ids of the usual shape, sometimes any text: the rules decide which are ids."""
    usual = st.from_regex(r"[A-Z][A-Z0-9]{0,9}(-[A-Z0-9]{1,6})?", fullmatch=True)
    return st.one_of(usual, usual, any_text).map(lambda s: s[:length])


def texts(length: int | None) -> st.SearchStrategy[str]:
    strategy = st.one_of(any_text, st.from_regex(r"[A-Za-z0-9 ,.()-]{1,40}", fullmatch=True))
    return strategy if length is None else strategy.map(lambda s: s[:length])


@cache
def commodity_codes() -> list[str]:
    return [code + "0000" for code in reference.nomenclature().subheadings()[::50]]


@cache
def post_codes() -> list[str]:
    return sorted(post.code for post in reference.posts())


def instants() -> st.SearchStrategy[datetime]:
    return st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(ZONES),
    )


def decimals(kind: ExactDecimal) -> st.SearchStrategy[Decimal]:
    scale = kind.scale
    limit = Decimal(10) ** (kind.precision - scale) - Decimal(1).scaleb(-scale)
    broad = st.decimals(min_value=-limit, max_value=limit, places=scale)
    usual = st.decimals(min_value=0, max_value=10**6, places=scale)
    return st.one_of(broad, usual)


def value_of(column: Column[Any]) -> st.SearchStrategy[Any]:
    """A broad value of the column's type; code lists and codes from their usual values."""
    kind = column.type
    name = column.name
    if "enum" in column.info:
        strategy: st.SearchStrategy[Any] = st.sampled_from(column.info["enum"])
    elif isinstance(kind, UtcDateTime):
        strategy = instants()
    elif isinstance(kind, Boolean):
        strategy = st.booleans()
    elif isinstance(kind, Date):
        strategy = st.dates()
    elif isinstance(kind, Integer):
        low, high = integer_bounds(column)
        strategy = st.one_of(st.integers(1, 20), st.integers(low, high))
    elif isinstance(kind, Double):
        strategy = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.floats(0.0, 1e5))
    elif isinstance(kind, ExactDecimal):
        strategy = decimals(kind)
    elif name in ("country", "origin", "neighbour_country"):
        strategy = st.sampled_from(COUNTRIES)
    elif name == "currency":
        strategy = st.sampled_from(CURRENCIES)
    elif name == "unit":
        strategy = st.sampled_from(UNITS)
    elif name == "tax_id":
        strategy = st.from_regex(r"\d{12}", fullmatch=True)
    elif name == "commodity_code":
        strategy = st.sampled_from(commodity_codes())
    elif name == "roles":
        strategy = st.sets(st.sampled_from([r.value for r in PartyRole]), min_size=1).map(
            lambda roles: "|".join(sorted(roles))
        )
    elif name.endswith("_id") or column.primary_key:
        strategy = identifiers(getattr(kind, "length", None) or 40)
    else:
        strategy = texts(getattr(kind, "length", None))
    if column.nullable:
        strategy = st.one_of(st.none(), strategy)
    return strategy


@dataclass
class World:
    """Accepted records by table (as rows in column order), each table's keys unique."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    records: dict[str, list[Any]] = field(default_factory=dict)

    def keys(self, table: Table) -> list[Any]:
        return [r[0] for r in self.rows.get(table.name, [])]

    def where(self, table: Table, accept: Callable[[Any], bool]) -> list[Any]:
        return [r for r in self.records.get(table.name, []) if accept(r)]


def accepted(table: Table, row: Sequence[Any]) -> Any | None:
    """The domain object the rules build from ``row``, or None when they refuse it."""
    try:
        return RECORD_TYPES[table.name].to_domain(row)
    except (InvariantViolation, ValueError, TypeError):
        return None


def _add(world: World, table: Table, rows: list[tuple[Any, ...]]) -> None:
    record_type = RECORD_TYPES[table.name]
    seen: set[tuple[Any, ...]] = set()
    kept, records = [], []
    for row in rows:
        key = record_type.key_of(row)
        record = accepted(table, row)
        if record is None or key in seen:
            continue
        seen.add(key)
        kept.append(row)
        records.append(record)
    world.rows[table.name] = kept
    world.records[table.name] = records


def rows_of(
    draw: st.DrawFn, table: Table, fixed: dict[str, st.SearchStrategy[Any]], most: int
) -> list[tuple[Any, ...]]:
    columns = {c.name: fixed[c.name] if c.name in fixed else value_of(c) for c in table.columns}
    row = st.tuples(*columns.values())
    return draw(st.lists(row, max_size=most))


def _party_with(world: World, role: PartyRole) -> st.SearchStrategy[str] | None:
    ids = [p.party_id for p in world.where(t.parties, lambda p: role in p.roles)]
    return st.sampled_from(ids) if ids else None


@st.composite
def worlds(draw: st.DrawFn, most: int = 4) -> World:
    """A consistent set of records over parties, officers, conveyances, crossings, declarations
    with their items, status changes and payments."""
    world = World()
    _add(world, t.parties, rows_of(draw, t.parties, {}, most))
    _add(world, t.officers, rows_of(draw, t.officers, {"supervisor_id": st.none()}, most))
    carrier = _party_with(world, PartyRole.CARRIER)
    posts = st.sampled_from(post_codes())
    _add(
        world,
        t.conveyances,
        rows_of(
            draw,
            t.conveyances,
            {"carrier_id": st.none() if carrier is None else st.one_of(st.none(), carrier)},
            most,
        ),
    )
    conveyances = world.keys(t.conveyances)
    if conveyances:
        fixed = {
            "post_code": posts,
            "conveyance_id": st.sampled_from(conveyances),
            "part_of": st.none(),
        }
        _add(world, t.crossings, rows_of(draw, t.crossings, fixed, most))
    declarant = _party_with(world, PartyRole.DECLARANT)
    if declarant is None:
        return world
    importer = _party_with(world, PartyRole.IMPORTER)
    exporter = _party_with(world, PartyRole.EXPORTER)
    fixed = {
        "post_code": posts,
        "declarant_id": declarant,
        "importer_id": st.none() if importer is None else st.one_of(st.none(), importer),
        "exporter_id": st.none() if exporter is None else st.one_of(st.none(), exporter),
        "manifest_id": st.none(),
    }
    _add(world, t.declarations, _unique_references(rows_of(draw, t.declarations, fixed, most)))
    declarations = world.keys(t.declarations)
    if not declarations:
        return world
    one_of_them = {"declaration_id": st.sampled_from(declarations)}
    _add(
        world,
        t.declaration_items,
        rows_of(draw, t.declaration_items, {**one_of_them, "manifest_line_no": st.none()}, most),
    )
    _histories(draw, world, most)
    _add(world, t.payments, rows_of(draw, t.payments, one_of_them, most))
    return world


STATUSES = [s.value for s in DeclarationStatus]


def _histories(draw: st.DrawFn, world: World, most: int) -> None:
    """Each declaration's steps chain (each starts where the one before ended) and its status is
    where the last one left it, or lodged when it has none: an import refuses any other, as
    what cannot have happened. Which statuses follow which is free (an old system's history
    may skip Dostyk's steps: that is an anomaly, not a refusal)."""
    names = list(t.declarations.columns.keys())
    status = names.index("status")
    declarations, steps = [], []
    for row in world.rows[t.declarations.name]:
        path = draw(st.lists(st.sampled_from(STATUSES), max_size=min(most, 3)))
        previous: str | None = None
        for seq, to_status in enumerate(path, start=1):
            fixed = {
                "declaration_id": st.just(row[0]),
                "seq": st.just(seq),
                "from_status": st.just(previous),
                "to_status": st.just(to_status),
            }
            columns = [
                fixed[c.name] if c.name in fixed else value_of(c) for c in t.status_changes.columns
            ]
            step = draw(st.tuples(*columns))
            if accepted(t.status_changes, step) is None:
                break
            steps.append(step)
            previous = to_status
        changed = list(row)
        changed[status] = previous or DeclarationStatus.LODGED.value
        declarations.append(tuple(changed))
    _add(world, t.declarations, declarations)
    _add(world, t.status_changes, steps)


def _unique_references(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Each declarant's references are unique: keep the first declaration of each."""
    names = list(t.declarations.columns.keys())
    declarant, reference_ = names.index("declarant_id"), names.index("reference")
    seen: set[tuple[Any, Any]] = set()
    kept = []
    for row in rows:
        pair = (row[declarant], row[reference_])
        if pair not in seen:
            seen.add(pair)
            kept.append(row)
    return kept
