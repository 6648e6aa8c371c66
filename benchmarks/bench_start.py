"""Start time of the command line: ``dostyk --help``, a command's help, and ``dostyk stats``.

Each command runs N times as a fresh process, as a person at a post runs it, and the median
wall-clock and CPU times are reported next to those of ``python -c pass`` measured in the same
run (the interpreter's own start, the floor any command pays). Python's bytecode caches are in
place, as after a first use: each command runs once unmeasured first. ``stats`` reads the
sample package's store, built once beforehand with ``dostyk init`` and ``dostyk import``.
Targets: every ``--help`` under 0.3 s, simple read commands under 1 s.

Run: ``uv run python -m benchmarks.bench_start [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import show

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample-package"
#: What is measured, with its target in seconds (None for the baseline).
COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("python -c pass", ["-c", "pass"], None),
    ("dostyk --help", ["-m", "dostyk", "--help"], 0.3),
    ("dostyk stats --help", ["-m", "dostyk", "stats", "--help"], 0.3),
    ("dostyk declaration show --help", ["-m", "dostyk", "declaration", "show", "--help"], 0.3),
    ("dostyk --version", ["-m", "dostyk", "--version"], 0.3),
    ("dostyk stats (sample store)", ["-m", "dostyk", "stats"], 1.0),
    ("dostyk stats --json (sample store)", ["-m", "dostyk", "stats", "--json"], 1.0),
]


def median_seconds(args: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median wall-clock and median CPU (user + system) seconds of ``runs`` fresh processes.

    On a shared machine the CPU time is the steadier figure: waiting for a core is not in it.
    """
    walls, cpus = [], []
    subprocess.run(  # once unmeasured, to write the bytecode caches as a first use would
        [sys.executable, *args], env=env, check=True, stdout=subprocess.DEVNULL, cwd=REPO
    )
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, *args], env=env, check=True, stdout=subprocess.DEVNULL, cwd=REPO
        )
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description="Start time of the command line.")
    parser.add_argument("--runs", type=int, default=15, help="Runs of each command (median).")
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="dostyk-bench-start-") as folder:
        env = {**os.environ, "DOSTYK_HOME": str(Path(folder) / "home"), "COLUMNS": "120"}
        env.pop("DOSTYK_DATABASE_URL", None)
        # As installed: Python keeps the bytecode of what it imports. Without it (as under
        # PYTHONDONTWRITEBYTECODE) every run compiles every module again, which costs more
        # than all the rest of a command's start.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        for setup in (["init"], ["import", str(SAMPLE)]):
            subprocess.run(
                [sys.executable, "-m", "dostyk", *setup],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
                cwd=REPO,
            )
        rows = []
        baseline = None
        for name, args, target in COMMANDS:
            wall, cpu = median_seconds(args, runs, env)
            baseline = wall if baseline is None else baseline
            rows.append(
                [
                    name,
                    f"{wall:.3f} s",
                    f"{cpu:.3f} s",
                    f"{wall - baseline:+.3f} s" if target is not None else "",
                    "" if target is None else f"{target:.1f} s",
                    "" if target is None else ("yes" if wall < target else "NO"),
                ]
            )
    show(
        f"Start time, median of {runs} runs",
        ["command", "wall", "CPU", "wall over python -c pass", "target", "met (wall)"],
        rows,
    )


if __name__ == "__main__":
    main()
