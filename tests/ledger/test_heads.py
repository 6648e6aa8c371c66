"""Signed tree heads, key files and the standalone proof-document verifiers."""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import json
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from dostyk.ledger.heads import (
    TREE_HEAD_PREFIX,
    ProofError,
    SignedTreeHead,
    check_consistency_proof,
    check_inclusion_proof,
    consistency_proof_document,
    generate_key,
    inclusion_proof_document,
    key_id_for,
    load_private_key,
    public_key_bytes,
    public_key_from_bytes,
    save_private_key,
    sign_tree_head,
    tree_head_bytes,
    verify_consistency_proof,
    verify_inclusion_proof,
    verify_tree_head,
)
from dostyk.ledger.merkle import (
    EMPTY_ROOT,
    InMemoryNodes,
    MerkleAccumulator,
    consistency_path,
    inclusion_path,
    leaf_hash,
)

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
PUBLIC = public_key_bytes(KEY)
ROOT = hashlib.sha256(b"some root").digest()
TIMESTAMP = 1_700_000_000_123

ENTRIES = [b"declaration %d lodged" % i for i in range(20)]


def build_log(count: int) -> tuple[MerkleAccumulator, InMemoryNodes]:
    accumulator = MerkleAccumulator()
    store = InMemoryNodes()
    for entry in ENTRIES[:count]:
        store.put_all(accumulator.append(leaf_hash(entry)))
    return accumulator, store


ACCUMULATOR, STORE = build_log(len(ENTRIES))
OLD_ACCUMULATOR, _ = build_log(7)
OLD_HEAD = sign_tree_head(KEY, 7, OLD_ACCUMULATOR.root(), TIMESTAMP)
NEW_HEAD = sign_tree_head(KEY, len(ENTRIES), ACCUMULATOR.root(), TIMESTAMP + 60_000)


def roundtrip(document: dict[str, Any]) -> dict[str, Any]:
    """What an auditor receives: the document after JSON serialisation."""
    result: dict[str, Any] = json.loads(json.dumps(document))
    return result


# --------------------------------------------------------------------------- keys


def test_key_id_and_public_key_forms() -> None:
    assert len(PUBLIC) == 32
    assert key_id_for(KEY) == key_id_for(KEY.public_key()) == key_id_for(PUBLIC)
    assert key_id_for(PUBLIC) == hashlib.sha256(PUBLIC).digest()
    assert public_key_bytes(public_key_from_bytes(PUBLIC)) == PUBLIC
    with pytest.raises(ValueError, match="32 bytes"):
        public_key_from_bytes(b"short")
    with pytest.raises(ValueError, match="32 bytes"):
        key_id_for(b"short")
    assert public_key_bytes(generate_key()) != public_key_bytes(generate_key())


