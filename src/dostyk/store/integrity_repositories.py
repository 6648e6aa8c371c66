"""Repositories of the integrity unit's records: anomalies, conflicts of interest, cases, and
the partner-reported exports its mirror analysis reads.

Kept apart from :mod:`dostyk.store.repositories` since they serve one capability; they are built
on the unit of work's connection and ledger like the others (``Conflicts(uow.connection,
uow.ledger)``), so every write is logged in the same transaction.

The one query on a live path is :meth:`Conflicts.between`, asked on every random draw and every
override decision: it reads the register through its (party_id, officer_id) index for the few
parties of one declaration, with a statement kept per list size, so its cost does not grow with
the register or with history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import bindparam, desc, select

from dostyk.domain.anomalies import Anomaly
from dostyk.domain.cases import IntegrityCase
from dostyk.domain.conflicts import ConflictExclusion, ConflictOfInterest
from dostyk.domain.partner_trade import PartnerExport
from dostyk.store import tables as t
from dostyk.store.repositories import Repository, _listed, _one_of, _slots


class Conflicts(Repository[ConflictOfInterest]):
    table = t.conflicts_of_interest

    def between(
        self, officer_ids: Sequence[str], party_ids: Iterable[str], at: datetime
    ) -> list[ConflictOfInterest]:
        """The conflicts in force at ``at`` between any of these officers and these parties."""
        officers = sorted(set(officer_ids))
        parties = sorted({p for p in party_ids if p})
        if not officers or not parties:
            return []
        column = self.table.c
        party_slots, officer_slots = _slots(parties), _slots(officers)
        found = self._run(
            f"between:{party_slots}:{officer_slots}",
            lambda: (
                select(self.table)
                .where(
                    _one_of(column.party_id, "party", party_slots),
                    _one_of(column.officer_id, "officer", officer_slots),
                    column.declared_at <= bindparam("at", type_=column.declared_at.type),
                )
                .order_by(column.conflict_id)
            ),
            at=at,
            **_listed("party", parties),
            **_listed("officer", officers),
        )
        return [c for c in found if c.in_force(at)]

    def of_officer(self, officer_id: str) -> list[ConflictOfInterest]:
        return self._of(self.table.c.officer_id, officer_id)

    def listing(self, *, current_only: bool = False) -> list[ConflictOfInterest]:
        column = self.table.c
        query = select(self.table).order_by(desc(column.declared_at), column.conflict_id)
        if current_only:
            query = query.where(column.withdrawn_at.is_(None))
        return [self._record(row) for row in self.connection.execute(query)]


class ConflictExclusions(Repository[ConflictExclusion]):
    table = t.conflict_exclusions

    def latest(self, limit: int) -> list[ConflictExclusion]:
        column = self.table.c
        query = select(self.table).order_by(desc(column.at), column.exclusion_id).limit(limit)
        return [self._record(row) for row in self.connection.execute(query)]

    def count_of(self, subject_id: str) -> int:
        return len(self._of(self.table.c.subject_id, subject_id))


class Anomalies(Repository[Anomaly]):
    table = t.anomalies

    def of_officer(self, officer_id: str) -> list[Anomaly]:
        return self._of(self.table.c.officer_id, officer_id)

    def page(self, limit: int, offset: int = 0) -> list[Anomaly]:
        column = self.table.c
        query = (
            select(self.table)
            .order_by(desc(column.at), column.record_table, column.record_key, column.control)
            .limit(limit)
            .offset(offset)
        )
        return [self._record(row) for row in self.connection.execute(query)]


class Cases(Repository[IntegrityCase]):
    table = t.integrity_cases

    def listing(self) -> list[IntegrityCase]:
        column = self.table.c
        query = select(self.table).order_by(desc(column.opened_at), column.case_id)
        return [self._record(row) for row in self.connection.execute(query)]

    def of_subject(self, subject_kind: str, subject_id: str) -> list[IntegrityCase]:
        column = self.table.c
        query = (
            select(self.table)
            .where(column.subject_kind == subject_kind, column.subject_id == subject_id)
            .order_by(column.case_id)
        )
        return [self._record(row) for row in self.connection.execute(query)]


class PartnerExports(Repository[PartnerExport]):
    """What trading partners report they exported here (the mirror analysis' reference)."""

    table = t.partner_exports
