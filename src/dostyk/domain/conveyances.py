"""Conveyances and their crossings of the border.

A conveyance is a physical unit: a locomotive-hauled train, a railcar, a truck (tractor), a
trailer, a passenger train. A *crossing* is one unit passing one post in one direction, weighed
where a track scale or weighbridge exists. A train's or a truck's crossing is the movement; its
railcars' and trailers' crossings point to it through ``part_of``, because consists are made up
anew for every journey while railcars keep their numbers for decades.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from dostyk.domain.bounds import (
    Checks,
    check_conveyance_mass,
    show_instant,
)
from dostyk.domain.codes import check_country
from dostyk.domain.errors import InvariantViolation

#: A unit crosses with its movement: from a little before the movement's recorded time (clocks
#: differ) to an hour after it (a long train at walking pace).
UNIT_EARLIEST = timedelta(minutes=10)
UNIT_LATEST = timedelta(hours=1)
#: Two crossings of one conveyance this close together put it in two places at once.
CONVEYANCE_GAP = timedelta(minutes=10)


class ConveyanceKind(StrEnum):
    TRAIN = "train"
    RAILCAR = "railcar"
    PASSENGER_TRAIN = "passenger_train"
    TRUCK = "truck"
    TRAILER = "trailer"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"

    @property
    def carries_cargo(self) -> bool:
        """Units that goods are loaded into and that a declaration can cover."""
        return self in {ConveyanceKind.RAILCAR, ConveyanceKind.TRUCK, ConveyanceKind.TRAILER}

    @property
    def is_movement(self) -> bool:
        """Units whose crossing is a movement that other units' crossings belong to."""
        return self in {
            ConveyanceKind.TRAIN,
            ConveyanceKind.PASSENGER_TRAIN,
            ConveyanceKind.TRUCK,
            ConveyanceKind.VESSEL,
            ConveyanceKind.AIRCRAFT,
        }


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


@dataclass(frozen=True, slots=True)
class Conveyance:
    conveyance_id: str
    kind: ConveyanceKind
    registration: str
    country: str
    carrier_id: str | None = None
    tare_mass_kg: float | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("conveyance_id", self.conveyance_id)
        if not self.registration.strip():
            checks.add("registration", "a conveyance needs its number or plate")
        else:
            checks.text("registration", self.registration, 40)
        checks.check(check_country, "country", self.country)
        if self.carrier_id is not None:
            checks.identifier("carrier_id", self.carrier_id)
        if self.tare_mass_kg is not None:
            checks.check(
                check_conveyance_mass, "tare_mass_kg", self.tare_mass_kg, self.kind, tare=True
            )
        checks.done()


@dataclass(frozen=True, slots=True)
class Crossing:
    """One unit passing one post in one direction."""

    crossing_id: str
    post_code: str
    conveyance_id: str
    direction: Direction
    crossed_at: datetime
    laden: bool
    gross_mass_kg: float | None = None
    part_of: str | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("crossing_id", self.crossing_id)
        checks.identifier("post_code", self.post_code, 12)
        checks.identifier("conveyance_id", self.conveyance_id)
        if isinstance(self.crossed_at, datetime) and self.crossed_at.tzinfo is None:
            checks.add("crossed_at", "a crossing time needs its time zone")
        else:
            checks.instant("crossed_at", self.crossed_at)
        if self.gross_mass_kg is not None:
            checks.mass("gross_mass_kg", self.gross_mass_kg)
        if self.part_of is not None:
            checks.identifier("part_of", self.part_of)
        if self.part_of == self.crossing_id:
            checks.add("part_of", "a crossing cannot be part of itself")
        checks.done()


def check_part_of(unit: Crossing, movement: Crossing) -> None:
    """A railcar crosses with its train: same post, same direction, at the same time."""
    checks = Checks()
    if unit.post_code != movement.post_code:
        checks.add(
            "part_of",
            f"{unit.crossing_id} is at {unit.post_code}, its movement at {movement.post_code}",
        )
    if unit.direction != movement.direction:
        checks.add(
            "part_of",
            f"{unit.crossing_id} goes {unit.direction}, its movement {movement.direction}",
        )
    lag = unit.crossed_at - movement.crossed_at
    if not -UNIT_EARLIEST <= lag <= UNIT_LATEST:
        checks.add(
            "crossed_at",
            f"{unit.crossing_id} crossed at {show_instant(unit.crossed_at)}, but its "
            f"movement {movement.crossing_id} at {show_instant(movement.crossed_at)}; a unit "
            f"crosses with its movement (from {_minutes(UNIT_EARLIEST)} before to "
            f"{_minutes(UNIT_LATEST)} after)",
        )
    checks.done()


def check_carried_mass(crossing: Crossing, conveyance: Conveyance) -> None:
    """A weighed mass within what a conveyance of its kind can weigh."""
    if crossing.gross_mass_kg is not None:
        check_conveyance_mass("gross_mass_kg", crossing.gross_mass_kg, conveyance.kind, tare=False)


def check_apart(crossing: Crossing, other: Crossing) -> None:
    """One conveyance cannot cross twice within :data:`CONVEYANCE_GAP` (two trains, two posts)."""
    if crossing.conveyance_id != other.conveyance_id or crossing.crossing_id == other.crossing_id:
        return
    if abs(crossing.crossed_at - other.crossed_at) < CONVEYANCE_GAP:
        where = "there" if other.post_code == crossing.post_code else f"at {other.post_code}"
        raise InvariantViolation(
            "conveyance_id",
            f"{crossing.conveyance_id} crosses at {crossing.post_code} at "
            f"{show_instant(crossing.crossed_at)} ({crossing.crossing_id}), but it crossed "
            f"{where} at {show_instant(other.crossed_at)} ({other.crossing_id}); a conveyance "
            "is in one movement and at one post at a time",
        )


def _minutes(span: timedelta) -> str:
    return f"{int(span.total_seconds() // 60)} min"


def check_laden_mass(crossing: Crossing, conveyance: Conveyance) -> None:
    """A unit declared empty weighs its tare, give or take the scale's error."""
    if crossing.laden or crossing.gross_mass_kg is None or conveyance.tare_mass_kg is None:
        return
    tolerance = max(500.0, 0.05 * conveyance.tare_mass_kg)
    if crossing.gross_mass_kg > conveyance.tare_mass_kg + tolerance:
        raise InvariantViolation(
            "gross_mass_kg",
            f"{crossing.crossing_id} is declared empty but weighs {crossing.gross_mass_kg:.0f} kg "
            f"against a tare of {conveyance.tare_mass_kg:.0f} kg",
        )
