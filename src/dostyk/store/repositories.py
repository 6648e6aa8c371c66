"""Repositories: the domain's records in and out of the store, one class per aggregate.

They work on the unit of work's connection and never commit; the unit of work decides. Queries
are SQLAlchemy Core expressions, so every value is a bound parameter.

Three things keep the use cases fast, since each runs a few dozen statements per transaction:

* Where a use case needs the records of many keys, a repository reads them in one query (a list
  of keys or a join), never one query per key.
* The statements a use case runs on every call are built once per table and kept
  (:meth:`Repository._prepared`): building a Core expression costs more than running it. A list
  of keys is written as one parameter per key, so a kept statement's SQL is fixed for each
  length of list.
* On SQLite a kept statement is compiled once and run on the driver's cursor
  (:class:`_DriverStatement`), with the same conversions of values and the same exceptions as
  SQLAlchemy's: for a lookup by key, SQLAlchemy's work around each execution costs several times
  what SQLite spends on it.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Executable,
    Select,
    String,
    Table,
    and_,
    bindparam,
    desc,
    func,
    insert,
    or_,
    select,
    type_coerce,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement, ColumnElement

from dostyk.domain.accounts import (
    FAILURES,
    Account,
    ApiToken,
    AttemptOutcome,
    Credential,
    LoginAttempt,
    Session,
)
from dostyk.domain.conveyances import Conveyance, Crossing
from dostyk.domain.declarations import (
    Channel,
    Declaration,
    DeclarationItem,
    DeclarationStatus,
    DeclarationUnit,
)
from dostyk.domain.events import StatusChange
from dostyk.domain.inspections import Finding, Inspection
from dostyk.domain.manifests import Manifest
from dostyk.domain.officers import Officer, Posting
from dostyk.domain.overrides import Override
from dostyk.domain.parties import Party
from dostyk.domain.queues import QueueException
from dostyk.domain.tariff import Tariff, TariffRate
from dostyk.ledger.entries import Operation
from dostyk.ledger.writer import LedgerWriter
from dostyk.store import tables as t
from dostyk.store.compiled import generate, tuple_of
from dostyk.store.records import RECORD_TYPES, RecordType

R = TypeVar("R")
#: A conversion of one value on its way to or from the driver.
Processor = Callable[[Any], Any]

#: Statements built once, by table and name (see :meth:`Repository._prepared`).
_PREPARED: dict[tuple[Table, str], Executable] = {}


@cache
def _key_columns(table: Table) -> tuple[Column[Any], ...]:
    """The table's key columns, found once per table: every unit of work makes its
    repositories afresh, and walking a table's columns costs more than the lookup."""
    found = _KEY_COLUMNS.get(table)
    if found is None:
        found = _KEY_COLUMNS[table] = tuple(c for c in table.columns if c.primary_key)
    return found


_KEY_COLUMNS: dict[Table, tuple[Column[Any], ...]] = {}


def _key_name(column: Column[Any]) -> str:
    """The name of a key's bound parameter, apart from the column names an UPDATE sets."""
    return f"key_{column.name}"


def _slots(values: Sequence[Any]) -> int:
    """How many parameters a list of ``values`` is given: the next power of two, so that one
    kept statement serves every list up to that length (see :func:`_listed`)."""
    return 1 << max(len(values) - 1, 0).bit_length()


def _one_of(column: Column[Any], name: str, slots: int) -> ColumnElement[bool]:
    """``column IN (:name_0, ..., :name_<slots - 1>)``, for a statement kept per list size."""
    return column.in_([bindparam(f"{name}_{n}", type_=column.type) for n in range(slots)])


def _listed(name: str, values: Sequence[Any]) -> dict[str, Any]:
    """The parameters of :func:`_one_of` for ``values`` (at least one): the values, then the
    last one again up to the list's size, which changes nothing in an ``IN`` list."""
    padded = [*values, *[values[-1]] * (_slots(values) - len(values))]
    return {f"{name}_{n}": value for n, value in enumerate(padded)}


#: No declaration has this status: a list of statuses to leave out that leaves out nothing.
NO_STATUS = ""


# --- running kept statements -------------------------------------------------------------------


