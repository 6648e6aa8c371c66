"""The unit of work: one database transaction around one use case, with its ledger entries.

A use case opens a unit of work, uses its repositories, and either the whole of it is committed
or none of it is. Every row a repository writes is also handed to the ledger, whose entries are
appended in the same transaction just before it commits: there is no way to change a record
through the system without the change being logged. Use cases never see a session or a
connection, so they cannot commit half-way.

A batch driver (the simulator, a replay) may open a :class:`~dostyk.store.batch.Batch` around
many use cases: each unit of work then runs in its own SAVEPOINT of the batch's transaction, so
a refused use case rolls back only itself, and the batch commits every so many use cases.
Interactive callers open no batch and keep one transaction per use case.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Generic, TypeVar, overload

from sqlalchemy import Connection, Engine, RootTransaction, Table

from dostyk.ledger import bulk as ledger_bulk
from dostyk.ledger.entries import Operation
from dostyk.ledger.writer import LedgerWriter
from dostyk.store import bulk, keeping, outcomes, running
from dostyk.store import radiation_repositories as rr
from dostyk.store import repositories as r
from dostyk.store import tables as t
from dostyk.store.batch import Batch, Savepoint, current_batch, forget_moved
from dostyk.store.engine import WRITER_OPTION

_Repo = TypeVar("_Repo", bound=r.Repository[Any])
_Made = TypeVar("_Made")


class cached_property(Generic[_Made]):  # noqa: N801 - used as functools' is
    """``functools.cached_property`` without its lock: a unit of work is used by one thread,
    and Python 3.11's takes a lock on every first access, a dozen per use case.

    A non-data descriptor: once made, the value sits in the instance's ``__dict__`` and later
    reads never come here."""

    def __init__(self, make: Callable[[Any], _Made]) -> None:
        self.make = make
        self.name = make.__name__
        self.__doc__ = make.__doc__

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> cached_property[_Made]: ...

    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None) -> _Made: ...

    def __get__(
        self, instance: object | None, owner: type[Any] | None = None
    ) -> _Made | cached_property[_Made]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.make(instance)
        return value


_STATUS = [c.name for c in t.declarations.columns].index("status")


class UnitOfWork:
    """``actor`` and ``at`` say who changes the records and when, for the ledger's entries.

    ``at`` defaults to the wall clock; the simulator passes its own clock so that a seed
    reproduces the same store to the byte.
    """

    connection: Connection
    ledger: LedgerWriter
    _transaction: RootTransaction | Savepoint

    def __init__(
        self, engine: Engine, *, actor: str = "system", at: datetime | None = None
    ) -> None:
        if at is not None and at.tzinfo is None:
            raise ValueError("a unit of work's time needs its time zone")
        self.engine = engine
        self.actor = actor
        self.at = at

    def __enter__(self) -> UnitOfWork:
        # Foreign keys are declared INITIALLY DEFERRED, so they are checked at commit and a use
        # case may write a row before the row it refers to, with nothing to switch here.
        self._batch: Batch | None = current_batch(self.engine)
        #: Declarations written as released in this unit of work: the running statistics count
        #: them at commit (see dostyk.store.running).
        self._released: list[Sequence[Any]] = []
        if self._batch is None:
            self.connection = self.engine.connect().execution_options(**{WRITER_OPTION: True})
            self._transaction = self.connection.begin()
        else:
            self.connection = self._batch.connection()
            self._transaction = Savepoint(self.connection)
        if self.at is None:
            self.at = datetime.now(UTC)
        known = None if self._batch is None else self._batch.log_size
        self.ledger = LedgerWriter(
            self.engine, self.connection, known_size=known, defer=self._batch is not None
        )
        #: Declarations this use case read for a move (:meth:`loaded_for_move`), and those it
        #: moved, as stored, with their steps: handed to the batch at release (see
        #: :meth:`dostyk.store.batch.Batch.moved`).
        self._loaded: dict[str, Any] = {}
        self._moves: dict[str, tuple[Any, Any]] = {}
        if self._batch is not None:
            self.ledger.on_record = self._recorded
        return self

    def _recorded(self, table_name: str, rows: Sequence[Sequence[Any]] | None) -> None:
        """In a batch: a change of ``rows`` of ``table_name`` is recorded (None: rows unknown)."""
        assert self._batch is not None
        self._batch.wrote(table_name, rows)
        forget_moved(self._moves, table_name, rows)

    def moved_in_batch(self, declaration_id: str) -> tuple[Any, Any] | None:
        """A declaration and its last step as an earlier use case of the batch stored them, if
        one did (and nothing wrote either since); the declaration counts as read."""
        if self._batch is None:
            return None
        found = self._batch.moved(declaration_id)
        if found is not None:
            self.declarations.remember(found[0])
        return found

    def loaded_for_move(self, declaration: Any) -> None:
        """``declaration`` is as stored, for a move: read from the store, handed on by the
        batch, or just written exactly as reading it back would give it (times in UTC)."""
        if self._batch is not None:
            self._loaded[declaration.declaration_id] = declaration

    def stored_move(self, before: Any, moved: Any, change: Any) -> None:
        """``before`` was moved to ``moved`` with the step ``change``, both just written: kept
        for the batch when ``before`` is as read from the store, so that ``moved`` is exactly
        what reading it back would give, and ``change`` once its time is in UTC, as stored."""
        if self._batch is None or self._loaded.get(before.declaration_id) is not before:
            return
        self._moves[moved.declaration_id] = (moved, change.in_utc())
        self._loaded[moved.declaration_id] = moved

    def _keeping(self, repository: _Repo) -> _Repo:
        """``repository``, reading through the batch's kept reads when in a batch."""
        if self._batch is not None:
            repository.kept = self._batch.reads
        return repository

    # Repositories are made when a use case first asks for one: most use only a few.
    @cached_property
    def posts(self) -> r.Posts:
        return self._keeping(r.Posts(self.connection, self.ledger))

    @cached_property
    def officers(self) -> r.Officers:
        return self._keeping(r.Officers(self.connection, self.ledger))

    @cached_property
    def postings(self) -> r.Postings:
        return self._keeping(r.Postings(self.connection, self.ledger))

    @cached_property
    def shifts(self) -> r.DutyShifts:
        return r.DutyShifts(self.connection, self.ledger)

    @cached_property
    def parties(self) -> r.Parties:
        return r.Parties(self.connection, self.ledger)

    @cached_property
    def conveyances(self) -> r.Conveyances:
        return r.Conveyances(self.connection, self.ledger)

    @cached_property
    def crossings(self) -> r.Crossings:
        return r.Crossings(self.connection, self.ledger)

    @cached_property
    def manifests(self) -> r.Manifests:
        return r.Manifests(self.connection, self.ledger)

    @cached_property
    def manifest_lines(self) -> r.ManifestLines:
        return r.ManifestLines(self.connection, self.ledger)

    @cached_property
    def declarations(self) -> r.Declarations:
        repository = r.Declarations(self.connection, self.ledger)
        repository.observer = self._watch_declarations
        return repository

    @cached_property
    def items(self) -> r.DeclarationItems:
        return r.DeclarationItems(self.connection, self.ledger)

    @cached_property
    def units(self) -> r.DeclarationUnits:
        return r.DeclarationUnits(self.connection, self.ledger)

    @cached_property
    def status_changes(self) -> r.StatusChanges:
        return r.StatusChanges(self.connection, self.ledger)

    @cached_property
    def assessments(self) -> r.RiskAssessments:
        return r.RiskAssessments(self.connection, self.ledger)

    @cached_property
    def inspections(self) -> r.Inspections:
        return r.Inspections(self.connection, self.ledger)

    @cached_property
    def findings(self) -> r.Findings:
        return r.Findings(self.connection, self.ledger)

    @cached_property
    def overrides(self) -> r.Overrides:
        return r.Overrides(self.connection, self.ledger)

    @cached_property
    def duty_lines(self) -> r.DutyLines:
        return r.DutyLines(self.connection, self.ledger)

    @cached_property
    def payments(self) -> r.Payments:
        return r.Payments(self.connection, self.ledger)

    @cached_property
    def discrepancies(self) -> r.Discrepancies:
        return r.Discrepancies(self.connection, self.ledger)

    @cached_property
    def queue_exceptions(self) -> r.QueueExceptions:
        return r.QueueExceptions(self.connection, self.ledger)

    @cached_property
    def tariff_rates(self) -> r.TariffRates:
        return self._keeping(r.TariffRates(self.connection, self.ledger))

    @cached_property
    def accounts(self) -> r.Accounts:
        return r.Accounts(self.connection, self.ledger)

    @cached_property
    def credentials(self) -> r.Credentials:
        return r.Credentials(self.connection, self.ledger)

    @cached_property
    def api_tokens(self) -> r.ApiTokens:
        return r.ApiTokens(self.connection, self.ledger)

    @cached_property
    def web_sessions(self) -> r.WebSessions:
        return r.WebSessions(self.connection, self.ledger)

    @cached_property
    def login_attempts(self) -> r.LoginAttempts:
        return r.LoginAttempts(self.connection, self.ledger)

    # Radiation portal monitoring (dostyk.store.radiation_repositories).
    @cached_property
    def portal_monitors(self) -> rr.PortalMonitors:
        return self._keeping(rr.PortalMonitors(self.connection, self.ledger))

    @cached_property
    def occupancies(self) -> rr.Occupancies:
        return rr.Occupancies(self.connection, self.ledger)

    @cached_property
    def radiation_alarms(self) -> rr.RadiationAlarms:
        return rr.RadiationAlarms(self.connection, self.ledger)

    @cached_property
    def alarm_findings(self) -> rr.AlarmFindings:
        return rr.AlarmFindings(self.connection, self.ledger)

    @cached_property
    def adjudication_steps(self) -> rr.AdjudicationSteps:
        return rr.AdjudicationSteps(self.connection, self.ledger)

    def _watch_declarations(self, rows: Sequence[Sequence[Any]]) -> None:
        self._released.extend(row for row in rows if row[_STATUS] == "released")

    def load(self, table: Table, rows: Sequence[Sequence[Any]]) -> int:
        """Bulk-insert rows (values in column order), each logged in the ledger at once
        (:mod:`dostyk.ledger.bulk`), after whatever this unit of work wrote before them."""
        assert self.at is not None
        if table is t.declarations:
            self._watch_declarations(rows)
        if self._batch is not None:
            self._recorded(str(table.name), None)
        self.ledger.flush(self.at, self.actor)
        self._insert_ledger_rows()
        count = bulk.load(self.connection, table, rows)
        ledger_bulk.append_rows(self.ledger, table, rows, Operation.INSERT, self.at, self.actor)
        return count

    def checkpoint(self) -> None:
        """Append the ledger entries of everything written so far, still inside the transaction.

        A long bulk load calls this between chunks so the pending entries never pile up in
        memory; the chunks and their entries still commit together, or not at all.
        """
        assert self.at is not None
        self.ledger.flush(self.at, self.actor)
        self._insert_ledger_rows()

    def _insert_ledger_rows(self) -> None:
        """In a batch, insert the ledger rows kept back so far, the batch's first (their order
        is the log's): a bulk append writes its own at once, and a long load keeps none."""
        if self._batch is not None:
            self._batch.insert_ledger_rows()
            self.ledger.insert_kept()

    def commit(self) -> None:
        try:
            self._commit()
        except BaseException:
            # The statistics this connection keeps may hold the release's items, which are not
            # in the store now (an invalidated connection keeps nothing anyway).
            keeping.forget_safely(self.connection)
            raise

    def _commit(self) -> None:
        assert self.at is not None
        if self._released:
            items = running.count_released(self.connection, self._released)
            outcomes.count_released(self.connection, self._released, items)
            self._released = []
        self.ledger.flush(self.at, self.actor)
        if self._batch is not None:
            self._release_savepoint()
            return
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

    def _release_savepoint(self) -> None:
        """In a batch: the use case is done; its savepoint is released into the batch, whose
        next commit makes it durable with the others."""
        assert self._batch is not None
        try:
            self._transaction.commit()
        except Exception:
            self.ledger.rolled_back()
            self._transaction.rollback()
            self._released = []
            raise
        # The log's right edge moves on with the batch's transaction; a batch that fails to
        # commit forgets it (see Batch.commit). Its entries and nodes go in before that commit.
        self._batch.keep_ledger_rows(*self.ledger.take_written())
        if self._moves:
            self._batch.keep_moved(self._moves)
        appended = self.ledger.appended_size
        self.ledger.committed()
        if appended is not None:
            self._batch.log_size = appended
        self._batch.done_one()

    def rollback(self) -> None:
        self._transaction.rollback()
        self.ledger.rolled_back()
        self._released = []
        keeping.forget(self.connection)

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
            if self._batch is None:
                self.connection.close()
