"""Repositories: the domain's records in and out of the store, one class per aggregate.

They work on the unit of work's connection and never commit; the unit of work decides. Queries
are SQLAlchemy Core expressions, so every value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Table, and_, func, insert, or_, select, update

from dostyk.domain.conveyances import Crossing
from dostyk.domain.declarations import (
    Channel,
    Declaration,
    DeclarationItem,
    DeclarationStatus,
    DeclarationUnit,
)
from dostyk.domain.inspections import Finding, Inspection
from dostyk.domain.manifests import Manifest
from dostyk.domain.officers import Officer, Posting
from dostyk.domain.tariff import Tariff, TariffRate
from dostyk.ledger.entries import Operation
from dostyk.ledger.writer import LedgerWriter
from dostyk.store import tables as t
from dostyk.store.records import RECORD_TYPES, RecordType

R = TypeVar("R")


class Repository(Generic[R]):
    """Add, get and list the records of one table."""

    table: Table

    def __init__(
        self, connection: Connection, ledger: LedgerWriter | None = None, table: Table | None = None
    ) -> None:
        self.connection = connection
        self.ledger = ledger
        if table is not None:
            self.table = table
        self.records: RecordType = RECORD_TYPES[self.table.name]
        self._key_columns = [c for c in self.table.columns if c.primary_key]

    def add(self, record: R) -> R:
        self.add_many([record])
        return record

    def add_many(self, records: Iterable[R]) -> int:
        rows = [self.records.to_row(r) for r in records]
        if rows:
            names = self.records.field_names
            self.connection.execute(
                insert(self.table), [dict(zip(names, row, strict=True)) for row in rows]
            )
            self._log(rows, Operation.INSERT)
        return len(rows)

    def _log(self, rows: Sequence[Sequence[Any]], operation: Operation) -> None:
        if self.ledger is None:
            raise RuntimeError(f"{self.table.name}: writing needs a unit of work")
        self.ledger.record(self.table, rows, operation)

    def replace(self, record: R) -> R:
        """Write a changed record back over the stored one with the same key."""
        row = self.records.to_row(record)
        params = dict(zip(self.records.field_names, row, strict=True))
        condition = and_(*(c == params[c.name] for c in self._key_columns))
        result = self.connection.execute(update(self.table).where(condition).values(params))
        if result.rowcount != 1:
            raise LookupError(f"{self.table.name}: no record {self.records.key_of(row)}")
        self._log([row], Operation.UPDATE)
        return record

    def get(self, *key: Any) -> R | None:
        condition = and_(*(c == v for c, v in zip(self._key_columns, key, strict=True)))
        row = self.connection.execute(select(self.table).where(condition)).first()
        return None if row is None else self._record(row)

    def all(self) -> list[R]:
        query = select(self.table).order_by(*self._key_columns)
        return [self._record(row) for row in self.connection.execute(query)]

    def count(self) -> int:
        return int(
            self.connection.execute(select(func.count()).select_from(self.table)).scalar_one()
        )

    def _where(self, *conditions: Any) -> list[R]:
        query = select(self.table).where(*conditions).order_by(*self._key_columns)
        return [self._record(row) for row in self.connection.execute(query)]

    def _record(self, row: Sequence[Any]) -> R:
        record: R = self.records.to_domain(row)
        return record


class Posts(Repository[Any]):
    table = t.posts


class Officers(Repository[Officer]):
    table = t.officers

    def by_id(self) -> dict[str, Officer]:
        return {o.officer_id: o for o in self.all()}


class Postings(Repository[Posting]):
    table = t.officer_postings

    def serving_at(self, post_code: str, day: date) -> list[Posting]:
        column = self.table.c
        return self._where(
            column.post_code == post_code,
            column.start_date <= day,
            or_(column.end_date.is_(None), column.end_date >= day),
        )


class Parties(Repository[Any]):
    table = t.parties


class Conveyances(Repository[Any]):
    table = t.conveyances


class Crossings(Repository[Crossing]):
    table = t.crossings

    def of_movement(self, crossing_id: str) -> list[Crossing]:
        return self._where(self.table.c.part_of == crossing_id)

    def at_post(self, post_code: str, start: datetime, end: datetime) -> list[Crossing]:
        column = self.table.c
        return self._where(
            column.post_code == post_code, column.crossed_at >= start, column.crossed_at < end
        )

    def many(self, crossing_ids: Iterable[str]) -> dict[str, Crossing]:
        ids = list(crossing_ids)
        if not ids:
            return {}
        return {c.crossing_id: c for c in self._where(self.table.c.crossing_id.in_(ids))}


class Manifests(Repository[Any]):
    table = t.manifests

    def of_crossing(self, crossing_id: str) -> list[Manifest]:
        """The manifests describing a train's or truck's crossing."""
        return self._where(self.table.c.crossing_id == crossing_id)


class ManifestLines(Repository[Any]):
    table = t.manifest_lines

    def of(self, manifest_id: str) -> list[Any]:
        return self._where(self.table.c.manifest_id == manifest_id)


class Declarations(Repository[Declaration]):
    table = t.declarations

    def by_reference(self, declarant_id: str, reference: str) -> Declaration | None:
        column = self.table.c
        found = self._where(column.declarant_id == declarant_id, column.reference == reference)
        return found[0] if found else None

    def with_status(self, post_code: str, status: DeclarationStatus) -> list[Declaration]:
        column = self.table.c
        return self._where(column.post_code == post_code, column.status == status.value)

    def of_manifest(self, manifest_id: str) -> list[Declaration]:
        return self._where(self.table.c.manifest_id == manifest_id)

    def count_of_importer(self, importer_id: str, status: DeclarationStatus) -> int:
        """How many of an importer's declarations are in ``status``: his history with customs."""
        column = self.table.c
        query = select(func.count()).where(
            column.importer_id == importer_id, column.status == status.value
        )
        return int(self.connection.execute(query).scalar_one())

    def paid_unreleased(
        self, post_code: str, channel: Channel
    ) -> list[tuple[Declaration, datetime]]:
        """Declarations paid and waiting for release at a post in a channel, with the time each
        was paid, first paid first: the release queue."""
        d, s = self.table.c, t.status_changes.c
        query = (
            select(self.table, s.at)
            .join(
                t.status_changes,
                and_(
                    s.declaration_id == d.declaration_id,
                    s.to_status == DeclarationStatus.PAID.value,
                ),
            )
            .where(
                d.post_code == post_code,
                d.status == DeclarationStatus.PAID.value,
                d.channel == channel.value,
            )
            .order_by(s.at, d.declaration_id)
        )
        width = len(self.table.columns)
        return [(self._record(row[:width]), row[width]) for row in self.connection.execute(query)]


