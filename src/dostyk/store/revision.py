"""Whether a store's schema is at the latest revision, without loading Alembic.

Every command checks this before it touches the store, and Alembic (with Mako and the rest of
its machinery) takes longer to import than most commands take to run. The revision a store is
at is one row of ``alembic_version``; the latest revision is read from the migration scripts'
``revision`` and ``down_revision`` lines. :mod:`dostyk.store.migrations` still does the
upgrading, with Alembic, and the tests hold both answers equal.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

VERSIONS = Path(__file__).parent / "alembic" / "versions"
_ASSIGNED = re.compile(
    r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:None|[\"']([^\"']+)[\"'])", re.MULTILINE
)


@cache
def head_revision() -> str | None:
    """The revision no migration script builds on: the latest one."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in VERSIONS.glob("*.py"):
        for name, value in _ASSIGNED.findall(script.read_text(encoding="utf-8")):
            if value:
                (revisions if name == "revision" else parents).add(value)
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"the migration scripts have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def stored_revision(connection: Connection) -> str | None:
    """The revision the store's schema is at; None for a store without one."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


def is_current(engine: Engine) -> bool:
    """Whether the store's schema is at the latest revision."""
    with engine.connect() as connection:
        return stored_revision(connection) == head_revision()