def test_private_key_file_is_owner_only_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "ledger.key"
    previous = os.umask(0o000)  # even a permissive umask must not widen the file
    try:
        save_private_key(KEY, path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public_key_bytes(load_private_key(path)) == PUBLIC
    assert list(tmp_path.iterdir()) == [path]


def test_private_key_is_never_overwritten_by_accident(tmp_path: Path) -> None:
    path = tmp_path / "ledger.key"
    save_private_key(KEY, path)
    with pytest.raises(FileExistsError):
        save_private_key(OTHER_KEY, path)
    assert public_key_bytes(load_private_key(path)) == PUBLIC
    save_private_key(OTHER_KEY, path, overwrite=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public_key_bytes(load_private_key(path)) == public_key_bytes(OTHER_KEY)
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_encrypted_private_key(tmp_path: Path) -> None:
    path = tmp_path / "ledger.key"
    save_private_key(KEY, path, password=b"correct horse")
    assert b"ENCRYPTED" in path.read_bytes()
    assert public_key_bytes(load_private_key(path, password=b"correct horse")) == PUBLIC
    with pytest.raises(ValueError, match="cannot read a private key"):
        load_private_key(path, password=b"wrong")
    with pytest.raises(ValueError, match="cannot read a private key"):
        load_private_key(path)


def test_loading_rejects_other_key_types(tmp_path: Path) -> None:
    path = tmp_path / "ec.key"
    ec_key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(ec_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    with pytest.raises(ValueError, match="not an Ed25519 private key"):
        load_private_key(path)
    garbage = tmp_path / "garbage.key"
    garbage.write_bytes(b"not a key")
    with pytest.raises(ValueError, match=r"garbage\.key"):
        load_private_key(garbage)


# --------------------------------------------------------------------------- tree heads


def test_signed_bytes_layout() -> None:
    key_id = key_id_for(KEY)
    expected = (
        b"dostyk tree head v1\n"
        + (8).to_bytes(8, "big")
        + TIMESTAMP.to_bytes(8, "big")
        + ROOT
        + key_id
    )
    assert TREE_HEAD_PREFIX == b"dostyk tree head v1\n"
    assert tree_head_bytes(8, ROOT, TIMESTAMP, key_id) == expected
    assert len(expected) == 100
    head = sign_tree_head(KEY, 8, ROOT, TIMESTAMP)
    assert head.signed_bytes() == expected
    KEY.public_key().verify(head.signature, expected)  # plain Ed25519, nothing else


def test_sign_and_verify() -> None:
    head = sign_tree_head(KEY, 8, ROOT, TIMESTAMP)
    assert head.tree_size == 8
    assert head.root_hash == ROOT
    assert head.timestamp_ms == TIMESTAMP
    assert head.key_id == key_id_for(KEY)
    assert head.timestamp.isoformat() == "2023-11-14T22:13:20.123000+00:00"
    assert verify_tree_head(head, KEY.public_key())
    assert verify_tree_head(head, PUBLIC)
    assert sign_tree_head(KEY, 8, ROOT, TIMESTAMP) == head  # Ed25519 is deterministic


def test_default_timestamp_is_now() -> None:
    before = time.time_ns() // 1_000_000
    head = sign_tree_head(KEY, 0, EMPTY_ROOT)
    after = time.time_ns() // 1_000_000
    assert before <= head.timestamp_ms <= after
    assert verify_tree_head(head, PUBLIC)


@pytest.mark.parametrize(
    "change",
    [
        {"tree_size": 9},
        {"tree_size": 7},
        {"root_hash": hashlib.sha256(b"another root").digest()},
        {"timestamp_ms": TIMESTAMP + 1},
        {"key_id": key_id_for(OTHER_KEY)},
        {"signature": bytes(64)},
    ],
)
def test_tampered_heads_fail(change: dict[str, Any]) -> None:
    head = sign_tree_head(KEY, 8, ROOT, TIMESTAMP)
    assert not verify_tree_head(dataclasses.replace(head, **change), PUBLIC)


def test_signature_bit_flips_fail() -> None:
    head = sign_tree_head(KEY, 8, ROOT, TIMESTAMP)
    for position in range(0, 64, 7):
        signature = bytearray(head.signature)
        signature[position] ^= 0x80
        assert not verify_tree_head(dataclasses.replace(head, signature=bytes(signature)), PUBLIC)


def test_wrong_key_fails() -> None:
    head = sign_tree_head(KEY, 8, ROOT, TIMESTAMP)
    assert not verify_tree_head(head, OTHER_KEY.public_key())
    assert not verify_tree_head(head, b"short")
    # Re-labelling a head with another key's id does not make that key's signature appear.
    relabelled = dataclasses.replace(head, key_id=key_id_for(OTHER_KEY))
    assert not verify_tree_head(relabelled, OTHER_KEY.public_key())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tree_size": -1}, "tree_size"),
        ({"tree_size": 2**64}, "tree_size"),
        ({"tree_size": True}, "tree_size"),
        ({"timestamp_ms": -5}, "timestamp_ms"),
        ({"root_hash": b"short"}, "root_hash"),
        ({"key_id": bytes(33)}, "key_id"),
        ({"signature": bytes(63)}, "signature"),
    ],
)
def test_head_fields_are_checked(change: dict[str, Any], message: str) -> None:
    head = sign_tree_head(KEY, 8, ROOT, TIMESTAMP)
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(head, **change)


def test_signed_bytes_check_their_fields() -> None:
    key_id = key_id_for(KEY)
    with pytest.raises(ValueError, match="tree_size"):
        tree_head_bytes(-1, ROOT, TIMESTAMP, key_id)
    with pytest.raises(ValueError, match="timestamp_ms"):
        tree_head_bytes(8, ROOT, 2**64, key_id)
    with pytest.raises(ValueError, match="root_hash"):
        tree_head_bytes(8, ROOT[:31], TIMESTAMP, key_id)
    with pytest.raises(ValueError, match="key_id"):
        tree_head_bytes(8, ROOT, TIMESTAMP, PUBLIC + b"x")


def test_json_round_trip() -> None:
    head = sign_tree_head(KEY, 8, ROOT, TIMESTAMP)
    data = head.to_json_dict()
    assert data == {
        "tree_size": 8,
        "timestamp_ms": TIMESTAMP,
        "root_hash": ROOT.hex(),
        "key_id": key_id_for(KEY).hex(),
        "signature": base64.b64encode(head.signature).decode(),
    }
    assert SignedTreeHead.from_json_dict(data) == head
    assert SignedTreeHead.from_json(head.to_json()) == head
    assert SignedTreeHead.from_json(head.to_json().encode()) == head
    assert head.to_json() == json.dumps(data, sort_keys=True, separators=(",", ":"))
    upper = dict(data, root_hash=ROOT.hex().upper(), comment="ignored")
    assert SignedTreeHead.from_json_dict(upper) == head


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tree_size": None}, "'tree_size' must be an integer"),
        ({"tree_size": "8"}, "'tree_size' must be an integer"),
        ({"tree_size": False}, "'tree_size' must be an integer"),
        ({"timestamp_ms": 1.5}, "'timestamp_ms' must be an integer"),
        ({"root_hash": "zz" * 32}, "'root_hash' must be a string of hex"),
        ({"root_hash": "ab" * 31}, "'root_hash' must be 32 bytes"),
        ({"root_hash": " " + "ab" * 32}, "'root_hash' must be a string of hex"),
        ({"key_id": 5}, "'key_id' must be a string of hex"),
        ({"signature": "!!!"}, "'signature' is not valid base64"),
        ({"signature": base64.b64encode(bytes(10)).decode()}, "'signature' must decode to 64"),
        ({"signature": 7}, "'signature' must be a base64 string"),
    ],
)
def test_json_errors_name_the_field(change: dict[str, Any], message: str) -> None:
    data = sign_tree_head(KEY, 8, ROOT, TIMESTAMP).to_json_dict()
    data.update(change)
    with pytest.raises(ValueError, match=message):
        SignedTreeHead.from_json_dict(data)


