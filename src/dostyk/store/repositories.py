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
    Declaration,
    DeclarationItem,
    DeclarationStatus,
    DeclarationUnit,
)
from dostyk.domain.officers import Officer, Posting
from dostyk.domain.tariff import Tariff, TariffRate
from dostyk.store import tables as t
from dostyk.store.records import RECORD_TYPES, RecordType

R = TypeVar("R")


class Repository(Generic[R]):
    """Add, get and list the records of one table."""

    table: Table

    def __init__(self, connection: Connection, table: Table | None = None) -> None:
        self.connection = connection
        if table is not None:
            self.table = table
        self.records: RecordType = RECORD_TYPES[self.table.name]
        self._key_columns = [c for c in self.table.columns if c.primary_key]

    def add(self, record: R) -> R:
        self.connection.execute(insert(self.table), [self._params(record)])
        return record

    def add_many(self, records: Iterable[R]) -> int:
        rows = [self._params(r) for r in records]
        if rows:
            self.connection.execute(insert(self.table), rows)
        return len(rows)

    def replace(self, record: R) -> R:
        """Write a changed record back over the stored one with the same key."""
        params = self._params(record)
        condition = and_(*(c == params[c.name] for c in self._key_columns))
        result = self.connection.execute(update(self.table).where(condition).values(params))
        if result.rowcount != 1:
            raise LookupError(
                f"{self.table.name}: no record {self.records.key_of(list(params.values()))}"
            )
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

    def _params(self, record: R) -> dict[str, Any]:
        return dict(zip(self.records.field_names, self.records.to_row(record), strict=True))

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


class DeclarationItems(Repository[DeclarationItem]):
    table = t.declaration_items

    def of(self, declaration_id: str) -> list[DeclarationItem]:
        return self._where(self.table.c.declaration_id == declaration_id)


class DeclarationUnits(Repository[DeclarationUnit]):
    table = t.declaration_units

    def of(self, declaration_id: str) -> list[DeclarationUnit]:
        return self._where(self.table.c.declaration_id == declaration_id)

    def covering(self, crossing_id: str) -> list[DeclarationUnit]:
        return self._where(self.table.c.crossing_id == crossing_id)


class TariffRates(Repository[TariffRate]):
    table = t.tariff_rates

    def tariff(self) -> Tariff:
        return Tariff.of(self.all())
