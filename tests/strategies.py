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

import hashlib
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any

import numpy as np
from hypothesis import strategies as st
from sqlalchemy import Boolean, Column, Date, Double, Integer, Table

from dostyk import reference
from dostyk.domain.alarms import AlarmStatus, Disposition, StepKind
from dostyk.domain.declarations import DeclarationStatus
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.occupancies import FaultSeverity
from dostyk.domain.parties import PartyRole
from dostyk.domain.slices import encode_counts
from dostyk.store import risk_tables as rt
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


#: Values of the usual shape for the fields that decide whether a record of these tables is
#: accepted at all (identifiers, instants within the store's years, small numbers), so that
#: most draws reach the tables that refer to them; free text stays as broad as anywhere.
usual_ids = st.from_regex(r"[A-Z][A-Z0-9]{0,9}(-[A-Z0-9]{1,6})?", fullmatch=True)
usual_instants = st.datetimes(
    min_value=datetime(1990, 1, 2),
    max_value=datetime(2025, 12, 31),
    timezones=st.sampled_from(ZONES),
)
versions = st.from_regex(r"[a-z]{1,8}:[a-z0-9.-]{1,20}", fullmatch=True)
probabilities = st.floats(0.0, 1.0)
SEVERITIES = [f.value for f in FaultSeverity]


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
        # Half of them within the store's years, so that records referring to them are drawn.
        strategy = st.one_of(instants(), usual_instants)
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


def one_row(
    draw: st.DrawFn, table: Table, fixed: dict[str, st.SearchStrategy[Any]]
) -> tuple[Any, ...]:
    return draw(
        st.tuples(*(fixed[c.name] if c.name in fixed else value_of(c) for c in table.columns))
    )


def rows_of(
    draw: st.DrawFn,
    table: Table,
    fixed: dict[str, st.SearchStrategy[Any]],
    most: int,
    least: int = 0,
) -> list[tuple[Any, ...]]:
    columns = {c.name: fixed[c.name] if c.name in fixed else value_of(c) for c in table.columns}
    row = st.tuples(*columns.values())
    return draw(st.lists(row, min_size=least, max_size=most))


def _party_with(world: World, role: PartyRole) -> st.SearchStrategy[str] | None:
    ids = [p.party_id for p in world.where(t.parties, lambda p: role in p.roles)]
    return st.sampled_from(ids) if ids else None


@st.composite
def worlds(draw: st.DrawFn, most: int = 4) -> World:
    """A consistent set of records over parties, officers, conveyances, crossings, declarations
    with their items, status changes and payments, their risk assessments and decisions, the
    rule profiles, models and activations of selectivity, and the portal monitors with their
    occupancies, alarms, findings and adjudication steps."""
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
    _selectivity(draw, world, most)
    _radiation(draw, world, most)
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
        # Usual references and times as often as broad ones, so that the records referring to
        # declarations are drawn too.
        "reference": st.one_of(value_of(t.declarations.c.reference), usual_ids),
        "lodged_at": usual_instants,
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
    _assessments(draw, world, one_of_them, most)
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


# Selectivity ------------------------------------------------------------------------------------

#: JSON objects, as a model's figures are.
json_objects = st.dictionaries(
    texts(20),
    st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False), texts(20)),
    max_size=3,
).map(lambda figures: json.dumps(figures, sort_keys=True))


def _selectivity(draw: st.DrawFn, world: World, most: int) -> None:
    """Rule profiles (each digest its source's), models and activations."""
    names = list(rt.rule_profiles.columns.keys())
    digest, source = names.index("digest"), names.index("source")
    usual = {"version": versions, "loaded_by": usual_ids, "loaded_at": usual_instants}
    profiles = [
        _with(row, digest, hashlib.sha256(row[source].encode()).hexdigest())
        for row in rows_of(draw, rt.rule_profiles, usual, most, least=1)
    ]
    _add(world, rt.rule_profiles, profiles)
    models = {
        "model_version": versions,
        "trained_by": usual_ids,
        "trained_at": usual_instants,
        "digest": st.from_regex(r"[0-9a-f]{64}", fullmatch=True),
        "figures": json_objects,
    }
    _add(world, rt.risk_models, rows_of(draw, rt.risk_models, models, most))
    kinds = {
        "kind": st.sampled_from(["rules", "model"]),
        "version": st.one_of(st.none(), versions),
        "activated_by": usual_ids,
        "activated_at": usual_instants,
    }
    _add(world, rt.risk_activations, rows_of(draw, rt.risk_activations, kinds, most))


