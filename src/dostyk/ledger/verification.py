"""Verifying the ledger against the records, and the log against its signed heads.

Three kinds of evidence are checked:

1. every record in every table hashes to what the latest ledger entry for its key says — a row
   changed, added or deleted behind the system's back is named by its table and key;
2. every entry re-hashes to the leaf the Merkle tree holds at its position, the positions run
   without gaps, and the roots of the first N entries equal what each signed tree head says — an
   entry edited, removed, inserted or moved is named by its position;
3. every signed head carries a valid signature of the log's key.

The signing key never sits in the database, so whoever rewrites tables and log together still
cannot produce a head that vouches for the rewrite.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import Boolean, Connection, Engine, Table, select

from dostyk.ledger.entries import entry_bytes_fast, hasher_for, quote
from dostyk.ledger.heads import PublicKeyLike, SignedTreeHead, verify_tree_head
from dostyk.ledger.merkle import MerkleAccumulator, leaf_hash
from dostyk.ledger.store import all_heads
from dostyk.store import outcomes, running
from dostyk.store.canonical import encode_instant
from dostyk.store.engine import WRITER_OPTION, is_read_only, make_engine
from dostyk.store.errors import StoreBusy
from dostyk.store.tables import LOGGED_TABLES, ledger_entries, ledger_nodes


class Problem(StrEnum):
    RECORD_CHANGED = "record changed"
    RECORD_INSERTED = "record added outside the system"
    RECORD_REMOVED = "record removed"
    ENTRY_CHANGED = "ledger entry changed"
    ENTRY_MISSING = "ledger entry missing"
    LEAF_MISSING = "ledger node missing"
    HEAD_MISMATCH = "signed head does not match the log"
    HEAD_SIGNATURE = "signed head has a bad signature"
    HEAD_BEYOND_LOG = "signed head covers entries the log no longer has"
    STATISTIC_DIFFERS = "running statistic differs from the records"


@dataclass(frozen=True)
class Finding:
    problem: Problem
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.problem}: {self.where} — {self.detail}"


@dataclass
class VerificationReport:
    entries: int = 0
    records: int = 0
    heads: int = 0
    unsigned_entries: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


Progress = Callable[[str, int], None]


def _quiet(_stage: str, _count: int) -> None:
    return None


def verify(
    connection: Connection, public_key: PublicKeyLike, *, progress: Progress = _quiet
) -> VerificationReport:
    """Verify on one connection, in one process."""
    report = VerificationReport()
    heads = _check_heads(connection, public_key, report)
    latest = _check_log(connection, heads, report, progress)
    _compare_records(record_digests(connection, progress), latest, report)
    _check_statistics(connection, report)
    return report


def _check_statistics(connection: Connection, report: VerificationReport) -> None:
    """The running statistics that steer channels, rebuilt from the records (which the log
    vouches for) and compared row by row: a tampered count or histogram is named."""
    for difference in [*running.differences(connection), *outcomes.differences(connection)]:
        where, _, detail = difference.partition(": ")
        report.findings.append(Finding(Problem.STATISTIC_DIFFERS, where, detail))


def verify_store(
    engine: Engine, public_key: PublicKeyLike, *, progress: Progress = _quiet, workers: int = 2
) -> VerificationReport:
    """Verify a whole store, re-hashing the records in a second process while this one re-hashes
    the log: the two halves are independent and each takes about as long as the other.

    Both read the same snapshot. On SQLite this process holds the write lock meanwhile (WAL
    readers are not blocked, writers wait); on PostgreSQL the second process adopts this one's
    exported snapshot. A SQLite store whose write lock is not free at once (another process is
    writing) or cannot be taken at all (a read-only store) is verified in one process, on one
    snapshot, rather than waiting for the writer.
    """
    if workers < 2 or is_read_only(engine):
        return _verify_in_one_process(engine, public_key, progress)
    url = engine.url.render_as_string(hide_password=False)
    postgres = engine.dialect.name == "postgresql"
    options: dict[str, Any] = (
        {"isolation_level": "REPEATABLE READ"} if postgres else {WRITER_OPTION: True}
    )
    with engine.connect().execution_options(**options) as connection:
        if not postgres and not _took_write_lock_at_once(connection):
            connection.close()
            return _verify_in_one_process(engine, public_key, progress)
        if postgres:
            connection.begin()
        snapshot = None
        if postgres:
            snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        else:
            connection.exec_driver_sql("SELECT 1 FROM ledger_heads LIMIT 1").all()
        context = multiprocessing.get_context(
            "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        )
        with context.Pool(1) as pool:
            pending = pool.apply_async(_digests_in_worker, (url, snapshot))
            report = VerificationReport()
            heads = _check_heads(connection, public_key, report)
            latest = _check_log(connection, heads, report, progress)
            _check_statistics(connection, report)
            digests = pending.get()
        connection.commit()
    _compare_records(digests, latest, report)
    return report


def _verify_in_one_process(
    engine: Engine, public_key: PublicKeyLike, progress: Progress
) -> VerificationReport:
    with engine.connect() as connection:
        return verify(connection, public_key, progress=progress)


def _took_write_lock_at_once(connection: Connection) -> bool:
    """Begin the connection's (IMMEDIATE) transaction unless another process holds the lock."""
    driver = connection.connection.driver_connection
    assert driver is not None
    waits = driver.execute("PRAGMA busy_timeout").fetchone()[0]
    driver.execute("PRAGMA busy_timeout=0")
    try:
        connection.begin()
    except StoreBusy:
        return False
    finally:
        driver.execute(f"PRAGMA busy_timeout={int(waits)}")
    return True


