"""Checking a package's rows: each record alone, then the records against each other.

Every record is built as its domain object, so the rules that guard a use case guard an import
too. Rules that need more than one record — references, uniqueness, a declaration's units having
crossed at its post — run over the whole package together with what the store already holds.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, UniqueConstraint

from dostyk.domain.bounds import Checks
from dostyk.domain.conveyances import (
    CONVEYANCE_GAP,
    check_apart,
    check_carried_mass,
    check_part_of,
)
from dostyk.domain.declarations import check_units
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.nomenclature import Nomenclature
from dostyk.domain.officers import check_hierarchy, check_postings
from dostyk.domain.parties import PartyRole
from dostyk.interchange.datapackage.errors import ErrorLog
from dostyk.store import bulk
from dostyk.store import tables as t
from dostyk.store.canonical import encode_instant
from dostyk.store.records import RECORD_TYPES


@dataclass
class TableRows:
    """One table of the package: its file, its values and the domain objects built from them.

    Values are held both as columns (for checks that sweep a field) and as rows (for building
    records and loading them).
    """

    table: Table
    file: str
    columns: list[list[Any]]
    rows: list[tuple[Any, ...]]
    records: list[Any] = field(default_factory=list)
    row_of_key: dict[tuple[Any, ...], int] = field(default_factory=dict)
    #: Rows of the file before these (an import reads a long table in chunks).
    offset: int = 0

    @classmethod
    def of(cls, table: Table, file: str, columns: list[list[Any]], offset: int = 0) -> TableRows:
        rows = list(zip(*columns, strict=True)) if columns and columns[0] else []
        return cls(table, file, columns, rows, offset=offset)

    def number(self, index: int) -> int:
        """The row number in the file (1 = the first after the header) of row ``index``."""
        return self.offset + index + 1

    def column(self, name: str) -> list[Any]:
        return self.columns[list(self.table.columns.keys()).index(name)]

    def keys(self, names: Sequence[str]) -> list[tuple[Any, ...]]:
        return list(zip(*(self.column(n) for n in names), strict=True))

    def key(self, index: int) -> tuple[Any, ...]:
        return RECORD_TYPES[self.table.name].key_of(self.rows[index])


class Lookup:
    """Records by key: from the chunk being checked first, then from the store.

    An import loads the package chunk by chunk inside one transaction, so every record of the
    package checked before this chunk is already in the store as this transaction sees it; the
    keys of those records are kept (``loaded``) so references to them need no query. Records
    fetched from the store are cached for one chunk only, which keeps memory flat.
    """

    def __init__(
        self,
        connection: Connection,
        package: Mapping[str, TableRows],
        loaded: Mapping[str, Container[tuple[Any, ...]]] | None = None,
    ) -> None:
        self.connection = connection
        self.package = package
        self.loaded: Mapping[str, Container[tuple[Any, ...]]] = {} if loaded is None else loaded
        self._stored: dict[str, dict[tuple[Any, ...], Any]] = {}
        #: The records of the last chunks loaded, per table: most references in a package are
        #: to rows shortly before them, which this saves fetching and building again.
        self._recent: dict[str, list[dict[tuple[Any, ...], Any]]] = {}

    def next_chunk(self, package: Mapping[str, TableRows]) -> None:
        self.package = package
        self._stored.clear()

    def remember(self, rows: TableRows, chunks: int = 2) -> None:
        """Keep the records of a loaded chunk, and of the ``chunks - 1`` before it."""
        recent = self._recent.setdefault(rows.table.name, [])
        recent.append({key: rows.records[index] for key, index in rows.row_of_key.items()})
        del recent[:-chunks]

    def get(self, table: Table, key: tuple[Any, ...]) -> Any | None:
        rows = self.package.get(table.name)
        if rows is not None and key in rows.row_of_key:
            return rows.records[rows.row_of_key[key]]
        cache = self._stored.get(table.name, {})
        if key not in cache:
            self.preload(table, [key])
            cache = self._stored.get(table.name, {})
        return cache.get(key)

    def preload(self, table: Table, keys: Iterable[tuple[Any, ...]]) -> None:
        """Fetch from the store those of ``keys`` the chunk does not hold."""
        rows = self.package.get(table.name)
        cache = self._stored.setdefault(table.name, {})
        wanted = {k for k in keys if (rows is None or k not in rows.row_of_key) and k not in cache}
        for chunk in self._recent.get(table.name, ()):
            found = [k for k in wanted if k in chunk]
            for key in found:
                cache[key] = chunk[key]
            wanted.difference_update(found)
        if not wanted:
            return
        for key in wanted:
            cache[key] = None
        record_type = RECORD_TYPES[table.name]
        key_columns = list(table.primary_key.columns)
        for key, row in bulk.stored_rows(self.connection, table, key_columns, wanted).items():
            cache[key] = record_type.to_domain(row)

    def knows(self, table: Table, key: tuple[Any, ...]) -> bool:
        """Whether a record with this key is in the chunk, the package so far, or the store
        (as far as fetched: call :meth:`preload` first)."""
        rows = self.package.get(table.name)
        if rows is not None and key in rows.row_of_key:
            return True
        if key in self.loaded.get(table.name, ()):
            return True
        return self._stored.get(table.name, {}).get(key) is not None

    def all_of(self, table: Table) -> list[Any]:
        rows = self.package.get(table.name)
        records = list(rows.records) if rows else []
        stored = [r for r in self._stored.get(table.name, {}).values() if r is not None]
        return records + stored


def check_records(rows: TableRows, log: ErrorLog) -> None:
    """Required fields, code lists and each record's own invariants; duplicate keys."""
    record_type = RECORD_TYPES[rows.table.name]
    bad: set[int] = set()
    for column, values in zip(rows.table.columns, rows.columns, strict=True):
        if not column.nullable:
            # Empty text (a Parquet file can hold it) is missing too: a CSV cell cannot tell
            # the two apart, so it would not import back from the store's own export.
            blank = None if column.info.get("missing") == "" else ""
            for index in [i for i, v in enumerate(values) if v is None or v == blank]:
                log.add(rows.file, rows.number(index), column.name, "is required")
                bad.add(index)
        if "enum" in column.info:
            allowed = frozenset(column.info["enum"])
            for index in [i for i, v in enumerate(values) if v is not None and v not in allowed]:
                log.add(
                    rows.file,
                    rows.number(index),
                    column.name,
                    f"{values[index]!r} is not one of {sorted(allowed)}",
                )
                bad.add(index)
        if length := getattr(column.type, "length", None):
            for index in [i for i, v in enumerate(values) if v is not None and len(v) > length]:
                log.add(
                    rows.file,
                    rows.number(index),
                    column.name,
                    f"is longer than {length} characters",
                )
                bad.add(index)
    build = record_type.to_domain
    records = rows.records
    for index, row in enumerate(rows.rows):
        if index in bad:
            records.append(None)
            continue
        try:
            records.append(build(row))
        except InvariantViolation as error:
            records.append(None)
            for violation in error.violations:
                log.add(rows.file, rows.number(index), violation.field, violation.message)
        except (ValueError, TypeError) as error:
            records.append(None)
            log.add(rows.file, rows.number(index), None, str(error))
    key_names = [rows.table.columns[p].name for p in record_type.key_positions]
    row_of_key = rows.row_of_key
    for index, key in enumerate(rows.keys(key_names)):
        first = row_of_key.setdefault(key, index)
        if first != index:
            log.add(
                rows.file,
                rows.number(index),
                ", ".join(key_names),
                f"duplicate key {show_key(key)}: row {rows.number(first)} has the same",
            )


