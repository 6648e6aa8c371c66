"""The migrations build exactly the schema the code expects, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from dostyk.store import migrations
from dostyk.store.tables import TABLES, metadata


def test_upgrade_reaches_head_and_matches_the_table_definitions(bare_engine: Engine) -> None:
    assert migrations.current_revision(bare_engine) is None
    migrations.upgrade(bare_engine)
    assert migrations.current_revision(bare_engine) == migrations.head_revision(bare_engine)
    with bare_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_every_table_and_foreign_key_exists(bare_engine: Engine) -> None:
    migrations.upgrade(bare_engine)
    inspector = inspect(bare_engine)
    assert {t.name for t in TABLES} <= set(inspector.get_table_names())
    for table in TABLES:
        declared = {tuple(fk.column_keys) for fk in table.foreign_key_constraints}
        found = {tuple(fk["constrained_columns"]) for fk in inspector.get_foreign_keys(table.name)}
        assert declared == found, table.name


def test_upgrading_twice_changes_nothing(bare_engine: Engine) -> None:
    migrations.upgrade(bare_engine)
    migrations.upgrade(bare_engine)
    assert migrations.current_revision(bare_engine) == migrations.head_revision(bare_engine)


def test_the_light_revision_check_agrees_with_alembic(bare_engine: Engine) -> None:
    """Commands check the schema without Alembic: the answer is Alembic's, before and after."""
    from dostyk.store import revision

    assert revision.head_revision() == migrations.head_revision(bare_engine)
    assert not revision.is_current(bare_engine)
    migrations.upgrade(bare_engine)
    assert revision.is_current(bare_engine)
    with bare_engine.connect() as connection:
        assert revision.stored_revision(connection) == migrations.current_revision(bare_engine)