def _assessments(
    draw: st.DrawFn, world: World, one_of_them: dict[str, st.SearchStrategy[str]], most: int
) -> None:
    """Assessments of the declarations and the decisions beside them."""
    criteria = st.lists(texts(200), max_size=3).map(lambda parts: "|".join(parts) or None)
    usual = {
        **one_of_them,
        "assessment_id": usual_ids,
        "assessed_at": usual_instants,
        "score": probabilities,
        "criteria": criteria,
        "selector": versions,
    }
    _add(world, t.risk_assessments, rows_of(draw, t.risk_assessments, usual, most, least=1))
    assessments = world.keys(t.risk_assessments)
    if assessments:
        fixed = {
            "assessment_id": st.sampled_from(assessments),
            "random_share": probabilities,
            "selection_probability": probabilities,
            "rule_versions": criteria,
            "model_version": st.one_of(st.none(), versions),
            "model_score": st.one_of(st.none(), probabilities),
            "expected_revenue": st.one_of(st.none(), st.floats(0.0, 1e12)),
            "explanation": criteria,
        }
        _add(world, rt.risk_decisions, rows_of(draw, rt.risk_decisions, fixed, most, least=1))


def _with(row: tuple[Any, ...], index: int, value: Any) -> tuple[Any, ...]:
    return (*row[:index], value, *row[index + 1 :])


# Radiation --------------------------------------------------------------------------------------


def _radiation(draw: st.DrawFn, world: World, most: int) -> None:
    """Monitors (one to a lane), occupancies whose counts decode to what the algorithms read,
    alarms on them, every algorithm's finding and the steps of each adjudication."""
    usual = {
        "monitor_id": usual_ids,
        "post_code": st.sampled_from(post_codes()),
        "lane": st.integers(1, 99),
        "mode": st.sampled_from(["road", "rail"]),
    }
    monitors = rows_of(draw, t.portal_monitors, usual, most, least=1)
    _add(world, t.portal_monitors, _unique(t.portal_monitors, monitors, ["post_code", "lane"]))
    monitors = world.records[t.portal_monitors.name]
    if not monitors:
        return
    crossings = world.keys(t.crossings)
    crossing = st.none() if not crossings else st.one_of(st.none(), st.sampled_from(crossings))
    rows = [draw(occupancy_rows(monitors, crossing)) for _ in range(draw(st.integers(1, most)))]
    _add(world, t.occupancies, rows)
    occupancies = world.records[t.occupancies.name]
    if not occupancies:
        return
    alarms = []
    for _ in range(draw(st.integers(1, most))):
        occupancy = draw(st.sampled_from(occupancies))
        status = draw(st.sampled_from([s.value for s in AlarmStatus]))
        holds = AlarmStatus(status).holds
        fixed = {
            "alarm_id": usual_ids,
            "occupancy_id": st.just(occupancy.occupancy_id),
            "post_code": st.just(occupancy.post_code),
            "monitor_id": st.just(occupancy.monitor_id),
            "crossing_id": st.just(occupancy.crossing_id),
            "raised_at": st.just(occupancy.ended_at),
            "algorithm": usual_ids,
            "status": st.just(status),
            "closed_at": st.none() if holds else st.just(occupancy.ended_at + timedelta(1)),
        }
        alarms.append(one_row(draw, t.radiation_alarms, fixed))
    _add(world, t.radiation_alarms, alarms)
    alarm_ids = world.keys(t.radiation_alarms)
    if not alarm_ids:
        return
    of_an_alarm = {"alarm_id": st.sampled_from(alarm_ids), "algorithm": usual_ids}
    _add(world, t.alarm_findings, rows_of(draw, t.alarm_findings, of_an_alarm, most, least=1))
    officers = world.keys(t.officers)
    if officers:
        steps = [
            draw(step_rows(draw(st.sampled_from(alarm_ids)), st.sampled_from(officers)))
            for _ in range(draw(st.integers(1, most)))
        ]
        _add(world, t.adjudication_steps, steps)


def _unique(table: Table, rows: list[tuple[Any, ...]], columns: list[str]) -> list[tuple[Any, ...]]:
    """The first row of each value of ``columns``, as a unique constraint keeps."""
    names = list(table.columns.keys())
    positions = [names.index(c) for c in columns]
    seen: set[tuple[Any, ...]] = set()
    kept = []
    for row in rows:
        value = tuple(row[p] for p in positions)
        if value not in seen:
            seen.add(value)
            kept.append(row)
    return kept


