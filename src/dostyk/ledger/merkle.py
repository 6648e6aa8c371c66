"""Merkle tree hashing, inclusion and consistency proofs (RFC 6962 / RFC 9162 §2), with no I/O.

The tree is Certificate Transparency's: ``leaf hash = SHA-256(0x00 || entry)``, ``node hash =
SHA-256(0x01 || left || right)``, the root of the empty tree is ``SHA-256("")``, and a tree of ``n``
leaves splits at the largest power of two smaller than ``n``. The distinct prefixes stop a leaf
from being passed off as an inner node (second-preimage attacks); the unbalanced split is what lets
the log grow one entry at a time while every earlier root stays provably embedded in every later
one.

Storage model
-------------
Proof *generation* never needs the leaves. It reads *perfect* subtree hashes through a node store,
``node_at(level, index)``, which returns the root of the perfect subtree of ``2**level`` leaves that
starts at leaf ``index * 2**level`` (level 0 holds the leaf hashes themselves). Those nodes never
change once their last leaf is appended, so a database can write each exactly once, as
:meth:`MerkleAccumulator.append` reports them, and never update it. Where a proof needs the hash of
a subtree on the tree's ragged right edge, RFC 9162's ``MTH(D[k:n])``, it is folded from the
O(log n) perfect subtrees that tile ``[k, n)``. A proof therefore costs O(log n) point reads however
large the log, and :func:`inclusion_plan` / :func:`consistency_plan` name those reads up front so a
database can fetch them in a single query.

Verification follows the RFC 9162 §2.1.3.2 and §2.1.4.2 algorithms step by step, so an outside
auditor can check this code against the RFC text line by line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "InMemoryNodes",
    "MerkleAccumulator",
    "Node",
    "NodeAt",
    "ProofPlan",
    "consistency_path",
    "consistency_plan",
    "inclusion_path",
    "inclusion_plan",
    "leaf_hash",
    "node_hash",
    "range_nodes",
    "root_from_leaf_hashes",
    "root_from_nodes",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE: Final = 32
"""Length in bytes of every hash in the tree (SHA-256)."""

_LEAF_PREFIX: Final = b"\x00"
_NODE_PREFIX: Final = b"\x01"
_sha256: Final = hashlib.sha256

EMPTY_ROOT: Final[bytes] = _sha256(b"").digest()
"""Root hash of the tree with no leaves: SHA-256 of the empty string (RFC 9162 §2.1.1)."""

NodeAt = Callable[[int, int], bytes]
"""A node store: ``node_at(level, index)`` returns the hash of the perfect subtree of
``2**level`` leaves starting at leaf ``index * 2**level``; it raises (``KeyError`` by convention)
for a node it does not hold."""

Node = tuple[int, int]
"""A perfect subtree named by ``(level, index)``; it covers leaves
``[index * 2**level, (index + 1) * 2**level)``."""


def leaf_hash(entry: bytes) -> bytes:
    """Return the leaf hash of one log entry: ``SHA-256(0x00 || entry)``."""
    return _sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the hash of an inner node: ``SHA-256(0x01 || left || right)``."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def _check_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ValueError(f"{what} must be {HASH_SIZE} bytes, got {len(value)}")


def _fold_right(hashes: Sequence[bytes]) -> bytes:
    """Combine the tiles of a range, left to right and largest first, into the range's MTH.

    RFC 9162 splits a range at its largest power of two, so its root is
    ``H(t0, H(t1, ... H(t_{k-2}, t_{k-1})))`` over its perfect tiles ``t0 .. t_{k-1}``.
    """
    result = hashes[-1]
    for tile in reversed(hashes[:-1]):
        result = _sha256(_NODE_PREFIX + tile + result).digest()
    return result


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Return the Merkle tree hash (RFC 9162 ``MTH``) of a list of leaf hashes.

    Computed level by level rather than by the RFC's recursion: pairing neighbours and carrying an
    odd last node up unchanged gives exactly the RFC's tree (the largest-power-of-two split puts
    every unpaired node on the right edge), uses no recursion and hashes each inner node once, which
    is what makes a million leaves take well under a second.
    """
    if not hashes:
        return EMPTY_ROOT
    for position, value in enumerate(hashes):
        if len(value) != HASH_SIZE:
            raise ValueError(f"leaf hash {position} must be {HASH_SIZE} bytes, got {len(value)}")
    level: list[bytes] = list(hashes)
    sha, prefix = _sha256, _NODE_PREFIX
    while len(level) > 1:
        paired = [
            sha(prefix + left + right).digest()
            for left, right in zip(level[0::2], level[1::2], strict=False)
        ]
        if len(level) & 1:
            paired.append(level[-1])
        level = paired
    return level[0]


