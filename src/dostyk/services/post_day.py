"""A post's day as its officers see it: what crossed, and the discrepancies found.

Both are read along the post's indexes by time — crossings on (post, crossed at), discrepancies
on (post, found at) — so a day costs what that day holds, however long the post's history is.
The day is the country's calendar day (:data:`~dostyk.services.actors.NATIONAL_TIME`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import Engine, select

from dostyk.domain.conveyances import Conveyance, Crossing
from dostyk.domain.discrepancies import Discrepancy
from dostyk.services.actors import NATIONAL_TIME, national_day
from dostyk.services.errors import NotFound
from dostyk.store import repositories as r
from dostyk.store import tables as t
from dostyk.store.records import RECORD_TYPES


@dataclass(frozen=True, slots=True)
class Movement:
    """A train's or truck's crossing with its units, and the register's entry of each vehicle."""

    crossing: Crossing
    units: tuple[Crossing, ...]
    conveyances: dict[str, Conveyance]


def day_bounds(at: datetime) -> tuple[datetime, datetime]:
    """The national calendar day holding ``at``, as [start, end)."""
    start = datetime.combine(national_day(at), time(0), NATIONAL_TIME)
    return start, start + timedelta(days=1)


def movements_of_day(engine: Engine, post_code: str, at: datetime) -> list[Movement]:
    """The movements that crossed at the post on the day of ``at``, in order of crossing."""
    start, end = day_bounds(at)
    with engine.connect() as c:
        if r.Posts(c).get(post_code) is None:
            raise NotFound("post", post_code)
        crossings = r.Crossings(c).at_post(post_code, start, end)
        units: dict[str, list[Crossing]] = {}
        for crossing in crossings:
            if crossing.part_of is not None:
                units.setdefault(crossing.part_of, []).append(crossing)
        vehicles = r.Conveyances(c).many(x.conveyance_id for x in crossings)
    movements = [x for x in crossings if x.part_of is None]
    return [
        Movement(
            m,
            tuple(sorted(units.get(m.crossing_id, []), key=lambda u: u.crossing_id)),
            vehicles,
        )
        for m in sorted(movements, key=lambda m: (m.crossed_at, m.crossing_id))
    ]


def discrepancies_of_day(engine: Engine, post_code: str, at: datetime) -> list[Discrepancy]:
    """The discrepancies found at the post on the day of ``at``, oldest first."""
    start, end = day_bounds(at)
    z = t.discrepancies.c
    query = (
        select(t.discrepancies)
        .where(z.post_code == post_code, z.found_at >= start, z.found_at < end)
        .order_by(z.found_at, z.discrepancy_id)
    )
    record = RECORD_TYPES["discrepancies"]
    with engine.connect() as c:
        return [record.to_domain(list(row)) for row in c.execute(query)]