def unique_columns(table: Table) -> list[list[str]]:
    """The columns of each of the table's unique constraints but its key, in declared order."""
    return [
        [c.name for c in constraint.columns]
        for constraint in sorted(table.constraints, key=lambda c: str(c.name or ""))
        if isinstance(constraint, UniqueConstraint)
    ]


def check_unique(
    rows: TableRows,
    columns: list[str],
    log: ErrorLog,
    seen: dict[tuple[Any, ...], int] | None = None,
) -> None:
    """No two rows share these columns' values; ``seen`` carries them (and their row numbers)
    from one chunk of a table to the next."""
    positions = [list(rows.table.columns.keys()).index(c) for c in columns]
    seen = {} if seen is None else seen
    for index, row in enumerate(rows.rows):
        value = tuple(row[p] for p in positions)
        if None in value:
            continue  # as in SQL, a missing value is unlike any other
        first = seen.setdefault(value, rows.number(index))
        if first != rows.number(index):
            log.add(
                rows.file,
                rows.number(index),
                ", ".join(columns),
                f"{show_key(value)} is already used by row {first}",
            )


def check_unique_in_store(
    rows: TableRows, columns: list[str], connection: Connection, log: ErrorLog
) -> None:
    """No row takes values of these columns that a stored record of another key holds."""
    table = rows.table
    positions = [list(table.columns.keys()).index(c) for c in columns]
    values = {tuple(row[p] for p in positions) for row in rows.rows}
    values = {v for v in values if None not in v}
    if not values:
        return
    stored = bulk.stored_rows(connection, table, [table.columns[c] for c in columns], values)
    record_type = RECORD_TYPES[table.name]
    for index, row in enumerate(rows.rows):
        held = stored.get(tuple(row[p] for p in positions))
        if held is not None and record_type.key_of(held) != rows.key(index):
            log.add(
                rows.file,
                rows.number(index),
                ", ".join(columns),
                f"{show_key(tuple(row[p] for p in positions))} is already used by "
                f"{table.name} {show_key(record_type.key_of(held))} in the store",
            )


