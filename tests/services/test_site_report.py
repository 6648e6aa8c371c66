"""Site reports: each post's figures per day and over a period, against figures worked by hand
on the test world and against the records of a short simulated run."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from dostyk.cli import app
from dostyk.domain.declarations import Channel
from dostyk.services import site_report as sr
from dostyk.services.errors import NotFound, ValidationFailed
from dostyk.store import tables as t
from dostyk.store.engine import make_engine
from dostyk.store.statistics import DailyFigures, daily_figures
from tests.services import world as w

FIRST = date(2025, 3, 1)
#: Hours the released declarations D1..D4 wait for release beyond their four-minute course.
WAITS = (0, 1, 2, 5)


def busy_day(engine: Engine) -> None:
    """D1-D4 green and released after 4, 64, 124 and 304 minutes; D5 red, inspected and paid
    but not released; D6 lodged and not assessed. Each carries 40 t worth 10,000,000.00."""
    flow = w.Flow(engine)
    for n, hours in enumerate(WAITS, start=1):
        flow.to_payment(w.lodging(n), Channel.GREEN)  # lodged at +1 min, paid at +4 min
        flow.now += timedelta(hours=hours)
        flow.release(f"D{n}")  # one minute later
    flow.to_payment(w.lodging(5), Channel.RED)
    flow.lodge(w.lodging(6))


def report(engine: Engine, start: date, end: date, post: str = w.POST) -> sr.PostPeriod:
    (found,) = sr.site_report(engine, sr.posts(engine, [post]), sr.Period.checked(start, end))
    return found


def test_a_busy_day_at_dostyk_as_worked_by_hand(world: Engine) -> None:
    busy_day(world)

    dst = report(world, FIRST, FIRST + timedelta(days=1))

    first, second = dst.days
    assert (first.figures.day, second.figures.day) == (FIRST, FIRST + timedelta(days=1))
    assert first.figures.railcars_in == w.RAILCARS
    assert first.figures.declarations == 6
    assert first.figures.tonnes == pytest.approx(6 * 40.0)
    assert first.figures.value == Decimal("60000000.00")
    assert first.channels == {"green": 4, "yellow": 0, "red": 1, "unassessed": 1}
    assert first.dwell.released == 4
    assert first.dwell.median_hours is not None and first.dwell.p90_hours is not None
    assert first.dwell.median_hours * 60 == pytest.approx((64 + 124) / 2)
    assert first.dwell.p90_hours * 60 == pytest.approx(304)  # 4th of 4 by nearest rank
    assert second.figures.declarations == 0 and second.dwell.released == 0
    assert second.dwell.median_hours is None and second.dwell.p90_hours is None
    assert dst.totals.declarations == 6 and dst.totals.railcars_in == w.RAILCARS
    assert dst.channels == first.channels and dst.dwell == first.dwell


def test_the_post_s_equipment_and_rollout_come_with_its_figures(world: Engine) -> None:
    data = report(world, FIRST, FIRST).as_json(with_days=False)

    post = next(p for p in sr.posts(world) if p.code == w.POST)
    assert data["rpm_lanes"] == post.rpm_lanes > 0
    assert data["rpm_funder"] == post.rpm_funder
    assert data["electronic_since"] == str(post.electronic_since)
    assert (data["latitude"], data["longitude"]) == (post.latitude, post.longitude)
    assert "days" not in data


def test_a_day_is_the_post_s_local_day(world: Engine) -> None:
    """02:00 at Dostyk on 2 March is still 1 March in UTC: it counts on 2 March."""
    flow = w.Flow(world, start=w.T0.replace(day=2, hour=2) - timedelta(minutes=1))
    flow.lodge(w.lodging(1))

    dst = report(world, FIRST, FIRST + timedelta(days=1))

    assert [d.figures.declarations for d in dst.days] == [0, 1]
    assert [d.channels["unassessed"] for d in dst.days] == [0, 1]
    assert report(world, FIRST, FIRST).totals.declarations == 0


def test_a_period_outside_the_traffic_shows_every_day_at_zero(world: Engine) -> None:
    busy_day(world)

    later = report(world, date(2025, 3, 10), date(2025, 3, 16))

    assert len(later.days) == 7
    assert later.totals.declarations == 0 and later.totals.railcars_in == 0
    assert later.dwell.released == 0 and sum(later.channels.values()) == 0


def test_a_period_is_checked() -> None:
    with pytest.raises(ValidationFailed, match="after the period's end"):
        sr.Period.checked(date(2025, 3, 2), date(2025, 3, 1))
    with pytest.raises(ValidationFailed, match=f"93 days; a report reads at most {sr.MAX_DAYS}"):
        sr.Period.checked(date(2025, 1, 1), date(2025, 1, 1) + timedelta(days=92))
    assert sr.Period.checked(date(2025, 1, 1), date(2025, 1, 1) + timedelta(days=91)).days == 92


def test_an_unknown_post_is_named(world: Engine) -> None:
    with pytest.raises(NotFound, match="no post NOPE"):
        sr.posts(world, ["DST", "NOPE"])


def test_percentile_by_nearest_rank() -> None:
    assert sr.percentile([], 0.9) is None
    assert sr.percentile([5.0], 0.9) == 5.0
    assert sr.percentile([float(n) for n in range(10, 0, -1)], 0.9) == 9.0
    assert sr.percentile([float(n) for n in range(1, 12)], 0.9) == 10.0  # ceil(9.9) = 10th


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """Two simulated days at Dostyk, as `dostyk simulate --days 2 --post DST` leaves them."""
    home = tmp_path_factory.mktemp("simulated")
    runner = CliRunner()
    for command in (["init"], ["simulate", "--days", "2", "--post", "DST"]):
        result = runner.invoke(app, ["--home", str(home), *command])
        assert result.exit_code == 0, result.output
    return make_engine(f"sqlite:///{Path(home) / 'dostyk.db'}")


def test_a_simulated_run_agrees_with_its_records(simulated: Engine) -> None:
    """Every figure recomputed from all the records, independently of the report's queries."""
    d, s = t.declarations.c, t.status_changes.c
    shift = timedelta(hours=sr.UTC_OFFSET_HOURS)
    with simulated.connect() as connection:
        lodged = {
            key: (at, channel)
            for key, at, channel in connection.execute(
                select(d.declaration_id, d.lodged_at, d.channel).where(
                    d.post_code == w.POST, d.status.notin_(["rejected", "cancelled"])
                )
            )
        }
        released = dict(
            connection.execute(
                select(s.declaration_id, s.at).where(s.to_status == "released")
            ).all()
        )
        everything = daily_figures(connection, offset_hours=sr.UTC_OFFSET_HOURS, posts=[w.POST])
    hours: dict[date, list[float]] = defaultdict(list)
    channels: dict[date, Counter[str]] = defaultdict(Counter)
    for key, (at, channel) in lodged.items():
        day = (at + shift).date()
        channels[day][channel or sr.UNASSESSED] += 1
        if key in released:
            hours[day].append((released[key] - at).total_seconds() / 3600)
    days = sorted({f.day for f in everything} | set(channels))
    assert len(days) >= 2 and sum(len(v) for v in hours.values()) > 10

    dst = report(simulated, days[0], days[-1])

    by_day = {f.day: f for f in everything}
    for day in dst.days:
        when = day.figures.day
        assert day.figures == by_day.get(when, DailyFigures(w.POST, when))
        assert day.channels == {c: channels[when][c] for c in sr.CHANNELS}
        assert sum(day.channels.values()) == day.figures.declarations
        waits = sorted(hours[when])
        assert day.dwell.released == len(waits)
        if waits:
            assert day.dwell.median_hours == pytest.approx(statistics.median(waits))
            assert day.dwell.p90_hours == pytest.approx(waits[math.ceil(0.9 * len(waits)) - 1])
    every_wait = sorted(h for v in hours.values() for h in v)
    assert dst.dwell.median_hours == pytest.approx(statistics.median(every_wait))
    assert dst.totals.declarations == len(lodged)
