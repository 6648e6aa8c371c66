"""Setting up a store: its schema and the reference data every post needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from dostyk import reference
from dostyk.store import migrations
from dostyk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class SetupReport:
    revision: str | None
    posts_added: int
    tariff_rates_added: int


def initialise(engine: Engine, at: datetime | None = None) -> SetupReport:
    """Bring the schema to the latest migration and add any missing reference records.

    Safe to run again: existing posts and rates are left as they are, since an administration
    may have replaced them with its own. ``at`` is the time the ledger records (default now).
    """
    migrations.upgrade(engine)
    with UnitOfWork(engine, at=at) as uow:
        known_posts = {p.code for p in uow.posts.all()}
        new_posts = [p for p in reference.posts() if p.code not in known_posts]
        uow.posts.add_many(new_posts)
        known_rates = {(r.code_prefix, r.valid_from) for r in uow.tariff_rates.all()}
        new_rates = [
            r for r in reference.tariff_rates() if (r.code_prefix, r.valid_from) not in known_rates
        ]
        uow.tariff_rates.add_many(new_rates)
    return SetupReport(migrations.current_revision(engine), len(new_posts), len(new_rates))
