"""Properties of the data package over generated records and generated packages.

Export then import is total: every record the rules accept, in any table of the package, is
exported, and the export imports back to the same records, on SQLite and on PostgreSQL. And no
package, however broken, makes the importer crash: it loads or it is refused.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, Table, delete, select

from dostyk.interchange.datapackage import PackageRejected, export_package, import_package
from dostyk.interchange.datapackage.errors import ErrorLog
from dostyk.interchange.datapackage.reading import read_table
from dostyk.store import tables as t
from dostyk.store.records import RECORD_TYPES
from dostyk.store.tables import TABLES
from dostyk.store.unit_of_work import UnitOfWork
from tests.conftest import SAMPLE_PACKAGE, make_store
from tests.interchange.test_datapackage import copy_sample, edit_csv
from tests.strategies import World, any_text, worlds

#: Tables every initialised store holds (the posts and tariff rates ``dostyk init`` loads):
#: exported and imported back like the rest, never drawn.
REFERENCE = frozenset({t.posts.name, t.tariff_rates.name})
#: Every other table, each after the tables it refers to.
DRAWN = [table for table in TABLES if table.name not in REFERENCE]
PROPERTY = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def stores(database_url: str) -> Iterator[tuple[Engine, Engine]]:
    """A source and a target store on the same back end, emptied of generated records after use."""
    source = make_store(database_url)
    if database_url.startswith("sqlite"):
        target = make_store(database_url.replace("dostyk.db", "target.db"))
    else:
        target = source  # one schema: emptied between the export and the import
    yield source, target
    source.dispose()
    target.dispose()


def empty(engine: Engine) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")
        for table in reversed(DRAWN):
            connection.execute(delete(table))


def in_key_order(table: Table, records: Iterable[Any]) -> list[Any]:
    record_type = RECORD_TYPES[table.name]
    return sorted(records, key=lambda r: record_type.key_of(record_type.to_row(r)))


def stored(engine: Engine) -> dict[str, list[Any]]:
    """Every table's records, as domain objects, in key order."""
    with engine.connect() as connection:
        return {
            table.name: in_key_order(
                table,
                (RECORD_TYPES[table.name].to_domain(r) for r in connection.execute(select(table))),
            )
            for table in TABLES
        }


def expected(world: World, reference: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The world's records in every table, and the reference records the store already held."""
    return {
        table.name: reference[table.name]
        if table.name in REFERENCE
        else in_key_order(table, world.records.get(table.name, []))
        for table in TABLES
    }


def sample_world() -> World:
    """The sample package as a world: rows in every table, made by the product's use cases."""
    world = World()
    log = ErrorLog()
    for table in DRAWN:
        columns = read_table(SAMPLE_PACKAGE / f"{table.name}.csv", table, log)
        assert columns is not None, log.errors
        rows = [tuple(row) for row in zip(*columns, strict=True)]
        world.rows[table.name] = rows
        world.records[table.name] = [RECORD_TYPES[table.name].to_domain(row) for row in rows]
    return world


def load(engine: Engine, world: World) -> None:
    """Store the records as the store holds any accepted record: one unit of work."""
    with UnitOfWork(engine) as uow:
        for table in TABLES:
            if table.name in world.rows:
                uow.load(table, world.rows[table.name])
        uow.commit()


def test_every_accepted_record_exports_and_imports_back_identically(
    stores: tuple[Engine, Engine], tmp_path: Path
) -> None:
    """Over every table of the package: drawn worlds, and the sample package's rows (which
    hold rows in every table) as an example always run."""
    source, target = stores
    sample = sample_world()

    @PROPERTY
    @example(world=sample, file_format="csv")
    @example(world=sample, file_format="parquet")
    @given(world=worlds(), file_format=st.sampled_from(["csv", "parquet"]))
    def round_trip(world: World, file_format: str) -> None:
        folder = Path(tempfile.mkdtemp(dir=tmp_path)) / "package"
        empty(source)
        empty(target)
        held = stored(source)
        reference = {name: held[name] for name in REFERENCE}
        load(source, world)
        want = expected(world, reference)
        assert stored(source) == want
        export_package(source, folder, file_format=file_format)
        if target is source:
            empty(source)
        import_package(target, folder)
        got = stored(target)
        # An import keeps the package's anomalies and adds each breach of a control it finds.
        found = got.pop(t.anomalies.name)
        assert all(a in found for a in want.pop(t.anomalies.name))
        assert got == want
        shutil.rmtree(folder.parent)

    round_trip()


# A broken package is refused, never a crash ------------------------------------------------------

SAMPLE_FILES = {
    "declaration_items.csv": ["description", "quantity", "gross_mass_kg", "item_no", "origin"],
    "crossings.csv": ["crossed_at", "laden", "gross_mass_kg", "part_of"],
    "payments.csv": ["amount", "paid_at", "reference"],
    "declarations.csv": ["declaration_id", "lodged_at", "status"],
}
odd_values = st.one_of(
    any_text,
    st.sampled_from(
        [
            "",
            "nan",
            "inf",
            "-0",
            "1e308",
            "99999999999999999999999",
            "2024-03-01T03:00:14.123456789Z",
            "0000-01-01T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "\ufeff",
            '"',
            "a\x00b",
            "\r\n",
            "true",
        ]
    ),
    st.integers().map(str),
    st.floats().map(repr),
)


def test_a_generated_broken_package_is_refused_or_loaded_never_a_crash(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = make_store(sqlite_url)

    @PROPERTY
    @given(
        edits=st.lists(
            st.tuples(
                st.sampled_from(sorted(SAMPLE_FILES)),
                st.integers(1, 10),
                st.integers(0, 4),
                odd_values,
            ),
            min_size=1,
            max_size=3,
        )
    )
    def import_broken(edits: list[tuple[str, int, int, str]]) -> None:
        folder = Path(tempfile.mkdtemp(dir=tmp_path))
        package = copy_sample(folder)
        for file, row, column, value in edits:
            names = SAMPLE_FILES[file]
            edit_csv(package / file, row, names[column % len(names)], value)
        try:
            import_package(engine, package)
        except PackageRejected as rejected:
            assert rejected.errors
        finally:
            shutil.rmtree(folder)

    import_broken()
    engine.dispose()
