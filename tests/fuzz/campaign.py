"""A fuzzing campaign over every target, each for a bounded time, with its corpus kept.

``python -m tests.fuzz.campaign [--seconds N] [--seed]``: for each target, run libFuzzer on its
corpus in ``tests/fuzz/corpus/TARGET`` for N seconds, then merge the corpus down to the inputs
that add coverage (so the committed corpus stays small), and print the executions run and the
crashes found. A crashing input is written to ``var/fuzz/`` and the campaign exits 1. ``--seed``
first (re)writes the seed inputs: a few rows of each sample table, the sample descriptor, one
document of each kind, a WCO declaration sample and a CUSDEC and a CUSCAR.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.conftest import shared_data
from tests.fuzz.targets import TARGETS, seed_interchange, seed_json

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
REPO = HERE.parents[1]
SAMPLE = REPO / "examples" / "sample-package"
ARTIFACTS = REPO / "var" / "fuzz"
MAX_LEN = 4096


def write_seeds() -> None:
    from dostyk.store.tables import TABLES

    for name in TARGETS:
        (CORPUS / name).mkdir(parents=True, exist_ok=True)
    for index, table in enumerate(TABLES):
        lines = (SAMPLE / f"{table.name}.csv").read_bytes().splitlines(keepends=True)[:6]
        (CORPUS / "csv_table" / f"seed-{table.name}").write_bytes(bytes([index]) + b"".join(lines))
    descriptor = (SAMPLE / "datapackage.json").read_bytes()
    (CORPUS / "descriptor" / "seed-sample").write_bytes(descriptor)
    for index, document in enumerate(seed_json()):
        (CORPUS / "json_document" / f"seed-{index}").write_bytes(document)
    for target, seeds in seed_interchange(shared_data() / "wco-declarations" / "samples").items():
        for index, seed in enumerate(seeds):
            (CORPUS / target / f"seed-{index}").write_bytes(seed)


def run(target: str, seconds: int) -> tuple[int, int]:
    """Fuzz one target; returns (executions, crashes)."""
    corpus = CORPUS / target
    corpus.mkdir(parents=True, exist_ok=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "tests.fuzz.run", target]
    result = subprocess.run(
        [
            *command,
            str(corpus),
            f"-max_total_time={seconds}",
            f"-max_len={MAX_LEN}",
            "-print_final_stats=1",
            f"-artifact_prefix={ARTIFACTS}/{target}-",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    output = result.stdout + result.stderr
    executions = re.search(r"stat::number_of_executed_units:\s*(\d+)", output)
    crashed = result.returncode != 0
    if crashed:
        print(output[-4000:], file=sys.stderr)
    else:
        _minimise(command, corpus)
    return int(executions.group(1)) if executions else 0, int(crashed)


def _minimise(command: list[str], corpus: Path) -> None:
    """Keep only the inputs that add coverage, so the committed corpus stays small."""
    merged = Path(tempfile.mkdtemp(prefix="dostyk-corpus-"))
    result = subprocess.run(
        [*command, "-merge=1", f"-max_len={MAX_LEN}", str(merged), str(corpus)],
        capture_output=True,
        cwd=REPO,
        check=False,
    )
    if result.returncode == 0 and any(merged.iterdir()):
        seeds = {p.name: p.read_bytes() for p in corpus.glob("seed-*")}
        shutil.rmtree(corpus)
        shutil.move(merged, corpus)
        for name, data in seeds.items():
            (corpus / name).write_bytes(data)
    else:
        shutil.rmtree(merged, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=int, default=300, help="per target")
    parser.add_argument("--seed", action="store_true", help="write the seed inputs first")
    parser.add_argument("targets", nargs="*", default=list(TARGETS))
    args = parser.parse_args()
    if args.seed:
        write_seeds()
    failed = False
    for target in args.targets:
        executions, crashes = run(target, args.seconds)
        inputs = len(list((CORPUS / target).iterdir()))
        print(
            f"{target}: {executions:,} executions in {args.seconds} s, {crashes} crashes, "
            f"corpus {inputs} inputs"
        )
        failed |= crashes > 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
