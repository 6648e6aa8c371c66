"""The ledger as stored: reading nodes, signing heads, and proving records from the database."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, desc, insert, select

from dostyk.domain.spelling import utc_text
from dostyk.ledger.entries import Entry, Operation
from dostyk.ledger.heads import (
    SignedTreeHead,
    consistency_proof_document,
    inclusion_proof_document,
    sign_tree_head,
)
from dostyk.ledger.merkle import (
    EMPTY_ROOT,
    Node,
    consistency_plan,
    inclusion_plan,
    range_nodes,
    root_from_nodes,
)
from dostyk.ledger.writer import any_node, log_size
from dostyk.store.tables import ledger_entries, ledger_heads, ledger_nodes


def fetch_nodes(connection: Connection, wanted: Sequence[Node]) -> list[bytes]:
    """The hashes of the given perfect subtrees, in the order asked, in one query."""
    if not wanted:
        return []
    c = ledger_nodes.c
    rows = connection.execute(select(c.level, c.idx, c.hash).where(any_node(set(wanted)))).all()
    found = {(int(level), int(idx)): bytes(value) for level, idx, value in rows}
    missing = [node for node in wanted if node not in found]
    if missing:
        raise LookupError(f"the ledger lacks the nodes {missing}; run `dostyk ledger verify`")
    return [found[node] for node in wanted]


def root_at(connection: Connection, size: int) -> bytes:
    """The Merkle root of the first ``size`` entries, from O(log size) stored nodes."""
    if size == 0:
        return EMPTY_ROOT
    wanted = range_nodes(0, size)
    found = dict(zip(wanted, fetch_nodes(connection, wanted), strict=True))
    return root_from_nodes(size, lambda level, index: found[(level, index)])


def _head(row: Any) -> SignedTreeHead:
    return SignedTreeHead(
        tree_size=int(row.tree_size),
        root_hash=bytes(row.root_hash),
        timestamp_ms=int(row.timestamp_ms),
        key_id=bytes(row.key_id),
        signature=bytes(row.signature),
    )


def latest_head(connection: Connection, at_least: int = 0) -> SignedTreeHead | None:
    c = ledger_heads.c
    row = connection.execute(
        select(ledger_heads).where(c.tree_size >= at_least).order_by(desc(c.tree_size)).limit(1)
    ).first()
    return None if row is None else _head(row)


def head_of_size(connection: Connection, size: int) -> SignedTreeHead | None:
    row = connection.execute(select(ledger_heads).where(ledger_heads.c.tree_size == size)).first()
    return None if row is None else _head(row)


def all_heads(connection: Connection) -> list[SignedTreeHead]:
    rows = connection.execute(select(ledger_heads).order_by(ledger_heads.c.tree_size))
    return [_head(row) for row in rows]


def sign_current_head(
    connection: Connection, key: Ed25519PrivateKey, at: datetime | None = None
) -> SignedTreeHead:
    """Sign the log as it stands and keep the head; a head already signed at this size is kept."""
    size = log_size(connection)
    existing = head_of_size(connection, size)
    if existing is not None:
        return existing
    moment = at or datetime.now(UTC)
    head = sign_tree_head(key, size, root_at(connection, size), int(moment.timestamp() * 1000))
    connection.execute(
        insert(ledger_heads).values(
            tree_size=head.tree_size,
            root_hash=head.root_hash,
            timestamp_ms=head.timestamp_ms,
            key_id=head.key_id,
            signature=head.signature,
        )
    )
    return head


def _entry(row: Any) -> Entry:
    return Entry(
        seq=int(row.seq),
        table_name=row.table_name,
        record_key=row.record_key,
        operation=Operation(row.operation),
        record_hash=bytes(row.record_hash),
        recorded_at=row.recorded_at,
        actor=row.actor,
    )


def latest_entry(connection: Connection, table_name: str, key: Sequence[str]) -> Entry | None:
    """The last entry for a record, by its table and its key's canonical text."""
    c = ledger_entries.c
    record_key = json.dumps(list(key), ensure_ascii=False)
    row = connection.execute(
        select(ledger_entries)
        .where(c.table_name == table_name, c.record_key == record_key)
        .order_by(desc(c.seq))
        .limit(1)
    ).first()
    return None if row is None else _entry(row)


def entry_at(connection: Connection, seq: int) -> Entry | None:
    row = connection.execute(select(ledger_entries).where(ledger_entries.c.seq == seq)).first()
    return None if row is None else _entry(row)


def inclusion_proof(connection: Connection, entry: Entry, head: SignedTreeHead) -> dict[str, Any]:
    """A self-contained proof that ``entry`` is in the log ``head`` vouches for."""
    plan = inclusion_plan(entry.seq, head.tree_size)
    path = plan.assemble(fetch_nodes(connection, plan.nodes))
    document = inclusion_proof_document(
        leaf_index=entry.seq, path=path, tree_head=head, leaf=entry.canonical_bytes()
    )
    document["entry"] = {
        "seq": entry.seq,
        "table": entry.table_name,
        "key": json.loads(entry.record_key),
        "operation": entry.operation.value,
        "record_hash": entry.record_hash.hex(),
        "recorded_at": utc_text(entry.recorded_at),
        "actor": entry.actor,
    }
    return document


def consistency_proof(
    connection: Connection, old: SignedTreeHead, new: SignedTreeHead
) -> dict[str, Any]:
    """A proof that the log ``new`` vouches for extends the one ``old`` vouches for."""
    plan = consistency_plan(old.tree_size, new.tree_size)
    path = plan.assemble(fetch_nodes(connection, plan.nodes))
    return consistency_proof_document(old, new, path)
