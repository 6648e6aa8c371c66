"""Merkle tree hashing and proofs against RFC 6962 reference vectors and the RFC's own definitions.

Three independent anchors: the Certificate Transparency / Trillian known-answer vectors (8 leaves),
a transcription of the RFC's recursive ``MTH``, ``PATH`` and ``PROOF`` definitions that the
node-store generators must match exactly, and property tests that every generated proof verifies
while any tampering with it fails.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dostyk.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    InMemoryNodes,
    MerkleAccumulator,
    ProofPlan,
    consistency_path,
    consistency_plan,
    inclusion_path,
    inclusion_plan,
    leaf_hash,
    node_hash,
    range_nodes,
    root_from_leaf_hashes,
    root_from_nodes,
    verify_consistency,
    verify_inclusion,
)

# --------------------------------------------------------------------------- reference vectors
# Inputs and hashes of the reference tree used by the Certificate Transparency C++ and Go
# implementations and by Trillian (merkle_tree_test / log_verifier_test).

REFERENCE_LEAVES = [
    bytes.fromhex(text)
    for text in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]

REFERENCE_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

# Every perfect subtree of the 8-leaf tree, by level.
REFERENCE_NODES = [
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ],
    [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ],
    [
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]

# (leaf index, tree size, audit path); the Go vectors count leaves from 1, these from 0.
REFERENCE_INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (5, 8, ["bc1a0643", "ca854ea1", "d37ee418"]),
    (2, 3, ["fac54203"]),
    (1, 5, ["6e340b9c", "5f083f0a", "bc1a0643"]),
]

# (old size, new size, consistency path)
REFERENCE_CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (6, 8, ["0ebc5d34", "ca854ea1", "d37ee418"]),
    (2, 5, ["5f083f0a", "bc1a0643"]),
    (3, 8, ["0298d122", "07506a85", "fac54203", "6b47aaf2"]),
]

REFERENCE_LEAF_HASHES = [leaf_hash(leaf) for leaf in REFERENCE_LEAVES]
REFERENCE_STORE = InMemoryNodes.from_leaf_hashes(REFERENCE_LEAF_HASHES)
_BY_PREFIX = {value[:8]: bytes.fromhex(value) for level in REFERENCE_NODES for value in level}


def expand(prefixes: list[str]) -> list[bytes]:
    """Turn the 8-hex-digit abbreviations in the vectors above into the full reference hashes."""
    return [_BY_PREFIX[prefix] for prefix in prefixes]


# --------------------------------------------------------------------------- RFC definitions
# RFC 6962 §2.1 / RFC 9162 §2.1, transcribed recursively and without any cleverness.


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def ref_mth(hashes: Sequence[bytes]) -> bytes:
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = largest_power_of_two_below(len(hashes))
    return hashlib.sha256(b"\x01" + ref_mth(hashes[:k]) + ref_mth(hashes[k:])).digest()


def ref_path(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    n = len(hashes)
    if n == 1:
        return []
    k = largest_power_of_two_below(n)
    if m < k:
        return [*ref_path(m, hashes[:k]), ref_mth(hashes[k:])]
    return [*ref_path(m - k, hashes[k:]), ref_mth(hashes[:k])]


def ref_subproof(m: int, hashes: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [ref_mth(hashes)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return [*ref_subproof(m, hashes[:k], complete), ref_mth(hashes[k:])]
    return [*ref_subproof(m - k, hashes[k:], False), ref_mth(hashes[:k])]


def ref_proof(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    return ref_subproof(m, hashes, True)


# --------------------------------------------------------------------------- a larger test log

MAX_SIZE = 320
"""Largest tree the property tests draw; entries are distinct so index tampering must fail."""

LEAF_HASHES = [leaf_hash(b"entry %d" % i) for i in range(MAX_SIZE)]
STORE = InMemoryNodes.from_leaf_hashes(LEAF_HASHES)


@cache
def root_of(size: int) -> bytes:
    return ref_mth(LEAF_HASHES[:size])


def path_length(plan: ProofPlan) -> int:
    """Length of the path a plan assembles: the folded run of nodes becomes one element."""
    folded = plan.fold_stop - plan.fold_start
    return len(plan.nodes) - folded + (1 if folded else 0)


def flip(value: bytes, position: int = 0) -> bytes:
    """Return ``value`` with one bit changed."""
    changed = bytearray(value)
    changed[position % len(changed)] ^= 0x01
    return bytes(changed)


# --------------------------------------------------------------------------- basics


def test_hash_definitions() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    left, right = b"L" * 32, b"R" * 32
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert root_from_leaf_hashes([]) == EMPTY_ROOT
    assert MerkleAccumulator().root() == EMPTY_ROOT
    assert root_from_nodes(0, STORE) == EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_reference_roots(size: int) -> None:
    expected = bytes.fromhex(REFERENCE_ROOTS[size - 1])
    assert root_from_leaf_hashes(REFERENCE_LEAF_HASHES[:size]) == expected
    assert root_from_nodes(size, REFERENCE_STORE) == expected
    accumulator = MerkleAccumulator()
    accumulator.extend(REFERENCE_LEAF_HASHES[:size])
    assert accumulator.root() == expected


def test_reference_nodes() -> None:
    for level, values in enumerate(REFERENCE_NODES):
        assert REFERENCE_STORE.count(level) == len(values)
        for index, value in enumerate(values):
            assert REFERENCE_STORE.node_at(level, index).hex() == value
    assert REFERENCE_STORE.count(len(REFERENCE_NODES)) == 0


@pytest.mark.parametrize(("index", "size", "path"), REFERENCE_INCLUSION)
def test_reference_inclusion_proofs(index: int, size: int, path: list[str]) -> None:
    expected = expand(path)
    assert inclusion_path(index, size, REFERENCE_STORE) == expected
    root = bytes.fromhex(REFERENCE_ROOTS[size - 1])
    assert verify_inclusion(REFERENCE_LEAF_HASHES[index], index, size, expected, root)


@pytest.mark.parametrize(("old", "new", "path"), REFERENCE_CONSISTENCY)
def test_reference_consistency_proofs(old: int, new: int, path: list[str]) -> None:
    expected = expand(path)
    assert consistency_path(old, new, REFERENCE_STORE) == expected
    old_root = bytes.fromhex(REFERENCE_ROOTS[old - 1])
    new_root = bytes.fromhex(REFERENCE_ROOTS[new - 1])
    assert verify_consistency(old, new, old_root, new_root, expected)


# --------------------------------------------------------------------------- exact RFC agreement


def test_roots_match_rfc_definition_for_every_prefix() -> None:
    accumulator = MerkleAccumulator()
    for size in range(MAX_SIZE + 1):
        expected = root_of(size)
        assert accumulator.root() == expected
        assert root_from_leaf_hashes(LEAF_HASHES[:size]) == expected
        assert root_from_nodes(size, STORE) == expected
        if size < MAX_SIZE:
            accumulator.append(LEAF_HASHES[size])


def test_paths_match_rfc_definition_exhaustively() -> None:
    for size in range(1, 65):
        for index in range(size):
            assert inclusion_path(index, size, STORE) == ref_path(index, LEAF_HASHES[:size])
        for old in range(size + 1):
            assert consistency_path(old, size, STORE) == (
                ref_proof(old, LEAF_HASHES[:size]) if old else []
            )


@given(size=st.integers(1, MAX_SIZE), data=st.data())
@settings(max_examples=150, deadline=None)
def test_paths_match_rfc_definition(size: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, size - 1), label="index")
    old = data.draw(st.integers(1, size), label="old")
    assert inclusion_path(index, size, STORE) == ref_path(index, LEAF_HASHES[:size])
    assert consistency_path(old, size, STORE) == ref_proof(old, LEAF_HASHES[:size])


# --------------------------------------------------------------------------- inclusion properties


@given(size=st.integers(1, MAX_SIZE), data=st.data())
@settings(max_examples=300, deadline=None)
def test_inclusion_proofs_verify_and_tampering_fails(size: int, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, size - 1), label="index")
    root = root_of(size)
    leaf = LEAF_HASHES[index]
    path = inclusion_path(index, size, STORE)
    assert verify_inclusion(leaf, index, size, path, root)

    # Every path element matters.
    for position in range(len(path)):
        bit = data.draw(st.integers(0, 8 * HASH_SIZE - 1), label="bit")
        tampered = list(path)
        tampered[position] = flip(tampered[position], bit // 8)
        assert not verify_inclusion(leaf, index, size, tampered, root)

    # Wrong leaf, root, index.
    assert not verify_inclusion(flip(leaf), index, size, path, root)
    assert not verify_inclusion(leaf, index, size, path, flip(root, 31))
    other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index), label="other")
    if size > 1:
        assert not verify_inclusion(leaf, other, size, path, root)
        assert not verify_inclusion(LEAF_HASHES[other], index, size, path, root)
    # Wrong length of path.
    assert not verify_inclusion(leaf, index, size, [*path, root], root)
    assert not verify_inclusion(leaf, index, size, [root, *path], root)
    if path:
        assert not verify_inclusion(leaf, index, size, path[:-1], root)
        assert not verify_inclusion(leaf, index, size, path[1:], root)
    # The root commits to leaves, not to a size, so another size verifies exactly when its audit
    # path has the same shape; a size whose path is longer or shorter must fail.
    for other_size in {size // 2, size - 1, size + 1, 2 * size}:
        if other_size > index and path_length(inclusion_plan(index, other_size)) != len(path):
            assert not verify_inclusion(leaf, index, other_size, path, root)


def test_inclusion_rejects_malformed_input() -> None:
    root = root_of(4)
    path = inclusion_path(1, 4, STORE)
    leaf = LEAF_HASHES[1]
    assert verify_inclusion(leaf, 1, 4, path, root)
    assert not verify_inclusion(leaf, 4, 4, path, root)
    assert not verify_inclusion(leaf, -1, 4, path, root)
    assert not verify_inclusion(leaf, 0, 0, [], EMPTY_ROOT)
    assert not verify_inclusion(leaf[:31], 1, 4, path, root)
    assert not verify_inclusion(leaf, 1, 4, [path[0][:31], *path[1:]], root)
    assert not verify_inclusion(leaf, 1, 4, path, root + b"\0")
    with pytest.raises(ValueError, match="outside a tree"):
        inclusion_plan(4, 4)
    with pytest.raises(ValueError, match="outside a tree"):
        inclusion_plan(-1, 4)
    with pytest.raises(ValueError, match="outside a tree"):
        inclusion_plan(0, 0)


# --------------------------------------------------------------------------- consistency properties


@given(new=st.integers(1, MAX_SIZE), data=st.data())
@settings(max_examples=300, deadline=None)
def test_consistency_proofs_verify_and_tampering_fails(new: int, data: st.DataObject) -> None:
    old = data.draw(st.integers(0, new), label="old")
    old_root, new_root = root_of(old), root_of(new)
    path = consistency_path(old, new, STORE)
    assert verify_consistency(old, new, old_root, new_root, path)
    assert not verify_consistency(old, new, flip(old_root), new_root, path)
    if old not in (0, new):  # every tree extends the empty one, whatever its root
        assert not verify_consistency(old, new, old_root, flip(new_root), path)
    if not path:
        return
    for position in range(len(path)):
        tampered = list(path)
        tampered[position] = flip(tampered[position], data.draw(st.integers(0, 31)))
        assert not verify_consistency(old, new, old_root, new_root, tampered)
    assert not verify_consistency(old, new, old_root, new_root, [])
    assert not verify_consistency(old, new, old_root, new_root, path[:-1])
    assert not verify_consistency(old, new, old_root, new_root, path[1:])
    assert not verify_consistency(old, new, old_root, new_root, [*path, old_root])
    assert not verify_consistency(old, new, old_root, new_root, [path[0], *path])
    assert not verify_consistency(old, new, new_root, old_root, path)
    assert not verify_consistency(new, old, new_root, old_root, path)
    # A proof between other sizes does not link these roots.
    other_old = data.draw(st.integers(1, new).filter(lambda m: m != old), label="other_old")
    if other_old != old:
        assert not verify_consistency(other_old, new, old_root, new_root, path)
        assert not verify_consistency(other_old, new, root_of(other_old), new_root, path)
    # A root from a rewritten history fails even with an honest-looking proof for its size.
    rewritten = list(LEAF_HASHES[:new])
    rewritten[data.draw(st.integers(0, old - 1), label="rewritten")] = leaf_hash(b"forged")
    forged_store = InMemoryNodes.from_leaf_hashes(rewritten)
    forged_path = consistency_path(old, new, forged_store)
    assert not verify_consistency(old, new, old_root, ref_mth(rewritten), forged_path)


def test_trivial_consistency_cases() -> None:
    root1, root2 = root_of(1), root_of(2)
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert verify_consistency(0, 1, EMPTY_ROOT, root1, [])
    assert verify_consistency(1, 1, root1, root1, [])
    assert not verify_consistency(0, 0, EMPTY_ROOT, root1, [])
    assert not verify_consistency(0, 1, root1, root1, [])  # size 0 must have the empty root
    assert not verify_consistency(1, 1, root1, root2, [])
    assert not verify_consistency(0, 1, EMPTY_ROOT, root1, [EMPTY_ROOT])
    assert not verify_consistency(1, 1, root1, root1, [EMPTY_ROOT])
    assert not verify_consistency(1, 0, root1, EMPTY_ROOT, [])  # time travel
    assert not verify_consistency(2, 1, root2, root1, [])
    assert not verify_consistency(1, 2, root1, root2, [])  # a real proof is needed
    assert not verify_consistency(-1, 2, root1, root2, [root1])
    assert not verify_consistency(1, 2, root1[:16], root2, consistency_path(1, 2, STORE))
    with pytest.raises(ValueError, match="no consistency proof"):
        consistency_plan(3, 2)
    with pytest.raises(ValueError, match="no consistency proof"):
        consistency_plan(-1, 2)


# --------------------------------------------------------------------------- huge trees


def uniform_node_at(level: int, index: int) -> bytes:
    """Node store of a tree whose every leaf is the same, so any node is O(1) however big."""
    return UNIFORM[level]


UNIFORM = [leaf_hash(b"same")]
for _ in range(64):
    UNIFORM.append(node_hash(UNIFORM[-1], UNIFORM[-1]))


@given(size=st.integers(1, 2**62), data=st.data())
@settings(max_examples=200, deadline=None)
def test_proofs_in_huge_trees_read_logarithmically_many_nodes(
    size: int, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, size - 1), label="index")
    old = data.draw(st.integers(1, size), label="old")
    root = root_from_nodes(size, uniform_node_at)
    plan = inclusion_plan(index, size)
    assert len(plan.nodes) <= 2 * size.bit_length()
    path = plan.fetch(uniform_node_at)
    assert len(path) <= size.bit_length()
    assert verify_inclusion(UNIFORM[0], index, size, path, root)
    proof = consistency_plan(old, size)
    assert len(proof.nodes) <= 2 * size.bit_length() + 1
    old_root = root_from_nodes(old, uniform_node_at)
    assert verify_consistency(old, size, old_root, root, proof.fetch(uniform_node_at))


# --------------------------------------------------------------------------- building blocks


@given(begin=st.integers(0, 2**40), length=st.integers(0, 2**40))
def test_range_nodes_tile_the_range_with_aligned_perfect_subtrees(begin: int, length: int) -> None:
    end = begin + length
    position = begin
    for level, index in range_nodes(begin, end):
        assert index << level == position
        position += 1 << level
    assert position == end
    assert len(range_nodes(begin, end)) <= 2 * max(end.bit_length(), 1)
    assert range_nodes(0, end) == [
        (level, (end >> level) - 1)  # compact range: one tile per set bit, largest first
        for level in reversed(range(end.bit_length()))
        if end >> level & 1
    ]


def test_range_nodes_rejects_reversed_range() -> None:
    with pytest.raises(ValueError, match="invalid leaf range"):
        range_nodes(5, 4)


def test_plan_assembly_checks_its_input() -> None:
    plan = inclusion_plan(3, 7)
    with pytest.raises(ValueError, match="node hashes"):
        plan.assemble([])
    with pytest.raises(ValueError, match="32 bytes"):
        plan.assemble([b"short"] * len(plan.nodes))
    assert ProofPlan((), 0, 0).assemble([]) == []


def test_root_from_leaf_hashes_rejects_bad_hashes() -> None:
    with pytest.raises(ValueError, match="leaf hash 1"):
        root_from_leaf_hashes([LEAF_HASHES[0], b"short"])


# --------------------------------------------------------------------------- accumulator


def test_accumulator_reports_every_perfect_node_once_in_store_order() -> None:
    accumulator = MerkleAccumulator()
    store = InMemoryNodes()
    reported: list[tuple[int, int]] = []
    for position, value in enumerate(LEAF_HASHES):
        completed = accumulator.append(value)
        assert completed[0] == (0, position, value)
        assert [level for level, _, _ in completed] == list(range(len(completed)))
        store.put_all(completed)
        reported.extend((level, index) for level, index, _ in completed)
    assert len(reported) == len(set(reported))
    assert accumulator.size == store.size == MAX_SIZE
    level = 0
    while STORE.count(level):
        assert store.count(level) == STORE.count(level) == MAX_SIZE >> level
        for index in range(STORE.count(level)):
            assert store.node_at(level, index) == STORE.node_at(level, index)
        level += 1
    assert store.count(level) == 0


@given(size=st.integers(0, MAX_SIZE), more=st.integers(0, 40))
@settings(max_examples=60, deadline=None)
def test_accumulator_resumes_from_frontier_or_store(size: int, more: int) -> None:
    original = MerkleAccumulator()
    original.extend(LEAF_HASHES[:size])
    frontier = original.frontier
    assert len(frontier) == size.bit_count()
    from_frontier = MerkleAccumulator.from_frontier(size, frontier)
    from_store = MerkleAccumulator.from_nodes(size, STORE)
    assert from_store.frontier == frontier
    end = min(size + more, MAX_SIZE)
    tail = LEAF_HASHES[size:end]
    expected = original.extend(tail)
    assert from_frontier.extend(tail) == expected
    assert from_store.extend(tail) == expected
    assert original.root() == from_frontier.root() == from_store.root() == root_of(end)


def test_accumulator_rejects_bad_input() -> None:
    accumulator = MerkleAccumulator()
    with pytest.raises(ValueError, match="32 bytes"):
        accumulator.append(b"not a hash")
    assert accumulator.size == 0
    with pytest.raises(ValueError, match="frontier hashes"):
        MerkleAccumulator.from_frontier(3, [LEAF_HASHES[0]])
    with pytest.raises(ValueError, match=">= 0"):
        MerkleAccumulator.from_frontier(-1, [])
    with pytest.raises(ValueError, match="frontier hash 0"):
        MerkleAccumulator.from_frontier(1, [b"x"])


# --------------------------------------------------------------------------- in-memory store


def test_store_puts_in_order_and_never_changes_a_node() -> None:
    store = InMemoryNodes()
    a, b = LEAF_HASHES[0], LEAF_HASHES[1]
    store.put(0, 0, a)
    store.put(0, 0, a)  # a replayed append is harmless
    with pytest.raises(ValueError, match="another hash"):
        store.put(0, 0, b)
    with pytest.raises(ValueError, match="out of order"):
        store.put(0, 2, b)
    with pytest.raises(ValueError, match="skips a level"):
        store.put(2, 0, b)
    with pytest.raises(ValueError, match="32 bytes"):
        store.put(0, 1, b"short")
    store.put(0, 1, b)
    store.put(1, 0, node_hash(a, b))
    assert store(1, 0) == root_of(2)
    assert store.size == 2
    with pytest.raises(KeyError):
        store.node_at(0, 2)
    with pytest.raises(KeyError):
        store.node_at(5, 0)
    with pytest.raises(KeyError):
        store.node_at(0, -1)
    with pytest.raises(KeyError):  # a proof beyond what the store holds
        inclusion_path(0, 3, store)


def test_store_from_packed_hashes_rejects_partial_hash() -> None:
    with pytest.raises(ValueError, match="multiple of 32"):
        InMemoryNodes.from_packed_leaf_hashes(b"\0" * 33)
    with pytest.raises(ValueError, match="leaf hash 0"):
        InMemoryNodes.from_leaf_hashes([b"\0" * 31])
    empty = InMemoryNodes.from_leaf_hashes([])
    assert empty.size == 0
    assert root_from_nodes(0, empty) == EMPTY_ROOT


@given(
    size=st.integers(0, MAX_SIZE),
    batches=st.lists(st.integers(0, 40), min_size=1, max_size=4),
)
@settings(max_examples=80, deadline=None)
def test_extending_by_levels_completes_the_same_nodes_as_appending_one_by_one(
    size: int, batches: list[int]
) -> None:
    one_by_one = MerkleAccumulator()
    one_by_one.extend(LEAF_HASHES[:size])
    by_levels = MerkleAccumulator.from_frontier(size, one_by_one.frontier)
    end = size
    for count in batches:
        tail = LEAF_HASHES[end : min(end + count, MAX_SIZE)]
        end += len(tail)
        expected = one_by_one.extend(tail)
        runs = by_levels.extend_levels(tail)
        completed = [(lv, first + i, h) for lv, first, hashes in runs for i, h in enumerate(hashes)]
        assert sorted(completed) == sorted(expected)
        assert by_levels.frontier == one_by_one.frontier
        assert by_levels.size == end
    assert by_levels.root() == root_of(end)


def test_extending_by_levels_rejects_a_bad_leaf_and_keeps_the_tree() -> None:
    accumulator = MerkleAccumulator()
    accumulator.extend(LEAF_HASHES[:3])
    with pytest.raises(ValueError, match="leaf hash 1 is 5 bytes"):
        accumulator.extend_levels([LEAF_HASHES[3], b"short"])
    assert accumulator.size == 3
    assert accumulator.root() == root_of(3)