def range_nodes(begin: int, end: int) -> list[Node]:
    """Tile the leaf range ``[begin, end)`` with the fewest aligned perfect subtrees, left to right.

    Each tile is the largest perfect subtree that starts at the current position (so is aligned
    to its own size) and does not run past ``end``. For ``begin == 0`` the tiles are the binary
    digits of ``end``, largest first: this is the "compact range" of a tree of ``end`` leaves.
    """
    if begin < 0 or end < begin:
        raise ValueError(f"invalid leaf range [{begin}, {end})")
    tiles: list[Node] = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        if begin:
            level = min(level, (begin & -begin).bit_length() - 1)
        tiles.append((level, begin >> level))
        begin += 1 << level
    return tiles


def root_from_nodes(size: int, node_at: NodeAt) -> bytes:
    """Return the root of the tree's first ``size`` leaves from a node store in O(log size) reads.

    This is how a stored log answers "what was the root at size n" for any past n without touching
    the leaves: the root is the fold of the perfect subtrees tiling ``[0, size)``.
    """
    if size < 0:
        raise ValueError(f"tree size must be >= 0, got {size}")
    if size == 0:
        return EMPTY_ROOT
    return _fold_right([node_at(level, index) for level, index in range_nodes(0, size)])


@dataclass(frozen=True, slots=True)
class ProofPlan:
    """The perfect-subtree reads a proof needs and how to turn their hashes into the proof path.

    ``nodes`` are the reads in path order. The slice ``nodes[fold_start:fold_stop]`` (possibly
    empty) tiles one subtree on the tree's ragged right edge; its hashes are folded into the single
    path element RFC 9162 calls ``MTH(D[k:n])``. Every other node is a path element as it is.
    Separating the plan from the reads lets a database-backed store fetch all nodes in one query.
    """

    nodes: tuple[Node, ...]
    fold_start: int
    fold_stop: int

    def assemble(self, hashes: Sequence[bytes]) -> list[bytes]:
        """Return the proof path given the hashes of :attr:`nodes`, in the same order."""
        if len(hashes) != len(self.nodes):
            raise ValueError(f"plan needs {len(self.nodes)} node hashes, got {len(hashes)}")
        for position, value in enumerate(hashes):
            _check_hash(value, f"node hash {position}")
        path = list(hashes[: self.fold_start])
        if self.fold_stop > self.fold_start:
            path.append(_fold_right(hashes[self.fold_start : self.fold_stop]))
        path.extend(hashes[self.fold_stop :])
        return path

    def fetch(self, node_at: NodeAt) -> list[bytes]:
        """Read every node of the plan from ``node_at`` and return the assembled proof path."""
        return self.assemble([node_at(level, index) for level, index in self.nodes])


def _path_plan(level: int, index: int, size: int, *, include_seed: bool) -> ProofPlan:
    """Plan the audit path of perfect subtree ``(level, index)`` in a tree of ``size`` leaves.

    The *fork* is the ancestor of the seed where its path to the root parts from the path to the
    tree's right edge. Below the fork every sibling is perfect; the fork's own right sibling (if
    any) is the ragged subtree ``[end, size)``, folded from its tiles; above it, the path's left
    siblings are exactly the tiles of ``[0, begin)``, nearest (smallest) first. The seed must lie
    wholly inside the tree.
    """
    inner = (index ^ (size >> level)).bit_length() - 1
    nodes: list[Node] = [(level, index)] if include_seed else []
    current = index
    for step in range(level, level + inner):
        nodes.append((step, current ^ 1))
        current >>= 1
    fork_level = level + inner
    begin = current << fork_level
    end = begin + (1 << fork_level)
    fold_start = len(nodes)
    nodes.extend(range_nodes(end, size))
    fold_stop = len(nodes)
    nodes.extend(reversed(range_nodes(0, begin)))
    return ProofPlan(tuple(nodes), fold_start, fold_stop)


