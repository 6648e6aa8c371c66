"""Ledger use cases: the signing key, signed heads, proofs and verification."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine

from dostyk.ledger import store
from dostyk.ledger.heads import (
    SignedTreeHead,
    generate_key,
    load_private_key,
    public_key_bytes,
    save_private_key,
)
from dostyk.ledger.verification import Progress, VerificationReport, verify_store
from dostyk.ledger.writer import log_size
from dostyk.store.engine import WRITER_OPTION, is_read_only
from dostyk.store.errors import StoreBusy, StoreReadOnly, store_name
from dostyk.store.tables import LOGGED_TABLES

PRIVATE_KEY = "ledger-ed25519.pem"
PUBLIC_KEY = "ledger-ed25519.pub"


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey
    public: bytes


def ensure_signing_key(key_dir: Path) -> tuple[SigningKey, bool]:
    """The ledger's key from ``key_dir``, created on first use; True when it was just created.

    The public key is also written as hex beside it, for whoever audits the log's heads.
    Two processes creating it at once end with the same key: the key file appears whole or not
    at all, and the one that finds it already there reads it instead.
    """
    private_path = key_dir / PRIVATE_KEY
    created = False
    if private_path.exists():
        private = load_private_key(private_path)
    else:
        key_dir.mkdir(parents=True, exist_ok=True)
        try:
            save_private_key(generate_key(), private_path)
            created = True
        except FileExistsError:
            pass  # another process created it meanwhile: that key is the log's key
        private = load_private_key(private_path)
    public = public_key_bytes(private)
    public_path = key_dir / PUBLIC_KEY
    if not public_path.exists() or public_path.read_text().strip() != public.hex():
        _write_whole(public_path, public.hex() + "\n")
    return SigningKey(private, public), created


def _write_whole(path: Path, text: str) -> None:
    """Write ``text`` beside ``path`` and rename it over, so no reader sees half of it."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_signing_key(key_dir: Path) -> SigningKey:
    path = key_dir / PRIVATE_KEY
    if not path.exists():
        raise FileNotFoundError(f"no ledger key at {path}: run `dostyk init` first")
    private = load_private_key(path)
    return SigningKey(private, public_key_bytes(private))


def load_public_key(path: Path) -> bytes:
    """A public key file as `dostyk init` writes it: 64 hex digits."""
    text = path.read_text().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ValueError(f"{path}: not a hex public key") from None
    if len(key) != 32:
        raise ValueError(f"{path}: an Ed25519 public key is 32 bytes, this is {len(key)}")
    return key


def _writer(engine: Engine) -> Connection:
    return engine.connect().execution_options(**{WRITER_OPTION: True})


def sign_head(engine: Engine, key: SigningKey, at: datetime | None = None) -> SignedTreeHead:
    """The signed head of the log as it stands, signed and kept now if none covers it yet.

    A head already kept is read without taking the write lock, so this works on a read-only
    store, and does not wait for a long import, whenever nothing was logged since.
    """
    with engine.connect() as connection:
        size = log_size(connection)
        existing = store.head_of_size(connection, size)
        latest = store.latest_head(connection)
    if existing is not None:
        return existing
    if is_read_only(engine):
        unsigned = size - (latest.tree_size if latest else 0)
        raise StoreReadOnly(
            f"the store at {store_name(engine.url)} is read-only and its log holds {unsigned:,} "
            "entries after the last signed head: a head that covers them cannot be kept"
        )
    with _writer(engine) as connection, connection.begin():
        return store.sign_current_head(connection, key.private, at)


def sign_head_when_free(engine: Engine, key: SigningKey) -> SignedTreeHead | None:
    """Sign the head after a command's own committed writes; None if the store stays busy.

    The writes are committed and logged whether or not a head is signed now, so another
    process holding the store past the busy timeout is no failure of the command: the next
    head signed covers its entries too.
    """
    try:
        return sign_head(engine, key)
    except StoreBusy:
        return None


class UnknownRecord(LookupError):
    pass


def prove_record(
    engine: Engine, key: SigningKey, table: str, record_key: list[str]
) -> dict[str, Any]:
    """An inclusion proof of a record's latest entry, against a head signed now if need be."""
    if table not in {t.name for t in LOGGED_TABLES}:
        names = sorted(t.name for t in LOGGED_TABLES)
        raise UnknownRecord(f"{table!r} is not a table ({names})")
    with engine.connect() as connection:
        entry = store.latest_entry(connection, table, record_key)
    if entry is None:
        raise UnknownRecord(f"no ledger entry for {table} {json.dumps(record_key)}")
    with engine.connect() as connection:
        head = store.latest_head(connection, at_least=entry.seq + 1)
        if head is not None:  # no write lock needed, so a read-only store proves too
            return store.inclusion_proof(connection, entry, head)
    with _writer(engine) as connection, connection.begin():
        head = store.latest_head(connection, at_least=entry.seq + 1)
        if head is None:
            head = store.sign_current_head(connection, key.private)
        return store.inclusion_proof(connection, entry, head)


def prove_consistency(engine: Engine, old_size: int, new_size: int) -> dict[str, Any]:
    with engine.connect() as connection:
        old, new = (
            store.head_of_size(connection, old_size),
            store.head_of_size(connection, new_size),
        )
        if old is None or new is None:
            missing = old_size if old is None else new_size
            raise UnknownRecord(f"no signed head of size {missing}: see `dostyk ledger heads`")
        return store.consistency_proof(connection, old, new)


def heads(engine: Engine) -> list[SignedTreeHead]:
    with engine.connect() as connection:
        return store.all_heads(connection)


def verify_ledger(
    engine: Engine, public_key: bytes, progress: Progress | None = None, workers: int = 2
) -> VerificationReport:
    if progress is None:
        return verify_store(engine, public_key, workers=workers)
    return verify_store(engine, public_key, progress=progress, workers=workers)


#: Where ``dostyk ledger verify`` keeps its last result, under the store's home.
LAST_VERIFICATION = Path("ledger") / "last-verification.json"


def save_verification(home: Path, report: VerificationReport, at: datetime) -> Path:
    """Keep a verification's result for those who read it later (the integrity unit's page).

    Verifying re-hashes every record and entry, so its cost grows with history: it is run by
    ``dostyk ledger verify`` (by hand or on a schedule), never on a web request, and the page
    shows the last result with the records it named. Written beside and renamed into place, so
    a reader never sees half of it.
    """
    document = {
        "verified_at": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "ok": report.ok,
        "entries": report.entries,
        "records": report.records,
        "heads": report.heads,
        "unsigned_entries": report.unsigned_entries,
        "findings": [
            {"problem": str(f.problem), "where": f.where, "detail": f.detail}
            for f in report.findings
        ],
    }
    path = home / LAST_VERIFICATION
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path


def last_verification(home: Path) -> dict[str, Any] | None:
    """The result :func:`save_verification` kept, or None when verify has not run here."""
    path = home / LAST_VERIFICATION
    try:
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"unreadable": str(path)}
    return document