class DeclarationItems(Repository[DeclarationItem]):
    table = t.declaration_items

    def of(self, declaration_id: str) -> list[DeclarationItem]:
        return self._where(self.table.c.declaration_id == declaration_id)

    def in_subheading(
        self, hs6: str, statuses: Iterable[DeclarationStatus]
    ) -> list[DeclarationItem]:
        """Items under an HS subheading on declarations in the given statuses."""
        d = t.declarations.c
        declared = select(d.declaration_id).where(d.status.in_([s.value for s in statuses]))
        column = self.table.c
        return self._where(
            column.commodity_code.startswith(hs6, autoescape=True),
            column.declaration_id.in_(declared),
        )


class DeclarationUnits(Repository[DeclarationUnit]):
    table = t.declaration_units

    def of(self, declaration_id: str) -> list[DeclarationUnit]:
        return self._where(self.table.c.declaration_id == declaration_id)

    def covering(self, crossing_id: str) -> list[DeclarationUnit]:
        return self._where(self.table.c.crossing_id == crossing_id)

    def covering_any(self, crossing_ids: Iterable[str]) -> list[DeclarationUnit]:
        ids = list(crossing_ids)
        return self._where(self.table.c.crossing_id.in_(ids)) if ids else []


class TariffRates(Repository[TariffRate]):
    table = t.tariff_rates

    def tariff(self) -> Tariff:
        return Tariff.of(self.all())

    def tariff_for(self, commodity_codes: Iterable[str]) -> Tariff:
        """The part of the tariff that can apply to these codes: rates of their prefixes."""
        prefixes = {code[:length] for code in commodity_codes for length in range(2, 11)}
        if not prefixes:
            return Tariff()
        return Tariff.of(self._where(self.table.c.code_prefix.in_(sorted(prefixes))))


class DutyShifts(Repository[Any]):
    table = t.duty_shifts

    def on_duty(self, post_code: str, moment: datetime) -> list[Any]:
        column = self.table.c
        return self._where(
            column.post_code == post_code, column.starts_at <= moment, column.ends_at > moment
        )


class StatusChanges(Repository[Any]):
    table = t.status_changes

    def of(self, declaration_id: str) -> list[Any]:
        return self._where(self.table.c.declaration_id == declaration_id)


class RiskAssessments(Repository[Any]):
    table = t.risk_assessments

    def of(self, declaration_id: str) -> list[Any]:
        return self._where(self.table.c.declaration_id == declaration_id)


class Inspections(Repository[Any]):
    table = t.inspections

    def of(self, declaration_id: str) -> list[Any]:
        return self._where(self.table.c.declaration_id == declaration_id)

    def waiting(self, inspector_id: str, post_code: str, channel: Channel) -> list[Inspection]:
        """An inspector's assigned, unstarted inspections of declarations at a post in a channel
        that still wait for them (assessed), oldest assignment first: his inspection queue."""
        i, d = self.table.c, t.declarations.c
        query = (
            select(self.table)
            .join(t.declarations, d.declaration_id == i.declaration_id)
            .where(
                i.inspector_id == inspector_id,
                i.started_at.is_(None),
                d.post_code == post_code,
                d.channel == channel.value,
                d.status == DeclarationStatus.ASSESSED.value,
            )
            .order_by(i.assigned_at, i.inspection_id)
        )
        return [self._record(row) for row in self.connection.execute(query)]


class Findings(Repository[Any]):
    table = t.findings

    def of(self, inspection_id: str) -> list[Any]:
        return self._where(self.table.c.inspection_id == inspection_id)

    def of_declaration(self, declaration_id: str) -> list[Finding]:
        """Every finding of every inspection of a declaration."""
        inspected = select(t.inspections.c.inspection_id).where(
            t.inspections.c.declaration_id == declaration_id
        )
        return self._where(self.table.c.inspection_id.in_(inspected))


class Overrides(Repository[Any]):
    table = t.overrides

    def of(self, declaration_id: str) -> list[Any]:
        return self._where(self.table.c.declaration_id == declaration_id)


class DutyLines(Repository[Any]):
    table = t.duty_lines

    def of(self, declaration_id: str) -> list[Any]:
        return self._where(self.table.c.declaration_id == declaration_id)


class Payments(Repository[Any]):
    table = t.payments

    def of(self, declaration_id: str) -> list[Any]:
        return self._where(self.table.c.declaration_id == declaration_id)


class Discrepancies(Repository[Any]):
    table = t.discrepancies


class QueueExceptions(Repository[Any]):
    table = t.queue_exceptions

    def of(self, declaration_id: str) -> list[Any]:
        return self._where(self.table.c.declaration_id == declaration_id)
