"""Conveyances and their crossings of the border.

A conveyance is a physical unit: a locomotive-hauled train, a railcar, a truck (tractor), a
trailer, a passenger train. A *crossing* is one unit passing one post in one direction, weighed
where a track scale or weighbridge exists. A train's or a truck's crossing is the movement; its
railcars' and trailers' crossings point to it through ``part_of``, because consists are made up
anew for every journey while railcars keep their numbers for decades.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dostyk.domain.codes import check_country
from dostyk.domain.errors import InvariantViolation, check_positive

CONVEYANCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}", re.ASCII)


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
        if not CONVEYANCE_ID.fullmatch(self.conveyance_id):
            raise InvariantViolation("conveyance_id", f"{self.conveyance_id!r} is not valid")
        if not self.registration.strip():
            raise InvariantViolation("registration", "a conveyance needs its number or plate")
        check_country("country", self.country)
        if self.tare_mass_kg is not None:
            check_positive("tare_mass_kg", self.tare_mass_kg)


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
        if self.crossed_at.tzinfo is None:
            raise InvariantViolation("crossed_at", "a crossing time needs its time zone")
        if self.gross_mass_kg is not None:
            check_positive("gross_mass_kg", self.gross_mass_kg)
        if self.part_of == self.crossing_id:
            raise InvariantViolation("part_of", "a crossing cannot be part of itself")


def check_part_of(unit: Crossing, movement: Crossing) -> None:
    """A railcar crosses with its train: same post, same direction."""
    if unit.post_code != movement.post_code:
        raise InvariantViolation(
            "part_of",
            f"{unit.crossing_id} is at {unit.post_code}, its movement at {movement.post_code}",
        )
    if unit.direction != movement.direction:
        raise InvariantViolation(
            "part_of",
            f"{unit.crossing_id} goes {unit.direction}, its movement {movement.direction}",
        )


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
