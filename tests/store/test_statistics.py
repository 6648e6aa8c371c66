"""Daily figures per post and local day, checked against counts made independently."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from dostyk.domain.conveyances import Conveyance, ConveyanceKind, Crossing, Direction
from dostyk.domain.declarations import Declaration, DeclarationStatus
from dostyk.interchange.datapackage import import_package
from dostyk.store.statistics import DailyFigures, daily_figures
from dostyk.store.unit_of_work import UnitOfWork
from tests.conftest import SAMPLE_PACKAGE
from tests.store.test_repositories import DECLARATION, ITEM_1, ITEMS, PARTIES

COUNTS = (
    "railcars_in",
    "railcars_out",
    "trucks_in",
    "trucks_out",
    "empty_returns",
    "passenger_trains",
    "declarations",
)
#: Declarations that never took effect are not traffic.
VOID = {"rejected", "cancelled"}


def _rows(package: Path, name: str) -> list[dict[str, str]]:
    with (package / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _local_day(text: str, offset_hours: int) -> date:
    instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (instant.astimezone(UTC) + timedelta(hours=offset_hours)).date()


def cents(amount: Decimal) -> Decimal:
    """An item's value in national currency, to the cent, half up, as duty is computed on it."""
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def expected_figures(package: Path, offset_hours: int) -> dict[tuple[str, date], dict[str, Any]]:
    """The daily figures counted straight from a data package's CSV files.

    ``value`` is the sum of the items' national values, each rounded to the cent.
    """
    kinds = {row["conveyance_id"]: row["kind"] for row in _rows(package, "conveyances")}
    figures: dict[tuple[str, date], dict[str, Any]] = defaultdict(
        lambda: {**dict.fromkeys(COUNTS, 0), "mass_kg": 0.0, "value": Decimal(0)}
    )
    for crossing in _rows(package, "crossings"):
        day = _local_day(crossing["crossed_at"], offset_hours)
        counts = figures[crossing["post_code"], day]
        kind, direction = kinds[crossing["conveyance_id"]], crossing["direction"]
        if kind in ("railcar", "truck"):
            counts[f"{kind}s_{direction}"] += 1
        if kind == "truck" and direction == "out" and crossing["laden"] == "false":
            counts["empty_returns"] += 1
        if kind == "passenger_train":
            counts["passenger_trains"] += 1
    where: dict[str, tuple[str, date]] = {}
    for declaration in _rows(package, "declarations"):
        if declaration["status"] in VOID:
            continue
        key = (declaration["post_code"], _local_day(declaration["lodged_at"], offset_hours))
        where[declaration["declaration_id"]] = key
        figures[key]["declarations"] += 1
    for item in _rows(package, "declaration_items"):
        if item["declaration_id"] not in where:
            continue
        counts = figures[where[item["declaration_id"]]]
        counts["mass_kg"] += float(item["gross_mass_kg"])
        counts["value"] += cents(Decimal(item["customs_value"]) * Decimal(item["exchange_rate"]))
    return {
        key: {
            **{name: counts[name] for name in COUNTS},
            "tonnes": counts["mass_kg"] / 1000,
            "value": counts["value"],
        }
        for key, counts in figures.items()
    }


def as_comparable(figures: list[DailyFigures]) -> dict[tuple[str, date], dict[str, Any]]:
    return {
        (f.post_code, f.day): {
            **{name: getattr(f, name) for name in COUNTS},
            "tonnes": pytest.approx(f.tonnes, rel=1e-12, abs=1e-9),
            "value": f.value,
        }
        for f in figures
    }


def rounded(figures: list[DailyFigures]) -> list[DailyFigures]:
    """Tonnes are a float sum, whose last bits depend on the order rows are added in."""
    return [replace(f, tonnes=round(f.tonnes, 6)) for f in figures]


def figures(engine: Engine, **options: Any) -> list[DailyFigures]:
    with engine.connect() as connection:
        return daily_figures(connection, **options)


# The sample package ------------------------------------------------------------------------------


