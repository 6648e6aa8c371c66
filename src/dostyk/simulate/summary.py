"""What a simulation produced, read back from the store, beside the public record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine, func, select

from dostyk.simulate.calibration import DOSTYK_RAIL, DOSTYK_ROAD, PUBLIC_DOSTYK
from dostyk.store import tables as t
from dostyk.store.statistics import DailyFigures, daily_figures

KZ_UTC_OFFSET = 5


@dataclass(frozen=True)
class CalibrationRow:
    figure: str
    public: float
    simulated: float

    @property
    def deviation(self) -> float:
        return (self.simulated - self.public) / self.public if self.public else 0.0


@dataclass(frozen=True)
class PostTotals:
    post_code: str
    railcars_in: int
    trucks_in: int
    empty_returns: int
    declarations: int
    tonnes: float
    value: Decimal


def figures(engine: Engine, start: date, days: int) -> list[DailyFigures]:
    with engine.connect() as connection:
        return daily_figures(
            connection,
            offset_hours=KZ_UTC_OFFSET,
            start=start,
            end=start + timedelta(days=days - 1),
        )


def post_totals(rows: list[DailyFigures]) -> list[PostTotals]:
    by_post: dict[str, list[DailyFigures]] = {}
    for row in rows:
        by_post.setdefault(row.post_code, []).append(row)
    return [
        PostTotals(
            code,
            sum(r.railcars_in for r in own),
            sum(r.trucks_in for r in own),
            sum(r.empty_returns for r in own),
            sum(r.declarations for r in own),
            sum(r.tonnes for r in own),
            sum((r.value for r in own), Decimal(0)),
        )
        for code, own in sorted(by_post.items())
    ]


def calibration(rows: list[DailyFigures], days: int) -> list[CalibrationRow]:
    """Dostyk's simulated figures, per day or scaled to a year, beside the public ones."""
    rail = [r for r in rows if r.post_code == DOSTYK_RAIL]
    road = [r for r in rows if r.post_code == DOSTYK_ROAD]
    railcars = sum(r.railcars_in for r in rail)
    transactions = sum(r.declarations for r in rail)
    year = 365 / days
    return [
        CalibrationRow("railcars per day", PUBLIC_DOSTYK["railcars_per_day"], railcars / days),
        CalibrationRow(
            "passenger trains per week",
            PUBLIC_DOSTYK["passenger_trains_per_week"],
            sum(r.passenger_trains for r in rail) * 7 / days,
        ),
        CalibrationRow(
            "import transactions per year",
            PUBLIC_DOSTYK["import_transactions_per_year"],
            transactions * year,
        ),
        CalibrationRow(
            "tonnes per year", PUBLIC_DOSTYK["tonnes_per_year"], sum(r.tonnes for r in rail) * year
        ),
        CalibrationRow(
            "railcars per transaction",
            PUBLIC_DOSTYK["railcars_per_transaction"],
            railcars / transactions if transactions else 0.0,
        ),
        CalibrationRow(
            "laden trucks in per day",
            PUBLIC_DOSTYK["trucks_in_per_day"],
            sum(r.trucks_in for r in road) / days,
        ),
        CalibrationRow(
            "empty returns per day",
            PUBLIC_DOSTYK["empty_returns_per_day"],
            sum(r.empty_returns for r in road) / days,
        ),
    ]


def channel_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(t.declarations.c.channel, func.count()).group_by(t.declarations.c.channel)
        )
        return {str(channel or "none"): int(count) for channel, count in rows}


def finding_totals(engine: Engine) -> tuple[int, Decimal, Decimal]:
    """Findings, their extra duties, and all payments received (national currency)."""
    with engine.connect() as connection:
        findings, extra = connection.execute(
            select(func.count(), func.coalesce(func.sum(t.findings.c.extra_duty), 0))
        ).one()
        payments = connection.execute(
            select(func.coalesce(func.sum(t.payments.c.amount), 0))
        ).scalar_one()
    return int(findings), Decimal(str(extra)), Decimal(str(payments))