def test_json_missing_field_and_bad_text() -> None:
    data = sign_tree_head(KEY, 8, ROOT, TIMESTAMP).to_json_dict()
    del data["key_id"]
    with pytest.raises(ValueError, match="missing field 'key_id'"):
        SignedTreeHead.from_json_dict(data)
    with pytest.raises(ValueError, match="not valid JSON"):
        SignedTreeHead.from_json("{")
    with pytest.raises(ValueError, match="must be a JSON object"):
        SignedTreeHead.from_json("[1, 2]")


# --------------------------------------------------------------------------- inclusion documents


def inclusion_document(index: int, **kwargs: Any) -> dict[str, Any]:
    path = inclusion_path(index, NEW_HEAD.tree_size, STORE)
    return roundtrip(
        inclusion_proof_document(leaf_index=index, path=path, tree_head=NEW_HEAD, **kwargs)
    )


@pytest.mark.parametrize("index", range(len(ENTRIES)))
def test_inclusion_documents_verify_with_only_the_public_key(index: int) -> None:
    entry = ENTRIES[index]
    for form in ({"leaf": entry}, {"leaf_hash": leaf_hash(entry)}):
        document = inclusion_document(index, **form)
        assert verify_inclusion_proof(document, PUBLIC)
        assert verify_inclusion_proof(document, KEY.public_key())
        check_inclusion_proof(document, PUBLIC)
    both = inclusion_document(index, leaf=entry, leaf_hash=leaf_hash(entry))
    assert verify_inclusion_proof(both, PUBLIC)


