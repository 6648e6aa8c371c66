from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from dostyk.domain.conveyances import (
    Conveyance,
    ConveyanceKind,
    Crossing,
    Direction,
    check_laden_mass,
    check_part_of,
)

from .helpers import NAIVE, T0, violates

RAILCAR = Conveyance(
    conveyance_id="RC-54321678",
    kind=ConveyanceKind.RAILCAR,
    registration="54321678",
    country="KZ",
    carrier_id="ktz",
    tare_mass_kg=24_000.0,
)
TRAIN = Crossing(
    crossing_id="X-TRAIN-1",
    post_code="DOSTYK",
    conveyance_id="TR-2001",
    direction=Direction.IN,
    crossed_at=T0,
    laden=True,
)
CAR = Crossing(
    crossing_id="X-CAR-1",
    post_code="DOSTYK",
    conveyance_id="RC-54321678",
    direction=Direction.IN,
    crossed_at=T0 + timedelta(minutes=3),
    laden=True,
    gross_mass_kg=88_000.0,
    part_of="X-TRAIN-1",
)


def test_cargo_and_movement_kinds() -> None:
    cargo = {k for k in ConveyanceKind if k.carries_cargo}
    movements = {k for k in ConveyanceKind if k.is_movement}
    assert cargo == {ConveyanceKind.RAILCAR, ConveyanceKind.TRUCK, ConveyanceKind.TRAILER}
    assert ConveyanceKind.TRAIN in movements
    assert ConveyanceKind.RAILCAR not in movements
    assert ConveyanceKind.TRAILER not in movements
    assert ConveyanceKind.TRUCK in cargo & movements  # a rigid truck is both


def test_a_valid_conveyance_is_accepted() -> None:
    assert RAILCAR.tare_mass_kg == 24_000.0
    assert replace(RAILCAR, tare_mass_kg=None).tare_mass_kg is None


@pytest.mark.parametrize("conveyance_id", ["", "-RC", "RC 1", "R" * 41])
def test_bad_conveyance_id_is_refused(conveyance_id: str) -> None:
    with violates("conveyance_id"):
        replace(RAILCAR, conveyance_id=conveyance_id)


def test_a_conveyance_needs_its_registration() -> None:
    with violates("registration"):
        replace(RAILCAR, registration=" ")


def test_a_conveyance_country_must_be_iso() -> None:
    with violates("country"):
        replace(RAILCAR, country="ZZ")


@pytest.mark.parametrize("tare", [0.0, -1.0])
def test_tare_must_be_positive(tare: float) -> None:
    with violates("tare_mass_kg"):
        replace(RAILCAR, tare_mass_kg=tare)


def test_a_valid_crossing_is_accepted() -> None:
    assert CAR.part_of == TRAIN.crossing_id
    assert TRAIN.gross_mass_kg is None


def test_a_crossing_with_a_naive_time_is_refused() -> None:
    with violates("crossed_at"):
        replace(CAR, crossed_at=NAIVE)


@pytest.mark.parametrize("mass", [0.0, -500.0])
def test_a_weighed_mass_must_be_positive(mass: float) -> None:
    with violates("gross_mass_kg"):
        replace(CAR, gross_mass_kg=mass)


def test_a_crossing_cannot_be_part_of_itself() -> None:
    with violates("part_of"):
        replace(CAR, part_of=CAR.crossing_id)


def test_a_railcar_crossing_with_its_train_is_accepted() -> None:
    check_part_of(CAR, TRAIN)


def test_a_railcar_at_another_post_than_its_train_is_refused() -> None:
    with violates("part_of"):
        check_part_of(replace(CAR, post_code="ALTYNKOL"), TRAIN)


def test_a_railcar_going_the_other_way_than_its_train_is_refused() -> None:
    with violates("part_of"):
        check_part_of(replace(CAR, direction=Direction.OUT), TRAIN)


def empty(gross: float | None) -> Crossing:
    return replace(CAR, laden=False, gross_mass_kg=gross)


def test_an_empty_unit_weighing_its_tare_is_accepted() -> None:
    check_laden_mass(empty(24_300.0), RAILCAR)


def test_an_empty_unit_within_the_tolerance_is_accepted() -> None:
    # 5 % of 24 t is 1 200 kg, more than the 500 kg floor.
    check_laden_mass(empty(25_200.0), RAILCAR)


def test_an_empty_unit_just_above_the_tolerance_is_refused() -> None:
    with violates("gross_mass_kg"):
        check_laden_mass(empty(25_201.0), RAILCAR)


def test_an_empty_unit_weighing_far_above_its_tare_is_refused() -> None:
    with violates("gross_mass_kg"):
        check_laden_mass(empty(88_000.0), RAILCAR)


def test_a_light_unit_gets_at_least_500_kg_of_tolerance() -> None:
    trailer = replace(RAILCAR, kind=ConveyanceKind.TRAILER, tare_mass_kg=2_000.0)
    check_laden_mass(empty(2_500.0), trailer)
    with violates("gross_mass_kg"):
        check_laden_mass(empty(2_501.0), trailer)


def test_laden_or_unweighed_or_tare_unknown_units_are_not_checked() -> None:
    check_laden_mass(CAR, RAILCAR)  # laden, 88 t
    check_laden_mass(empty(None), RAILCAR)
    check_laden_mass(empty(88_000.0), replace(RAILCAR, tare_mass_kg=None))


def test_a_nan_tare_is_refused() -> None:
    with violates("tare_mass_kg"):
        replace(RAILCAR, tare_mass_kg=float("nan"))


def test_a_nan_weighed_mass_is_refused() -> None:
    with violates("gross_mass_kg"):
        replace(CAR, gross_mass_kg=float("nan"))