#: A reference to a later row of the same table, checked once the whole table is read:
#: (row number, the referring record's key, the key it refers to).
Deferred = tuple[int, tuple[Any, ...], tuple[Any, ...]]


def check_references(
    rows: TableRows,
    lookup: Lookup,
    log: ErrorLog,
    deferred: list[Deferred] | None = None,
) -> None:
    """Every foreign key points at a record in the package or already in the store.

    With ``deferred``, a reference within the table to a key not seen yet is set aside there
    instead of refused: it may be to a row of a later chunk.
    """
    knows = lookup.knows
    for constraint in rows.table.foreign_key_constraints:
        referred = constraint.referred_table
        keys = rows.keys(list(constraint.column_keys))
        # Each distinct key is looked up once (a chunk's items name a few thousand declarations).
        unknown = {k for k in set(keys) if None not in k and not knows(referred, k)}
        if not unknown:
            continue
        lookup.preload(referred, unknown)
        missing = {k for k in unknown if not knows(referred, k)}
        if not missing:
            continue
        for index, key in enumerate(keys):
            if key not in missing:
                continue
            if deferred is not None and referred is rows.table:
                deferred.append((rows.number(index), rows.key(index), key))
                continue
            log.add(
                rows.file,
                rows.number(index),
                ", ".join(constraint.column_keys),
                f"refers to {show_key(key)}, which is in neither {referred.name} nor the store",
            )


def show_key(key: tuple[Any, ...]) -> str:
    return repr(key[0]) if len(key) == 1 else repr(key)


def _each(rows: TableRows | None, log: ErrorLog, check: Callable[[Any], None]) -> None:
    """Run a cross-record check on each built record, logging violations at its row."""
    if rows is None:
        return
    for index, record in enumerate(rows.records):
        if record is None:
            continue
        try:
            check(record)
        except InvariantViolation as error:
            for violation in error.violations:
                log.add(rows.file, rows.number(index), violation.field, violation.message)


def check_across(
    package: Mapping[str, TableRows], lookup: Lookup, nomenclature: Nomenclature, log: ErrorLog
) -> None:
    """The domain's rules that span records."""
    _each(package.get(t.declaration_items.name), log, lambda item: item.check_against(nomenclature))
    _check_crossings(package, lookup, log)
    _check_units(package, lookup, log)
    _check_roles(package, lookup, log)
    _check_items_on_manifest(package, lookup, log)
    _check_finding_items(package, lookup, log)
    _check_reviews(package, lookup, log)
    _check_officers(package, lookup, log)


def _check_crossings(package: Mapping[str, TableRows], lookup: Lookup, log: ErrorLog) -> None:
    """Each unit with its movement (post, direction, time), each weighed mass within what its
    conveyance's kind can weigh, and no conveyance crossing twice at once in the package."""
    rows = package.get(t.crossings.name)
    if rows is None:
        return
    lookup.preload(t.conveyances, {(c.conveyance_id,) for c in rows.records if c is not None})
    lookup.preload(t.crossings, {(c.part_of,) for c in rows.records if c and c.part_of})
    previous: dict[int, Any] = {}
    ordered = sorted(
        (i for i, c in enumerate(rows.records) if c is not None),
        key=lambda i: (rows.records[i].conveyance_id, rows.records[i].crossed_at),
    )
    for before, after in itertools.pairwise(ordered):
        previous[after] = rows.records[before]
    stored = _stored_near(lookup.connection, [c for c in rows.records if c is not None])

    def check(crossing: Any) -> None:
        checks = Checks()
        if crossing.part_of is not None:
            movement = lookup.get(t.crossings, (crossing.part_of,))
            if movement is not None:
                checks.check(check_part_of, crossing, movement)
        conveyance = lookup.get(t.conveyances, (crossing.conveyance_id,))
        if conveyance is not None:
            checks.check(check_carried_mass, crossing, conveyance)
        index = rows.row_of_key.get((crossing.crossing_id,))
        earlier = previous.get(index) if index is not None else None
        if earlier is not None:
            checks.check(check_apart, crossing, earlier)
        for other in _nearest(stored.get(crossing.conveyance_id), crossing):
            checks.check(check_apart, crossing, other)
        checks.done()

    _each(rows, log, check)