def _digests_in_worker(url: str, snapshot: str | None) -> list[TableDigests]:
    engine = make_engine(url)
    try:
        options: dict[str, Any] = {"isolation_level": "REPEATABLE READ"} if snapshot else {}
        with engine.connect().execution_options(**options) as connection, connection.begin():
            if snapshot is not None:
                connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            return record_digests(connection, _quiet)
    finally:
        engine.dispose()


def _check_heads(
    connection: Connection, public_key: PublicKeyLike, report: VerificationReport
) -> list[SignedTreeHead]:
    heads = all_heads(connection)
    report.heads = len(heads)
    for head in heads:
        if not verify_tree_head(head, public_key):
            report.findings.append(
                Finding(Problem.HEAD_SIGNATURE, f"head of size {head.tree_size}", "")
            )
    return heads


def _check_log(
    connection: Connection,
    heads: list[SignedTreeHead],
    report: VerificationReport,
    progress: Progress,
) -> dict[str, bytes | None]:
    """Re-hash the log; return each record's latest hash (None once deleted) by table and key."""
    findings = report.findings
    leaves = connection.execution_options(yield_per=50_000).exec_driver_sql(
        f"SELECT idx, hash FROM {ledger_nodes.name} WHERE level = 0 ORDER BY idx"
    )
    stored_leaves = (row for partition in leaves.partitions(50_000) for row in partition)
    pending_heads = {head.tree_size: head for head in heads}
    accumulator = MerkleAccumulator()
    latest: dict[str, bytes | None] = {}
    expected = 0
    stored_leaf = next(stored_leaves, None)
    quoted_tables: dict[str, str] = {}
    # Raw driver values: type processing on a million rows costs more than the hashing.
    rows = connection.execution_options(yield_per=50_000).exec_driver_sql(
        "SELECT seq, table_name, record_key, operation, record_hash, recorded_at, actor "
        f"FROM {ledger_entries.name} ORDER BY seq"
    )
    for seq, table_name, record_key, operation, record_hash, recorded_at, actor in (
        row for partition in rows.partitions(50_000) for row in partition
    ):
        digest = bytes(record_hash)
        while expected < seq:
            findings.append(
                Finding(Problem.ENTRY_MISSING, f"entry {expected}", "the log skips this position")
            )
            expected += 1
        quoted_table = quoted_tables.get(table_name)
        if quoted_table is None:
            quoted_table = quoted_tables[table_name] = quote(table_name)
        leaf = leaf_hash(
            entry_bytes_fast(
                seq,
                quoted_table,
                quote(record_key),
                operation,
                digest.hex(),
                instant_text(recorded_at),
                quote(actor),
            )
        )
        while stored_leaf is not None and stored_leaf[0] < seq:
            stored_leaf = next(stored_leaves, None)
        if stored_leaf is None or stored_leaf[0] != seq:
            findings.append(Finding(Problem.LEAF_MISSING, f"entry {seq}", "no leaf hash stored"))
        elif bytes(stored_leaf[1]) != leaf:
            findings.append(
                Finding(
                    Problem.ENTRY_CHANGED,
                    f"entry {seq} ({table_name} {record_key})",
                    "its contents no longer hash to the leaf the tree was built with",
                )
            )
        accumulator.append(leaf)
        expected = seq + 1
        latest[f"{table_name}\x00{record_key}"] = None if operation == "delete" else digest
        head = pending_heads.pop(accumulator.size, None)
        if head is not None and head.root_hash != accumulator.root():
            findings.append(
                Finding(
                    Problem.HEAD_MISMATCH,
                    f"head of size {head.tree_size}",
                    "the root of the log's first entries differs from the signed root",
                )
            )
        if accumulator.size % 100_000 == 0:
            progress("log", 100_000)
    report.entries = accumulator.size
    for size in sorted(pending_heads):
        if size == 0 and accumulator.size == 0:
            continue
        findings.append(
            Finding(
                Problem.HEAD_BEYOND_LOG,
                f"head of size {size}",
                f"the log has only {accumulator.size} entries",
            )
        )
    signed = max((h.tree_size for h in heads), default=0)
    report.unsigned_entries = max(0, accumulator.size - signed)
    return latest


