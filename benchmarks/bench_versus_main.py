"""This code against the main branch before the throughput work (commit 38bc5cb), in one run.

The baseline is checked out into a git worktree (``var/bench-baseline``, made on first use, with
its own virtual environment from its lock file) and each measurement runs in a fresh process in
each tree, alternately, so that the load of a shared machine falls on both alike:

* whole lifecycles in-process (the world and trains of :mod:`benchmarks.bench_lifecycle`), one
  transaction per use case in both trees and, in this tree, also with group commit: a batch
  per train (which ends, commits and checkpoints after each train's ≈ 124 use cases) and one
  batch over all the trains (committing every 200 use cases, as the simulator runs);
* ``make demo``'s work: ``dostyk init`` and ``dostyk simulate --days 30 --seed 1`` of the whole
  network through the CLI, timed from outside (the process's whole life, imports included).

Each figure is given in wall time and in CPU time of the measured process: on a machine shared
with other work the wall time swings by a factor of several from one minute to the next, the CPU
time much less.

Run: ``uv run python -m benchmarks.bench_versus_main [--trains N] [--rounds N] [--days N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import show

BASELINE = "38bc5cb"
HERE = Path(__file__).resolve().parents[1]
WORKTREE = HERE / "var" / "bench-baseline"

#: Run in either tree: lifecycles through that tree's use cases; prints lifecycles per second.
LIFECYCLES = """
import json, sys, time, tempfile
from pathlib import Path
from contextlib import ExitStack
from benchmarks.bench_lifecycle import Clock, build_world, run_train
from dostyk.store.engine import make_engine
trains, warm_up, mode = int(sys.argv[1]), 2, sys.argv[2]
with tempfile.TemporaryDirectory() as folder:
    engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
    world, clock, seconds, cpu, done = build_world(engine, trains + warm_up), Clock(), 0.0, 0.0, 0
    if mode == "run":  # one batch over every timed train, as the simulator runs
        from dostyk.store.batch import Batch
        for train in world[:warm_up]:
            run_train(engine, train, clock)
        started, started_cpu = time.perf_counter(), time.process_time()
        with Batch(engine, every=200):
            for train in world[warm_up:]:
                run_train(engine, train, clock)
                done += len(train.plans)
        seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    for number, train in enumerate(world if mode != "run" else []):
        started, started_cpu = time.perf_counter(), time.process_time()
        with ExitStack() as stack:
            if mode == "batch":
                from dostyk.store.batch import Batch
                stack.enter_context(Batch(engine, every=200))
            run_train(engine, train, clock)
        if number >= warm_up:
            seconds += time.perf_counter() - started
            cpu += time.process_time() - started_cpu
            done += len(train.plans)
    engine.dispose()
print(json.dumps({"rate": done / seconds, "cpu_rate": done / cpu}))
"""


def ensure_baseline() -> Path:
    """The baseline's worktree with its environment, made once."""
    if not (WORKTREE / "pyproject.toml").exists():
        WORKTREE.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "-C", str(HERE), "worktree", "add", "--force", str(WORKTREE), BASELINE],
            check=True,
            capture_output=True,
        )
    subprocess.run(["uv", "sync", "--frozen", "--quiet"], cwd=WORKTREE, check=True)
    return WORKTREE


def _environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment.pop("VIRTUAL_ENV", None)
    return environment


def lifecycle_rate(tree: Path, trains: int, mode: str) -> tuple[float, float]:
    """Lifecycles per second of wall time and per second of the process's CPU time."""
    done = subprocess.run(
        ["uv", "run", "--frozen", "python", "-c", LIFECYCLES, str(trains), mode],
        cwd=tree,
        check=True,
        capture_output=True,
        text=True,
        env=_environment(),
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return float(figures["rate"]), float(figures["cpu_rate"])


def demo_seconds(tree: Path, days: int) -> tuple[float, float]:
    """``dostyk init`` then ``dostyk simulate --days N --seed 1`` in a fresh home: wall time and
    the CPU time of the processes."""
    home = Path(tempfile.mkdtemp(prefix="dostyk-demo-"))
    try:
        started, cpu = time.perf_counter(), _children_cpu()
        for command in (["init"], ["simulate", "--days", str(days), "--seed", "1"]):
            subprocess.run(
                ["uv", "run", "--frozen", "dostyk", "--home", str(home), *command],
                cwd=tree,
                check=True,
                capture_output=True,
                env=_environment(),
            )
        return time.perf_counter() - started, _children_cpu() - cpu
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description="This code against commit 38bc5cb.")
    parser.add_argument("--trains", type=int, default=40, help="trains of 20 lifecycles")
    parser.add_argument("--rounds", type=int, default=3, help="lifecycle runs per variant")
    parser.add_argument("--days", type=int, default=30, help="days of the demo's simulation")
    parser.add_argument("--no-demo", action="store_true", help="lifecycles only")
    args = parser.parse_args()
    baseline = ensure_baseline()
    loads = [load()]
    rates: dict[str, list[tuple[float, float]]] = {
        "main": [],
        "transaction": [],
        "batch": [],
        "run": [],
    }
    for _ in range(args.rounds):
        for name, tree, mode in [
            ("main", baseline, "transaction"),
            ("transaction", HERE, "transaction"),
            ("batch", HERE, "batch"),
            ("run", HERE, "run"),
        ]:
            rates[name].append(lifecycle_rate(tree, args.trains, mode))
    loads.append(load())

    def median(name: str, which: int) -> float:
        return statistics.median(rate[which] for rate in rates[name])

    rows = []
    for name, label in [
        ("transaction", "lifecycles/s, one transaction per use case"),
        ("batch", "lifecycles/s, group commit (200 use cases per transaction), a batch per train"),
        ("run", "lifecycles/s, group commit (200 use cases per transaction), one batch"),
    ]:
        rows.append(
            [
                f"{label} — wall / CPU",
                f"{median('main', 0):,.0f} / {median('main', 1):,.0f}",
                f"{median(name, 0):,.0f} / {median(name, 1):,.0f}",
                f"×{median(name, 0) / median('main', 0):.2f} / "
                f"×{median(name, 1) / median('main', 1):.2f}",
            ]
        )
    if not args.no_demo:
        ours, ours_cpu = demo_seconds(HERE, args.days)
        theirs, theirs_cpu = demo_seconds(baseline, args.days)
        loads.append(load())
        rows.append(
            [
                f"`make demo`: init + simulate --days {args.days}, whole network — wall / CPU",
                f"{theirs:,.1f} s / {theirs_cpu:,.1f} s",
                f"{ours:,.1f} s / {ours_cpu:,.1f} s",
                f"×{theirs / ours:.2f} / ×{theirs_cpu / ours_cpu:.2f} faster",
            ]
        )
    show(
        f"Against {BASELINE} in the same run (lifecycles: medians of {args.rounds} runs of "
        f"{args.trains} trains); {'; '.join(loads)}",
        ["measure", f"main ({BASELINE})", "this code", "change"],
        rows,
    )


if __name__ == "__main__":
    main()
