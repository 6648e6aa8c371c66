"""Benchmark the ledger's Merkle core: appends, roots, and proofs from a perfect-node store.

Run with ``uv run python benchmarks/bench_merkle.py`` (``--quick`` for a smoke run). Inputs are
deterministic (leaf ``i`` is the leaf hash of ``i`` as 8 big-endian bytes; proof positions come
from a fixed seed), so two runs differ only by the machine's timing noise.

What it measures and why:

* accumulator appends: the ledger appends one leaf per state change inside the use case's
  transaction, so this rate bounds the write path's hashing cost; measured bare and with every
  completed perfect node persisted to an :class:`InMemoryNodes` (what a store does);
* the root over a million leaf hashes: what a full re-verification of the log costs in hashing;
* proof generation from a store holding every perfect node of a 10,000,000-leaf tree: a stored log
  answers a proof with O(log n) node reads, and this shows the hashing/assembly side of that cost
  (a database adds its point reads on top). Every generated proof is verified, so the figures are
  for correct proofs only.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import statistics
import time
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from dostyk.ledger.merkle import (
    InMemoryNodes,
    MerkleAccumulator,
    consistency_path,
    inclusion_path,
    leaf_hash,
    root_from_leaf_hashes,
    root_from_nodes,
    verify_consistency,
    verify_inclusion,
)

SEED = 6962
CHUNK = 1_000_000


def leaf_hashes(count: int) -> list[bytes]:
    """Deterministic, distinct leaf hashes: leaf ``i`` is ``leaf_hash(i as 8 big-endian bytes)``."""
    return [leaf_hash(i.to_bytes(8, "big")) for i in range(count)]


def packed_leaf_hashes(count: int) -> bytearray:
    """The same leaf hashes packed back to back, built a million at a time to bound memory."""
    sha = hashlib.sha256
    packed = bytearray()
    for start in range(0, count, CHUNK):
        stop = min(start + CHUNK, count)
        packed += b"".join(
            [sha(b"\x00" + i.to_bytes(8, "big")).digest() for i in range(start, stop)]
        )
    return packed


def percentile(samples: Sequence[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def latency_row(name: str, samples_s: Sequence[float]) -> tuple[str, str, str]:
    micro = [s * 1e6 for s in samples_s]
    return (
        name,
        f"mean {statistics.fmean(micro):,.1f} µs",
        f"p50 {percentile(micro, 0.5):,.1f} · p99 {percentile(micro, 0.99):,.1f} · "
        f"max {max(micro):,.1f} µs over {len(micro):,} proofs",
    )


def append_all(hashes: Sequence[bytes]) -> MerkleAccumulator:
    accumulator = MerkleAccumulator()
    append = accumulator.append
    for value in hashes:
        append(value)
    return accumulator


def append_and_persist(hashes: Sequence[bytes]) -> InMemoryNodes:
    accumulator = MerkleAccumulator()
    store = InMemoryNodes()
    append, put_all = accumulator.append, store.put_all
    for value in hashes:
        put_all(append(value))
    return store


def bench_append_and_root(n: int, console: Console, rows: list[tuple[str, str, str]]) -> None:
    with console.status(f"hashing {n:,} leaves"):
        start = time.perf_counter()
        hashes = leaf_hashes(n)
        seconds = time.perf_counter() - start
    rows.append((f"leaf hashes ({n:,})", f"{n / seconds:,.0f} leaves/s", f"{seconds:.2f} s"))

    with console.status("accumulator appends"):
        start = time.perf_counter()
        accumulator = append_all(hashes)
        seconds = time.perf_counter() - start
    rows.append((f"accumulator append ({n:,})", f"{n / seconds:,.0f} leaves/s", f"{seconds:.2f} s"))

    with console.status("accumulator appends + node persistence"):
        start = time.perf_counter()
        persisted = append_and_persist(hashes)
        seconds = time.perf_counter() - start
    rows.append(
        (f"append + persist nodes ({n:,})", f"{n / seconds:,.0f} leaves/s", f"{seconds:.2f} s")
    )

    with console.status("root over leaf hashes"):
        start = time.perf_counter()
        root = root_from_leaf_hashes(hashes)
        seconds = time.perf_counter() - start
    if root != accumulator.root() or root != root_from_nodes(n, persisted):
        raise SystemExit("root mismatch between accumulator, store and root_from_leaf_hashes")
    rows.append((f"root_from_leaf_hashes ({n:,})", f"{seconds * 1e3:,.0f} ms", root.hex()[:16]))


def build_store(size: int, console: Console, rows: list[tuple[str, str, str]]) -> InMemoryNodes:
    with console.status(f"building the perfect-node store of {size:,} leaves"):
        start = time.perf_counter()
        packed = packed_leaf_hashes(size)
        leaves_done = time.perf_counter()
        store = InMemoryNodes.from_packed_leaf_hashes(packed)
        end = time.perf_counter()
    del packed
    levels = nodes = 0
    while store.count(levels):
        nodes += store.count(levels)
        levels += 1
    rows.append(
        (
            f"build node store ({size:,})",
            f"{end - start:.1f} s",
            f"leaves {leaves_done - start:.1f} s + nodes {end - leaves_done:.1f} s; "
            f"{nodes:,} nodes, {levels} levels, {nodes * 32 / 2**20:,.0f} MiB",
        )
    )
    return store


def bench_proofs(
    store: InMemoryNodes, proofs: int, rows: list[tuple[str, str, str]]
) -> tuple[int, int]:
    """Time proof generation and verification; return the shortest and longest inclusion path."""
    size = store.size
    start = time.perf_counter()
    tree_root = root_from_nodes(size, store)
    seconds = time.perf_counter() - start
    rows.append((f"root_from_nodes ({size:,})", f"{seconds * 1e6:,.1f} µs", tree_root.hex()[:16]))

    rng = random.Random(SEED)
    generate: list[float] = []
    verify: list[float] = []
    lengths: list[int] = []
    for _ in range(proofs):
        index = rng.randrange(size)
        start = time.perf_counter()
        path = inclusion_path(index, size, store)
        middle = time.perf_counter()
        ok = verify_inclusion(store.node_at(0, index), index, size, path, tree_root)
        end = time.perf_counter()
        if not ok:
            raise SystemExit(f"inclusion proof for leaf {index} did not verify")
        generate.append(middle - start)
        verify.append(end - middle)
        lengths.append(len(path))
    rows.append(latency_row(f"inclusion proof, generate ({size:,})", generate))
    rows.append(latency_row("inclusion proof, verify", verify))

    generate, verify = [], []
    for _ in range(proofs):
        old = rng.randrange(1, size)
        new = rng.randrange(old, size + 1)
        start = time.perf_counter()
        path = consistency_path(old, new, store)
        middle = time.perf_counter()
        old_root, new_root = root_from_nodes(old, store), root_from_nodes(new, store)
        resumed = time.perf_counter()
        ok = verify_consistency(old, new, old_root, new_root, path)
        end = time.perf_counter()
        if not ok:
            raise SystemExit(f"consistency proof {old} -> {new} did not verify")
        generate.append(middle - start)
        verify.append(end - resumed)
    rows.append(latency_row(f"consistency proof, generate ({size:,})", generate))
    rows.append(latency_row("consistency proof, verify", verify))
    return min(lengths), max(lengths)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000, help="leaves for append/root")
    parser.add_argument("--store-size", type=int, default=10_000_000, help="leaves in proof store")
    parser.add_argument("--proofs", type=int, default=2_000, help="proofs of each kind to time")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.leaves, args.store_size, args.proofs = 50_000, 200_000, 200

    console = Console()
    if not console.is_terminal:
        console = Console(width=132)  # a redirected run keeps one row per line
    rows: list[tuple[str, str, str]] = []
    bench_append_and_root(args.leaves, console, rows)
    store = build_store(args.store_size, console, rows)
    shortest, longest = bench_proofs(store, args.proofs, rows)

    table = Table(title="Dostyk ledger: Merkle core", title_justify="left")
    table.add_column("measure")
    table.add_column("result", justify="right")
    table.add_column("detail")
    for row in rows:
        table.add_row(*row)
    table.caption = (
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.machine()}, {os.cpu_count()} CPUs; "
        f"inclusion paths {shortest}–{longest} hashes; seed {SEED}"
    )
    console.print(table)


if __name__ == "__main__":
    main()