def test_daily_figures_of_the_sample_package(engine: Engine) -> None:
    import_package(engine, SAMPLE_PACKAGE)
    for offset in (5, 0):
        got = figures(engine, offset_hours=offset)
        expected = expected_figures(SAMPLE_PACKAGE, offset)
        assert as_comparable(got) == expected, f"offset {offset}"
        assert [(f.post_code, f.day) for f in got] == sorted(expected)
        assert all(isinstance(f.value, Decimal) for f in got)
        assert all(f.value == f.value.quantize(Decimal("0.01")) for f in got)
    # The package has traffic on the evening of 29 February UTC: the next morning in Dostyk.
    railcars = len(
        [
            c
            for c in _rows(SAMPLE_PACKAGE, "crossings")
            if c["conveyance_id"]
            in {
                v["conveyance_id"]
                for v in _rows(SAMPLE_PACKAGE, "conveyances")
                if v["kind"] == "railcar"
            }
        ]
    )
    everything = figures(engine, offset_hours=5)
    assert sum(f.railcars_in + f.railcars_out for f in everything) == railcars
    assert sum(f.declarations for f in everything) == len(_rows(SAMPLE_PACKAGE, "declarations"))

    # Filtered by post and by day.
    posts = sorted({f.post_code for f in everything})
    assert len(posts) >= 2
    only_first = figures(engine, offset_hours=5, posts=[posts[0]])
    assert rounded(only_first) == rounded([f for f in everything if f.post_code == posts[0]])
    days = sorted({f.day for f in figures(engine, offset_hours=0)})
    first, last = days[0], days[-1]
    assert first < last
    early = figures(engine, offset_hours=0, end=first)
    late = figures(engine, offset_hours=0, start=last, end=last)
    assert {f.day for f in early} == {first}
    assert {f.day for f in late} == {last}
    assert figures(engine, offset_hours=0, start=last + timedelta(days=1)) == []
    assert figures(engine, offset_hours=5, posts=["NOPE"]) == []

    # As JSON, for the command line and the API.
    figure = everything[0]
    data = figure.as_json()
    assert data["day"] == figure.day.isoformat()
    assert data["value"] == str(figure.value)
    assert data["tonnes"] == round(figure.tonnes, 3)
    assert data["post_code"] == figure.post_code
    json.dumps([f.as_json() for f in everything])


# A small scenario through the repositories -------------------------------------------------------


def _truck(conveyance_id: str) -> Conveyance:
    return Conveyance(conveyance_id, ConveyanceKind.TRUCK, f"{conveyance_id}-KZ", "KZ")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _crossing(
    crossing_id: str,
    post: str,
    conveyance: str,
    direction: Direction,
    at: str,
    laden: bool,
    part_of: str | None = None,
) -> Crossing:
    return Crossing(crossing_id, post, conveyance, direction, _at(at), laden, part_of=part_of)


SCENARIO_CONVEYANCES = (
    _truck("TK-A"),
    _truck("TK-B"),
    _truck("TK-C"),
    Conveyance("TL-A", ConveyanceKind.TRAILER, "TL-A-KZ", "KZ"),
    Conveyance("RC-1", ConveyanceKind.RAILCAR, "50000001", "KZ"),
    Conveyance("PT-1", ConveyanceKind.PASSENGER_TRAIN, "013/014", "KZ"),
)
IN, OUT = Direction.IN, Direction.OUT
RAIL = ("DST", date(2025, 3, 1))
SCENARIO_CROSSINGS = (
    # At the road post, 1 March local time (UTC+5).
    _crossing("K1", "KHR", "TK-A", IN, "2025-03-01T04:00:00", laden=True),
    _crossing("K2", "KHR", "TL-A", IN, "2025-03-01T04:00:00", laden=True, part_of="K1"),
    _crossing("K3", "KHR", "TK-B", IN, "2025-03-01T05:00:00", laden=True),
    _crossing("K4", "KHR", "TK-A", OUT, "2025-03-01T12:00:00", laden=False),
    _crossing("K5", "KHR", "TK-B", OUT, "2025-03-01T13:00:00", laden=True),
    # 23:59:59 local: still 1 March.
    _crossing("K6", "KHR", "TK-C", OUT, "2025-03-01T18:59:59", laden=False),
    # 20:30 UTC is 01:30 on 2 March in Kazakhstan.
    _crossing("K7", "KHR", "TK-C", IN, "2025-03-01T20:30:00", laden=True),
    # At the rail post.
    _crossing("D1", "DST", "RC-1", OUT, "2025-03-01T10:00:00", laden=False),
    _crossing("D2", "DST", "PT-1", IN, "2025-03-01T11:00:00", laden=True),
)


def _declaration(declaration_id: str, at: str, status: DeclarationStatus) -> Declaration:
    return replace(
        DECLARATION,
        declaration_id=declaration_id,
        reference=f"REF-{declaration_id}",
        post_code="KHR",
        lodged_at=_at(at),
        status=status,
    )


