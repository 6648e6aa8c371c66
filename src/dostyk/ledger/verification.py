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

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from dostyk.ledger.entries import entry_bytes_fast, hasher_for, quote
from dostyk.ledger.heads import PublicKeyLike, SignedTreeHead, verify_tree_head
from dostyk.ledger.merkle import MerkleAccumulator, leaf_hash
from dostyk.ledger.store import all_heads
from dostyk.store.bulk import ordered_rows
from dostyk.store.canonical import encode_instant
from dostyk.store.tables import TABLES, ledger_entries, ledger_nodes


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
    report = VerificationReport()
    heads = all_heads(connection)
    report.heads = len(heads)
    for head in heads:
        if not verify_tree_head(head, public_key):
            report.findings.append(
                Finding(Problem.HEAD_SIGNATURE, f"head of size {head.tree_size}", "")
            )
    latest = _check_log(connection, heads, report, progress)
    _check_records(connection, latest, report, progress)
    return report


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


def _check_records(
    connection: Connection,
    latest: dict[str, bytes | None],
    report: VerificationReport,
    progress: Progress,
) -> None:
    findings = report.findings
    for table in TABLES:
        hasher = hasher_for(table)
        prefix = f"{table.name}\x00"
        count = 0
        for row in ordered_rows(connection, table):
            key, digest = hasher.key_and_hash(row)
            count += 1
            expected = latest.pop(prefix + key, _ABSENT)
            if expected is _ABSENT or expected is None:
                findings.append(
                    Finding(Problem.RECORD_INSERTED, f"{table.name} {key}", "no entry logs it")
                )
            elif expected != digest:
                findings.append(
                    Finding(
                        Problem.RECORD_CHANGED,
                        f"{table.name} {key}",
                        "its values differ from those its latest entry logged",
                    )
                )
        report.records += count
        progress(table.name, count)
    for name, logged in latest.items():
        if logged is None:
            continue
        table_name, _, key = name.partition("\x00")
        findings.append(
            Finding(Problem.RECORD_REMOVED, f"{table_name} {key}", "logged but no longer stored")
        )


_ABSENT: Any = object()


@lru_cache(maxsize=65_536)
def instant_text(value: str | datetime) -> str:
    """The canonical text of an instant as the driver returns it.

    PostgreSQL's driver gives an aware datetime; SQLite gives the naive UTC text SQLAlchemy
    stored, ``YYYY-MM-DD HH:MM:SS[.ffffff]``.
    """
    if isinstance(value, datetime):
        return encode_instant(value)
    return encode_instant(datetime.fromisoformat(value).replace(tzinfo=UTC))
