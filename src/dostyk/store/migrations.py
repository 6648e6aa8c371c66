"""Bringing a database's schema up to date with Alembic, without an alembic.ini on disk."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from dostyk.store.engine import WRITER_OPTION


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", "dostyk.store:alembic")
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine)
    # A writer's transaction: it reads the schema's revision and then changes the schema, and a
    # DEFERRED one would fail at once instead of waiting when another `init` writes meanwhile.
    with (
        engine.connect().execution_options(**{WRITER_OPTION: True}) as connection,
        connection.begin(),
    ):
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
