"""Site reports for the programme: per post and day, what passed, how long it waited, and how.

A programme manager (or a donor) judges each post by its throughput (railcars, trucks,
declarations, tonnes, value), by the dwell time from lodgement to release (median and 90th
percentile), by the mix of channels its declarations were given, and beside them by its equipment
(lanes with radiation portal monitors and who funded them) and the date the electronic system
went live there.

Every figure is read for a bounded period of at most :data:`MAX_DAYS` local days, through the
indexes on (post, time) of crossings and declarations: a page costs what its period holds, never
what the whole history holds. Dwell times are computed over that same window — the declarations
lodged in it, joined to their release step by the status changes' key — rather than kept as a
running histogram: the window is bounded, the figures are exact (a histogram would give bucket
middles), and no table, migration or write on the release path is needed. A declaration counts on
the post's local day of its lodgement, as the daily figures count it; one still waiting counts in
the channel mix but has no dwell yet.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from statistics import median
from typing import Any

from sqlalchemy import Engine, and_, select

from dostyk.domain.declarations import Channel, DeclarationStatus
from dostyk.domain.ports import Post
from dostyk.services.errors import NotFound, ValidationFailed
from dostyk.store import repositories as r
from dostyk.store import tables as t
from dostyk.store.statistics import DailyFigures, daily_figures, instants_of, within

#: Kazakhstan keeps UTC+5 all year: a post's day is its local calendar day.
UTC_OFFSET_HOURS = 5
#: The longest period one report reads (a quarter), so that a page's cost stays bounded.
MAX_DAYS = 92
#: The channel of a declaration not (yet) assessed.
UNASSESSED = "unassessed"
CHANNELS = (*(c.value for c in Channel), UNASSESSED)

_NOT_COUNTED = (DeclarationStatus.REJECTED.value, DeclarationStatus.CANCELLED.value)


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``share`` of them at or
    below it (the 90th of ten values is the ninth smallest)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class Dwell:
    """Hours from lodgement to release of the declarations released so far."""

    released: int
    median_hours: float | None
    p90_hours: float | None

    @classmethod
    def of(cls, hours: Sequence[float]) -> Dwell:
        return cls(
            len(hours),
            None if not hours else float(median(hours)),
            percentile(hours, 0.9),
        )

    def as_json(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        return {
            "released": self.released,
            "median_hours": rounded(self.median_hours),
            "p90_hours": rounded(self.p90_hours),
        }


@dataclass(frozen=True)
class PostDay:
    """One post's day: its traffic and declarations, their dwell and their channels."""

    figures: DailyFigures
    dwell: Dwell
    channels: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {**self.figures.as_json(), "dwell": self.dwell.as_json(), "channels": self.channels}


@dataclass(frozen=True)
class PostPeriod:
    """One post over the period: where it is, its equipment and rollout, and its totals."""

    post: Post
    days: list[PostDay]
    totals: DailyFigures
    dwell: Dwell
    channels: dict[str, int]

    def as_json(self, *, with_days: bool) -> dict[str, Any]:
        p = self.post
        totals = self.totals.as_json()
        del totals["day"], totals["post_code"]
        data: dict[str, Any] = {
            "post_code": p.code,
            "name": p.name,
            "region": p.region,
            "mode": p.mode.value,
            "neighbour_country": p.neighbour_country,
            "latitude": p.latitude,
            "longitude": p.longitude,
            "model_only": p.model_only,
            "rpm_lanes": p.rpm_lanes,
            "rpm_funder": None if p.rpm_funder is None else p.rpm_funder.value,
            "electronic_since": None
            if p.electronic_since is None
            else p.electronic_since.isoformat(),
            "totals": totals,
            "dwell": self.dwell.as_json(),
            "channels": self.channels,
        }
        if with_days:
            data["days"] = [day.as_json() for day in self.days]
        return data


