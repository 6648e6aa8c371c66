"""What scoring declarations with the risk model costs: in batch, and one declaration at a time.

The model is the KCS benchmark's risk model (``dostyk.risk.kcs.risk_model``: the declaration's
fields, 23 risk histories, early-stopped on the valid file), trained once on the hs6-2023-02
train file. It then scores:

* a batch: the test file's declarations repeated to ``--rows`` (default 100,000) rows, through
  ``predict_proba`` on a DataFrame (schema check, integer encoding, history look-ups by
  ``numpy.take``, trees on as many threads as :func:`~dostyk.risk.model.scoring_threads`
  chooses), beside the baseline of the same run — the text encoding
  (``reference_features``: each key as joined text looked up in the history indexes) with the
  trees on one thread, as ``predict_proba`` scored before — and the trees alone on the encoded
  matrix, on one thread and on the chosen threads (the floor the encoding adds to);
* one declaration at a time, in-process: ``score_one`` on a plain mapping (dict look-ups for
  categories and histories, the trees on a one-row numpy matrix), beside ``predict_proba`` on a
  one-row DataFrame (the pandas path it avoids). Latencies are per call over ``--singles``
  declarations of the test file; p50 and p99 are reported.

Every batch score is checked against the reference path (to 1e-12) and against the one-row path
on a sample, so the figures are for the same scores. Run:
``uv run python -m benchmarks bench_scoring`` (``--quick`` for a smoke run); set
``DOSTYK_SHARED_DATA`` to the shared data folder.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.common import machine, show
from dostyk.risk import kcs
from dostyk.risk.model import scoring_threads

VERSION = "hs6-2023-02"


def data_dir() -> Path:
    shared = os.environ.get("DOSTYK_SHARED_DATA")
    base = Path(shared) if shared else Path(__file__).resolve().parents[2] / "shared" / "data"
    return base / kcs.DATA_FOLDER


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description="Risk-model scoring: batch and one at a time.")
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the batch")
    parser.add_argument("--singles", type=int, default=2000, help="one-row scorings timed")
    parser.add_argument("--quick", action="store_true", help="a smoke run on a slice")
    options = parser.parse_args(sys.argv[1:])
    limit = 3000 if options.quick else None
    rows = 10_000 if options.quick else options.rows
    singles = 200 if options.quick else options.singles

    folder = data_dir()
    train = kcs.load(folder, VERSION, "train", limit)
    valid = kcs.load(folder, VERSION, "valid", limit)
    test = kcs.load(folder, VERSION, "test", limit)
    unit_values = kcs.UnitValues().fit(train)
    frames = {
        name: kcs.risk_frame(f, unit_values)
        for name, f in (("train", train), ("valid", valid), ("test", test))
    }
    started = time.perf_counter()
    model = kcs.risk_model(0).fit(
        frames["train"], train[kcs.LABEL], eval_set=(frames["valid"], valid[kcs.LABEL])
    )
    trained_in = time.perf_counter() - started

    repeats = -(-rows // len(frames["test"]))
    batch = pd.concat([frames["test"]] * repeats, ignore_index=True).head(rows)
    matrix = model.transform_features(batch)
    scores = model.predict_proba(batch)[:, 1]
    threads = scoring_threads(len(batch))

    def reference() -> np.ndarray:
        encoded = model.reference_features(batch)
        return np.asarray(
            model.booster_.predict(encoded, num_iteration=model.best_iteration_, num_threads=1)
        )

    worst = float(np.abs(reference() - scores).max())
    assert worst <= 1e-12, f"the integer encoding changed a score by {worst}"
    old = best_of(3, reference)
    full = best_of(3, lambda: model.predict_proba(batch))
    encode = best_of(3, lambda: model.transform_features(batch))
    trees_one = best_of(
        3,
        lambda: model.booster_.predict(matrix, num_iteration=model.best_iteration_, num_threads=1),
    )
    trees = best_of(
        3,
        lambda: model.booster_.predict(
            matrix, num_iteration=model.best_iteration_, num_threads=threads
        ),
    )

    records = frames["test"].head(singles).to_dict(orient="records")
    for position in range(0, len(records), max(1, len(records) // 20)):
        assert abs(model.score_one(records[position]) - scores[position]) < 1e-9
    fast: list[float] = []
    for record in records:
        begun = time.perf_counter()
        model.score_one(record)
        fast.append(time.perf_counter() - begun)
    slow: list[float] = []
    for position in range(min(len(records), 300)):
        one = frames["test"].iloc[[position]]
        begun = time.perf_counter()
        model.predict_proba(one)
        slow.append(time.perf_counter() - begun)

    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    show(
        f"Risk-model scoring ({model.best_iteration_} trees, {len(model.feature_names_)} "
        f"features; trained in {trained_in:.0f} s; load average {' '.join(load)})",
        ["path", "figure"],
        [
            [
                "batch, before: text encoding + trees (1 thread)",
                f"{rows / old:,.0f} declarations/s",
            ],
            [
                f"batch predict_proba (DataFrame, {threads} thread(s))",
                f"{rows / full:,.0f} declarations/s",
            ],
            ["batch, integer encoding alone", f"{rows / encode:,.0f} declarations/s"],
            ["batch, trees only, 1 thread", f"{rows / trees_one:,.0f} declarations/s"],
            [f"batch, trees only, {threads} thread(s)", f"{rows / trees:,.0f} declarations/s"],
            ["one declaration, score_one: p50", f"{statistics.median(fast) * 1e3:.3f} ms"],
            ["one declaration, score_one: p99", f"{percentile(fast, 0.99) * 1e3:.3f} ms"],
            ["one row, predict_proba (DataFrame): p50", f"{statistics.median(slow) * 1e3:.3f} ms"],
            ["one row, predict_proba (DataFrame): p99", f"{percentile(slow, 0.99) * 1e3:.3f} ms"],
        ],
    )
    print(
        f"{rows:,} rows in the batch, {len(fast):,} single scorings; largest difference from "
        f"the reference score {worst:.1e}; {machine()}"
    )


if __name__ == "__main__":
    main()