def inclusion_plan(index: int, size: int) -> ProofPlan:
    """Plan the inclusion proof (audit path) of leaf ``index`` in the tree of ``size`` leaves.

    The resulting path equals RFC 9162 §2.1.3.1 ``PATH(index, D_n)``, ordered from the leaf up.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of {size} leaves")
    return _path_plan(0, index, size, include_seed=False)


def consistency_plan(old_size: int, new_size: int) -> ProofPlan:
    """Plan the consistency proof between the trees of ``old_size`` and ``new_size`` leaves.

    The resulting path equals RFC 9162 §2.1.4.1 ``PROOF(old_size, D_new)``: the largest perfect
    subtree ending at ``old_size`` (left out when ``old_size`` is a power of two, since the verifier
    already has it as the old root) followed by its audit path in the new tree. Equal sizes and an
    empty old tree need no proof at all.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from tree size {old_size} to {new_size}")
    if old_size in (0, new_size):
        return ProofPlan((), 0, 0)
    level = (old_size & -old_size).bit_length() - 1
    index = (old_size - 1) >> level
    return _path_plan(level, index, new_size, include_seed=index != 0)


def inclusion_path(index: int, size: int, node_at: NodeAt) -> list[bytes]:
    """Return the inclusion proof of leaf ``index`` in the tree of ``size`` leaves.

    Reads O(log size) perfect-subtree hashes from ``node_at``; see :func:`inclusion_plan`.
    """
    return inclusion_plan(index, size).fetch(node_at)


def consistency_path(old_size: int, new_size: int, node_at: NodeAt) -> list[bytes]:
    """Return the consistency proof from the tree of ``old_size`` leaves to that of ``new_size``.

    Reads O(log new_size) perfect-subtree hashes from ``node_at``; see :func:`consistency_plan`.
    """
    return consistency_plan(old_size, new_size).fetch(node_at)


def _well_formed(*hashes: bytes) -> bool:
    return all(len(value) == HASH_SIZE for value in hashes)


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """Return whether ``path`` proves leaf hash ``leaf_hash`` at ``index`` in the tree ``root``.

    RFC 9162 §2.1.3.2, step for step. Any malformed input (index out of range, a hash of the wrong
    length) is simply a proof that does not verify: this never raises.

    The root commits to the leaves, not to the size: the caller must take ``size`` and ``root``
    together from one trusted (signed) tree head.
    """
    if not 0 <= index < size or not _well_formed(leaf_hash, root, *path):
        return False
    sha, prefix = _sha256, _NODE_PREFIX
    fn, sn = index, size - 1
    r = leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = sha(prefix + p + r).digest()
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = sha(prefix + r + p).digest()
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> bool:
    """Return whether ``path`` proves the tree ``new_root`` extends the tree ``old_root``.

    RFC 9162 §2.1.4.2, step for step, for ``0 < old_size < new_size``. The RFC leaves the trivial
    cases open; here equal sizes need an empty proof and equal roots, and an empty old tree needs an
    empty proof and the empty-tree root (every tree extends the empty tree). Never raises.
    """
    if not 0 <= old_size <= new_size or not _well_formed(old_root, new_root, *path):
        return False
    if old_size == 0:
        return not path and old_root == EMPTY_ROOT and (new_size > 0 or new_root == EMPTY_ROOT)
    if old_size == new_size:
        return not path and old_root == new_root
    if not path:
        return False
    if old_size & (old_size - 1) == 0:
        path = [old_root, *path]
    sha, prefix = _sha256, _NODE_PREFIX
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = sha(prefix + c + fr).digest()
            sr = sha(prefix + c + sr).digest()
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = sha(prefix + sr + c).digest()
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


