"""Repositories give back exactly the domain records stored through them, on both backends.

The builders at the top describe a small, consistent world (parties, officers, a train with two
railcars, a truck, a declaration covering the railcars); the unit of work, type and statistics
tests reuse them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import TypeVar

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from dostyk import reference
from dostyk.domain.conveyances import Conveyance, ConveyanceKind, Crossing, Direction
from dostyk.domain.declarations import (
    Channel,
    Declaration,
    DeclarationItem,
    DeclarationKind,
    DeclarationStatus,
    DeclarationUnit,
)
from dostyk.domain.officers import Officer, Posting, Rank
from dostyk.domain.parties import Party, PartyRole
from dostyk.domain.ports import Post, RpmFunder, TransportMode
from dostyk.store.unit_of_work import UnitOfWork

T = TypeVar("T")

#: Kazakhstan keeps UTC+5; times are written as a post would see them.
ALMATY = timezone(timedelta(hours=5))
#: 08:00 in Dostyk, 03:00 UTC.
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=ALMATY)

CARRIER = Party(
    "KTZ", "Kazakhstan Temir Zholy", "020540003431", "KZ", frozenset({PartyRole.CARRIER})
)
BROKER = Party("BRK1", "Broker One LLP", "662585919944", "KZ", frozenset({PartyRole.DECLARANT}))
IMPORTER = Party(
    "IMP1",
    "Importer One LLP",
    "123456789012",
    "KZ",
    frozenset({PartyRole.IMPORTER, PartyRole.DECLARANT}),
)
EXPORTER = Party("EXP1", "Urumqi Trading Co", "91650100MA77", "CN", frozenset({PartyRole.EXPORTER}))
PARTIES = (CARRIER, BROKER, IMPORTER, EXPORTER)

HQ = Officer("HQ-0001", "Aigerim Sadykova", Rank.HQ)
CHIEF = Officer("PC-DST1", "Nurlan Abenov", Rank.POST_CHIEF, "HQ-0001")
INSPECTOR = Officer("IN-DST1", "Dana Omarova", Rank.INSPECTOR, "PC-DST1")
OFFICERS = (HQ, CHIEF, INSPECTOR)

TRAIN = Conveyance("TR1", ConveyanceKind.TRAIN, "2TE10U-0412", "KZ", "KTZ")
RAILCAR_1 = Conveyance("RC1", ConveyanceKind.RAILCAR, "50000001", "KZ", "KTZ", 23500.0)
RAILCAR_2 = Conveyance("RC2", ConveyanceKind.RAILCAR, "50000002", "KZ", None, 23750.5)
TRUCK = Conveyance("TK1", ConveyanceKind.TRUCK, "045ABC02", "KZ")
CONVEYANCES = (TRAIN, RAILCAR_1, RAILCAR_2, TRUCK)

TRAIN_IN = Crossing("X-TR1", "DST", "TR1", Direction.IN, T0, laden=True)
RAILCAR_1_IN = Crossing("X-RC1", "DST", "RC1", Direction.IN, T0, True, 69989.5, "X-TR1")
RAILCAR_2_IN = Crossing(
    "X-RC2", "DST", "RC2", Direction.IN, T0 + timedelta(seconds=40), True, 61000.0, "X-TR1"
)
#: A day later, at the road post, leaving empty.
TRUCK_OUT = Crossing("X-TK1", "KHR", "TK1", Direction.OUT, T0 + timedelta(days=1), laden=False)
CROSSINGS = (TRAIN_IN, RAILCAR_1_IN, RAILCAR_2_IN, TRUCK_OUT)

DECLARATION = Declaration(
    "D1",
    DeclarationKind.IMPORT,
    "DST",
    "BRK1",
    "REF-2025-0001",
    T0 + timedelta(hours=2),
    DeclarationStatus.ACCEPTED,
    importer_id="IMP1",
    exporter_id="EXP1",
    channel=Channel.YELLOW,
)
ITEM_1 = DeclarationItem(
    "D1",
    1,
    "8481800000",
    "Valves and taps",
    "CN",
    Decimal("26127"),
    "KGM",
    28222.2,
    26127.0,
    Decimal("301548.52"),
    "USD",
    Decimal("452.1"),
)
ITEM_2 = DeclarationItem(
    "D1",
    2,
    "9503000000",
    "Toys",
    "CN",
    Decimal("19243.125"),
    "KGM",
    20787.4,
    19243.0,
    Decimal("649577.68"),
    "CNY",
    Decimal("64.354321"),
    manifest_line_no=None,
)
ITEMS = (ITEM_1, ITEM_2)
UNITS = (DeclarationUnit("D1", "X-RC1"), DeclarationUnit("D1", "X-RC2"))


def add_world(uow: UnitOfWork) -> None:
    """Every record above, parents before children."""
    uow.parties.add_many(PARTIES)
    uow.officers.add_many(OFFICERS)
    uow.conveyances.add_many(CONVEYANCES)
    uow.crossings.add_many(CROSSINGS)
    uow.declarations.add(DECLARATION)
    uow.items.add_many(ITEMS)
    uow.units.add_many(UNITS)


def read(engine: Engine, query: Callable[[UnitOfWork], T]) -> T:
    """Run a query in a unit of work of its own, so it sees only what was committed."""
    with UnitOfWork(engine) as uow:
        return query(uow)


@pytest.fixture
def world(engine: Engine) -> Engine:
    with UnitOfWork(engine) as uow:
        add_world(uow)
    return engine


# Posts -------------------------------------------------------------------------------------------


def test_posts_and_tariff(engine: Engine) -> None:
    # The initialised store holds the reference posts.
    stored = read(engine, lambda uow: uow.posts.all())
    assert {p.code: p for p in stored} == {p.code: p for p in reference.posts()}
    assert read(engine, lambda uow: uow.posts.count()) == len(reference.posts())

    post = Post(
        "ZZ-TEST",
        "Test post (model)",
        TransportMode.ROAD,
        "CN",
        "Abai Region",
        47.123456,
        80.654321,
        rpm_lanes=2,
        rpm_funder=RpmFunder.DONOR_EU,
        electronic_since=date(2020, 2, 29),
        model_only=True,
        note="made up for the test; «кириллица» too",
    )
    airport = Post("ZZ-AIR", "Test airport", TransportMode.AIR, None, "Almaty", 43.35, 77.04)
    with UnitOfWork(engine) as uow:
        uow.posts.add(post)
        uow.posts.add(airport)

    got = read(engine, lambda uow: uow.posts.get("ZZ-TEST"))
    assert got == post
    assert got is not None and got.mode is TransportMode.ROAD
    assert got.rpm_funder is RpmFunder.DONOR_EU
    assert read(engine, lambda uow: uow.posts.get("ZZ-AIR")) == airport
    assert read(engine, lambda uow: uow.posts.get("NOPE")) is None
    assert read(engine, lambda uow: uow.posts.count()) == len(reference.posts()) + 2

    renamed = replace(post, name="Renamed post", rpm_lanes=0, rpm_funder=None)
    with UnitOfWork(engine) as uow:
        uow.posts.replace(renamed)
    assert read(engine, lambda uow: uow.posts.get("ZZ-TEST")) == renamed
    assert read(engine, lambda uow: uow.posts.count()) == len(reference.posts()) + 2

    # The reference tariff: VAT 12 % until 2025, 16 % from 2026.
    rates = read(engine, lambda uow: uow.tariff_rates.all())
    shipped = reference.tariff_rates()
    assert len(rates) == len(shipped)
    assert {(r.code_prefix, r.valid_from): r for r in rates} == {
        (r.code_prefix, r.valid_from): r for r in shipped
    }
    tariff = read(engine, lambda uow: uow.tariff_rates.tariff())
    assert len(tariff) == len(shipped)
    for code in ("0101210000", "8481800000", "9503000000"):
        assert tariff.rate_for(code, date(2026, 1, 1)).vat_rate == Decimal(16), code
        assert tariff.rate_for(code, date(2026, 7, 15)).vat_rate == Decimal(16), code
        assert tariff.rate_for(code, date(2025, 12, 31)).vat_rate == Decimal(12), code
        assert tariff.rate_for(code, date(2025, 3, 1)).vat_rate == Decimal(12), code
    assert tariff.rate_for("0101210000", date(2025, 3, 1)).duty_rate == Decimal(5)

    # Replacing a record that is not there is an error, not a silent no-op.
    with pytest.raises(LookupError, match="parties"), UnitOfWork(engine) as uow:
        uow.parties.replace(CARRIER)
    assert read(engine, lambda uow: uow.parties.count()) == 0


# Parties, officers and postings ------------------------------------------------------------------


def test_parties_officers_and_postings(world: Engine) -> None:
    stored = read(world, lambda uow: uow.parties.all())
    assert sorted(stored, key=lambda p: p.party_id) == sorted(PARTIES, key=lambda p: p.party_id)
    assert read(world, lambda uow: uow.parties.count()) == len(PARTIES)
    importer = read(world, lambda uow: uow.parties.get("IMP1"))
    assert importer == IMPORTER
    assert importer is not None
    assert importer.roles == frozenset({PartyRole.IMPORTER, PartyRole.DECLARANT})
    assert all(type(role) is PartyRole for role in importer.roles)

    changed = replace(BROKER, roles=frozenset({PartyRole.DECLARANT, PartyRole.CARRIER}))
    with UnitOfWork(world) as uow:
        uow.parties.replace(changed)
    assert read(world, lambda uow: uow.parties.get("BRK1")) == changed

    by_id = read(world, lambda uow: uow.officers.by_id())
    assert by_id == {o.officer_id: o for o in OFFICERS}
    assert by_id["IN-DST1"].rank is Rank.INSPECTOR
    assert by_id["IN-DST1"].supervisor_id == "PC-DST1"
    assert by_id["HQ-0001"].supervisor_id is None
    assert read(world, lambda uow: uow.officers.get("PC-DST1")) == CHIEF
    assert read(world, lambda uow: uow.officers.count()) == 3

    # Postings, open-ended and ended, and who serves at a post on a day.
    ended = Posting("IN-DST1", "DST", date(2024, 1, 1), date(2024, 12, 31))
    moved = Posting("IN-DST1", "KHR", date(2025, 1, 1))
    chief = Posting("PC-DST1", "DST", date(2023, 6, 1))
    with UnitOfWork(world) as uow:
        uow.postings.add_many([ended, moved, chief])

    def serving(post: str, day: date) -> list[Posting]:
        return read(world, lambda uow: uow.postings.serving_at(post, day))

    assert serving("DST", date(2023, 5, 31)) == []
    assert serving("DST", date(2023, 6, 1)) == [chief]
    assert serving("DST", date(2024, 1, 1)) == [ended, chief]
    assert serving("DST", date(2024, 12, 31)) == [ended, chief]
    assert serving("DST", date(2025, 1, 1)) == [chief]
    assert serving("KHR", date(2024, 12, 31)) == []
    assert serving("KHR", date(2025, 1, 1)) == [moved]
    assert serving("KHR", date(2040, 1, 1)) == [moved]

    assert read(world, lambda uow: uow.postings.get("IN-DST1", date(2024, 1, 1))) == ended
    assert read(world, lambda uow: uow.postings.get("IN-DST1", date(2024, 1, 2))) is None
    assert read(world, lambda uow: uow.postings.count()) == 3

    closed = replace(moved, end_date=date(2025, 6, 30))
    with UnitOfWork(world) as uow:
        uow.postings.replace(closed)
    assert serving("KHR", date(2025, 6, 30)) == [closed]
    assert serving("KHR", date(2025, 7, 1)) == []


# Conveyances and crossings -----------------------------------------------------------------------


def test_conveyances_and_crossings(world: Engine) -> None:
    stored = read(world, lambda uow: uow.conveyances.all())
    assert sorted(stored, key=lambda c: c.conveyance_id) == sorted(
        CONVEYANCES, key=lambda c: c.conveyance_id
    )
    assert read(world, lambda uow: uow.conveyances.count()) == 4
    railcar = read(world, lambda uow: uow.conveyances.get("RC2"))
    assert railcar == RAILCAR_2
    assert railcar is not None and railcar.kind is ConveyanceKind.RAILCAR
    assert railcar.carrier_id is None and railcar.tare_mass_kg == 23750.5

    got = read(world, lambda uow: uow.crossings.get("X-RC1"))
    assert got == RAILCAR_1_IN
    assert got is not None
    assert got.direction is Direction.IN
    assert got.laden is True
    assert got.part_of == "X-TR1"
    truck = read(world, lambda uow: uow.crossings.get("X-TK1"))
    assert truck == TRUCK_OUT
    assert truck is not None
    assert truck.direction is Direction.OUT
    assert truck.laden is False and truck.gross_mass_kg is None and truck.part_of is None
    assert read(world, lambda uow: uow.crossings.count()) == len(CROSSINGS)
    assert read(world, lambda uow: uow.crossings.all()) == sorted(
        CROSSINGS, key=lambda c: c.crossing_id
    )

    # The units of a movement.
    units = read(world, lambda uow: uow.crossings.of_movement("X-TR1"))
    assert units == [RAILCAR_1_IN, RAILCAR_2_IN]
    assert read(world, lambda uow: uow.crossings.of_movement("X-RC1")) == []

    # At a post, in a half-open interval whose bounds may be given in any zone.
    def at(post: str, start: datetime, end: datetime) -> list[Crossing]:
        return read(world, lambda uow: uow.crossings.at_post(post, start, end))

    start = datetime(2025, 3, 1, 3, 0, tzinfo=UTC)  # T0, 08:00 at UTC+5
    # In key order; the railcar that crossed at the end of the interval is not in it.
    assert at("DST", start, start + timedelta(seconds=40)) == [RAILCAR_1_IN, TRAIN_IN]
    assert at("DST", T0, T0 + timedelta(seconds=41)) == [RAILCAR_1_IN, RAILCAR_2_IN, TRAIN_IN]
    assert at("DST", T0 + timedelta(seconds=1), T0 + timedelta(hours=1)) == [RAILCAR_2_IN]
    assert at("DST", T0 - timedelta(hours=1), T0) == []
    assert at("KHR", T0, T0 + timedelta(days=2)) == [TRUCK_OUT]
    assert at("ALT", T0, T0 + timedelta(days=2)) == []

    # Many by identifier, unknown ones left out; any iterable will do.
    found = read(world, lambda uow: uow.crossings.many(["X-RC2", "X-TK1", "X-MISSING"]))
    assert found == {"X-RC2": RAILCAR_2_IN, "X-TK1": TRUCK_OUT}
    assert read(world, lambda uow: uow.crossings.many([])) == {}
    many = read(world, lambda uow: uow.crossings.many(c.crossing_id for c in CROSSINGS))
    assert many == {c.crossing_id: c for c in CROSSINGS}


# Declarations, items and units -------------------------------------------------------------------


def test_declarations(world: Engine) -> None:
    got = read(world, lambda uow: uow.declarations.get("D1"))
    assert got == DECLARATION
    assert got is not None
    assert got.kind is DeclarationKind.IMPORT
    assert got.status is DeclarationStatus.ACCEPTED
    assert got.channel is Channel.YELLOW
    assert got.manifest_id is None

    # By the declarant's own reference: another declarant's identical one is another declaration.
    found = read(world, lambda uow: uow.declarations.by_reference("BRK1", "REF-2025-0001"))
    assert found == DECLARATION
    assert read(world, lambda uow: uow.declarations.by_reference("IMP1", "REF-2025-0001")) is None
    assert read(world, lambda uow: uow.declarations.by_reference("BRK1", "REF-2025-0002")) is None

    second = replace(
        DECLARATION,
        declaration_id="D2",
        reference="REF-2025-0002",
        status=DeclarationStatus.LODGED,
        channel=None,
    )
    elsewhere = replace(
        DECLARATION, declaration_id="D3", reference="REF-2025-0003", post_code="ALT"
    )
    with UnitOfWork(world) as uow:
        uow.declarations.add_many([second, elsewhere])
    assert read(world, lambda uow: uow.declarations.all()) == [DECLARATION, second, elsewhere]
    assert read(world, lambda uow: uow.declarations.count()) == 3

    def with_status(post: str, status: DeclarationStatus) -> list[Declaration]:
        return read(world, lambda uow: uow.declarations.with_status(post, status))

    assert with_status("DST", DeclarationStatus.ACCEPTED) == [DECLARATION]
    assert with_status("DST", DeclarationStatus.LODGED) == [second]
    assert with_status("ALT", DeclarationStatus.ACCEPTED) == [elsewhere]
    assert with_status("DST", DeclarationStatus.RELEASED) == []

    released = replace(DECLARATION, status=DeclarationStatus.RELEASED, channel=Channel.RED)
    with UnitOfWork(world) as uow:
        uow.declarations.replace(released)
    assert with_status("DST", DeclarationStatus.ACCEPTED) == []
    assert with_status("DST", DeclarationStatus.RELEASED) == [released]
    got = read(world, lambda uow: uow.declarations.get("D1"))
    assert got is not None and got.channel is Channel.RED


def test_a_replaced_declaration_is_stored_whole_whatever_was_read_before(world: Engine) -> None:
    """A declaration's UPDATE sets only the columns that differ from the record as read in the
    same unit of work; what is stored is still the whole new record, whether it was read, added
    or replaced earlier in that unit of work, or not seen at all."""
    second = replace(DECLARATION, declaration_id="D2", reference="REF-2025-0002", channel=None)
    with UnitOfWork(world) as uow:
        read_first = uow.declarations.get("D1")
        assert read_first == DECLARATION
        assessed = replace(DECLARATION, status=DeclarationStatus.ASSESSED, channel=Channel.RED)
        uow.declarations.replace(assessed)
        # Replaced again: the columns are compared with the record just written, not as read.
        uow.declarations.replace(replace(assessed, channel=Channel.YELLOW, importer_id="BRK1"))
        uow.declarations.add(second)
        uow.declarations.replace(replace(second, status=DeclarationStatus.REJECTED))
    assert read(world, lambda uow: uow.declarations.get("D1")) == replace(
        assessed, channel=Channel.YELLOW, importer_id="BRK1"
    )
    assert read(world, lambda uow: uow.declarations.get("D2")) == replace(
        second, status=DeclarationStatus.REJECTED
    )
    # Not read in this unit of work: every column is set.
    unseen = replace(
        DECLARATION,
        reference="REF-2025-0009",
        status=DeclarationStatus.RELEASED,
        importer_id="IMP1",
        channel=Channel.GREEN,
    )
    with UnitOfWork(world) as uow:
        uow.declarations.replace(unseen)
    assert read(world, lambda uow: uow.declarations.get("D1")) == unseen
    # Replaced with what it holds: nothing differs, and the row must still be found.
    with UnitOfWork(world) as uow:
        same = uow.declarations.get("D1")
        assert same is not None
        uow.declarations.replace(same)
        with pytest.raises(LookupError):
            uow.declarations.replace(replace(same, declaration_id="D404"))


def test_items_and_units(world: Engine) -> None:
    items = read(world, lambda uow: uow.items.of("D1"))
    assert items == list(ITEMS)
    assert items[1].quantity == Decimal("19243.125")
    assert items[1].exchange_rate == Decimal("64.354321")
    assert all(isinstance(i.customs_value, Decimal) for i in items)
    assert items[0].value_national == ITEM_1.value_national
    assert read(world, lambda uow: uow.items.get("D1", 2)) == ITEM_2
    assert read(world, lambda uow: uow.items.of("D2")) == []
    assert read(world, lambda uow: uow.items.count()) == 2

    assert read(world, lambda uow: uow.units.of("D1")) == list(UNITS)
    assert read(world, lambda uow: uow.units.covering("X-RC2")) == [UNITS[1]]
    assert read(world, lambda uow: uow.units.covering("X-TR1")) == []
    second = replace(DECLARATION, declaration_id="D2", reference="REF-2025-0002")
    with UnitOfWork(world) as uow:
        uow.declarations.add(second)
        uow.units.add(DeclarationUnit("D2", "X-RC2"))
    covering = read(world, lambda uow: uow.units.covering("X-RC2"))
    assert covering == [UNITS[1], DeclarationUnit("D2", "X-RC2")]

    # The same unit twice on one declaration is refused.
    with pytest.raises(IntegrityError, match=r"(?i)unique|duplicate"), UnitOfWork(world) as uow:
        uow.units.add(UNITS[0])
    assert read(world, lambda uow: uow.units.count()) == 3