#: A conveyance's stored crossings in time order, with their times (for bisection).
_Timeline = tuple[list[Any], list[Any]]


def _stored_near(connection: Connection, crossings: Sequence[Any]) -> dict[str, _Timeline]:
    """The store's crossings of the package's conveyances over the package's time span, by
    conveyance and in time order; read through the (conveyance_id, crossed_at) index."""
    if not crossings or bulk.is_empty(connection, t.crossings):
        return {}
    start = min(c.crossed_at for c in crossings) - CONVEYANCE_GAP
    end = max(c.crossed_at for c in crossings) + CONVEYANCE_GAP
    column = t.crossings.c
    build = RECORD_TYPES[t.crossings.name].to_domain
    rows = bulk.rows_between(
        connection,
        t.crossings,
        column.conveyance_id,
        {c.conveyance_id for c in crossings},
        column.crossed_at,
        start,
        end,
    )
    near: dict[str, _Timeline] = {}
    for crossing in sorted((build(row) for row in rows), key=lambda c: c.crossed_at):
        times, records = near.setdefault(crossing.conveyance_id, ([], []))
        times.append(crossing.crossed_at)
        records.append(crossing)
    return near


def _nearest(stored: _Timeline | None, crossing: Any) -> list[Any]:
    """Of a conveyance's stored crossings, those next to this one in time (and the crossing
    itself, should the package hold it again: :func:`check_apart` passes over it)."""
    if stored is None:
        return []
    times, records = stored
    at = bisect.bisect_left(times, crossing.crossed_at)
    return records[max(0, at - 1) : at + 2]


def _check_units(package: Mapping[str, TableRows], lookup: Lookup, log: ErrorLog) -> None:
    units = package.get(t.declaration_units.name)
    if units is None:
        return
    lookup.preload(t.declarations, {(u.declaration_id,) for u in units.records if u})
    lookup.preload(t.crossings, {(u.crossing_id,) for u in units.records if u})

    def check(unit: Any) -> None:
        declaration = lookup.get(t.declarations, (unit.declaration_id,))
        crossing = lookup.get(t.crossings, (unit.crossing_id,))
        if declaration is not None and crossing is not None:
            check_units(declaration, [unit], {crossing.crossing_id: crossing})

    _each(units, log, check)


def _check_roles(package: Mapping[str, TableRows], lookup: Lookup, log: ErrorLog) -> None:
    """A party acts only in the roles it is registered for."""

    def needs(role: PartyRole, field_name: str) -> Callable[[Any], None]:
        def check(record: Any) -> None:
            party_id = getattr(record, field_name)
            if party_id is None:
                return
            party = lookup.get(t.parties, (party_id,))
            if party is not None and not party.has_role(role):
                raise InvariantViolation(field_name, f"party {party_id!r} is not a {role}")

        return check

    declarations = package.get(t.declarations.name)
    parties = {
        (getattr(record, name),)
        for rows, names in (
            (declarations, ("declarant_id", "importer_id", "exporter_id")),
            (package.get(t.manifests.name), ("carrier_id",)),
            (package.get(t.conveyances.name), ("carrier_id",)),
        )
        if rows is not None
        for record in rows.records
        if record is not None
        for name in names
    }
    lookup.preload(t.parties, parties - {(None,)})
    for role, name in (
        (PartyRole.DECLARANT, "declarant_id"),
        (PartyRole.IMPORTER, "importer_id"),
        (PartyRole.EXPORTER, "exporter_id"),
    ):
        _each(declarations, log, needs(role, name))
    _each(package.get(t.manifests.name), log, needs(PartyRole.CARRIER, "carrier_id"))
    _each(package.get(t.conveyances.name), log, needs(PartyRole.CARRIER, "carrier_id"))


