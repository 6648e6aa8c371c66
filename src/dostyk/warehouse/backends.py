"""The warehouse's Parquet files as Ibis tables, on DuckDB (default) or Spark.

The analytics are written against Ibis, so the same expressions run embedded on DuckDB for one
administration's history and on a Spark cluster (here ``local[1]``) when a region's or a
country's history outgrows one machine.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis
from ibis.backends import BaseBackend

BACKENDS = ("duckdb", "pyspark")


class WarehouseMissing(FileNotFoundError):
    """No warehouse at the folder: ``dostyk warehouse build`` makes one."""


class WarehouseDamaged(ValueError):
    """A table's file is there but is not Parquet (cut short, overwritten): deleting it makes
    the next ``dostyk warehouse build`` extract the table whole again."""


class Warehouse:
    """The tables of one warehouse folder on one Ibis backend."""

    def __init__(self, folder: Path, backend: BaseBackend) -> None:
        self.folder = folder
        self.backend = backend
        self._tables: dict[str, Any] = {}
        self._kept: dict[str, Any] = {}
        self._held: list[Callable[[], Any]] = []
        self._count = 0

    def has(self, name: str) -> bool:
        return name in self._tables or (self.folder / f"{name}.parquet").exists()

    def table(self, name: str) -> Any:
        """The table ``name`` as an Ibis table expression."""
        if name not in self._tables:
            path = self.folder / f"{name}.parquet"
            if not path.exists():
                raise WarehouseMissing(f"{path} does not exist: run `dostyk warehouse build`")
            _check_parquet(path)
            self._tables[name] = self.backend.read_parquet(str(path), table_name=f"w_{name}")
        return self._tables[name]

    def kept(self, name: str, make: Callable[[], Any]) -> Any:
        """The table expression ``make`` gives, computed once on the backend and kept there.

        Several indicators start from the same joins over millions of rows (every finished
        inspection with its declaration and risk, each declaration's release); kept, each is
        computed once per warehouse instead of once in every query that uses it.
        """
        if name not in self._kept:
            self._kept[name] = self.keep(make())
        return self._kept[name]

    def keep(self, expression: Any) -> Any:
        """``expression`` computed now and kept on the backend until :meth:`release`."""
        self._count += 1
        if self.backend.name == "duckdb":
            # A temporary table, dropped by name: Ibis's own cache drops its tables with a
            # statement this SQLGlot renders without the table's name.
            name = f"kept_{self._count}"
            table = self.backend.create_table(name, expression, temp=True)
            self._held.append(lambda: self.backend.raw_sql(f'DROP TABLE IF EXISTS "{name}"'))
            return table
        # Spark's cache compiles the expression without registering the in-memory tables it
        # refers to (as executing it would): registered first, they are found.
        self.backend._run_pre_execute_hooks(expression)
        cached = expression.cache()
        self._held.append(cached.release)
        return cached

    def release(self) -> None:
        """Drop the tables kept on the backend (the next use computes them afresh)."""
        held, self._held, self._kept = self._held, [], {}
        for drop in held:
            drop()


def _check_parquet(path: Path) -> None:
    """Refuse, naming it, a file whose footer is not Parquet's (reading the footer only)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pq.read_metadata(path)
    except (pa.ArrowException, OSError) as error:
        raise WarehouseDamaged(
            f"{path} is not a readable Parquet file ({error}): delete it and run "
            "`dostyk warehouse build`, which extracts that table whole again"
        ) from None


def open_warehouse(folder: Path, backend: str = "duckdb", **options: Any) -> Warehouse:
    """Open the warehouse in ``folder`` on ``backend`` (``duckdb`` or ``pyspark``)."""
    if not (folder / "declarations.parquet").exists():
        raise WarehouseMissing(f"no warehouse in {folder}: run `dostyk warehouse build` first")
    if backend == "duckdb":
        return Warehouse(folder, ibis.duckdb.connect(**options))
    if backend == "pyspark":
        return Warehouse(folder, ibis.pyspark.connect(spark_session(), **options))
    raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")


def spark_session() -> Any:
    """A local Spark session (one core, UTC), made once per process."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[1]")
        .appName("dostyk-integrity")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        # Adaptive execution re-plans at every shuffle: on one core and a post's history that
        # costs more than it saves (the indicator suite took 40 % longer with it).
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
