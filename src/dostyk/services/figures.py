"""A post's daily figures (store/statistics.py), read on a connection that never writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Engine

from dostyk.store.statistics import DailyFigures
from dostyk.store.statistics import daily_figures as compute


def daily_figures(
    engine: Engine,
    *,
    offset_hours: int,
    posts: Sequence[str] | None,
    start: date | None,
    end: date | None,
) -> list[DailyFigures]:
    with engine.connect() as connection:
        return compute(connection, offset_hours=offset_hours, posts=posts, start=start, end=end)