def tampered_inclusion_cases() -> list[tuple[str, dict[str, Any], str]]:
    good = inclusion_document(5, leaf=ENTRIES[5])
    cases: list[tuple[str, dict[str, Any], str]] = []

    def case(name: str, message: str, edit: Any) -> None:
        document = copy.deepcopy(good)
        edit(document)
        cases.append((name, document, message))

    case("changed entry", "does not prove", lambda d: d.update(leaf=b"forged".hex()))
    case("moved entry", "does not prove", lambda d: d.update(leaf_index=6))
    case("index past end", "does not prove", lambda d: d.update(leaf_index=20))
    case("path element", "does not prove", lambda d: d["path"].__setitem__(0, "00" * 32))
    case("dropped element", "does not prove", lambda d: d["path"].pop())
    case("extra element", "does not prove", lambda d: d["path"].append("00" * 32))
    case("size", "not the tree head's size", lambda d: d.update(tree_size=19))
    case(
        "head root",
        "signature does not verify",
        lambda d: d["tree_head"].update(root_hash=OLD_HEAD.root_hash.hex()),
    )
    case(
        "head size",
        "signature does not verify",
        lambda d: (d["tree_head"].update(tree_size=21), d.update(tree_size=21)),
    )
    case(
        "leaf and hash disagree",
        "leaf_hash is not the leaf hash",
        lambda d: d.update(leaf_hash=leaf_hash(b"other").hex()),
    )
    case("no leaf", "needs leaf or leaf_hash", lambda d: d.pop("leaf"))
    case("no head", "missing field 'tree_head'", lambda d: d.pop("tree_head"))
    case("bad path", "path\\[1\\] must be 32 bytes", lambda d: d["path"].__setitem__(1, "ab"))
    case("path not list", "'path' must be a list", lambda d: d.update(path="ab" * 32))
    case("bad index", "'leaf_index' must be an integer", lambda d: d.update(leaf_index="5"))
    case("bad leaf", "'leaf' must be a string of hex", lambda d: d.update(leaf="xyz"))
    return cases


@pytest.mark.parametrize(
    ("name", "document", "message"),
    tampered_inclusion_cases(),
    ids=[name for name, _, _ in tampered_inclusion_cases()],
)
def test_tampered_inclusion_documents_fail(
    name: str, document: dict[str, Any], message: str
) -> None:
    assert not verify_inclusion_proof(document, PUBLIC)
    with pytest.raises(ProofError, match=message):
        check_inclusion_proof(document, PUBLIC)


def test_inclusion_document_under_another_key_fails() -> None:
    document = inclusion_document(3, leaf=ENTRIES[3])
    assert not verify_inclusion_proof(document, public_key_bytes(OTHER_KEY))
    with pytest.raises(ProofError, match="key id"):
        check_inclusion_proof(document, public_key_bytes(OTHER_KEY))
    with pytest.raises(ProofError, match="public key"):
        check_inclusion_proof(document, b"short")
    # A head re-signed by another key over the same root proves nothing under the log's key.
    forged = dict(
        document, tree_head=sign_tree_head(OTHER_KEY, 20, ACCUMULATOR.root()).to_json_dict()
    )
    assert verify_inclusion_proof(forged, public_key_bytes(OTHER_KEY))
    assert not verify_inclusion_proof(forged, PUBLIC)


