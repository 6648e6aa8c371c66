"""Properties of the data package over generated records and generated packages.

Export then import is total: every record the rules accept is exported, and the export imports
back to the same records, on SQLite and on PostgreSQL. And no package, however broken, makes the
importer crash: it loads or it is refused.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select

from dostyk.interchange.datapackage import PackageRejected, export_package, import_package
from dostyk.store import tables as t
from dostyk.store.records import RECORD_TYPES
from dostyk.store.tables import TABLES
from dostyk.store.unit_of_work import UnitOfWork
from tests.conftest import make_store
from tests.interchange.test_datapackage import copy_sample, edit_csv
from tests.strategies import World, any_text, worlds

GENERATED = [
    t.parties,
    t.officers,
    t.conveyances,
    t.crossings,
    t.declarations,
    t.declaration_items,
    t.status_changes,
    t.payments,
]
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
        for table in reversed(GENERATED):
            connection.execute(delete(table))


def stored(engine: Engine) -> dict[str, list[Any]]:
    """The generated tables' records, as domain objects, in key order."""
    with engine.connect() as connection:
        return {
            table.name: sorted(
                (
                    RECORD_TYPES[table.name].to_domain(row)
                    for row in connection.execute(select(table))
                ),
                key=lambda r: RECORD_TYPES[table.name].key_of(RECORD_TYPES[table.name].to_row(r)),
            )
            for table in GENERATED
        }


def expected(world: World) -> dict[str, list[Any]]:
    return {
        table.name: sorted(
            world.records.get(table.name, []),
            key=lambda r: RECORD_TYPES[table.name].key_of(RECORD_TYPES[table.name].to_row(r)),
        )
        for table in GENERATED
    }


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
    source, target = stores

    @PROPERTY
    @given(world=worlds(), file_format=st.sampled_from(["csv", "parquet"]))
    def round_trip(world: World, file_format: str) -> None:
        folder = Path(tempfile.mkdtemp(dir=tmp_path)) / "package"
        empty(source)
        empty(target)
        load(source, world)
        assert stored(source) == expected(world)
        export_package(source, folder, file_format=file_format)
        if target is source:
            empty(source)
        import_package(target, folder)
        assert stored(target) == expected(world)
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
