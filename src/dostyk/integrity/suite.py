"""The whole indicator suite over one warehouse, and its outputs.

:func:`run` computes every indicator; :func:`rank_subjects` ranks the subjects; :func:`write`
keeps both beside the warehouse as ``integrity/indicators.parquet`` and
``integrity/ranking.parquet`` (and the suggested relationships), which the integrity unit's pages
read.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dostyk.integrity.indicators import Indicators
from dostyk.integrity.inspectors import inspector_indicators
from dostyk.integrity.mirror import MirrorResult, mirror_indicators
from dostyk.integrity.networks import (
    SuggestedRelationship,
    network_indicators,
    suggested_relationships,
)
from dostyk.integrity.pairing import pairing_indicators, steering_indicators
from dostyk.integrity.ranking import Subject, rank, ranking_frame
from dostyk.integrity.supervisors import broker_action_indicators, supervisor_indicators
from dostyk.integrity.trade import (
    benford_indicators,
    empty_return_indicators,
    importer_indicators,
)
from dostyk.warehouse.backends import Warehouse, open_warehouse

OUTPUT = "integrity"
T = TypeVar("T")


@dataclass
class SuiteResult:
    indicators: pd.DataFrame
    subjects: list[Subject]
    suggested: list[SuggestedRelationship]
    inspectors: pd.DataFrame
    pairs: pd.DataFrame
    communities: dict[str, int] = field(default_factory=dict)
    #: The mirror analysis: chapter-months compared and the drill-down of their gaps.
    mirror: MirrorResult = field(default_factory=MirrorResult)


def run(w: Warehouse, timings: dict[str, float] | None = None) -> SuiteResult:
    """Every indicator over ``w``; with ``timings``, the seconds each step took go into it (by
    the step's name), for the benchmark to say where the time went."""
    try:
        return _run(w, timings)
    finally:
        w.release()


def _run(w: Warehouse, timings: dict[str, float] | None) -> SuiteResult:
    out = Indicators()
    clock = _Clock(timings)
    inspectors = clock.step("inspectors", lambda: inspector_indicators(w, out))
    pairs = clock.step("pairing", lambda: pairing_indicators(w, out))
    clock.step("steering", lambda: steering_indicators(w, out))
    clock.step("supervisors", lambda: supervisor_indicators(w, out, inspectors))
    clock.step("broker_actions", lambda: broker_action_indicators(w, out))
    clock.step("benford", lambda: benford_indicators(w, out))
    clock.step("importers", lambda: importer_indicators(w, out))
    clock.step("empty_returns", lambda: empty_return_indicators(w, out))
    mirror = clock.step("mirror", lambda: mirror_indicators(w, out))
    communities = clock.step("networks", lambda: network_indicators(w, out, pairs))
    frame = clock.step("frame", out.frame)
    subjects = clock.step("ranking", lambda: rank(frame))
    suggested = clock.step("suggested", lambda: suggested_relationships(w, pairs))
    return SuiteResult(frame, subjects, suggested, inspectors, pairs, communities, mirror)


class _Clock:
    """Times the suite's steps into a dict, when given one."""

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings

    def step(self, name: str, work: Callable[[], T]) -> T:
        if self.timings is None:
            return work()
        started = time.perf_counter()
        result = work()
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started
        return result


def rank_subjects(source: Warehouse | Path) -> list[Subject]:
    """The ranked subjects of a warehouse (open, or its folder on DuckDB)."""
    w = source if isinstance(source, Warehouse) else open_warehouse(source)
    return run(w).subjects


def _write(frame: pd.DataFrame, path: Path) -> None:
    temporary = path.with_name(path.name + ".tmp")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), temporary)
    os.replace(temporary, path)


def write(result: SuiteResult, folder: Path, computed_at: datetime | None = None) -> Path:
    """Write the indicators, the ranking and the suggested relationships under ``folder``."""
    target = folder / OUTPUT
    target.mkdir(parents=True, exist_ok=True)
    at = computed_at or datetime.now(UTC)
    indicators = result.indicators.drop(columns=["words"]).copy()
    _write(indicators, target / "indicators.parquet")
    _write(ranking_frame(result.subjects, at), target / "ranking.parquet")
    suggested: list[dict[str, Any]] = [asdict(s) for s in result.suggested]
    columns = ["officer_id", "party_id", "post_code", "inspections", "expected", "q_value", "words"]
    _write(pd.DataFrame(suggested, columns=columns), target / "suggested_relationships.parquet")
    _write(result.mirror.gaps, target / "mirror_gaps.parquet")
    _write(result.mirror.drilldown, target / "mirror_drilldown.parquet")
    return target