class _DriverStatement:
    """A kept statement compiled once for SQLite's own driver, run on its cursor.

    The values are converted as SQLAlchemy would convert them (its bind and result processors of
    each type: an aware instant to naive UTC text and back, an exact decimal to text and back),
    and an error is raised as SQLAlchemy raises it: a driver's as its ``DBAPIError`` subclass
    (``IntegrityError``), a refused value as a ``StatementError``.
    """

    def __init__(self, statement: Executable, dialect: Dialect, column_keys: Sequence[str]) -> None:
        assert isinstance(statement, ClauseElement)
        compiled = statement.compile(dialect=dialect, column_keys=list(column_keys) or None)
        assert isinstance(compiled, SQLCompiler)
        self.compiled = compiled
        self.dialect = dialect
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ())
        binds = [compiled.binds[name] for name in self.names]
        #: The statement's own value at each position that has one (a literal, LIMIT's 1).
        self.own = tuple(None if b.required else (b.effective_value,) for b in binds)
        self.into: tuple[Processor | None, ...] = tuple(
            b.type.dialect_impl(dialect).bind_processor(dialect) for b in binds
        )
        columns: Iterable[ColumnElement[Any]] = (
            statement.selected_columns if isinstance(statement, Select) else ()
        )
        out = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        self.out: Callable[[list[tuple[Any, ...]]], list[tuple[Any, ...]]] | None = (
            _converter(out) if any(out) else None
        )
        self._arguments: Callable[[Mapping[str, Any]], list[Any]] = _argument_builder(
            self.names, self.own, self.into
        )

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        """The driver's positional arguments: the statement's own values and the given ones,
        each converted for the driver."""
        try:
            return self._arguments(params)
        except KeyError:  # SQLAlchemy names the missing value
            self.compiled.construct_params(dict(params))
            raise

    def rows(self, driver: Any, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        try:
            found: list[tuple[Any, ...]] = driver.execute(
                self.sql, self.arguments(params)
            ).fetchall()
        except Exception as error:
            raise self._translated(error, params) from error
        out = self.out
        return found if out is None else out(found)

    def write(self, driver: Any, params: Sequence[Mapping[str, Any]]) -> int:
        """Run an INSERT or UPDATE once per set of parameters; the number of rows it touched."""
        try:
            cursor = driver.executemany(self.sql, [self.arguments(p) for p in params])
        except Exception as error:
            raise self._translated(error, params) from error
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def _translated(self, error: Exception, params: Any) -> BaseException:
        """``error`` as SQLAlchemy's ``Connection.execute`` raises it: a driver error wrapped in
        its DBAPIError subclass (an integrity error stays one), anything else as it is."""
        driver_error = self.dialect.loaded_dbapi.Error
        translated: BaseException = DBAPIError.instance(
            self.sql, params, error, driver_error, dialect=self.dialect
        )
        return translated


def _same(value: Any, old: Any) -> bool:
    """Whether a column's new value is stored exactly as its old one: of the same type, and for
    numbers and instants written the same way (``1.0`` and ``1.00``, or one instant in two time
    zones, are equal but stored differently)."""
    if value is old:
        return True
    if type(value) is not type(old):
        return False
    if isinstance(value, Decimal | float | datetime):
        return repr(value) == repr(old)
    return bool(value == old)


def _argument_builder(
    names: Sequence[str],
    own: Sequence[tuple[Any] | None],
    into: Sequence[Processor | None],
) -> Callable[[Mapping[str, Any]], list[Any]]:
    """A function giving a statement's positional arguments from its named parameters (a
    missing one raises ``KeyError``): its own value where it has one, each converted."""
    scope: dict[str, Any] = {}
    values = []
    for position, (name, value, convert) in enumerate(zip(names, own, into, strict=True)):
        if value is None:
            given = f"params[{name!r}]"
        else:
            scope[f"own{position}"] = value[0]
            given = f"own{position}"
        if convert is not None:
            scope[f"convert{position}"] = convert
            given = f"convert{position}({given})"
        values.append(given)
    build: Callable[[Mapping[str, Any]], list[Any]] = generate(
        "arguments", "params", [f"return [{', '.join(values)}]"], scope
    )
    return build


def _converter(
    out: Sequence[Processor | None],
) -> Callable[[list[tuple[Any, ...]]], list[tuple[Any, ...]]]:
    """A function converting every fetched row by its columns' result processors."""
    scope: dict[str, Any] = {}
    values = []
    for position, convert in enumerate(out):
        if convert is None:
            values.append(f"row[{position}]")
        else:
            scope[f"convert{position}"] = convert
            values.append(f"convert{position}(row[{position}])")
    convert_rows: Callable[[list[tuple[Any, ...]]], list[tuple[Any, ...]]] = generate(
        "convert_rows", "found", [f"return [{tuple_of(values)} for row in found]"], scope
    )
    return convert_rows


#: The attribute of a dialect (that is, of an engine) holding its kept statements compiled for
#: SQLite, by statement and the columns an INSERT or UPDATE sets; None where the SQL depends on
#: the values. On the dialect itself, so that they go with it: a weak mapping keyed by dialect
#: made a weak reference on every statement of every use case.
_DRIVER_STATEMENTS = "_dostyk_driver_statements"


def _driver_statement(
    connection: Connection, statement: Executable, column_keys: tuple[str, ...] = ()
) -> _DriverStatement | None:
    """The kept ``statement`` compiled for the driver, when the connection is SQLite's inside a
    transaction (outside one, SQLAlchemy's own execution begins it)."""
    dialect = connection.dialect
    if dialect.name != "sqlite" or not connection.in_transaction():
        return None
    compiled: dict[tuple[int, tuple[str, ...]], _DriverStatement | None] | None = getattr(
        dialect, _DRIVER_STATEMENTS, None
    )
    if compiled is None:
        compiled = {}
        setattr(dialect, _DRIVER_STATEMENTS, compiled)
    key = (id(statement), column_keys)
    try:
        return compiled[key]
    except KeyError:
        prepared = _DriverStatement(statement, dialect, column_keys)
        found = compiled[key] = None if prepared.compiled.post_compile_params else prepared
        return found


def _driver(connection: Connection) -> Any:
    return connection.connection.driver_connection


def _query(
    connection: Connection, query: Select[Any], params: Mapping[str, Any]
) -> Sequence[Sequence[Any]]:
    """The rows of a kept query."""
    prepared = _driver_statement(connection, query)
    if prepared is not None:
        return prepared.rows(_driver(connection), params)
    return connection.execute(query, dict(params)).all()


def _write(
    connection: Connection,
    statement: Executable,
    params: Sequence[dict[str, Any]],
    column_keys: tuple[str, ...],
) -> int:
    """Run a kept INSERT or UPDATE for each set of parameters (all setting ``column_keys``);
    the number of rows it touched."""
    prepared = _driver_statement(connection, statement, column_keys)
    if prepared is not None:
        return prepared.write(_driver(connection), params)
    result = connection.execute(statement, params[0] if len(params) == 1 else list(params))
    return int(result.rowcount)


# --- repositories ------------------------------------------------------------------------------


class Repository(Generic[R]):
    """Add, get and list the records of one table."""

    table: Table
    #: Whether :meth:`replace` sets only the columns whose values differ from the record as this
    #: repository read it. On a table with many indexes and foreign keys, an UPDATE that sets
    #: every column rewrites every index entry and checks every parent, though a use case
    #: mostly changes one or two columns (a declaration's status). Only for tables that no
    #: statement outside :meth:`replace` updates, so that what was read is what is stored.
    narrow_updates = False

    #: Whether a batch may keep this repository's reads for the rest of its transaction (see
    #: :meth:`_kept`): only for the tables that registration alone writes.
    keeps_reads = False
    #: The reads a batch keeps for this unit of work (set by the unit of work, in a batch).
    kept: Callable[[], dict[tuple[Any, ...], Any] | None] | None = None

    def __init__(
        self, connection: Connection, ledger: LedgerWriter | None = None, table: Table | None = None
    ) -> None:
        self.connection = connection
        self.ledger = ledger
        if table is not None:
            self.table = table
        self.records: RecordType = RECORD_TYPES[self.table.name]
        self._key_columns = _key_columns(self.table)
        self._key_positions = self.records.key_positions if self.narrow_updates else ()
        #: The records as this repository read them, by key (see :attr:`narrow_updates`).
        self._as_read: dict[tuple[Any, ...], Any] = {}

    def _prepared(self, name: str, build: Callable[[], Executable]) -> Executable:
        """The statement ``name`` of this table, built by ``build`` the first time only.

        Its values are bound parameters given at execution, so one statement serves every call.
        """
        statement = _PREPARED.get((self.table, name))
        if statement is None:
            statement = _PREPARED[(self.table, name)] = build()
        return statement

    def _select(
        self, name: str, build: Callable[[], Select[Any]], /, **params: Any
    ) -> Sequence[Sequence[Any]]:
        """The rows of the kept query ``name`` (see :meth:`_prepared`) with ``params``."""
        query = self._prepared(name, build)
        assert isinstance(query, Select)
        return _query(self.connection, query, params)

    def add(self, record: R) -> R:
        self.add_many([record])
        return record

    def add_many(self, records: Iterable[R]) -> int:
        if self.narrow_updates:
            records = list(records)
        rows = [self.records.to_row(r) for r in records]
        if rows:
            names = self.records.field_names
            statement = self._prepared("insert", lambda: insert(self.table))
            params = [dict(zip(names, row, strict=True)) for row in rows]
            _write(self.connection, statement, params, names)
            self._log(rows, Operation.INSERT)
            if self.narrow_updates:
                for record, row in zip(records, rows, strict=True):
                    self._as_read[self._key_in(row)] = record
        return len(rows)

    #: Told of every row this repository writes (the unit of work keeps running statistics).
    observer: Callable[[Sequence[Sequence[Any]]], None] | None = None

    def _log(self, rows: Sequence[Sequence[Any]], operation: Operation) -> None:
        if self.ledger is None:
            raise RuntimeError(f"{self.table.name}: writing needs a unit of work")
        self.ledger.record(self.table, rows, operation)
        if self.observer is not None:
            self.observer(rows)

    def replace(self, record: R) -> R:
        """Write a changed record back over the stored one with the same key.

        Only the columns outside the key are set: the key is what finds the row, and setting a
        key to itself would still make SQLite check every table that refers to it.
        """
        row = self.records.to_row(record)
        names = self.records.field_names
        values = dict(zip(names, row, strict=True))
        key = {_key_name(c): values[c.name] for c in self._key_columns}
        if len(key) < len(values):  # a table of keys alone has nothing else to set
            for column in self._key_columns:
                del values[column.name]
        read = self._as_read.get(self._key_in(row)) if self.narrow_updates else None
        if read is not None:
            before = self.records.to_row(read)
            changed = {
                name: value
                for name, value, old in zip(names, row, before, strict=True)
                if name in values and not _same(value, old)
            }
            if changed:  # else every column is set again, as the row must still be found
                values = changed
        statement = self._prepared(
            "replace",
            lambda: update(self.table).where(
                *(c == bindparam(_key_name(c)) for c in self._key_columns)
            ),
        )
        if _write(self.connection, statement, [values | key], tuple(values)) != 1:
            raise LookupError(f"{self.table.name}: no record {self.records.key_of(row)}")
        self._log([row], Operation.UPDATE)
        if self.narrow_updates:
            self._as_read[self._key_in(row)] = record
        return record

    def _key_in(self, row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple([row[i] for i in self._key_positions])

    def _kept(self, what: tuple[Any, ...], read: Callable[[], Any]) -> Any:
        """What ``read`` gives, read once per batch transaction (see
        :meth:`dostyk.store.batch.Batch.reads`): the batch holds the write lock, and it stops
        keeping reads as soon as one of its use cases writes any of these tables."""
        kept = None if self.kept is None else self.kept()
        if kept is None:
            return read()
        key = (self.table.name, *what)
        try:
            return kept[key]
        except KeyError:
            value = kept[key] = read()
            return value

    def get(self, *key: Any) -> R | None:
        if self.keeps_reads and self.kept is not None:
            return self._kept(("get", *key), lambda: self._get(*key))  # type: ignore[no-any-return]
        return self._get(*key)

    def _get(self, *key: Any) -> R | None:
        params = {
            _key_name(c): v for c, v in zip(self._key_columns, key, strict=True) if v is not None
        }
        if len(params) != len(key):
            return None  # no stored key has a NULL part
        rows = self._select(
            "get",
            lambda: select(self.table).where(
                *(c == bindparam(_key_name(c)) for c in self._key_columns)
            ),
            **params,
        )
        return self._record(rows[0]) if rows else None

    def all(self) -> list[R]:
        query = select(self.table).order_by(*self._key_columns)
        return [self._record(row) for row in self.connection.execute(query)]

    def count(self) -> int:
        rows = self._select("count", lambda: select(func.count()).select_from(self.table))
        return int(rows[0][0])

    def _where(self, *conditions: Any) -> list[R]:
        query = select(self.table).where(*conditions).order_by(*self._key_columns)
        return [self._record(row) for row in self.connection.execute(query)]

    def _run(self, name: str, build: Callable[[], Select[Any]], /, **params: Any) -> list[R]:
        """The records a kept query of this table's rows finds."""
        return [self._record(row) for row in self._select(name, build, **params)]

    def _of(self, column: Column[Any], value: Any) -> list[R]:
        """The records whose ``column`` equals ``value``, in key order."""
        return self._run(
            f"of:{column.name}",
            lambda: (
                select(self.table).where(column == bindparam("value")).order_by(*self._key_columns)
            ),
            value=value,
        )

    def _in(self, column: Column[Any], values: Iterable[Any]) -> list[R]:
        """The records whose ``column`` is among ``values``, in key order; one query."""
        wanted = sorted(set(values))
        if not wanted:
            return []
        slots = _slots(wanted)
        return self._run(
            f"in:{column.name}:{slots}",
            lambda: (
                select(self.table)
                .where(_one_of(column, "value", slots))
                .order_by(*self._key_columns)
            ),
            **_listed("value", wanted),
        )

    def _record(self, row: Sequence[Any]) -> R:
        record: R = self.records.from_store(row)
        if self.narrow_updates:
            self._as_read[self._key_in(row)] = record
        return record


class Posts(Repository[Any]):
    table = t.posts
    keeps_reads = True

    def in_region(self, region: str) -> list[Any]:
        return self._of(t.posts.c.region, region)


class Officers(Repository[Officer]):
    table = t.officers
    keeps_reads = True

    def by_id(self) -> dict[str, Officer]:
        return {o.officer_id: o for o in self.all()}

    def chain_of(self, officer_id: str) -> dict[str, Officer]:
        """The officer and his superiors up to the top, by id: what a four-eyes check reads.

        A lookup per level (a handful) rather than every officer of the country; it stops at an
        unknown supervisor or a loop, which :func:`chain_of_command` then names.
        """
        found: dict[str, Officer] = {}
        current: str | None = officer_id
        while current is not None and current not in found:
            officer = self.get(current)
            if officer is None:
                break
            found[current] = officer
            current = officer.supervisor_id
        return found

    def many(self, officer_ids: Iterable[str]) -> dict[str, Officer]:
        """The officers among ``officer_ids`` that exist, by id, in one query."""
        return {o.officer_id: o for o in self._in(self.table.c.officer_id, officer_ids)}


class Postings(Repository[Posting]):
    table = t.officer_postings
    keeps_reads = True

    def of_officer(self, officer_id: str) -> list[Posting]:
        return self._of(t.officer_postings.c.officer_id, officer_id)

    def _is_serving(self, officer_id: str, post_code: str, day: date) -> bool:
        column = self.table.c
        rows = self._select(
            "is_serving",
            lambda: (
                select(column.officer_id)
                .where(
                    column.officer_id == bindparam("officer_id"),
                    column.post_code == bindparam("post_code"),
                    column.start_date <= bindparam("day"),
                    or_(column.end_date.is_(None), column.end_date >= bindparam("day")),
                )
                .limit(1)
            ),
            officer_id=officer_id,
            post_code=post_code,
            day=day,
        )
        return bool(rows)

    def is_serving(self, officer_id: str, post_code: str, day: date) -> bool:
        """Whether the officer is posted at ``post_code`` on ``day``: his own postings read on
        the key, not everyone's at the post (as :meth:`serving_at` does) built and searched."""
        return bool(
            self._kept(
                ("is_serving", officer_id, post_code, day),
                lambda: self._is_serving(officer_id, post_code, day),
            )
        )

    def serving_at(self, post_code: str, day: date) -> list[Posting]:
        column = self.table.c
        return self._run(
            "serving_at",
            lambda: (
                select(self.table)
                .where(
                    column.post_code == bindparam("post_code"),
                    column.start_date <= bindparam("day"),
                    or_(column.end_date.is_(None), column.end_date >= bindparam("day")),
                )
                .order_by(*self._key_columns)
            ),
            post_code=post_code,
            day=day,
        )


class _Unlogged(Repository[R]):
    """A repository of operational rows, which the ledger does not log (sessions, attempts)."""

    def _log(self, rows: Sequence[Sequence[Any]], operation: Operation) -> None:
        return None


class Accounts(Repository[Account]):
    table = t.accounts


class Credentials(Repository[Credential]):
    table = t.account_credentials


class ApiTokens(Repository[ApiToken]):
    table = t.api_tokens

    def by_secret_hash(self, secret_hash: str) -> ApiToken | None:
        found = self._of(t.api_tokens.c.secret_hash, secret_hash)
        return found[0] if found else None

    def of_account(self, username: str) -> list[ApiToken]:
        return self._of(t.api_tokens.c.username, username)


class WebSessions(_Unlogged[Session]):
    table = t.web_sessions

    def touch(self, session_id: str, at: datetime) -> None:
        c = t.web_sessions.c
        statement = self._prepared(
            "touch",
            lambda: (
                update(t.web_sessions)
                .where(c.session_id == bindparam("key"))
                .values(last_seen_at=bindparam("seen"))
            ),
        )
        _write(self.connection, statement, [{"key": session_id, "seen": at}], ("last_seen_at",))

    def close(self, session_id: str, at: datetime) -> None:
        c = t.web_sessions.c
        self.connection.execute(
            update(t.web_sessions)
            .where(c.session_id == session_id, c.closed_at.is_(None))
            .values(closed_at=at)
        )

    def close_all_of(self, username: str, at: datetime) -> int:
        """Close the account's sessions still open at ``at``; only unexpired ones are read."""
        c = t.web_sessions.c
        result = self.connection.execute(
            update(t.web_sessions)
            .where(c.username == username, c.expires_at > at, c.closed_at.is_(None))
            .values(closed_at=at)
        )
        return int(result.rowcount)


class LoginAttempts(_Unlogged[LoginAttempt]):
    table = t.login_attempts

    def recent_failures(self, by: str, value: str, since: datetime, limit: int) -> list[datetime]:
        """The times of the latest failures (at most ``limit``) of one username or one client
        (``by``) after ``since``, latest first: ranges of the (by, outcome, at) index."""
        column = t.login_attempts.c[by]
        c = t.login_attempts.c
        rows = self._select(
            f"failures:{by}",
            lambda: (
                select(c.at)
                .where(
                    column == bindparam("value"),
                    c.outcome.in_([o.value for o in sorted(FAILURES)]),
                    c.at > bindparam("since"),
                )
                .order_by(desc(c.at))
                .limit(bindparam("limit"))
            ),
            value=value,
            since=since,
            limit=limit,
        )
        return [row[0] for row in rows]

    def set_outcome(self, attempt_id: str, outcome: AttemptOutcome) -> None:
        c = t.login_attempts.c
        self.connection.execute(
            update(t.login_attempts).where(c.attempt_id == attempt_id).values(outcome=outcome.value)
        )


class Parties(Repository[Any]):
    table = t.parties

    def many(self, party_ids: Iterable[str]) -> dict[str, Party]:
        """The parties among ``party_ids`` that exist, by id, in one query."""
        return {p.party_id: p for p in self._in(self.table.c.party_id, party_ids)}


class Conveyances(Repository[Any]):
    table = t.conveyances

    def many(self, conveyance_ids: Iterable[str]) -> dict[str, Conveyance]:
        """The conveyances among ``conveyance_ids`` that are registered, by id, in one query."""
        return {c.conveyance_id: c for c in self._in(self.table.c.conveyance_id, conveyance_ids)}


class Crossings(Repository[Crossing]):
    table = t.crossings

    def of_movement(self, crossing_id: str) -> list[Crossing]:
        return self._of(self.table.c.part_of, crossing_id)

    def at_post(self, post_code: str, start: datetime, end: datetime) -> list[Crossing]:
        column = self.table.c
        return self._where(
            column.post_code == post_code, column.crossed_at >= start, column.crossed_at < end
        )

    def many(self, crossing_ids: Iterable[str]) -> dict[str, Crossing]:
        return {c.crossing_id: c for c in self._in(self.table.c.crossing_id, crossing_ids)}

    def of_conveyances_between(
        self, conveyance_ids: Iterable[str], start: datetime, end: datetime
    ) -> list[Crossing]:
        """The crossings of any of the conveyances from ``start`` to ``end`` (both included):
        one query on the (conveyance_id, crossed_at) index, however long the history."""
        wanted = sorted(set(conveyance_ids))
        if not wanted:
            return []
        column = self.table.c
        slots = _slots(wanted)
        return self._run(
            f"of_conveyances_between:{slots}",
            lambda: (
                select(self.table)
                .where(
                    _one_of(column.conveyance_id, "conveyance", slots),
                    column.crossed_at >= bindparam("start", type_=column.crossed_at.type),
                    column.crossed_at <= bindparam("end", type_=column.crossed_at.type),
                )
                .order_by(column.conveyance_id, column.crossed_at)
            ),
            start=start,
            end=end,
            **_listed("conveyance", wanted),
        )

    def with_conveyances(
        self, crossing_ids: Iterable[str]
    ) -> dict[str, tuple[Crossing, Conveyance | None]]:
        """Crossings by id, each with its conveyance (None if unregistered), in one query."""
        wanted = sorted(set(crossing_ids))
        if not wanted:
            return {}
        x, v = self.table, t.conveyances
        slots = _slots(wanted)
        rows = self._select(
            f"with_conveyances:{slots}",
            lambda: (
                select(x, v)
                .select_from(x.outerjoin(v, v.c.conveyance_id == x.c.conveyance_id))
                .where(_one_of(x.c.crossing_id, "crossing", slots))
                .order_by(x.c.crossing_id)
            ),
            **_listed("crossing", wanted),
        )
        conveyances = RECORD_TYPES[v.name]
        width = len(x.columns)
        found: dict[str, tuple[Crossing, Conveyance | None]] = {}
        for row in rows:
            crossing: Crossing = self._record(row[:width])
            registered = row[width] is not None
            found[crossing.crossing_id] = (
                crossing,
                conveyances.from_store(row[width:]) if registered else None,
            )
        return found


class Manifests(Repository[Any]):
    table = t.manifests

    def of_crossing(self, crossing_id: str) -> list[Manifest]:
        """The manifests describing a train's or truck's crossing."""
        return self._of(self.table.c.crossing_id, crossing_id)


class ManifestLines(Repository[Any]):
    table = t.manifest_lines

    def of(self, manifest_id: str) -> list[Any]:
        return self._of(self.table.c.manifest_id, manifest_id)

    def numbers(self, manifest_id: str) -> set[int]:
        """The line numbers of a manifest, without reading the lines themselves."""
        column = self.table.c
        rows = self._select(
            "numbers",
            lambda: select(column.line_no).where(column.manifest_id == bindparam("manifest_id")),
            manifest_id=manifest_id,
        )
        return {int(line_no) for (line_no,) in rows}


class Declarations(Repository[Declaration]):
    table = t.declarations
    narrow_updates = True

    def many(self, declaration_ids: Iterable[str]) -> dict[str, Declaration]:
        """The declarations among ``declaration_ids`` that exist, by id, in one query."""
        return {d.declaration_id: d for d in self._in(self.table.c.declaration_id, declaration_ids)}

    def by_reference(self, declarant_id: str, reference: str) -> Declaration | None:
        column = self.table.c
        found = self._run(
            "by_reference",
            lambda: select(self.table).where(
                column.declarant_id == bindparam("declarant_id"),
                column.reference == bindparam("reference"),
            ),
            declarant_id=declarant_id,
            reference=reference,
        )
        return found[0] if found else None

    def remember(self, declaration: Declaration) -> None:
        """Take ``declaration`` as read from the store (see :attr:`narrow_updates`): a batch
        handed it on as an earlier use case of its transaction stored it."""
        self._as_read[(declaration.declaration_id,)] = declaration

    def with_last_step(self, declaration_id: str) -> tuple[Declaration, StatusChange | None] | None:
        """A declaration and its last recorded step (None if it has none), in one query; None
        when there is no such declaration."""
        d, s = self.table, t.status_changes
        rows = self._select(
            "with_last_step",
            lambda: (
                select(d, s)
                .select_from(d.outerjoin(s, s.c.declaration_id == d.c.declaration_id))
                .where(d.c.declaration_id == bindparam("declaration_id"))
                .order_by(desc(s.c.seq))
                .limit(1)
            ),
            declaration_id=declaration_id,
        )
        if not rows:
            return None
        row = rows[0]
        width = len(d.columns)
        declaration: Declaration = self._record(row[:width])
        has_step = row[width] is not None
        step = RECORD_TYPES[s.name].from_store(row[width:]) if has_step else None
        return declaration, step

    def with_status(self, post_code: str, status: DeclarationStatus) -> list[Declaration]:
        column = self.table.c
        return self._where(column.post_code == post_code, column.status == status.value)

    def of_manifest(self, manifest_id: str) -> list[Declaration]:
        return self._of(self.table.c.manifest_id, manifest_id)

    def count_of_importer(self, importer_id: str, status: DeclarationStatus) -> int:
        """How many of an importer's declarations are in ``status``: his history with customs."""
        column = self.table.c
        rows = self._select(
            "count_of_importer",
            lambda: select(func.count()).where(
                column.importer_id == bindparam("importer_id"),
                column.status == bindparam("status"),
            ),
            importer_id=importer_id,
            status=status.value,
        )
        return int(rows[0][0])

    def _release_order(self, *columns: Any) -> Select[Any]:
        """Paid, unreleased declarations of a post and channel, first paid first."""
        d, s = self.table.c, t.status_changes.c
        return (
            select(*columns)
            .join(
                t.status_changes,
                and_(
                    s.declaration_id == d.declaration_id,
                    s.to_status == DeclarationStatus.PAID.value,
                ),
            )
            .where(
                d.post_code == bindparam("post_code"),
                d.status == DeclarationStatus.PAID.value,
                d.channel == bindparam("channel"),
            )
            .order_by(s.at, d.declaration_id)
        )

    def paid_unreleased(
        self, post_code: str, channel: Channel
    ) -> list[tuple[Declaration, datetime]]:
        """Declarations paid and waiting for release at a post in a channel, with the time each
        was paid, first paid first: the release queue."""
        rows = self._select(
            "paid_unreleased",
            lambda: self._release_order(self.table, t.status_changes.c.at),
            post_code=post_code,
            channel=channel.value,
        )
        width = len(self.table.columns)
        return [(self._record(row[:width]), row[width]) for row in rows]

    def release_queue(self, post_code: str, channel: Channel) -> list[tuple[str, datetime]]:
        """:meth:`paid_unreleased` as (declaration, paid at) only: what serving the queue in
        turn needs, without building every waiting declaration."""
        rows = self._select(
            "release_queue",
            lambda: self._release_order(self.table.c.declaration_id, t.status_changes.c.at),
            post_code=post_code,
            channel=channel.value,
        )
        return [(str(declaration_id), paid_at) for declaration_id, paid_at in rows]


class DeclarationItems(Repository[DeclarationItem]):
    table = t.declaration_items

    def of(self, declaration_id: str) -> list[DeclarationItem]:
        return self._of(self.table.c.declaration_id, declaration_id)

    def of_any(self, declaration_ids: Iterable[str]) -> list[DeclarationItem]:
        """The items of any of the declarations, in key order: one query."""
        return self._in(self.table.c.declaration_id, declaration_ids)

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

    def values_in_subheadings(
        self, subheadings: Iterable[str], status: DeclarationStatus
    ) -> dict[str, list[tuple[Decimal, Decimal, float]]]:
        """(customs value, exchange rate, net mass) of every item under each subheading on a
        declaration in ``status``; subheadings without such items are left out.

        Only the three values are read, since building thousands of items to take their value
        per kilogram would cost more than the query.
        """
        prefixes = sorted(set(subheadings))
        found: dict[str, list[tuple[Decimal, Decimal, float]]] = {}
        if self.connection.dialect.name == "sqlite" and all(_digits(p) for p in prefixes):
            for code, value, rate, net in self._digit_prefixed(prefixes, status):
                for prefix in prefixes:
                    if code.startswith(prefix):
                        found.setdefault(prefix, []).append((Decimal(value), Decimal(rate), net))
            return found
        i, d = self.table.c, t.declarations.c
        for prefix in prefixes:
            query = (
                select(i.customs_value, i.exchange_rate, i.net_mass_kg)
                .join(t.declarations, d.declaration_id == i.declaration_id)
                .where(
                    d.status == status.value, i.commodity_code.startswith(prefix, autoescape=True)
                )
            )
            for value, rate, net in self.connection.execute(query):
                found.setdefault(prefix, []).append((value, rate, net))
        return found

    def _digit_prefixed(
        self, prefixes: list[str], status: DeclarationStatus
    ) -> Sequence[Sequence[Any]]:
        """(code, value, rate, net mass) of the items whose code starts with one of the prefixes
        of digits, on declarations in ``status``, on SQLite; one query.

        SQLite's LIKE ignores case and so never uses the index on the code; for a prefix of
        digits, the range from it to its successor in byte order selects exactly the codes that
        start with it, and is an index range scan. ``likely`` tells SQLite's planner that most
        declarations have the status (history is mostly released), so that it walks those
        ranges rather than every declaration in the status. The value and the rate are read as
        the exact decimal text SQLite keeps (see ``ExactDecimal``): there are many rows.
        """
        if not prefixes:
            return []
        i, d = self.table.c, t.declarations.c
        count = len(prefixes)
        params: dict[str, Any] = {"status": status.value}
        for n, prefix in enumerate(prefixes):
            params[f"low_{n}"] = prefix
            params[f"high_{n}"] = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return self._select(
            f"digit_prefixed:{count}",
            lambda: (
                select(
                    i.commodity_code,
                    type_coerce(i.customs_value, String),
                    type_coerce(i.exchange_rate, String),
                    i.net_mass_kg,
                )
                .join(t.declarations, d.declaration_id == i.declaration_id)
                .where(
                    func.likely(d.status == bindparam("status")),
                    or_(
                        *(
                            and_(
                                i.commodity_code >= bindparam(f"low_{n}"),
                                i.commodity_code < bindparam(f"high_{n}"),
                            )
                            for n in range(count)
                        )
                    ),
                )
            ),
            **params,
        )

    def gross_masses(self, declaration_ids: Iterable[str]) -> dict[str, list[float]]:
        """The items' gross masses of each declaration, in item order, in one query."""
        wanted = sorted(set(declaration_ids))
        if not wanted:
            return {}
        i = self.table.c
        slots = _slots(wanted)
        rows = self._select(
            f"gross_masses:{slots}",
            lambda: (
                select(i.declaration_id, i.gross_mass_kg)
                .where(_one_of(i.declaration_id, "declaration", slots))
                .order_by(i.declaration_id, i.item_no)
            ),
            **_listed("declaration", wanted),
        )
        found: dict[str, list[float]] = {}
        for declaration_id, mass in rows:
            found.setdefault(declaration_id, []).append(mass)
        return found

    def lines_claimed(
        self, manifest_id: str, excluding: Iterable[DeclarationStatus]
    ) -> list[tuple[int, str]]:
        """(manifest line, declaration) for every item claiming a line of the manifest on a
        declaration not in the ``excluding`` statuses, by declaration and item; one query.

        Sorted here rather than in SQL: ordering by the items' key would make SQLite walk every
        item in key order instead of finding the manifest's declarations first.
        """
        skipped = sorted(s.value for s in excluding) or [NO_STATUS]
        slots = _slots(skipped)
        i, d = self.table.c, t.declarations.c
        rows = self._select(
            f"lines_claimed:{slots}",
            lambda: (
                select(i.declaration_id, i.item_no, i.manifest_line_no)
                .join(t.declarations, d.declaration_id == i.declaration_id)
                .where(
                    d.manifest_id == bindparam("manifest_id"),
                    ~_one_of(d.status, "status", slots),
                    i.manifest_line_no.is_not(None),
                )
            ),
            manifest_id=manifest_id,
            **_listed("status", skipped),
        )
        return [(int(line), str(owner)) for owner, _, line in sorted(tuple(r) for r in rows)]


def _digits(prefix: str) -> bool:
    return prefix.isascii() and prefix.isdigit()


class DeclarationUnits(Repository[DeclarationUnit]):
    table = t.declaration_units

    def of(self, declaration_id: str) -> list[DeclarationUnit]:
        return self._of(self.table.c.declaration_id, declaration_id)

    def of_any(self, declaration_ids: Iterable[str]) -> list[DeclarationUnit]:
        """The units of every declaration among ``declaration_ids``, in one query."""
        return self._in(self.table.c.declaration_id, declaration_ids)

    def covering(self, crossing_id: str) -> list[DeclarationUnit]:
        return self._of(self.table.c.crossing_id, crossing_id)

    def covering_any(self, crossing_ids: Iterable[str]) -> list[DeclarationUnit]:
        """The units among ``crossing_ids``, by a statement kept per size of list."""
        wanted = sorted(set(crossing_ids))
        if not wanted:
            return []
        slots = _slots(wanted)
        return self._run(
            f"covering_any:{slots}",
            lambda: (
                select(self.table)
                .where(_one_of(self.table.c.crossing_id, "crossing", slots))
                .order_by(*self._key_columns)
            ),
            **_listed("crossing", wanted),
        )

    def covering_any_except(
        self, crossing_ids: Iterable[str], excluding: Iterable[DeclarationStatus]
    ) -> list[DeclarationUnit]:
        """The units among ``crossing_ids`` covered by declarations not in the ``excluding``
        statuses, in one query."""
        wanted = sorted(set(crossing_ids))
        if not wanted:
            return []
        skipped = sorted(s.value for s in excluding) or [NO_STATUS]
        units, statuses = _slots(wanted), _slots(skipped)
        u, d = self.table.c, t.declarations.c
        return self._run(
            f"covering_any_except:{units}:{statuses}",
            lambda: (
                select(self.table)
                .join(t.declarations, d.declaration_id == u.declaration_id)
                .where(
                    _one_of(u.crossing_id, "crossing", units),
                    ~_one_of(d.status, "status", statuses),
                )
                .order_by(*self._key_columns)
            ),
            **_listed("crossing", wanted),
            **_listed("status", skipped),
        )


class _TariffCache:
    """The whole tariff of each engine, kept while the number of stored rates stays the same.

    Rates are only ever added to a store: an import refuses a stored rate with other values, and
    no use case replaces or deletes one. So an unchanged count means unchanged rates, and
    counting (an index's size, a few microseconds) replaces reading and building the rates on
    every use case that needs them. A write through :class:`TariffRates` also drops the copy.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_engine: weakref.WeakKeyDictionary[Engine, tuple[int, Tariff]] = (
            weakref.WeakKeyDictionary()
        )

    def get(self, engine: Engine, count: int) -> Tariff | None:
        with self._lock:
            cached = self._by_engine.get(engine)
        return cached[1] if cached is not None and cached[0] == count else None

    def put(self, engine: Engine, count: int, tariff: Tariff) -> None:
        with self._lock:
            self._by_engine[engine] = (count, tariff)

    def forget(self, engine: Engine) -> None:
        with self._lock:
            self._by_engine.pop(engine, None)


tariffs = _TariffCache()


class TariffRates(Repository[TariffRate]):
    table = t.tariff_rates
    keeps_reads = True

    def tariff(self) -> Tariff:
        return Tariff.of(self.all())

    def current(self) -> Tariff:
        """The whole tariff as this transaction sees it, built once per engine and kept until
        the rates change (see :class:`_TariffCache`). Callers only look rates up in it."""
        engine = self.connection.engine
        count: int = self._kept(("count",), self.count)
        tariff = tariffs.get(engine, count)
        if tariff is None:
            tariff = self.tariff()
            tariffs.put(engine, count, tariff)
        return tariff

    def add_many(self, records: Iterable[TariffRate]) -> int:
        tariffs.forget(self.connection.engine)
        return super().add_many(records)

    def replace(self, record: TariffRate) -> TariffRate:
        tariffs.forget(self.connection.engine)
        return super().replace(record)

    def tariff_for(self, commodity_codes: Iterable[str]) -> Tariff:
        """The part of the tariff that can apply to these codes: rates of their prefixes."""
        prefixes = {code[:length] for code in commodity_codes for length in range(2, 11)}
        if not prefixes:
            return Tariff()
        return Tariff.of(self._in(self.table.c.code_prefix, prefixes))


class DutyShifts(Repository[Any]):
    table = t.duty_shifts

    def on_duty(self, post_code: str, moment: datetime) -> list[Any]:
        column = self.table.c
        return self._run(
            "on_duty",
            lambda: (
                select(self.table)
                .where(
                    column.post_code == bindparam("post_code"),
                    column.starts_at <= bindparam("moment"),
                    column.ends_at > bindparam("moment"),
                )
                .order_by(*self._key_columns)
            ),
            post_code=post_code,
            moment=moment,
        )


class StatusChanges(Repository[Any]):
    table = t.status_changes

    def of(self, declaration_id: str) -> list[Any]:
        return self._of(self.table.c.declaration_id, declaration_id)

    def last(self, declaration_id: str) -> StatusChange | None:
        """A declaration's latest step, or None when it has none."""
        column = self.table.c
        found = self._run(
            "last",
            lambda: (
                select(self.table)
                .where(column.declaration_id == bindparam("declaration_id"))
                .order_by(desc(column.seq))
                .limit(1)
            ),
            declaration_id=declaration_id,
        )
        return found[0] if found else None


class RiskAssessments(Repository[Any]):
    table = t.risk_assessments

    def of(self, declaration_id: str) -> list[Any]:
        return self._of(self.table.c.declaration_id, declaration_id)


class Inspections(Repository[Any]):
    table = t.inspections
    narrow_updates = True

    def of(self, declaration_id: str) -> list[Any]:
        return self._of(self.table.c.declaration_id, declaration_id)

    def of_any(self, declaration_ids: Iterable[str]) -> list[Inspection]:
        """The inspections of any of these declarations, in one query."""
        return self._in(self.table.c.declaration_id, declaration_ids)

    def waiting(self, inspector_id: str, post_code: str, channel: Channel) -> list[Inspection]:
        """An inspector's assigned, unstarted inspections of declarations at a post in a channel
        that still wait for them (assessed), oldest assignment first: his inspection queue."""
        i, d = self.table.c, t.declarations.c
        return self._run(
            "waiting",
            lambda: (
                select(self.table)
                .join(t.declarations, d.declaration_id == i.declaration_id)
                .where(
                    i.inspector_id == bindparam("inspector_id"),
                    i.started_at.is_(None),
                    d.post_code == bindparam("post_code"),
                    d.channel == bindparam("channel"),
                    d.status == DeclarationStatus.ASSESSED.value,
                )
                .order_by(i.assigned_at, i.inspection_id)
            ),
            inspector_id=inspector_id,
            post_code=post_code,
            channel=channel.value,
        )


class Findings(Repository[Any]):
    table = t.findings

    def of(self, inspection_id: str) -> list[Any]:
        return self._of(self.table.c.inspection_id, inspection_id)

    def of_declaration(self, declaration_id: str) -> list[Finding]:
        """Every finding of every inspection of a declaration."""
        i = t.inspections.c
        return self._run(
            "of_declaration",
            lambda: (
                select(self.table)
                .where(
                    self.table.c.inspection_id.in_(
                        select(i.inspection_id).where(
                            i.declaration_id == bindparam("declaration_id")
                        )
                    )
                )
                .order_by(*self._key_columns)
            ),
            declaration_id=declaration_id,
        )


class FindingReviews(Repository[Any]):
    """Later reviews of inspections' results (appeals, post-clearance audits)."""

    table = t.finding_reviews

    def of(self, inspection_id: str) -> list[Any]:
        return self._of(self.table.c.inspection_id, inspection_id)

    def latest(self, post_codes: frozenset[str] | None, limit: int) -> list[Any]:
        """The newest reviews of declarations at these posts (every post for None)."""
        v, d = self.table.c, t.declarations.c
        query = select(self.table).order_by(desc(v.reviewed_at), v.review_id).limit(limit)
        if post_codes is not None:
            if not post_codes:
                return []
            # Reviews are few beside declarations: read them newest first, each declaration
            # by its key, rather than every declaration of the posts.
            query = query.join(t.declarations, d.declaration_id == v.declaration_id).where(
                d.post_code.in_(sorted(post_codes))
            )
        return [self._record(row) for row in self.connection.execute(query)]


class Overrides(Repository[Any]):
    table = t.overrides

    def of(self, declaration_id: str) -> list[Any]:
        return self._of(self.table.c.declaration_id, declaration_id)

    def of_any(self, declaration_ids: Iterable[str]) -> list[Override]:
        """The overrides of any of these declarations, in one query."""
        return self._in(self.table.c.declaration_id, declaration_ids)


class DutyLines(Repository[Any]):
    table = t.duty_lines

    def of(self, declaration_id: str) -> list[Any]:
        return self._of(self.table.c.declaration_id, declaration_id)


class Payments(Repository[Any]):
    table = t.payments

    def of(self, declaration_id: str) -> list[Any]:
        return self._of(self.table.c.declaration_id, declaration_id)


class Discrepancies(Repository[Any]):
    table = t.discrepancies


class QueueExceptions(Repository[Any]):
    table = t.queue_exceptions

    def of(self, declaration_id: str) -> list[Any]:
        return self._of(self.table.c.declaration_id, declaration_id)

    def of_officer_since(self, officer_id: str, since: datetime) -> list[QueueException]:
        """An officer's out-of-turn services from ``since`` on, oldest first (its index)."""
        column = self.table.c
        return self._run(
            "of_officer_since",
            lambda: (
                select(self.table)
                .where(
                    column.officer_id == bindparam("officer_id"), column.at >= bindparam("since")
                )
                .order_by(column.at, column.exception_id)
            ),
            officer_id=officer_id,
            since=since,
        )