def _counts(shape: tuple[int, ...], floats: bool = False) -> st.SearchStrategy[str]:
    """The canonical text of an array of ``shape``: integer counts, or totals when ``floats``."""
    size = int(np.prod(shape)) if shape else 1
    if floats:
        totals = st.lists(st.floats(0.0, 1e9), min_size=size, max_size=size)
        return totals.map(lambda v: encode_counts(np.asarray(v, np.float64).reshape(shape)))
    counts = st.lists(st.integers(0, 70_000), min_size=size, max_size=size)
    return counts.map(lambda v: encode_counts(np.asarray(v, np.int64).reshape(shape)))


@st.composite
def occupancy_rows(
    draw: st.DrawFn, monitors: Sequence[Any], crossing: st.SearchStrategy[str | None]
) -> tuple[Any, ...]:
    """An occupancy row of any shape the algorithms read: slices, panels and windows drawn,
    every counts text of the matching shape (no neutron panels included)."""
    monitor = draw(st.sampled_from(list(monitors)))
    slices = draw(st.integers(1, 4))
    slice_seconds = draw(st.sampled_from([0.1, 0.2, 1.0]))
    edges = sorted(draw(st.sets(st.integers(0, 20_000), min_size=2, max_size=4)))
    windows = "|".join(f"{a}-{b}" for a, b in itertools.pairwise(edges))
    n_windows = len(edges) - 1
    panel = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,7}", fullmatch=True)
    gamma = draw(st.lists(panel, min_size=1, max_size=3, unique=True))
    neutron = draw(st.lists(panel, max_size=2, unique=True))
    started = draw(usual_instants)
    ended = started + timedelta(seconds=slices * slice_seconds)
    after = draw(st.booleans())
    values = {
        "occupancy_id": draw(usual_ids),
        "monitor_id": monitor.monitor_id,
        "post_code": monitor.post_code,
        "started_at": started,
        "ended_at": ended,
        "slices": slices,
        "slice_seconds": slice_seconds,
        "windows": windows,
        "gamma_panels": "|".join(gamma),
        "neutron_panels": "|".join(neutron),
        "gamma_counts": draw(_counts((slices, len(gamma), n_windows))),
        "neutron_counts": draw(_counts((slices, len(neutron)))),
        "background_before_gamma": draw(_counts((len(gamma), n_windows), floats=True)),
        "background_before_neutron": draw(_counts((len(neutron),), floats=True)),
        "background_before_seconds": draw(st.floats(0.1, 600.0)),
        "crossing_id": draw(crossing),
        "background_after_gamma": (
            draw(_counts((len(gamma), n_windows), floats=True)) if after else None
        ),
        "background_after_neutron": draw(_counts((len(neutron),), floats=True)) if after else None,
        "background_after_seconds": draw(st.floats(0.1, 600.0)) if after else None,
        "faults": draw(
            st.one_of(
                st.none(),
                st.lists(
                    st.tuples(
                        texts(10), st.sampled_from([f.value for f in FaultSeverity]), texts(40)
                    ),
                    min_size=1,
                    max_size=2,
                ).map(lambda rows: json.dumps([list(r) for r in rows], ensure_ascii=False)),
            )
        ),
    }
    return tuple(
        values[c.name] if c.name in values else draw(value_of(c)) for c in t.occupancies.columns
    )


@st.composite
def step_rows(draw: st.DrawFn, alarm_id: str, officer: st.SearchStrategy[str]) -> tuple[Any, ...]:
    """A step of one kind, with the fields that kind takes (and only those)."""
    kind = draw(st.sampled_from([k.value for k in StepKind]))
    text = st.one_of(st.none(), texts(200))
    values = {
        "alarm_id": alarm_id,
        "seq": draw(st.integers(1, 9)),
        "kind": kind,
        "operator_id": draw(officer),
        "at": draw(usual_instants),
        "confirmed": draw(st.booleans()) if kind == StepKind.SECOND_PASS else None,
        "location": draw(texts(200)) if kind == StepKind.LOCATE else draw(text),
        "nuclides": draw(texts(200)) if kind == StepKind.IDENTIFY else draw(text),
        "disposition": (
            draw(st.sampled_from([d.value for d in Disposition]))
            if kind == StepKind.INNOCENT
            else None
        ),
        "note": (
            draw(texts(200)) if kind in (StepKind.INNOCENT, StepKind.ESCALATE) else draw(text)
        ),
    }
    return tuple(
        values[c.name] if c.name in values else draw(value_of(c))
        for c in t.adjudication_steps.columns
    )