class MerkleAccumulator:
    """An append-only Merkle tree kept as its *frontier*: one perfect subtree per set bit of size.

    Appending a leaf merges equal-sized subtrees like a binary counter carries, so each append costs
    one leaf plus, amortised, one node hash, and memory stays O(log n). Every perfect subtree is
    completed by exactly one append, which reports it so a store can persist it once and never
    update it: those are precisely the nodes :func:`inclusion_path` and :func:`consistency_path`
    read.
    """

    __slots__ = ("_frontier", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._frontier: list[bytes] = []  # largest (leftmost) subtree first

    @classmethod
    def from_frontier(cls, size: int, frontier: Sequence[bytes]) -> MerkleAccumulator:
        """Resume from a saved :attr:`frontier` of a tree of ``size`` leaves."""
        if size < 0:
            raise ValueError(f"tree size must be >= 0, got {size}")
        if len(frontier) != size.bit_count():
            raise ValueError(
                f"a tree of {size} leaves has {size.bit_count()} frontier hashes, "
                f"got {len(frontier)}"
            )
        for position, value in enumerate(frontier):
            _check_hash(value, f"frontier hash {position}")
        accumulator = cls()
        accumulator._size = size
        accumulator._frontier = list(frontier)
        return accumulator

    @classmethod
    def from_nodes(cls, size: int, node_at: NodeAt) -> MerkleAccumulator:
        """Resume a stored log of ``size`` leaves by reading its O(log size) frontier nodes."""
        frontier = [node_at(level, index) for level, index in range_nodes(0, size)]
        return cls.from_frontier(size, frontier)

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    @property
    def frontier(self) -> tuple[bytes, ...]:
        """The perfect-subtree roots that tile ``[0, size)``, largest first."""
        return tuple(self._frontier)

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Append one leaf hash; return the perfect subtrees it completed, as (level, index, hash).

        The leaf itself comes first as ``(0, leaf_index, leaf_hash)``, then any larger subtrees it
        closed, smallest first.
        """
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"leaf hash must be {HASH_SIZE} bytes, got {len(leaf_hash)}")
        index = self._size
        frontier = self._frontier
        completed = [(0, index, leaf_hash)]
        value = leaf_hash
        carry = index
        level = 0
        while carry & 1:
            value = _sha256(_NODE_PREFIX + frontier.pop() + value).digest()
            carry >>= 1
            level += 1
            completed.append((level, carry, value))
        frontier.append(value)
        self._size = index + 1
        return completed

    def extend(self, leaf_hashes: Iterable[bytes]) -> list[tuple[int, int, bytes]]:
        """Append many leaf hashes; return every perfect subtree they completed, in order."""
        completed: list[tuple[int, int, bytes]] = []
        for value in leaf_hashes:
            completed.extend(self.append(value))
        return completed

    def extend_levels(self, leaf_hashes: Sequence[bytes]) -> list[tuple[int, int, list[bytes]]]:
        """Append many leaf hashes at once; return the subtrees they completed, level by level.

        The same subtrees as :meth:`extend`, as ``(level, first index, hashes)`` runs: a level's
        new nodes are its neighbours in the level below hashed in pairs, so a bulk load hashes a
        level in one comprehension instead of carrying leaf by leaf.
        """
        for position, value in enumerate(leaf_hashes):
            if len(value) != HASH_SIZE:
                raise ValueError(f"leaf hash {position} is {len(value)} bytes, not {HASH_SIZE}")
        old, new = self._size, self._size + len(leaf_hashes)
        # The frontier holds, largest first, the last node of each level whose bit is set in size.
        old_levels = [level for level in range(old.bit_length() - 1, -1, -1) if old >> level & 1]
        before = dict(zip(old_levels, self._frontier, strict=True))
        runs: list[tuple[int, int, list[bytes]]] = []
        sha, prefix = _sha256, _NODE_PREFIX
        row, level = list(leaf_hashes), 0
        while row:
            first = old >> level
            runs.append((level, first, row))
            wanted = (new >> (level + 1)) - (first >> 1)
            if wanted <= 0:
                break
            # When the first new node is a right child, its left sibling was complete before.
            pairs = [before[level], *row] if first & 1 else row
            row = [
                sha(prefix + left + right).digest()
                for left, right in zip(
                    pairs[0 : 2 * wanted : 2], pairs[1 : 2 * wanted : 2], strict=True
                )
            ]
            level += 1
        new_runs = {level: (first, hashes) for level, first, hashes in runs}
        frontier = []
        for level in range(new.bit_length() - 1, -1, -1):
            if new >> level & 1:
                index = (new >> level) - 1
                run = new_runs.get(level)
                if run is not None and index >= run[0]:
                    frontier.append(run[1][index - run[0]])
                else:
                    frontier.append(before[level])
        self._frontier = frontier
        self._size = new
        return runs

    def root(self) -> bytes:
        """Return the current root hash (RFC 9162 ``MTH``) in O(log size) hashes."""
        if not self._frontier:
            return EMPTY_ROOT
        return _fold_right(self._frontier)


class InMemoryNodes:
    """A node store holding every perfect subtree hash in memory, one packed buffer per level.

    Packing 32-byte hashes into a ``bytearray`` per level costs 32 bytes a node instead of about a
    hundred for a list of ``bytes`` objects, which is what lets a 10,000,000-leaf tree (20 million
    nodes) fit in about 640 MB. Nodes must arrive in order within each level, as
    :meth:`MerkleAccumulator.append` produces them.
    """

    __slots__ = ("_levels",)

    def __init__(self) -> None:
        self._levels: list[bytearray] = []

    @classmethod
    def from_leaf_hashes(cls, hashes: Iterable[bytes]) -> InMemoryNodes:
        """Build the store for a whole tree from its leaf hashes."""
        items = list(hashes)
        for position, value in enumerate(items):
            _check_hash(value, f"leaf hash {position}")
        return cls.from_packed_leaf_hashes(b"".join(items))

    @classmethod
    def from_packed_leaf_hashes(cls, packed: bytes | bytearray) -> InMemoryNodes:
        """Build the store from leaf hashes packed back to back (32 bytes each), level by level.

        Each inner node hashes a contiguous 64-byte slice of the level below, so a level costs one
        slice and one hash per node and no per-pair bookkeeping.
        """
        if len(packed) % HASH_SIZE:
            raise ValueError(f"packed leaf hashes must be a multiple of {HASH_SIZE} bytes")
        store = cls()
        below = bytearray(packed)
        sha, prefix, pair = _sha256, _NODE_PREFIX, 2 * HASH_SIZE
        while below:
            store._levels.append(below)
            usable = len(below) // pair * pair
            below = bytearray().join(
                [sha(prefix + below[at : at + pair]).digest() for at in range(0, usable, pair)]
            )
        return store

    def node_at(self, level: int, index: int) -> bytes:
        """Return the hash of perfect subtree ``(level, index)``; ``KeyError`` if not held."""
        if 0 <= level < len(self._levels) and index >= 0:
            buffer = self._levels[level]
            start = index * HASH_SIZE
            if start < len(buffer):
                return bytes(buffer[start : start + HASH_SIZE])
        raise KeyError((level, index))

    def __call__(self, level: int, index: int) -> bytes:
        """Make the store itself usable wherever a :data:`NodeAt` callable is expected."""
        return self.node_at(level, index)

    def put(self, level: int, index: int, value: bytes) -> None:
        """Store one perfect subtree hash.

        ``index`` must be the next free slot of ``level``; re-putting an existing node with the same
        hash is a no-op (so a replayed append is harmless), with a different hash an error (a stored
        node never changes).
        """
        _check_hash(value, "node hash")
        if level < 0 or level > len(self._levels):
            raise ValueError(f"level {level} skips a level; the store has {len(self._levels)}")
        if level == len(self._levels):
            self._levels.append(bytearray())
        buffer = self._levels[level]
        count = len(buffer) // HASH_SIZE
        if index == count:
            buffer += value
        elif 0 <= index < count:
            if buffer[index * HASH_SIZE : (index + 1) * HASH_SIZE] != value:
                raise ValueError(f"node ({level}, {index}) is already stored with another hash")
        else:
            raise ValueError(f"node ({level}, {index}) is out of order; level {level} has {count}")

    def put_all(self, nodes: Iterable[tuple[int, int, bytes]]) -> None:
        """Store every ``(level, index, hash)`` of ``nodes``, e.g. what an append reported."""
        for level, index, value in nodes:
            self.put(level, index, value)

    def count(self, level: int) -> int:
        """Number of nodes held at ``level``."""
        if 0 <= level < len(self._levels):
            return len(self._levels[level]) // HASH_SIZE
        return 0

    @property
    def size(self) -> int:
        """Number of leaves held, i.e. the largest tree size the store can prove against."""
        return self.count(0)
