"""After a package is loaded: hold its history against Dostyk's controls.

Runs inside the import's transaction, once every table is in the store, over the declarations the
package brought or added records to, a thousand at a time (each batch's records read by
declaration in a few indexed queries), and over the package's duty shifts. What cannot have
happened (:func:`~dostyk.domain.controls.history_contradictions`) is logged as an error at its
file, row and field, which refuses the package; each breach of a control
(:mod:`dostyk.domain.controls`) becomes an :class:`~dostyk.domain.anomalies.Anomaly`, loaded into
the ``anomalies`` table with its ledger entry unless the store (or the package) already holds it.

Postings and rosters are held against only when the store has any: a history that kept none
has nothing to measure an inspector against, and flagging every inspection would hide the real
breaches.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, and_, exists, select

from dostyk.domain.anomalies import Anomaly
from dostyk.domain.calendar import national_day
from dostyk.domain.controls import (
    DeclarationHistory,
    history_contradictions,
    inspection_breaches,
    override_breaches,
    release_breaches,
    roster_breaches,
    shift_breaches,
)
from dostyk.domain.officers import Officer, Posting
from dostyk.interchange.datapackage.errors import ErrorLog
from dostyk.store import bulk
from dostyk.store import tables as t
from dostyk.store.records import RECORD_TYPES
from dostyk.store.unit_of_work import UnitOfWork

#: Declarations whose records are read and held against the controls at a time.
BATCH = 1000
#: The tables whose rows add their declaration to those to check.
ABOUT_DECLARATIONS = (
    t.status_changes,
    t.overrides,
    t.inspections,
    t.payments,
    t.risk_assessments,
    t.duty_lines,
)


def _build(table: Table, rows: Iterable[Sequence[Any]]) -> list[Any]:
    build = RECORD_TYPES[table.name].from_store
    return [build(row) for row in rows]


def _by_declaration(
    connection: Connection, table: Table, ids: Sequence[str]
) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = defaultdict(list)
    query = select(table).where(table.c.declaration_id.in_(ids))
    for record in _build(table, connection.execute(query)):
        found[record.declaration_id].append(record)
    return found


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ControlCheck:
    """The package's declarations and shifts, and what holding them to the controls found."""

    def __init__(
        self, uow: UnitOfWork, log: ErrorLog, keys: Mapping[str, Mapping[tuple[Any, ...], int]]
    ) -> None:
        self.uow = uow
        self.log = log
        self.keys = keys
        #: Declarations not in the package that its other records add to.
        self.also: set[str] = set()
        self.files: dict[str, str] = {}
        self.found: Counter[str] = Counter()

    def saw(self, table: Table, file: str, rows: Sequence[Sequence[Any]]) -> None:
        """Called with each chunk as it is loaded."""
        self.files[table.name] = file
        if table in ABOUT_DECLARATIONS:
            position = list(table.columns.keys()).index("declaration_id")
            package = self.keys.get(t.declarations.name, {})
            self.also.update(r[position] for r in rows if (r[position],) not in package)

    def run(self) -> Counter[str]:
        connection = self.uow.connection
        officers: dict[str, Officer] = {
            o.officer_id: o for o in _build(t.officers, connection.execute(select(t.officers)))
        }
        postings: dict[str, list[Posting]] | None = None
        if not bulk.is_empty(connection, t.officer_postings):
            postings = defaultdict(list)
            for posting in _build(
                t.officer_postings, connection.execute(select(t.officer_postings))
            ):
                postings[posting.officer_id].append(posting)
        roster_kept = not bulk.is_empty(connection, t.duty_shifts)
        declared = {k[0] for k in self.keys.get(t.declarations.name, {})}
        ids = sorted(declared | self.also)
        for batch in _chunks(ids, BATCH):
            anomalies = self._declarations(batch, officers, postings, roster_kept)
            if self.log:
                return self.found
            self._load(anomalies)
        shift_keys = sorted(self.keys.get(t.duty_shifts.name, {}))
        if postings is not None:
            for start in range(0, len(shift_keys), BATCH):
                rows = bulk.stored_rows(
                    connection,
                    t.duty_shifts,
                    [t.duty_shifts.c.shift_id],
                    shift_keys[start : start + BATCH],
                )
                shifts = _build(t.duty_shifts, rows.values())
                self._load(shift_breaches(shifts, postings, national_day))
        return self.found

    def _declarations(
        self,
        batch: Sequence[str],
        officers: Mapping[str, Officer],
        postings: Mapping[str, Sequence[Posting]] | None,
        roster_kept: bool,
    ) -> list[Anomaly]:
        connection = self.uow.connection
        declarations = _build(
            t.declarations,
            bulk.stored_rows(
                connection, t.declarations, [t.declarations.c.declaration_id], [(i,) for i in batch]
            ).values(),
        )
        steps = _by_declaration(connection, t.status_changes, batch)
        assessments = _by_declaration(connection, t.risk_assessments, batch)
        overrides = _by_declaration(connection, t.overrides, batch)
        inspections = _by_declaration(connection, t.inspections, batch)
        payments = _by_declaration(connection, t.payments, batch)
        due = self._due(batch)
        on_roster = self._on_roster(batch) if roster_kept else None
        found: list[Anomaly] = []
        for declaration in declarations:
            key = declaration.declaration_id
            own_inspections = inspections.get(key, [])
            history = DeclarationHistory(
                declaration=declaration,
                steps=steps.get(key, []),
                assessments=assessments.get(key, []),
                overrides=overrides.get(key, []),
                inspections=own_inspections,
                payments=payments.get(key, []),
                due=due.get(key, Decimal(0)),
                on_roster=(
                    on_roster
                    if on_roster is not None
                    else frozenset(i.inspection_id for i in own_inspections)
                ),
            )
            self._refuse(history)
            found += override_breaches(history, officers)
            found += inspection_breaches(history, postings, national_day)
            if on_roster is not None:
                found += roster_breaches(history)
            found += release_breaches(history)
        return found

    def _refuse(self, history: DeclarationHistory) -> None:
        declaration_id = history.declaration.declaration_id
        for contradiction in history_contradictions(history):
            row = self.keys.get(t.declarations.name, {}).get((declaration_id,))
            file = self.files.get(t.declarations.name)
            field = contradiction.field
            if contradiction.step is not None or row is None:
                seq = contradiction.step or max((s.seq for s in history.steps), default=0)
                step_row = self.keys.get(t.status_changes.name, {}).get((declaration_id, seq))
                if step_row is not None:
                    row, file = step_row, self.files.get(t.status_changes.name)
                    field = contradiction.field if contradiction.step is not None else "to_status"
            self.log.add(
                file or "declarations", row, field, f"cannot have happened: {contradiction.message}"
            )

    def _due(self, batch: Sequence[str]) -> dict[str, Decimal]:
        connection = self.uow.connection
        due: dict[str, Decimal] = defaultdict(Decimal)
        lines = t.duty_lines.c
        for declaration_id, duty, vat in connection.execute(
            select(lines.declaration_id, lines.duty, lines.vat).where(
                lines.declaration_id.in_(batch)
            )
        ):
            due[declaration_id] += duty + vat
        inspections, findings = t.inspections.c, t.findings.c
        for declaration_id, extra in connection.execute(
            select(inspections.declaration_id, findings.extra_duty)
            .join_from(
                t.findings, t.inspections, findings.inspection_id == inspections.inspection_id
            )
            .where(inspections.declaration_id.in_(batch))
        ):
            due[declaration_id] += extra
        return due

    def _on_roster(self, batch: Sequence[str]) -> frozenset[str]:
        """The batch's inspections whose inspector had a shift at the post at assignment."""
        i, d, s = t.inspections.c, t.declarations.c, t.duty_shifts.c
        covered = exists().where(
            and_(
                s.officer_id == i.inspector_id,
                s.post_code == d.post_code,
                s.starts_at <= i.assigned_at,
                s.ends_at > i.assigned_at,
            )
        )
        query = (
            select(i.inspection_id)
            .join_from(t.inspections, t.declarations, i.declaration_id == d.declaration_id)
            .where(i.declaration_id.in_(batch), covered)
        )
        return frozenset(row[0] for row in self.uow.connection.execute(query))

    def _load(self, anomalies: list[Anomaly]) -> None:
        unique: dict[tuple[str, str, str], Anomaly] = {}
        for anomaly in anomalies:
            unique.setdefault(
                (anomaly.record_table, anomaly.record_key, anomaly.control.value), anomaly
            )
        if not unique:
            return
        table = t.anomalies
        held = bulk.stored_rows(
            self.uow.connection,
            table,
            [table.c.record_table, table.c.record_key, table.c.control],
            list(unique),
        )
        record_type = RECORD_TYPES[table.name]
        fresh = [record_type.to_row(a) for k, a in sorted(unique.items()) if k not in held]
        if fresh:
            self.uow.load(table, fresh)
            self.uow.checkpoint()
        for key in unique:
            self.found[key[2]] += 1
