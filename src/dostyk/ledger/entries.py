"""Ledger entries: what the log commits to for each change of a record.

An entry names the record (its table and key), what happened to it (insert, update, delete), the
SHA-256 of the record's canonical bytes after the change, when, and who. The entry's own canonical
bytes are the Merkle leaf. Verifying a record is then: encode the stored row, hash it, and compare
with the latest entry for its key; verifying the log is re-hashing the entries into the root that
a signed tree head vouches for.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Table

from dostyk.ledger.merkle import leaf_hash
from dostyk.store.canonical import encode_instant, row_encoder

_needs_escaping = re.compile(r'["\\\x00-\x1f]').search
_needs_escaping_beyond_quotes = re.compile(r"[\\\x00-\x1f]").search


class Operation(StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    table_name: str
    record_key: str
    operation: Operation
    record_hash: bytes
    recorded_at: datetime
    actor: str

    def canonical_bytes(self) -> bytes:
        return entry_bytes(
            self.seq,
            self.table_name,
            self.record_key,
            self.operation,
            self.record_hash,
            self.recorded_at,
            self.actor,
        )

    @property
    def leaf_hash(self) -> bytes:
        return leaf_hash(self.canonical_bytes())


def entry_bytes_fast(
    seq: int, quoted_table: str, quoted_key: str, operation: str, hex_hash: str, at: str, actor: str
) -> bytes:
    """:func:`entry_bytes` from parts already in their JSON spelling, for the hot append path.

    ``quoted_table``, ``quoted_key`` and ``actor`` are JSON strings (quotes included); a test
    holds the two functions to the same bytes.
    """
    return f'[{seq},{quoted_table},{quoted_key},"{operation}","{hex_hash}","{at}",{actor}]'.encode()


def quote(text: str) -> str:
    """``text`` as a JSON string; a record key's quotes are the only escaping usually needed."""
    if _needs_escaping_beyond_quotes(text) is None:
        return '"' + text.replace('"', '\\"') + '"'
    return json.dumps(text, ensure_ascii=False)


def entry_bytes(
    seq: int,
    table_name: str,
    record_key: str,
    operation: str,
    record_hash: bytes,
    recorded_at: datetime,
    actor: str,
) -> bytes:
    """The leaf: a JSON array, so an auditor can rebuild it with any JSON library."""
    return json.dumps(
        [
            seq,
            table_name,
            record_key,
            str(operation),
            record_hash.hex(),
            encode_instant(recorded_at),
            actor,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


class RecordHasher:
    """Canonical key and hash of a table's rows (values in column order).

    The hash is SHA-256 of :func:`dostyk.store.canonical.record_bytes`, built without the
    intermediate list because it runs once per written row.
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        self.encode = row_encoder(table)
        self.key_positions = [i for i, c in enumerate(table.columns) if c.primary_key]
        self.prefix = json.dumps(table.name) + ","

    def key_and_hash(self, row: Sequence[Any]) -> tuple[str, bytes]:
        text = self.encode(row)
        if _needs_escaping("".join(text)):
            key = json.dumps([text[i] for i in self.key_positions], ensure_ascii=False)
            body = (
                "[" + self.prefix + json.dumps(text, ensure_ascii=False, separators=(",", ":"))[1:]
            )
        else:
            # No quote, backslash or control character anywhere: JSON would write every value
            # as it stands between quotes, so the bytes can be joined directly (and much faster).
            key = '["' + '", "'.join([text[i] for i in self.key_positions]) + '"]'
            body = "[" + self.prefix + '"' + '","'.join(text) + '"]'
        return key, hashlib.sha256(body.encode()).digest()


_hashers: dict[str, RecordHasher] = {}


def hasher_for(table: Table) -> RecordHasher:
    hasher = _hashers.get(table.name)
    if hasher is None:
        hasher = _hashers[table.name] = RecordHasher(table)
    return hasher
