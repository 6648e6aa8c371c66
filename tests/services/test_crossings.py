"""Registering movements: consistency is checked, physical facts are recorded as they are."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from dostyk.domain.conveyances import Conveyance, ConveyanceKind, Crossing, Direction
from dostyk.domain.discrepancies import DiscrepancyKind
from dostyk.services.crossings import register_crossing
from dostyk.services.errors import NotAuthorised, NotFound, ValidationFailed
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import ARRIVED, T0, TARE_KG, ledger_size

ARRIVES = T0 + timedelta(hours=1)
TRAIN_2 = Crossing("X-TR2", "DST", "TR1", Direction.OUT, ARRIVES, laden=True)
NEW_WAGON = Conveyance("RC7", ConveyanceKind.RAILCAR, "50000007", "KZ", "KTZ", TARE_KG)


def unit(crossing_id: str, conveyance_id: str, **changes: object) -> Crossing:
    crossing = Crossing(
        crossing_id, "DST", conveyance_id, Direction.OUT, ARRIVES, True, TARE_KG + 30_000, "X-TR2"
    )
    return replace(crossing, **changes)  # type: ignore[arg-type]


def test_a_train_is_registered_with_its_railcars(lite: Engine) -> None:
    units = [unit("X-RC7-OUT", "RC7"), unit("X-RC1-OUT", "RC1")]
    size = ledger_size(lite)
    registered = register_crossing(
        lite, TRAIN_2, units, [NEW_WAGON], actor="IN-DST1", at=ARRIVES + timedelta(minutes=5)
    )
    assert registered.conveyances_added == ("RC7",)
    assert registered.discrepancies == ()
    assert ledger_size(lite) == size + 4
    with UnitOfWork(lite) as uow:
        assert uow.conveyances.get("RC7") == NEW_WAGON
        assert uow.crossings.of_movement("X-TR2") == sorted(units, key=lambda c: c.crossing_id)


def test_an_empty_railcar_that_is_not_empty_is_recorded_with_a_discrepancy(lite: Engine) -> None:
    heavy = unit("X-RC2-OUT", "RC2", laden=False, gross_mass_kg=TARE_KG + 12_000)
    light = unit("X-RC3-OUT", "RC3", laden=False, gross_mass_kg=TARE_KG + 300)
    registered = register_crossing(
        lite, TRAIN_2, [heavy, light], actor="IN-DST1", at=ARRIVES + timedelta(minutes=5)
    )
    [found] = registered.discrepancies
    assert found.kind is DiscrepancyKind.EMPTY_NOT_EMPTY
    assert (found.discrepancy_id, found.crossing_id) == ("Z-EE-X-RC2-OUT", "X-RC2-OUT")
    assert "declared empty but weighs 35500 kg against a tare of 23500 kg" in found.detail
    assert found.found_by == "IN-DST1"
    with UnitOfWork(lite) as uow:
        assert uow.crossings.get("X-RC2-OUT") == heavy
        assert uow.discrepancies.all() == [found]


def test_every_inconsistency_is_reported_at_once_and_nothing_is_kept(lite: Engine) -> None:
    described_otherwise = replace(NEW_WAGON, conveyance_id="RC1", tare_mass_kg=20_000.0)
    units = [
        unit("X-RC1", "RC4"),  # already registered
        unit("X-RC5-OUT", "RC5", part_of="X-TR1"),
        unit("X-RC6-OUT", "RC6", post_code="KHR", direction=Direction.IN),
        unit("X-TR1-OUT", "TR1"),
        unit("X-RC8-OUT", "RC8"),
        unit("X-RC1-OUT", "RC1", crossed_at=ARRIVES + timedelta(days=1)),
    ]
    size = ledger_size(lite)
    with pytest.raises(ValidationFailed) as refused:
        register_crossing(lite, TRAIN_2, units, [described_otherwise], actor="IN-DST1", at=ARRIVES)
    assert refused.value.reasons == [
        "conveyance RC1 is registered with registration '50000001', not '50000007', "
        "tare_mass_kg 23500.0, not 20000.0; registering a crossing does not change the register",
        "crossing X-RC1 is already registered",
        "conveyance TR1 cannot cross twice in one movement",
        "crossing X-RC8-OUT: conveyance RC8 is not registered; describe it with the crossing",
        "crossing X-RC1-OUT is registered at 2025-03-01T04:00:00Z, before it happens "
        "(2025-03-02T04:00:00Z)",
        "unit X-RC5-OUT names movement X-TR1, not X-TR2",
        "X-RC6-OUT is at KHR, its movement at DST",
        "X-RC6-OUT goes in, its movement out",
        "unit X-TR1-OUT: a train carries no cargo",
        "X-RC1-OUT crossed at 2025-03-02T04:00:00Z, but its movement X-TR2 at "
        "2025-03-01T04:00:00Z; a unit crosses with its movement (from 10 min before to 60 min "
        "after)",
    ]
    assert "crossing X-TR2 is not valid" in str(refused.value)
    assert ledger_size(lite) == size


def test_only_an_officer_posted_at_the_post_registers(lite: Engine) -> None:
    for actor in ("PC-KHR1", "BRK1", "HQ-0001"):
        with pytest.raises(NotAuthorised):
            register_crossing(lite, TRAIN_2, [], actor=actor, at=ARRIVES)
    with pytest.raises(NotFound, match="no post ZZZ"):
        register_crossing(lite, replace(TRAIN_2, post_code="ZZZ"), [], actor="IN-DST1", at=ARRIVES)


def test_a_railcar_is_not_a_movement(lite: Engine) -> None:
    alone = Crossing("X-RC1-ALONE", "DST", "RC1", Direction.OUT, ARRIVES, laden=True)
    with pytest.raises(ValidationFailed, match="a railcar does not cross on its own"):
        register_crossing(lite, alone, [], actor="IN-DST1", at=ARRIVES)


# --- plausibility: one conveyance, one place, one time ------------------------------------------


def test_a_railcar_cannot_cross_in_two_trains_at_the_same_minute(lite: Engine) -> None:
    """X-TR1 brought RC1 in at DST at 06:00; another train cannot bring it in then too."""
    other_train = Conveyance("TR9", ConveyanceKind.TRAIN, "2TE10U-0999", "KZ", "KTZ")
    second = Crossing("X-TR9", "DST", "TR9", Direction.IN, ARRIVED, laden=True)
    again = Crossing("X-RC1-B", "DST", "RC1", Direction.IN, ARRIVED, True, 63_500.0, "X-TR9")
    size = ledger_size(lite)
    with pytest.raises(ValidationFailed) as refused:
        register_crossing(lite, second, [again], [other_train], actor="IN-DST1", at=ARRIVES)
    assert refused.value.reasons == [
        "RC1 crosses at DST at 2025-03-01T01:00:00Z (X-RC1-B), but it crossed there at "
        "2025-03-01T01:00:00Z (X-RC1); a conveyance is in one movement and at one post at a time"
    ]
    assert ledger_size(lite) == size


def test_a_truck_cannot_be_at_two_posts_at_once(lite: Engine) -> None:
    truck = Conveyance("TK1", ConveyanceKind.TRUCK, "045ABC02", "CN", None, 9_000.0)
    at_khorgos = Crossing("X-TK1-KHR", "KHR", "TK1", Direction.IN, T0, True, 30_000.0)
    register_crossing(lite, at_khorgos, [], [truck], actor="PC-KHR1", at=ARRIVES)
    at_dostyk = replace(at_khorgos, crossing_id="X-TK1-DST", post_code="DST")
    with pytest.raises(ValidationFailed, match="but it crossed at KHR at 2025-03-01T03:00:00Z"):
        register_crossing(lite, replace(at_dostyk, crossed_at=T0 + timedelta(minutes=5)), [],
                          actor="IN-DST1", at=ARRIVES)  # fmt: skip
    # Hours later it may well cross again.
    later = replace(at_dostyk, crossed_at=T0 + timedelta(hours=3), direction=Direction.OUT)
    register_crossing(lite, later, [], actor="IN-DST1", at=later.crossed_at)


def test_a_unit_crosses_with_its_train_not_hours_before(lite: Engine) -> None:
    early = unit("X-RC1-OUT", "RC1", crossed_at=ARRIVES - timedelta(hours=3))
    with pytest.raises(ValidationFailed, match="X-RC1-OUT crossed at 2025-03-01T01:00:00Z, but"):
        register_crossing(lite, TRAIN_2, [early], actor="IN-DST1", at=ARRIVES)


def test_a_weighed_mass_is_within_what_the_kind_carries(lite: Engine) -> None:
    overloaded = unit("X-RC1-OUT", "RC1", gross_mass_kg=250_000.0)
    with pytest.raises(ValidationFailed, match="250,000 kg is more than a railcar weighs loaded"):
        register_crossing(lite, TRAIN_2, [overloaded], actor="IN-DST1", at=ARRIVES)
    assert register_crossing(
        lite, TRAIN_2, [replace(overloaded, gross_mass_kg=120_000.0)], actor="IN-DST1", at=ARRIVES
    ).units


def test_looking_for_the_conveyance_elsewhere_uses_the_index(lite: Engine) -> None:
    """The check reads a few minutes of the units' own crossings, never a scan of history."""
    with lite.connect() as connection:
        plan = connection.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT * FROM crossings WHERE conveyance_id IN (?, ?) "
            "AND crossed_at >= ? AND crossed_at <= ? ORDER BY conveyance_id, crossed_at",
            ("RC1", "RC2", "2025-03-01 00:00:00", "2025-03-01 01:00:00"),
        ).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert "USING INDEX ix_crossings_conveyance_id_crossed_at" in details, details
    assert "SCAN" not in details, details
