"""The unit of work: one database transaction around one use case, with its ledger entries.

A use case opens a unit of work, uses its repositories, and either the whole of it is committed
or none of it is. Every row a repository writes is also handed to the ledger, whose entries are
appended in the same transaction just before it commits: there is no way to change a record
through the system without the change being logged. Use cases never see a session or a
connection, so they cannot commit half-way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, Table

from dostyk.ledger.entries import Operation
from dostyk.ledger.writer import LedgerWriter
from dostyk.store import bulk
from dostyk.store import repositories as r
from dostyk.store.engine import WRITER_OPTION


class UnitOfWork:
    """``actor`` and ``at`` say who changes the records and when, for the ledger's entries.

    ``at`` defaults to the wall clock; the simulator passes its own clock so that a seed
    reproduces the same store to the byte.
    """

    connection: Connection
    ledger: LedgerWriter

    def __init__(
        self, engine: Engine, *, actor: str = "system", at: datetime | None = None
    ) -> None:
        if at is not None and at.tzinfo is None:
            raise ValueError("a unit of work's time needs its time zone")
        self.engine = engine
        self.actor = actor
        self.at = at

    def __enter__(self) -> UnitOfWork:
        self.connection = self.engine.connect().execution_options(**{WRITER_OPTION: True})
        self._transaction = self.connection.begin()
        if self.at is None:
            self.at = datetime.now(UTC)
        if self.connection.dialect.name == "postgresql":
            # Foreign keys are checked at commit, as on SQLite with defer_foreign_keys below, so
            # a use case may write a row before the row it refers to.
            self.connection.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")
        else:
            self.connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")
        self.ledger = LedgerWriter(self.engine, self.connection)
        c, ledger = self.connection, self.ledger
        self.posts = r.Posts(c, ledger)
        self.officers = r.Officers(c, ledger)
        self.postings = r.Postings(c, ledger)
        self.shifts = r.DutyShifts(c, ledger)
        self.parties = r.Parties(c, ledger)
        self.conveyances = r.Conveyances(c, ledger)
        self.crossings = r.Crossings(c, ledger)
        self.manifests = r.Manifests(c, ledger)
        self.manifest_lines = r.ManifestLines(c, ledger)
        self.declarations = r.Declarations(c, ledger)
        self.items = r.DeclarationItems(c, ledger)
        self.units = r.DeclarationUnits(c, ledger)
        self.status_changes = r.StatusChanges(c, ledger)
        self.assessments = r.RiskAssessments(c, ledger)
        self.inspections = r.Inspections(c, ledger)
        self.findings = r.Findings(c, ledger)
        self.overrides = r.Overrides(c, ledger)
        self.duty_lines = r.DutyLines(c, ledger)
        self.payments = r.Payments(c, ledger)
        self.discrepancies = r.Discrepancies(c, ledger)
        self.queue_exceptions = r.QueueExceptions(c, ledger)
        self.tariff_rates = r.TariffRates(c, ledger)
        return self

    def load(self, table: Table, rows: Sequence[Sequence[Any]]) -> int:
        """Bulk-insert rows (values in column order), logging each in the ledger."""
        self.ledger.record(table, rows, Operation.INSERT)
        return bulk.load(self.connection, table, rows)

    def checkpoint(self) -> None:
        """Append the ledger entries of everything written so far, still inside the transaction.

        A long bulk load calls this between chunks so the pending entries never pile up in
        memory; the chunks and their entries still commit together, or not at all.
        """
        assert self.at is not None
        self.ledger.flush(self.at, self.actor)

    def commit(self) -> None:
        assert self.at is not None
        self.ledger.flush(self.at, self.actor)
        try:
            self._transaction.commit()
        except Exception:
            # A refused COMMIT (a deferred foreign key, say) can leave SQLite inside the
            # transaction and holding the write lock; the connection's state is unknown, so it is
            # discarded rather than returned to the pool.
            self.ledger.rolled_back()
            self.connection.invalidate()
            raise
        self.ledger.committed()

    def rollback(self) -> None:
        self._transaction.rollback()
        self.ledger.rolled_back()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if self._transaction.is_active:
                if kind is None:
                    self.commit()
                else:
                    self.rollback()
        finally:
            self.connection.close()
