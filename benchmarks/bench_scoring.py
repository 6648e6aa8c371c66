"""What scoring declarations with the risk model costs: in batch, and one declaration at a time.

The model is the KCS benchmark's risk model (``dostyk.risk.kcs.risk_model``: the declaration's
fields, 23 risk histories, a few large trees early-stopped on the valid file), trained on the
hs6-2023-02 train file. Beside it, in the same run, the same model with the boosting it had
before (``PREVIOUS``: LightGBM's usual 31 leaves at learning rate 0.1, up to 1,000 rounds — 753
trees after early stopping), so that both are timed on the same machine under the same load.
Each then scores:

* a batch: the test file's declarations repeated to ``--rows`` (default 100,000) rows, through
  ``predict_proba`` on a DataFrame (schema check, integer encoding into a column-major matrix,
  history features read by ``numpy.take``, trees on as many threads as
  :func:`~dostyk.risk.model.scoring_threads` chooses); beside it the text encoding
  (``reference_features``: each key as joined text looked up in the history indexes) with the
  trees on one thread, the encoding alone, and the trees alone on the encoded matrix on one
  thread and on the chosen threads (the floor the encoding adds to). Wall-clock rates, and for
  ``predict_proba`` also the rate per CPU second of the process (what a loaded machine's other
  jobs do not change);
* one declaration at a time, in-process: ``score_one`` on a plain mapping (dict look-ups for
  categories and histories, the trees on a one-row numpy matrix), ``assess_one`` (score and
  explanation in words, what the live selector calls), and ``predict_proba`` on a one-row
  DataFrame (the pandas path they avoid). Latencies are per call over ``--singles``
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
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from benchmarks.common import machine, show
from dostyk.risk import kcs
from dostyk.risk.model import RiskModel, scoring_threads

T = TypeVar("T")
VERSION = "hs6-2023-02"
#: The risk model's boosting before ``kcs.RISK_BOOSTING``: RiskModel's defaults.
PREVIOUS: Mapping[str, Any] = {"learning_rate": 0.1, "num_leaves": 31, "n_estimators": 1000}


def data_dir() -> Path:
    shared = os.environ.get("DOSTYK_SHARED_DATA")
    base = Path(shared) if shared else Path(__file__).resolve().parents[2] / "shared" / "data"
    return base / kcs.DATA_FOLDER


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    """The shortest wall-clock time of ``runs`` runs, and the CPU time of that run."""
    best = (float("inf"), float("inf"))
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        work()
        best = min(best, (time.perf_counter() - started, time.process_time() - cpu))
    return best


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def latencies(items: Sequence[T], work: Callable[[T], object]) -> tuple[str, str]:
    """p50 and p99 of ``work`` over ``items``, one call each: in wall-clock time, and in the
    process's CPU time (which a loaded machine's preemptions do not lengthen)."""
    wall, cpu = [], []
    for item in items:
        begun, begun_cpu = time.perf_counter(), time.process_time()
        work(item)
        wall.append(time.perf_counter() - begun)
        cpu.append(time.process_time() - begun_cpu)

    def summary(times: list[float]) -> str:
        return f"{statistics.median(times) * 1e3:.3f} / {percentile(times, 0.99) * 1e3:.3f} ms"

    return summary(wall), summary(cpu)


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f}/s"


def measure(
    model: RiskModel, batch: pd.DataFrame, test: pd.DataFrame, singles: int
) -> dict[str, str]:
    """Every figure of one model, its scores checked against the reference and one-row paths."""
    rows = len(batch)
    matrix = model.transform_features(batch)
    scores = model.predict_proba(batch)[:, 1]
    threads = scoring_threads(rows)

    def reference() -> np.ndarray:
        encoded = model.reference_features(batch)
        return np.asarray(
            model.booster_.predict(encoded, num_iteration=model.best_iteration_, num_threads=1)
        )

    worst = float(np.abs(reference() - scores).max())
    assert worst <= 1e-12, f"the integer encoding changed a score by {worst}"
    old, _ = best_of(3, reference)
    full, full_cpu = best_of(3, lambda: model.predict_proba(batch))
    encode, _ = best_of(3, lambda: model.transform_features(batch))
    trees_one, _ = best_of(
        3,
        lambda: model.booster_.predict(matrix, num_iteration=model.best_iteration_, num_threads=1),
    )
    trees, _ = best_of(
        3,
        lambda: model.booster_.predict(
            matrix, num_iteration=model.best_iteration_, num_threads=threads
        ),
    )

    records = test.head(singles).to_dict(orient="records")
    for position in range(0, len(records), max(1, len(records) // 20)):
        assert abs(model.score_one(records[position]) - scores[position]) < 1e-9
    frames = [test.iloc[[position]] for position in range(min(len(records), 300))]
    score_one, score_one_cpu = latencies(records, model.score_one)
    assess_one, assess_one_cpu = latencies(records, lambda record: model.assess_one(record, top=3))
    return {
        "trees": f"{model.best_iteration_}",
        "predict_proba": rate(rows, full),
        "predict_proba_cpu": rate(rows, full_cpu),
        "reference": rate(rows, old),
        "encode": rate(rows, encode),
        "trees_one": rate(rows, trees_one),
        "trees_threads": rate(rows, trees),
        "score_one": score_one,
        "score_one_cpu": score_one_cpu,
        "assess_one": assess_one,
        "assess_one_cpu": assess_one_cpu,
        "one_frame": latencies(frames, model.predict_proba)[0],
        "worst": f"{worst:.1e}",
    }


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
    models: dict[str, RiskModel] = {}
    trained_in: dict[str, float] = {}
    for name, boosting in (("now", kcs.RISK_BOOSTING), ("before", PREVIOUS)):
        started = time.perf_counter()
        models[name] = (
            kcs.risk_model(0)
            .set_params(**boosting)
            .fit(frames["train"], train[kcs.LABEL], eval_set=(frames["valid"], valid[kcs.LABEL]))
        )
        trained_in[name] = time.perf_counter() - started

    repeats = -(-rows // len(frames["test"]))
    batch = pd.concat([frames["test"]] * repeats, ignore_index=True).head(rows)
    threads = scoring_threads(len(batch))
    figures = {
        name: measure(model, batch, frames["test"], singles) for name, model in models.items()
    }

    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    labels = {
        "predict_proba": f"batch predict_proba ({threads} thread(s))",
        "predict_proba_cpu": "the same, per CPU second",
        "reference": "batch, text encoding + trees (1 thread)",
        "encode": "batch, integer encoding alone",
        "trees_one": "batch, trees only, 1 thread",
        "trees_threads": f"batch, trees only, {threads} thread(s)",
        "score_one": "score_one: p50 / p99",
        "score_one_cpu": "score_one, CPU time: p50 / p99",
        "assess_one": "assess_one (explained): p50 / p99",
        "assess_one_cpu": "assess_one, CPU time: p50 / p99",
        "one_frame": "one-row predict_proba: p50 / p99",
        "worst": "largest difference from reference",
    }
    now, before = figures["now"], figures["before"]
    show(
        f"Risk-model scoring: now {now['trees']} trees, before {before['trees']} "
        f"(load average {' '.join(load)})",
        ["path", "now", "before"],
        [[label, now[key], before[key]] for key, label in labels.items()],
    )
    print(
        f"now {dict(kcs.RISK_BOOSTING)}, trained in {trained_in['now']:.0f} s; before "
        f"{dict(PREVIOUS)}, trained in {trained_in['before']:.0f} s; "
        f"{len(models['now'].feature_names_)} features; {rows:,} rows in the batch, "
        f"{singles:,} single scorings; {machine()}"
    )


if __name__ == "__main__":
    main()
