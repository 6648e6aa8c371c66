"""Signed tree heads, ledger signing keys, and self-contained proof documents.

A *signed tree head* (STH) is the log's Ed25519 signature over its size, root hash and the time it
was taken. Publishing STHs (to HQ, to a donor, on paper) is what makes the ledger tamper-evident:
once a head has left the building, any rewrite of an entry it covers breaks either an inclusion
proof against it or the consistency proof between it and a later head.

Signed bytes (version 1)
------------------------
The signature is pure Ed25519 (RFC 8032) over exactly 100 bytes::

    offset  length  field
         0      20  ASCII "dostyk tree head v1\\n"
                    (hex 646f7374796b207472656520686561642076310a)
        20       8  tree size, unsigned big-endian
        28       8  timestamp: milliseconds since 1970-01-01T00:00:00Z, unsigned big-endian
        36      32  root hash: RFC 9162 Merkle tree hash, SHA-256
        68      32  key id: SHA-256 of the signer's raw 32-byte Ed25519 public key

The fixed prefix keeps a tree-head signature from being valid as a signature over anything else the
same key might ever sign; the key id in the signed bytes binds the head to one key.

JSON forms
----------
A tree head::

    {"tree_size": 8, "timestamp_ms": 1700000000000,
     "root_hash": "<64 hex digits>", "key_id": "<64 hex digits>",
     "signature": "<base64 (RFC 4648 §4, padded) of the 64-byte signature>"}

An inclusion proof (exactly one of ``leaf`` — the entry's bytes, hex — and ``leaf_hash`` is needed;
if both are given they must agree)::

    {"leaf_index": 5, "tree_size": 8, "leaf": "<hex>", "leaf_hash": "<64 hex>",
     "path": ["<64 hex>", ...], "tree_head": {<tree head>}}

A consistency proof::

    {"old_tree_head": {<tree head>}, "new_tree_head": {<tree head>}, "path": ["<64 hex>", ...]}

Hex is read in either case and written in lower case; other keys are ignored. A verifier needs only
the document and the log's public key: nothing here reads the ledger.
"""

from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import json
import os
import struct
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from dostyk.ledger.merkle import HASH_SIZE, leaf_hash, verify_consistency, verify_inclusion

__all__ = [
    "SIGNATURE_SIZE",
    "TREE_HEAD_PREFIX",
    "KeyFileError",
    "ProofError",
    "SignedTreeHead",
    "check_consistency_proof",
    "check_inclusion_proof",
    "consistency_proof_document",
    "generate_key",
    "inclusion_proof_document",
    "key_id_for",
    "load_private_key",
    "public_key_bytes",
    "public_key_from_bytes",
    "save_private_key",
    "sign_tree_head",
    "tree_head_bytes",
    "verify_consistency_proof",
    "verify_inclusion_proof",
    "verify_tree_head",
]

TREE_HEAD_PREFIX: Final = b"dostyk tree head v1\n"
"""Domain-separation prefix of the signed tree-head bytes (20 bytes)."""

SIGNATURE_SIZE: Final = 64
"""Length of an Ed25519 signature."""

_PUBLIC_KEY_SIZE: Final = 32
_U64_MAX: Final = 2**64 - 1
_LAYOUT: Final = struct.Struct(">20sQQ32s32s")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

PublicKeyLike = Ed25519PublicKey | bytes
"""A public key object, or its raw 32 bytes as published."""


class KeyFileError(ValueError):
    """A key file that holds no usable Ed25519 key (damaged, truncated, another kind of key)."""


class ProofError(ValueError):
    """A proof or tree head did not verify, or was malformed; the message says which and why."""


# --------------------------------------------------------------------------- keys


def generate_key() -> Ed25519PrivateKey:
    """Return a new random Ed25519 signing key for a log."""
    return Ed25519PrivateKey.generate()