#: Per table: its name, and for each row its canonical key and SHA-256, or why it is unreadable.
TableDigests = tuple[str, list["tuple[str, bytes] | Unreadable"]]


def record_digests(connection: Connection, progress: Progress) -> list[TableDigests]:
    result: list[TableDigests] = []
    for table in LOGGED_TABLES:
        hasher = hasher_for(table)
        digests: list[tuple[str, bytes] | Unreadable] = [
            row if isinstance(row, Unreadable) else hasher.key_and_hash(row)
            for row in _records(connection, table)
        ]
        result.append((table.name, digests))
        progress(table.name, len(digests))
    return result


def _compare_records(
    digests: list[TableDigests], latest: dict[str, bytes | None], report: VerificationReport
) -> None:
    findings = report.findings
    for table_name, rows in digests:
        prefix = f"{table_name}\x00"
        report.records += len(rows)
        for row in rows:
            if isinstance(row, Unreadable):
                latest.pop(prefix + row.key, None)
                findings.append(
                    Finding(
                        Problem.RECORD_CHANGED,
                        f"{table_name} {row.key}",
                        f"column {row.column} holds {row.value!r}, which no use case could write",
                    )
                )
                continue
            key, digest = row
            expected = latest.pop(prefix + key, _ABSENT)
            if expected is _ABSENT or expected is None:
                findings.append(
                    Finding(Problem.RECORD_INSERTED, f"{table_name} {key}", "no entry logs it")
                )
            elif expected != digest:
                findings.append(
                    Finding(
                        Problem.RECORD_CHANGED,
                        f"{table_name} {key}",
                        "its values differ from those its latest entry logged",
                    )
                )
    for name, logged in latest.items():
        if logged is None:
            continue
        table_name, _, key = name.partition("\x00")
        findings.append(
            Finding(Problem.RECORD_REMOVED, f"{table_name} {key}", "logged but no longer stored")
        )


_ABSENT: Any = object()


@dataclass(frozen=True)
class Unreadable:
    """A stored row with a value its column's type cannot read back: tampering by hand."""

    key: str
    column: str
    value: Any


def _records(connection: Connection, table: Table) -> Iterator[tuple[Any, ...] | Unreadable]:
    """Every row, typed as the store reads it; a row that cannot be read is reported, not fatal.

    Only SQLite can hold a value its column's type cannot read (it stores any value in any
    column), so rows are typed one at a time there; PostgreSQL's columns enforce their types.
    """
    dialect = connection.dialect
    if dialect.name != "sqlite":
        rows = connection.execution_options(yield_per=50_000).execute(select(table))
        for partition in rows.partitions(50_000):
            yield from (tuple(row) for row in partition)
        return
    processors = [
        c.type.dialect_impl(dialect).result_processor(dialect, None) for c in table.columns
    ]
    names = [c.name for c in table.columns]
    # A boolean column reads any number as true or false; only 0 and 1 are what the store writes.
    booleans = [i for i, c in enumerate(table.columns) if isinstance(c.type, Boolean)]
    key_positions = [i for i, c in enumerate(table.columns) if c.primary_key]
    quoted = ", ".join(f'"{n}"' for n in names)
    raw = connection.execution_options(yield_per=50_000).exec_driver_sql(
        f'SELECT {quoted} FROM "{table.name}"'
    )
    for partition in raw.partitions(50_000):
        for values in partition:
            typed = list(values)
            odd = [i for i in booleans if values[i] not in (None, 0, 1)]
            if odd:
                key = json.dumps([str(values[p]) for p in key_positions], ensure_ascii=False)
                yield Unreadable(key, names[odd[0]], values[odd[0]])
                continue
            try:
                for i, process in enumerate(processors):
                    if process is not None and typed[i] is not None:
                        typed[i] = process(typed[i])
            except (ValueError, TypeError, ArithmeticError):
                key = json.dumps([str(values[p]) for p in key_positions], ensure_ascii=False)
                yield Unreadable(key, names[i], values[i])
                continue
            yield tuple(typed)


@lru_cache(maxsize=65_536)
def instant_text(value: str | datetime) -> str:
    """The canonical text of an instant as the driver returns it.

    PostgreSQL's driver gives an aware datetime; SQLite gives the naive UTC text SQLAlchemy
    stored, ``YYYY-MM-DD HH:MM:SS[.ffffff]``.
    """
    if isinstance(value, datetime):
        return encode_instant(value)
    return encode_instant(datetime.fromisoformat(value).replace(tzinfo=UTC))
