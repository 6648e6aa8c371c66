"""The ledger on SQLite: appending entries, verifying a large store, proving in a huge log.

1. Append: the same 200,000 party records written through a unit of work (which logs each in
   the ledger in the same transaction) and loaded raw without a ledger; the difference is what
   the ledger costs, reported as entries appended per second.
2. Verify: a store of about 1,000,000 records (a synthetic package of 120,000 declarations
   imported through the ledger), re-hashed whole by `verify`, against simply reading every row.
3. Prove: an inclusion proof of a random entry in a log of 10,000,000 entries (entries and
   nodes written directly, as years of appends would leave them), against reading one record.

Run: ``uv run python -m benchmarks.bench_ledger [--quick]``.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, select

from benchmarks.common import show, sqlite_engine, timed
from dostyk.domain.parties import Party, PartyRole
from dostyk.interchange.datapackage import import_package
from dostyk.ledger import store
from dostyk.ledger.entries import entry_bytes
from dostyk.ledger.merkle import MerkleAccumulator, leaf_hash
from dostyk.ledger.verification import verify, verify_store
from dostyk.services.ledger import ensure_signing_key, sign_head
from dostyk.services.setup import initialise
from dostyk.simulate.synthetic_package import PackageSize, write_synthetic_package
from dostyk.store import bulk
from dostyk.store.bulk import ordered_rows
from dostyk.store.repositories import Parties
from dostyk.store.tables import TABLES, ledger_entries, ledger_nodes
from dostyk.store.unit_of_work import UnitOfWork

AT = datetime(2026, 1, 1, tzinfo=UTC)


class NoLedger:
    """The baseline: the same repository writes, with nothing logged."""

    def record(self, *_args: object) -> None:
        return None


def make_parties(count: int, offset: int) -> list[Party]:
    return [
        Party(
            f"P{offset + i:09d}",
            f"Trading house {offset + i}",
            f"{100_000_000_000 + offset + i}",
            "KZ",
            frozenset({PartyRole.IMPORTER}),
        )
        for i in range(count)
    ]


def bench_append(count: int) -> list[str]:
    batch = 10_000
    with sqlite_engine() as engine:
        initialise(engine)

        def with_ledger() -> None:
            for start in range(0, count, batch):
                with UnitOfWork(engine, at=AT) as uow:
                    uow.parties.add_many(make_parties(batch, start))

        _, logged = timed(with_ledger)
    with sqlite_engine() as engine:
        initialise(engine)

        def without_ledger() -> None:
            for start in range(0, count, batch):
                with engine.begin() as connection:
                    Parties(connection, NoLedger()).add_many(make_parties(batch, start))  # type: ignore[arg-type]

        _, plain = timed(without_ledger)
    ledger_seconds = max(logged - plain, 1e-9)
    return [
        "append",
        f"{count:,} records, batches of {batch:,}",
        f"{logged:.2f} s ({count / logged:,.0f} records/s)",
        f"{plain:.2f} s ({count / plain:,.0f} records/s)",
        f"{count / ledger_seconds:,.0f} entries/s",
    ]


def read_everything(engine: Engine) -> int:
    with engine.connect() as connection:
        count = sum(1 for table in TABLES for _ in ordered_rows(connection, table))
        count += sum(1 for _ in connection.execute(select(ledger_entries)))
    return count


def bench_verify(declarations: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="dostyk-verify-") as folder, sqlite_engine() as engine:
        package = Path(folder) / "package"
        write_synthetic_package(package, PackageSize(declarations, lifecycle=True))
        key, _ = ensure_signing_key(Path(folder) / "keys")
        initialise(engine)
        import_package(engine, package)
        sign_head(engine, key)
        report, seconds = timed(lambda: verify_store(engine, key.public, workers=2))
        assert report.ok, report.findings[:5]
        with engine.connect() as connection:
            _, alone = timed(lambda: verify(connection, key.public))
        _, reading = timed(lambda: read_everything(engine))
    return [
        "verify",
        f"{report.entries:,} entries, {report.records:,} records",
        f"{seconds:.2f} s (2 processes; {alone:.2f} s in 1)",
        f"{reading:.2f} s (read every row)",
        f"{report.entries / seconds:,.0f} entries/s",
    ]


def fill_log(engine: Engine, size: int) -> None:
    """Write ``size`` entries and their nodes directly, as a long-lived log would hold them."""
    accumulator = MerkleAccumulator()
    chunk = 200_000
    with engine.begin() as connection:
        for start in range(0, size, chunk):
            entries, nodes = [], []
            for seq in range(start, min(size, start + chunk)):
                key = f'["D{seq:09d}"]'
                digest = hashlib.sha256(key.encode()).digest()
                leaf = leaf_hash(
                    entry_bytes(seq, "declarations", key, "insert", digest, AT, "system")
                )
                entries.append((seq, "declarations", key, "insert", digest, AT, "system"))
                nodes.extend(accumulator.append(leaf))
            bulk.load(connection, ledger_entries, entries)
            bulk.load(connection, ledger_nodes, nodes)
            print(f"  log filled to {min(size, start + chunk):,} entries", flush=True)


def bench_prove(size: int, samples: int) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="dostyk-prove-") as folder, sqlite_engine() as engine:
        key, _ = ensure_signing_key(Path(folder) / "keys")
        initialise(engine)
        with engine.begin() as connection:
            connection.execute(ledger_entries.delete())
            connection.execute(ledger_nodes.delete())
        fill_log(engine, size)
        sign_head(engine, key)
        rng = random.Random(7)
        proofs, lookups = [], []
        with engine.connect() as connection:
            head = store.latest_head(connection)
            assert head is not None and head.tree_size == size
            for _ in range(samples):
                seq = rng.randrange(size)
                started = time.perf_counter()
                entry = store.entry_at(connection, seq)
                assert entry is not None
                store.inclusion_proof(connection, entry, head)
                proofs.append(time.perf_counter() - started)
                started = time.perf_counter()
                connection.execute(
                    select(ledger_entries).where(ledger_entries.c.seq == seq)
                ).first()
                lookups.append(time.perf_counter() - started)
    return [
        "prove",
        f"{size:,} entries, {samples} random proofs",
        f"{statistics.mean(proofs) * 1000:.2f} ms mean, {max(proofs) * 1000:.2f} ms max",
        f"{statistics.mean(lookups) * 1000:.3f} ms (read one entry)",
        f"{1 / statistics.mean(proofs):,.0f} proofs/s",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Ledger benchmarks on SQLite.")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    append_count, declarations, log_size = (
        (20_000, 5_000, 100_000) if args.quick else (200_000, 44_000, 10_000_000)
    )
    rows = [bench_append(append_count), bench_verify(declarations), bench_prove(log_size, 200)]
    show(
        "Ledger on SQLite",
        ["what", "size", "with the ledger", "baseline", "rate"],
        rows,
    )


if __name__ == "__main__":
    main()