def public_key_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """Return the raw 32-byte public key, the form that is published and that key ids hash."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_from_bytes(data: bytes) -> Ed25519PublicKey:
    """Return the public key whose raw 32-byte form is ``data``."""
    if len(data) != _PUBLIC_KEY_SIZE:
        raise ValueError(f"an Ed25519 public key is {_PUBLIC_KEY_SIZE} bytes, got {len(data)}")
    return Ed25519PublicKey.from_public_bytes(data)


def key_id_for(key: Ed25519PrivateKey | Ed25519PublicKey | bytes) -> bytes:
    """Return the key id: SHA-256 of the raw 32-byte public key."""
    raw = key if isinstance(key, bytes) else public_key_bytes(key)
    if len(raw) != _PUBLIC_KEY_SIZE:
        raise ValueError(f"an Ed25519 public key is {_PUBLIC_KEY_SIZE} bytes, got {len(raw)}")
    return hashlib.sha256(raw).digest()


def save_private_key(
    key: Ed25519PrivateKey,
    path: str | os.PathLike[str],
    *,
    password: bytes | None = None,
    overwrite: bool = False,
) -> None:
    """Write ``key`` as PEM PKCS#8 to ``path``, readable and writable by its owner only (0600).

    The file is created with mode 0600 from the start, so the key is never briefly readable by
    others. Without ``overwrite`` an existing file is never replaced (losing a log key loses the
    ability to sign heads that extend the old ones); with it, the new key is written beside the
    old and renamed over it, so a crash leaves one whole key or the other. ``password`` encrypts
    the PEM with the best encryption the library offers.
    """
    encryption = BestAvailableEncryption(password) if password else NoEncryption()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, encryption)
    target = Path(path)
    if overwrite:
        fd, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
        try:
            _write_private(fd, pem)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    else:
        _create_whole(target, pem)


def _create_whole(target: Path, pem: bytes) -> None:
    """Create ``target`` holding ``pem``, or raise ``FileExistsError`` if it already exists.

    The key is written and synced under a temporary name and then hard-linked to its own, which
    fails when the name is taken: a crash or a second process never sees a half-written key.
    Where the file system has no hard links, the file is created exclusively and then written.
    """
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        _write_private(fd, pem)
        try:
            os.link(temporary, target)
            return
        except FileExistsError:
            raise
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS):
                raise
    finally:
        Path(temporary).unlink(missing_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        _write_private(fd, pem)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _write_private(fd: int, data: bytes) -> None:
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)  # whatever the umask made of it
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def load_private_key(
    path: str | os.PathLike[str], *, password: bytes | None = None
) -> Ed25519PrivateKey:
    """Read an Ed25519 private key written by :func:`save_private_key` (or any PEM PKCS#8)."""
    data = Path(path).read_bytes()
    try:
        key = load_pem_private_key(data, password=password)
    except (ValueError, TypeError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise KeyFileError(f"{path}: cannot read a private key: {reason}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not an Ed25519 private key ({type(key).__name__})")
    return key


# --------------------------------------------------------------------------- tree heads


def tree_head_bytes(tree_size: int, root_hash: bytes, timestamp_ms: int, key_id: bytes) -> bytes:
    """Return the 100 bytes a tree head's signature covers (layout in the module docstring)."""
    _check_u64(tree_size, "tree_size")
    _check_u64(timestamp_ms, "timestamp_ms")
    _check_length(root_hash, HASH_SIZE, "root_hash")
    _check_length(key_id, HASH_SIZE, "key_id")
    return _LAYOUT.pack(TREE_HEAD_PREFIX, tree_size, timestamp_ms, root_hash, key_id)


@dataclass(frozen=True, slots=True)
class SignedTreeHead:
    """The log's signed statement that its first ``tree_size`` entries have root ``root_hash``.

    Construction checks only the shape of the fields; :func:`verify_tree_head` checks the signature.
    """

    tree_size: int
    root_hash: bytes
    timestamp_ms: int
    key_id: bytes
    signature: bytes

    def __post_init__(self) -> None:
        _check_u64(self.tree_size, "tree_size")
        _check_u64(self.timestamp_ms, "timestamp_ms")
        _check_length(self.root_hash, HASH_SIZE, "root_hash")
        _check_length(self.key_id, HASH_SIZE, "key_id")
        _check_length(self.signature, SIGNATURE_SIZE, "signature")

    @property
    def timestamp(self) -> datetime:
        """The head's time as an aware UTC datetime, exact to the millisecond.

        ``OverflowError`` past the year 9999, which the u64 field allows but no real head has.
        """
        return _EPOCH + timedelta(milliseconds=self.timestamp_ms)

    def signed_bytes(self) -> bytes:
        """Return the bytes the signature covers."""
        return tree_head_bytes(self.tree_size, self.root_hash, self.timestamp_ms, self.key_id)

    def to_json_dict(self) -> dict[str, Any]:
        """Return the JSON object form (hashes in hex, signature in base64)."""
        return {
            "tree_size": self.tree_size,
            "timestamp_ms": self.timestamp_ms,
            "root_hash": self.root_hash.hex(),
            "key_id": self.key_id.hex(),
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }

    @classmethod
    def from_json_dict(cls, data: Mapping[str, Any]) -> SignedTreeHead:
        """Parse the JSON object form; ``ValueError`` naming the field if anything is wrong."""
        if not isinstance(data, Mapping):
            raise ValueError(f"a tree head must be a JSON object, got {type(data).__name__}")
        return cls(
            tree_size=_get_int(data, "tree_size"),
            root_hash=_get_hex(data, "root_hash", HASH_SIZE),
            timestamp_ms=_get_int(data, "timestamp_ms"),
            key_id=_get_hex(data, "key_id", HASH_SIZE),
            signature=_get_base64(data, "signature", SIGNATURE_SIZE),
        )

    def to_json(self) -> str:
        """Return canonical JSON text (sorted keys, no spaces)."""
        return json.dumps(self.to_json_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> SignedTreeHead:
        """Parse JSON text written by :meth:`to_json`."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"tree head is not valid JSON: {error}") from error
        return cls.from_json_dict(data)


def sign_tree_head(
    private_key: Ed25519PrivateKey,
    tree_size: int,
    root_hash: bytes,
    timestamp_ms: int | None = None,
) -> SignedTreeHead:
    """Sign a tree head; ``timestamp_ms`` defaults to now (UTC, milliseconds since the epoch)."""
    if timestamp_ms is None:
        timestamp_ms = time.time_ns() // 1_000_000
    key_id = key_id_for(private_key)
    message = tree_head_bytes(tree_size, root_hash, timestamp_ms, key_id)
    return SignedTreeHead(tree_size, root_hash, timestamp_ms, key_id, private_key.sign(message))


def verify_tree_head(sth: SignedTreeHead, public_key: PublicKeyLike) -> bool:
    """Return whether ``sth`` was signed by ``public_key`` (and names that key's id)."""
    try:
        _check_tree_head(sth, public_key, "tree head")
    except ProofError:
        return False
    return True


def _check_tree_head(sth: SignedTreeHead, public_key: PublicKeyLike, what: str) -> None:
    if isinstance(public_key, Ed25519PublicKey):
        key = public_key
    else:
        try:
            key = public_key_from_bytes(public_key)
        except ValueError as error:
            raise ProofError(f"public key: {error}") from error
    if sth.key_id != key_id_for(key):
        raise ProofError(f"{what}: key id {sth.key_id.hex()} is not that of the given public key")
    try:
        key.verify(sth.signature, sth.signed_bytes())
    except InvalidSignature:
        raise ProofError(f"{what}: signature does not verify") from None


# --------------------------------------------------------------------------- proof documents


def inclusion_proof_document(
    *,
    leaf_index: int,
    path: Sequence[bytes],
    tree_head: SignedTreeHead,
    leaf: bytes | None = None,
    leaf_hash: bytes | None = None,
) -> dict[str, Any]:
    """Return the JSON object form of an inclusion proof (give ``leaf``, ``leaf_hash`` or both)."""
    if leaf is None and leaf_hash is None:
        raise ValueError("an inclusion proof needs the leaf or its leaf hash")
    document: dict[str, Any] = {"leaf_index": leaf_index, "tree_size": tree_head.tree_size}
    if leaf is not None:
        document["leaf"] = leaf.hex()
    if leaf_hash is not None:
        document["leaf_hash"] = leaf_hash.hex()
    document["path"] = [node.hex() for node in path]
    document["tree_head"] = tree_head.to_json_dict()
    return document


def consistency_proof_document(
    old_tree_head: SignedTreeHead, new_tree_head: SignedTreeHead, path: Sequence[bytes]
) -> dict[str, Any]:
    """Return the JSON object form of a consistency proof between two signed tree heads."""
    return {
        "old_tree_head": old_tree_head.to_json_dict(),
        "new_tree_head": new_tree_head.to_json_dict(),
        "path": [node.hex() for node in path],
    }


def check_inclusion_proof(document: Mapping[str, Any], public_key: PublicKeyLike) -> None:
    """Verify an inclusion proof document; raise :class:`ProofError` saying what failed.

    Checks, in order: the document's shape, the tree head's signature and key id, that the proof's
    tree size is the head's, that ``leaf`` and ``leaf_hash`` agree if both are given, and the
    RFC 9162 audit path against the head's root.
    """
    try:
        if not isinstance(document, Mapping):
            raise ValueError(f"proof must be a JSON object, got {type(document).__name__}")
        head = SignedTreeHead.from_json_dict(_get_mapping(document, "tree_head"))
        index = _get_int(document, "leaf_index")
        size = _get_int(document, "tree_size")
        path = _get_hex_list(document, "path")
        leaf = _get_hex(document, "leaf") if "leaf" in document else None
        given_hash = _get_hex(document, "leaf_hash", HASH_SIZE) if "leaf_hash" in document else None
    except ValueError as error:
        raise ProofError(f"malformed inclusion proof: {error}") from error
    _check_tree_head(head, public_key, "tree_head")
    if size != head.tree_size:
        raise ProofError(f"tree_size {size} is not the tree head's size {head.tree_size}")
    if leaf is not None:
        computed = leaf_hash(leaf)
        if given_hash is not None and given_hash != computed:
            raise ProofError("leaf_hash is not the leaf hash of leaf")
        given_hash = computed
    if given_hash is None:
        raise ProofError("malformed inclusion proof: needs leaf or leaf_hash")
    if not verify_inclusion(given_hash, index, size, path, head.root_hash):
        raise ProofError(
            f"audit path does not prove leaf {index} in the tree of {size} entries "
            f"with root {head.root_hash.hex()}"
        )


def verify_inclusion_proof(document: Mapping[str, Any], public_key: PublicKeyLike) -> bool:
    """Return whether an inclusion proof document verifies under ``public_key``; never raises."""
    try:
        check_inclusion_proof(document, public_key)
    except ProofError:
        return False
    return True


def check_consistency_proof(document: Mapping[str, Any], public_key: PublicKeyLike) -> None:
    """Verify a consistency proof document; raise :class:`ProofError` saying what failed.

    Both heads must be signed by ``public_key``, the old head's size must not exceed the new one's,
    and the RFC 9162 consistency path must link the two roots.
    """
    try:
        if not isinstance(document, Mapping):
            raise ValueError(f"proof must be a JSON object, got {type(document).__name__}")
        old = SignedTreeHead.from_json_dict(_get_mapping(document, "old_tree_head"))
        new = SignedTreeHead.from_json_dict(_get_mapping(document, "new_tree_head"))
        path = _get_hex_list(document, "path")
    except ValueError as error:
        raise ProofError(f"malformed consistency proof: {error}") from error
    _check_tree_head(old, public_key, "old_tree_head")
    _check_tree_head(new, public_key, "new_tree_head")
    if old.tree_size > new.tree_size:
        raise ProofError(
            f"old_tree_head (size {old.tree_size}) is larger than new_tree_head "
            f"(size {new.tree_size})"
        )
    if not verify_consistency(old.tree_size, new.tree_size, old.root_hash, new.root_hash, path):
        raise ProofError(
            f"consistency path does not prove the tree of {new.tree_size} entries extends "
            f"the tree of {old.tree_size}"
        )


def verify_consistency_proof(document: Mapping[str, Any], public_key: PublicKeyLike) -> bool:
    """Return whether a consistency proof document verifies under ``public_key``; never raises."""
    try:
        check_consistency_proof(document, public_key)
    except ProofError:
        return False
    return True


# --------------------------------------------------------------------------- field helpers


def _check_u64(value: object, name: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _U64_MAX:
        raise ValueError(f"{name} must be an integer in [0, 2**64), got {value!r}")


def _check_length(value: object, size: int, name: str) -> None:
    if not isinstance(value, bytes) or len(value) != size:
        shown = len(value) if isinstance(value, bytes) else type(value).__name__
        raise ValueError(f"{name} must be {size} bytes, got {shown}")


def _get(data: Mapping[str, Any], key: str) -> Any:
    if key not in data:
        raise ValueError(f"missing field {key!r}")
    return data[key]


def _get_int(data: Mapping[str, Any], key: str) -> int:
    value = _get(data, key)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _U64_MAX:
        raise ValueError(f"field {key!r} must be an integer in [0, 2**64), got {value!r}")
    return value


def _get_mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = _get(data, key)
    if not isinstance(value, Mapping):
        raise ValueError(f"field {key!r} must be a JSON object, got {type(value).__name__}")
    return value


def _decode_hex(value: object, name: str, size: int | None) -> bytes:
    if not isinstance(value, str) or len(value) % 2 or not all(c in _HEX for c in value):
        raise ValueError(f"{name} must be a string of hex digit pairs")
    decoded = bytes.fromhex(value)
    if size is not None and len(decoded) != size:
        raise ValueError(f"{name} must be {size} bytes ({2 * size} hex digits), got {len(decoded)}")
    return decoded


_HEX: Final = frozenset("0123456789abcdefABCDEF")


def _get_hex(data: Mapping[str, Any], key: str, size: int | None = None) -> bytes:
    return _decode_hex(_get(data, key), f"field {key!r}", size)


def _get_hex_list(data: Mapping[str, Any], key: str) -> list[bytes]:
    value = _get(data, key)
    if not isinstance(value, list):
        raise ValueError(f"field {key!r} must be a list of hex hashes")
    return [_decode_hex(item, f"{key}[{n}]", HASH_SIZE) for n, item in enumerate(value)]


def _get_base64(data: Mapping[str, Any], key: str, size: int) -> bytes:
    value = _get(data, key)
    if not isinstance(value, str):
        raise ValueError(f"field {key!r} must be a base64 string")
    try:
        decoded = base64.b64decode(value, validate=True)
    except binascii.Error as error:
        raise ValueError(f"field {key!r} is not valid base64: {error}") from error
    if len(decoded) != size:
        raise ValueError(f"field {key!r} must decode to {size} bytes, got {len(decoded)}")
    return decoded