@dataclass(frozen=True)
class Period:
    """Local days ``start`` to ``end``, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def checked(cls, start: date, end: date) -> Period:
        if start > end:
            raise ValidationFailed([f"{start} is after the period's end {end}"], subject="start")
        period = cls(start, end)
        if period.days > MAX_DAYS:
            reason = f"the period holds {period.days} days; a report reads at most {MAX_DAYS}"
            raise ValidationFailed([reason], subject="end")
        return period

    @classmethod
    def ending(cls, end: date, days: int = 7) -> Period:
        return cls(end - timedelta(days=days - 1), end)


@dataclass
class _Tally:
    hours: list[float] = field(default_factory=list)
    channels: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))


def _zero(post_code: str, day: date) -> DailyFigures:
    return DailyFigures(post_code=post_code, day=day)


def _sum(post_code: str, day: date, rows: Iterable[DailyFigures]) -> DailyFigures:
    """Totals of daily figures (the day is the period's first)."""
    totals: dict[str, Any] = {}
    for row in rows:
        for name in (
            "railcars_in",
            "railcars_out",
            "trucks_in",
            "trucks_out",
            "empty_returns",
            "passenger_trains",
            "declarations",
            "tonnes",
            "value",
        ):
            totals[name] = totals.get(name, 0) + getattr(row, name)
    if "value" in totals:
        totals["value"] = Decimal(totals["value"])
        totals["tonnes"] = float(totals["tonnes"])
    return DailyFigures(post_code=post_code, day=day, **totals)


def _dwell_and_channels(
    engine: Engine, codes: Sequence[str], period: Period
) -> dict[tuple[str, date], _Tally]:
    """Per (post, lodgement day): dwell hours of the released and the channel of every
    declaration lodged in the period (its rows only, found by post and lodgement time)."""
    first, last = instants_of(period.start, period.end, UTC_OFFSET_HOURS)
    d, s = t.declarations.c, t.status_changes.c
    query = (
        select(d.post_code, d.lodged_at, d.channel, s.at)
        .outerjoin(
            t.status_changes,
            and_(
                s.declaration_id == d.declaration_id,
                s.to_status == DeclarationStatus.RELEASED.value,
            ),
        )
        .where(
            d.post_code.in_(codes),
            d.status.notin_(_NOT_COUNTED),
            *within(d.lodged_at, first, last),
        )
    )
    shift = timedelta(hours=UTC_OFFSET_HOURS)
    tallies: dict[tuple[str, date], _Tally] = {}
    with engine.connect() as connection:
        for post_code, lodged_at, channel, released_at in connection.execute(query):
            tally = tallies.setdefault((post_code, (lodged_at + shift).date()), _Tally())
            tally.channels[channel or UNASSESSED] += 1
            if released_at is not None:
                tally.hours.append((released_at - lodged_at).total_seconds() / 3600)
    return tallies


def posts(engine: Engine, codes: Iterable[str] | None = None) -> list[Post]:
    """The posts named (every post when None), by code; an unknown code is refused."""
    with engine.connect() as connection:
        known = {post.code: post for post in r.Posts(connection).all()}
    if codes is None:
        return [known[code] for code in sorted(known)]
    wanted = sorted(set(codes))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise NotFound("post", ", ".join(unknown))
    return [known[code] for code in wanted]


def site_report(engine: Engine, chosen: Sequence[Post], period: Period) -> list[PostPeriod]:
    """Each chosen post over ``period``: every day (with zeros where nothing happened), its
    totals, its dwell over the period, and its channel mix."""
    codes = [post.code for post in chosen]
    if not codes:
        return []
    with engine.connect() as connection:
        figures = daily_figures(
            connection,
            offset_hours=UTC_OFFSET_HOURS,
            posts=codes,
            start=period.start,
            end=period.end,
        )
    by_day = {(f.post_code, f.day): f for f in figures}
    tallies = _dwell_and_channels(engine, codes, period)
    report = []
    for post in chosen:
        days = []
        hours: list[float] = []
        channels = dict.fromkeys(CHANNELS, 0)
        for offset in range(period.days):
            day = period.start + timedelta(days=offset)
            tally = tallies.get((post.code, day), _Tally())
            hours += tally.hours
            for name, count in tally.channels.items():
                channels[name] += count
            days.append(
                PostDay(
                    by_day.get((post.code, day), _zero(post.code, day)),
                    Dwell.of(tally.hours),
                    tally.channels,
                )
            )
        totals = _sum(post.code, period.start, (day.figures for day in days))
        report.append(PostPeriod(post, days, totals, Dwell.of(hours), channels))
    return report