def _check_items_on_manifest(
    package: Mapping[str, TableRows], lookup: Lookup, log: ErrorLog
) -> None:
    items = package.get(t.declaration_items.name)
    if items is None:
        return
    claimed = [i for i in items.records if i is not None and i.manifest_line_no is not None]
    lookup.preload(t.declarations, {(i.declaration_id,) for i in claimed})
    line_keys = {
        (d.manifest_id, i.manifest_line_no)
        for i in claimed
        if (d := lookup.get(t.declarations, (i.declaration_id,))) and d.manifest_id
    }
    lookup.preload(t.manifest_lines, line_keys)

    def check(item: Any) -> None:
        if item.manifest_line_no is None:
            return
        declaration = lookup.get(t.declarations, (item.declaration_id,))
        if declaration is None:
            return
        if declaration.manifest_id is None:
            raise InvariantViolation(
                "manifest_line_no", f"declaration {item.declaration_id} names no manifest"
            )
        if lookup.get(t.manifest_lines, (declaration.manifest_id, item.manifest_line_no)) is None:
            raise InvariantViolation(
                "manifest_line_no",
                f"manifest {declaration.manifest_id} has no line {item.manifest_line_no}",
            )

    _each(items, log, check)


def _check_finding_items(package: Mapping[str, TableRows], lookup: Lookup, log: ErrorLog) -> None:
    """A finding names an item of the inspected declaration: one on no item cannot have been."""
    findings = package.get(t.findings.name)
    if findings is None:
        return
    claimed = [f for f in findings.records if f is not None and f.item_no is not None]
    lookup.preload(t.inspections, {(f.inspection_id,) for f in claimed})
    lookup.preload(
        t.declaration_items,
        {
            (inspection.declaration_id, f.item_no)
            for f in claimed
            if (inspection := lookup.get(t.inspections, (f.inspection_id,)))
        },
    )

    def check(finding: Any) -> None:
        if finding.item_no is None:
            return
        inspection = lookup.get(t.inspections, (finding.inspection_id,))
        if inspection is None:
            return
        if lookup.get(t.declaration_items, (inspection.declaration_id, finding.item_no)) is None:
            raise InvariantViolation(
                "item_no",
                f"cannot have happened: inspection {finding.inspection_id} is of declaration "
                f"{inspection.declaration_id}, which has no item {finding.item_no}",
            )

    _each(findings, log, check)


def _check_reviews(package: Mapping[str, TableRows], lookup: Lookup, log: ErrorLog) -> None:
    """A review is of a finished inspection, after it ended, of its declaration and of one of
    its findings (or of its whole result): a review of anything else cannot have happened."""
    reviews = package.get(t.finding_reviews.name)
    if reviews is None:
        return
    present = [v for v in reviews.records if v is not None]
    lookup.preload(t.inspections, {(v.inspection_id,) for v in present})
    lookup.preload(
        t.findings, {(v.inspection_id, v.finding_no) for v in present if v.finding_no is not None}
    )

    def check(review: Any) -> None:
        inspection = lookup.get(t.inspections, (review.inspection_id,))
        if inspection is None:
            return  # the reference check names it
        if inspection.ended_at is None:
            raise InvariantViolation(
                "inspection_id",
                f"cannot have happened: inspection {review.inspection_id} is not finished, "
                "so it has no result to review",
            )
        if review.reviewed_at < inspection.ended_at:
            raise InvariantViolation(
                "reviewed_at",
                f"cannot have happened: inspection {review.inspection_id} ended at "
                f"{encode_instant(inspection.ended_at)}, after its review",
            )
        if review.declaration_id != inspection.declaration_id:
            raise InvariantViolation(
                "declaration_id",
                f"cannot have happened: inspection {review.inspection_id} is of declaration "
                f"{inspection.declaration_id}",
            )
        if (
            review.finding_no is not None
            and lookup.get(t.findings, (review.inspection_id, review.finding_no)) is None
        ):
            raise InvariantViolation(
                "finding_no",
                f"cannot have happened: inspection {review.inspection_id} has no finding "
                f"{review.finding_no}",
            )

    _each(reviews, log, check)


def _check_officers(package: Mapping[str, TableRows], lookup: Lookup, log: ErrorLog) -> None:
    officers = package.get(t.officers.name)
    if officers is not None:
        supervisors = {(o.supervisor_id,) for o in officers.records if o and o.supervisor_id}
        lookup.preload(t.officers, supervisors)
        everyone = {o.officer_id: o for o in lookup.all_of(t.officers) if o is not None}
        try:
            check_hierarchy(everyone)
        except InvariantViolation as violation:
            log.add(officers.file, None, violation.field, violation.message)
        except KeyError as missing:
            log.add(officers.file, None, "supervisor_id", f"unknown supervisor {missing}")
    postings = package.get(t.officer_postings.name)
    if postings is not None:
        try:
            check_postings(p for p in postings.records if p is not None)
        except InvariantViolation as violation:
            log.add(postings.file, None, violation.field, violation.message)
