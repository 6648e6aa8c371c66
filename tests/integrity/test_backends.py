"""The same indicator suite on DuckDB and on Spark gives the same indicators and ranking.

Spark starts a JVM (Java 17, ``local[1]``): tens of seconds once per run, so the comparison is
one test over the small simulated warehouse.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from dostyk.integrity.suite import run
from dostyk.warehouse.backends import open_warehouse
from tests.integrity.conftest import World

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java")


def test_duckdb_and_spark_compute_the_same_indicators(world: World) -> None:
    on_duckdb = run(open_warehouse(world.warehouse, "duckdb"))
    on_spark = run(open_warehouse(world.warehouse, "pyspark"))
    a, b = on_duckdb.indicators, on_spark.indicators
    assert len(a) == len(b) > 0
    keys = ["subject_kind", "subject_id", "post_code", "indicator", "words"]
    assert a[keys].astype(str).values.tolist() == b[keys].astype(str).values.tolist()
    for column in ("value", "peer_value", "z", "p_value", "log_lr"):
        assert np.allclose(
            a[column].to_numpy(dtype=float),
            b[column].to_numpy(dtype=float),
            rtol=1e-9,
            atol=1e-12,
            equal_nan=True,
        ), column
    assert [(s.kind, s.subject_id, s.rank) for s in on_duckdb.subjects] == [
        (s.kind, s.subject_id, s.rank) for s in on_spark.subjects
    ]