VALUED = replace(
    ITEM_1, declaration_id="DV", customs_value=Decimal("100.03"), exchange_rate=Decimal("4.5")
)


def add_scenario(uow: UnitOfWork) -> None:
    uow.parties.add_many(PARTIES)
    uow.conveyances.add_many(SCENARIO_CONVEYANCES)
    uow.crossings.add_many(SCENARIO_CROSSINGS)
    # Lodged at 00:30 on 2 March local time, with the two items of the repositories' world.
    uow.declarations.add(_declaration("D1", "2025-03-01T19:30:00", DeclarationStatus.RELEASED))
    uow.items.add_many(ITEMS)
    # On 1 March: one without items, and two that never took effect.
    uow.declarations.add(_declaration("DX", "2025-03-01T10:00:00", DeclarationStatus.ACCEPTED))
    uow.declarations.add(_declaration("DR", "2025-03-01T10:00:00", DeclarationStatus.REJECTED))
    uow.declarations.add(_declaration("DC", "2025-03-01T10:05:00", DeclarationStatus.CANCELLED))
    uow.items.add(replace(ITEM_1, declaration_id="DR"))
    # At the rail post on 5 March: 100.03 USD at 4.5 is 450.135 exactly, 450.14 to the cent,
    # but the binary float 450.13499... would give 450.13.
    uow.declarations.add(
        replace(
            _declaration("DV", "2025-03-05T06:00:00", DeclarationStatus.RELEASED),
            post_code="DST",
        )
    )
    uow.items.add(VALUED)


@pytest.fixture
def scenario(engine: Engine) -> Engine:
    with UnitOfWork(engine) as uow:
        add_scenario(uow)
    return engine


def test_a_scenario_built_through_the_repositories(scenario: Engine) -> None:
    by_key = {(f.post_code, f.day): f for f in figures(scenario, offset_hours=5)}
    march_1 = by_key["KHR", date(2025, 3, 1)]
    assert (march_1.trucks_in, march_1.trucks_out, march_1.empty_returns) == (2, 3, 2)
    assert (march_1.railcars_in, march_1.railcars_out, march_1.passenger_trains) == (0, 0, 0)
    march_2 = by_key["KHR", date(2025, 3, 2)]
    assert (march_2.trucks_in, march_2.trucks_out, march_2.empty_returns) == (1, 0, 0)
    rail = by_key[RAIL]
    assert (rail.railcars_in, rail.railcars_out, rail.passenger_trains) == (0, 1, 1)
    assert (rail.trucks_in, rail.trucks_out, rail.empty_returns, rail.declarations) == (0, 0, 0, 0)
    assert set(by_key) == {
        ("KHR", date(2025, 3, 1)),
        ("KHR", date(2025, 3, 2)),
        RAIL,
        ("DST", date(2025, 3, 5)),
    }

    # The local day follows the offset.
    utc = {(f.post_code, f.day): f for f in figures(scenario, offset_hours=0)}
    assert set(utc) == {("KHR", date(2025, 3, 1)), RAIL, ("DST", date(2025, 3, 5))}
    assert utc["KHR", date(2025, 3, 1)].trucks_in == 3
    assert utc["KHR", date(2025, 3, 1)].declarations == 2
    # West of Greenwich the early crossings fall on the last day of February.
    west = {(f.post_code, f.day): f for f in figures(scenario, offset_hours=-5)}
    assert west["KHR", date(2025, 2, 28)].trucks_in == 1
    assert west["KHR", date(2025, 3, 1)].trucks_in == 2

    # Declarations, tonnes and value.
    march_1, march_2 = by_key["KHR", date(2025, 3, 1)], by_key["KHR", date(2025, 3, 2)]
    # Rejected and cancelled declarations are not counted; one without items is.
    assert (march_1.declarations, march_1.tonnes, march_1.value) == (1, 0.0, Decimal("0.00"))
    assert march_2.declarations == 1
    assert march_2.tonnes == pytest.approx((28222.2 + 20787.4) / 1000)
    # 136330085.892 and 41803130.53315528: each item to the cent, then added.
    assert march_2.value == sum(cents(i.customs_value * i.exchange_rate) for i in ITEMS)
    assert march_2.value == Decimal("136330085.89") + Decimal("41803130.53")
    # Amounts are added as exact decimals, never as binary floats (as SQLite would).
    valued = by_key["DST", date(2025, 3, 5)]
    assert (valued.declarations, valued.value) == (1, Decimal("450.14"))
    assert valued.value == VALUED.value_national