def test_non_object_documents_fail() -> None:
    documents: list[Any] = [[], "proof", None, 5]  # what json.loads may hand a verifier
    for document in documents:
        assert not verify_inclusion_proof(document, PUBLIC)
        assert not verify_consistency_proof(document, PUBLIC)
    with pytest.raises(ValueError, match="needs the leaf"):
        inclusion_proof_document(leaf_index=0, path=[], tree_head=NEW_HEAD)


# --------------------------------------------------------------------------- consistency documents


def consistency_document(old: SignedTreeHead, new: SignedTreeHead) -> dict[str, Any]:
    path = consistency_path(old.tree_size, new.tree_size, STORE)
    return roundtrip(consistency_proof_document(old, new, path))


def test_consistency_documents_verify() -> None:
    for old_size in range(len(ENTRIES) + 1):
        accumulator, _ = build_log(old_size)
        old = sign_tree_head(KEY, old_size, accumulator.root(), TIMESTAMP)
        document = consistency_document(old, NEW_HEAD)
        assert verify_consistency_proof(document, PUBLIC), old_size
        check_consistency_proof(document, KEY.public_key())


def test_tampered_consistency_documents_fail() -> None:
    good = consistency_document(OLD_HEAD, NEW_HEAD)
    assert verify_consistency_proof(good, PUBLIC)

    swapped = dict(good, old_tree_head=good["new_tree_head"], new_tree_head=good["old_tree_head"])
    with pytest.raises(ProofError, match="larger than new_tree_head"):
        check_consistency_proof(swapped, PUBLIC)

    bad_path = copy.deepcopy(good)
    bad_path["path"][0] = "11" * 32
    with pytest.raises(ProofError, match="does not prove"):
        check_consistency_proof(bad_path, PUBLIC)

    truncated = dict(good, path=good["path"][:-1])
    with pytest.raises(ProofError, match="does not prove"):
        check_consistency_proof(truncated, PUBLIC)

    # A log that rewrote entry 3 and signed the result cannot link it to the old head.
    rewritten = MerkleAccumulator()
    forged_store = InMemoryNodes()
    for position, entry in enumerate(ENTRIES):
        forged_store.put_all(rewritten.append(leaf_hash(b"rewritten" if position == 3 else entry)))
    forged_head = sign_tree_head(KEY, len(ENTRIES), rewritten.root(), TIMESTAMP + 120_000)
    forged_path = consistency_path(7, len(ENTRIES), forged_store)
    forged = roundtrip(consistency_proof_document(OLD_HEAD, forged_head, forged_path))
    with pytest.raises(ProofError, match="does not prove"):
        check_consistency_proof(forged, PUBLIC)

    foreign = dict(
        good, old_tree_head=sign_tree_head(OTHER_KEY, 7, OLD_HEAD.root_hash).to_json_dict()
    )
    with pytest.raises(ProofError, match="old_tree_head: key id"):
        check_consistency_proof(foreign, PUBLIC)

    resigned = copy.deepcopy(good)
    resigned["new_tree_head"]["timestamp_ms"] += 1
    with pytest.raises(ProofError, match="new_tree_head: signature does not verify"):
        check_consistency_proof(resigned, PUBLIC)

    missing = dict(good)
    del missing["new_tree_head"]
    with pytest.raises(ProofError, match="missing field 'new_tree_head'"):
        check_consistency_proof(missing, PUBLIC)


def test_same_head_and_empty_head_are_trivially_consistent() -> None:
    assert verify_consistency_proof(consistency_document(NEW_HEAD, NEW_HEAD), PUBLIC)
    empty = sign_tree_head(KEY, 0, EMPTY_ROOT, TIMESTAMP)
    assert verify_consistency_proof(consistency_document(empty, NEW_HEAD), PUBLIC)
    bogus_empty = sign_tree_head(KEY, 0, ROOT, TIMESTAMP)
    assert not verify_consistency_proof(consistency_document(bogus_empty, NEW_HEAD), PUBLIC)
