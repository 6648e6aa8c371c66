"""Daily figures per post, computed in the database.

A post's day is its local calendar day: the instant is shifted by the country's offset from UTC
(Kazakhstan keeps UTC+5 all year) before the date is taken, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Date, and_, case, cast, func, literal_column, select, text
from sqlalchemy.sql.elements import ColumnElement

from dostyk.domain.money import to_amount
from dostyk.store import tables as t


@dataclass(frozen=True)
class DailyFigures:
    post_code: str
    day: date
    railcars_in: int = 0
    railcars_out: int = 0
    trucks_in: int = 0
    trucks_out: int = 0
    empty_returns: int = 0
    passenger_trains: int = 0
    declarations: int = 0
    tonnes: float = 0.0
    value: Decimal = Decimal("0.00")

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        data["tonnes"] = round(self.tonnes, 3)
        data["value"] = str(self.value)
        return data


def local_day(connection: Connection, column: Any, offset_hours: int) -> ColumnElement[Any]:
    if connection.dialect.name == "sqlite":
        return func.date(column, f"{offset_hours:+d} hours")
    shifted = column.op("AT TIME ZONE")(text("'UTC'")) + text(f"interval '{offset_hours} hours'")
    return cast(shifted, Date)


def instants_of(
    start: date | None, end: date | None, offset_hours: int
) -> tuple[datetime | None, datetime | None]:
    """The UTC instants that bound local days ``start`` to ``end`` (inclusive): [first, last)."""
    shift = timedelta(hours=offset_hours)
    first = None if start is None else datetime.combine(start, time(), UTC) - shift
    last = None if end is None else datetime.combine(end + timedelta(days=1), time(), UTC) - shift
    return first, last


def within(column: Any, first: datetime | None, last: datetime | None) -> list[Any]:
    """Conditions keeping ``column`` in [first, last), for the post-and-time indexes."""
    conditions = []
    if first is not None:
        conditions.append(column >= first)
    if last is not None:
        conditions.append(column < last)
    return conditions


def daily_figures(
    connection: Connection,
    *,
    offset_hours: int,
    posts: Sequence[str] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[DailyFigures]:
    """Figures per (post, day) for every day with any traffic, in the optional range.

    The range is applied to the instants in SQL, so with ``posts`` named a bounded period reads
    only its own rows (the indexes on post and time), however long the history.
    """
    first, last = instants_of(start, end, offset_hours)
    figures: dict[tuple[str, date], dict[str, Any]] = {}

    def merge(rows: Any) -> None:
        for row in rows:
            mapping = dict(row._mapping)
            day = mapping.pop("day")
            if isinstance(day, str):
                day = date.fromisoformat(day)
            if (start and day < start) or (end and day > end):
                continue
            key = (mapping.pop("post_code"), day)
            figures.setdefault(key, {}).update({k: v for k, v in mapping.items()})

    c, v = t.crossings.c, t.conveyances.c
    day = local_day(connection, c.crossed_at, offset_hours).label("day")
    kind, direction = v.kind, c.direction

    def count_of(condition: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.sum(case((condition, 1), else_=0))

    crossing_query = (
        select(
            c.post_code.label("post_code"),
            day,
            count_of(and_(kind == "railcar", direction == "in")).label("railcars_in"),
            count_of(and_(kind == "railcar", direction == "out")).label("railcars_out"),
            count_of(and_(kind == "truck", direction == "in")).label("trucks_in"),
            count_of(and_(kind == "truck", direction == "out")).label("trucks_out"),
            count_of(and_(kind == "truck", direction == "out", c.laden.is_(False))).label(
                "empty_returns"
            ),
            count_of(kind == "passenger_train").label("passenger_trains"),
        )
        .join(t.conveyances, v.conveyance_id == c.conveyance_id)
        .where(*within(c.crossed_at, first, last))
        .group_by(c.post_code, literal_column("day"))
    )
    if posts:
        crossing_query = crossing_query.where(c.post_code.in_(posts))
    merge(connection.execute(crossing_query))

    # Declarations are summed here rather than in SQL: amounts are exact decimals, which SQLite
    # would multiply and add as binary floats.
    d, i = t.declarations.c, t.declaration_items.c
    lodged_day = local_day(connection, d.lodged_at, offset_hours).label("day")
    items = (
        select(
            d.declaration_id,
            d.post_code,
            lodged_day,
            i.gross_mass_kg,
            i.customs_value,
            i.exchange_rate,
        )
        .outerjoin(t.declaration_items, i.declaration_id == d.declaration_id)
        .where(d.status.notin_(["rejected", "cancelled"]), *within(d.lodged_at, first, last))
    )
    if posts:
        items = items.where(d.post_code.in_(posts))
    totals: dict[tuple[str, date], dict[str, Any]] = {}
    seen: set[str] = set()
    for declaration_id, post_code, when, mass, value, rate in connection.execute(items):
        day_of = date.fromisoformat(when) if isinstance(when, str) else when
        if (start and day_of < start) or (end and day_of > end):
            continue
        total = totals.setdefault(
            (post_code, day_of), {"declarations": 0, "tonnes": 0.0, "value": Decimal(0)}
        )
        if declaration_id not in seen:
            seen.add(declaration_id)
            total["declarations"] += 1
        if mass is not None:
            total["tonnes"] += mass / 1000.0
            total["value"] += to_amount(value * rate)  # each item to the cent, as duty bases
    for key, total in totals.items():
        figures.setdefault(key, {}).update(total)

    result = []
    for (post_code, when), values in sorted(figures.items()):
        values = {k: (0 if val is None else val) for k, val in values.items()}
        if "value" in values:
            values["value"] = to_amount(values["value"])
        if "tonnes" in values:
            values["tonnes"] = float(values["tonnes"])
        result.append(DailyFigures(post_code=post_code, day=when, **values))
    return result
