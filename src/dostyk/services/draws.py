"""Random draws that anyone can re-check, seeded by the ledger itself.

A draw that only the system can reproduce is a draw an insider can quietly redo until it suits
him. Here every draw is SHA-256 over the ledger's Merkle root at its size when the draw is made
and the names of what is drawn for; the record of the draw keeps the size, and the ledger's
signed heads and consistency proofs let anyone obtain the same root and redo the draw. Nobody
can choose the root: it commits to every record written before.

The bytes hashed are the 32-byte root followed, for each part, by a newline and the part in
UTF-8: ``SHA-256(root || "\\n" || part1 || "\\n" || part2 ...)``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import Connection

from dostyk.ledger.store import root_at
from dostyk.ledger.writer import frontiers, log_size
from dostyk.store.batch import current_batch


@dataclass(frozen=True, slots=True)
class LedgerSeed:
    """The ledger's size and Merkle root when a draw is made."""

    size: int
    root: bytes


def ledger_seed(connection: Connection) -> LedgerSeed:
    """The committed ledger as the current transaction sees it.

    The root comes from this process's copy of the tree's right edge when that is of the same
    size (the ledger writer keeps it after each commit), and from the stored nodes otherwise:
    the same root either way, without reading the nodes on every draw.
    """
    batch = current_batch(connection.engine)
    known = None if batch is None else batch.ledger_size(connection)
    # In a batch the entries of its released use cases reach the table only at its commit
    # (see dostyk.store.batch); the batch knows the size they make.
    size = known if known is not None else log_size(connection)
    cached = frontiers.get(connection.engine, size)
    if cached is None and batch is not None:
        batch.insert_ledger_rows()  # the stored nodes give the root: they must all be there
    root = cached.root() if cached is not None else root_at(connection, size)
    return LedgerSeed(size, root)


def draw_digest(root: bytes, *parts: str) -> bytes:
    message = root + b"".join(b"\n" + part.encode() for part in parts)
    return hashlib.sha256(message).digest()


def uniform(root: bytes, *parts: str) -> float:
    """A number in [0, 1) from the digest's first 8 bytes."""
    return int.from_bytes(draw_digest(root, *parts)[:8], "big") / 2**64


def choice_index(root: bytes, count: int, *parts: str) -> int:
    """An index in range(count) from the whole digest (the bias of 256 bits mod n is nil)."""
    if count < 1:
        raise ValueError("nothing to choose from")
    return int.from_bytes(draw_digest(root, *parts), "big") % count
