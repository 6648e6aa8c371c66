"""Registering a train's or a truck's crossing with its railcars or trailers.

The crossing is a physical fact, recorded by the officer at the post as it happens: it is never
refused for what it shows, only for being described inconsistently. A unit declared empty that
weighs well above its tare is recorded as it was weighed, with a discrepancy beside it — empty
returns that are not empty are how goods leave or enter off the books.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from dostyk.domain.conveyances import (
    CONVEYANCE_GAP,
    Conveyance,
    Crossing,
    check_apart,
    check_carried_mass,
    check_laden_mass,
    check_part_of,
)
from dostyk.domain.discrepancies import Discrepancy, DiscrepancyKind
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.parties import Party, PartyRole
from dostyk.domain.spelling import utc_text
from dostyk.services.actors import posted_officer
from dostyk.services.errors import NotFound, ValidationFailed
from dostyk.services.ids import discrepancy_id
from dostyk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class RegisteredCrossing:
    movement: Crossing
    units: tuple[Crossing, ...]
    #: Conveyances seen for the first time and added to the register.
    conveyances_added: tuple[str, ...]
    #: Units declared empty that weigh more than their tare explains.
    discrepancies: tuple[Discrepancy, ...]


def register_crossing(
    engine: Engine,
    movement: Crossing,
    units: Sequence[Crossing],
    conveyances: Sequence[Conveyance] = (),
    *,
    actor: str,
    at: datetime,
) -> RegisteredCrossing:
    """Record a movement and the crossings of its units, by an officer posted at the post.

    ``conveyances`` may describe units not yet on the register; known ones must match it.
    Every inconsistency is reported at once (:class:`ValidationFailed`).
    """
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        if uow.posts.get(movement.post_code) is None:
            raise NotFound("post", movement.post_code)
        posted_officer(uow, actor, movement.post_code, at, "register a crossing")
        register, added, reasons = _conveyances(uow, conveyances)
        reasons += _check_movement(uow, movement, units, register, at)
        if reasons:
            raise ValidationFailed(reasons, subject=f"crossing {movement.crossing_id}")
        uow.conveyances.add_many(register[c] for c in added)
        uow.crossings.add(movement)
        uow.crossings.add_many(units)
        found = [
            d
            for d in (_empty_not_empty(c, register[c.conveyance_id], actor, at) for c in units)
            if d is not None
        ]
        moving = _empty_not_empty(movement, register[movement.conveyance_id], actor, at)
        if moving is not None:
            found.insert(0, moving)
        uow.discrepancies.add_many(found)
    return RegisteredCrossing(movement, tuple(units), tuple(added), tuple(found))


def _conveyances(
    uow: UnitOfWork, given: Sequence[Conveyance]
) -> tuple[dict[str, Conveyance], list[str], list[str]]:
    """The register as far as this movement needs it, the new ids, and what is wrong."""
    register: dict[str, Conveyance] = {}
    added: list[str] = []
    reasons: list[str] = []
    known = uow.conveyances.many(c.conveyance_id for c in given)  # one query, not one a unit
    for conveyance in given:
        if conveyance.conveyance_id in register:
            reasons.append(f"conveyance {conveyance.conveyance_id} is described twice")
            continue
        stored: Conveyance | None = known.get(conveyance.conveyance_id)
        if stored is None:
            added.append(conveyance.conveyance_id)
            reasons += _check_carrier(uow, conveyance)
        elif stored != conveyance:
            reasons.append(
                f"conveyance {conveyance.conveyance_id} is registered with "
                f"{_differences(stored, conveyance)}; registering a crossing does not change "
                "the register"
            )
        register[conveyance.conveyance_id] = conveyance
    return register, added, reasons


def _differences(stored: Conveyance, given: Conveyance) -> str:
    return ", ".join(
        f"{f.name} {getattr(stored, f.name)!r}, not {getattr(given, f.name)!r}"
        for f in fields(Conveyance)
        if getattr(stored, f.name) != getattr(given, f.name)
    )


def _check_carrier(uow: UnitOfWork, conveyance: Conveyance) -> list[str]:
    if conveyance.carrier_id is None:
        return []
    carrier: Party | None = uow.parties.get(conveyance.carrier_id)
    if carrier is None:
        return [f"conveyance {conveyance.conveyance_id}: no party {conveyance.carrier_id}"]
    if not carrier.has_role(PartyRole.CARRIER):
        return [f"conveyance {conveyance.conveyance_id}: {conveyance.carrier_id} is not a carrier"]
    return []


def _check_movement(
    uow: UnitOfWork,
    movement: Crossing,
    units: Sequence[Crossing],
    register: dict[str, Conveyance],
    at: datetime,
) -> list[str]:
    reasons: list[str] = []
    every = [movement, *units]
    ids = [c.crossing_id for c in every]
    for crossing_id in sorted({i for i in ids if ids.count(i) > 1}):
        reasons.append(f"crossing {crossing_id} appears more than once")
    for crossing_id in sorted(uow.crossings.many(ids)):
        reasons.append(f"crossing {crossing_id} is already registered")
    vehicles = [c.conveyance_id for c in every]
    for conveyance_id in sorted({v for v in vehicles if vehicles.count(v) > 1}):
        reasons.append(f"conveyance {conveyance_id} cannot cross twice in one movement")
    known = uow.conveyances.many(c.conveyance_id for c in every if c.conveyance_id not in register)
    for crossing in every:
        if crossing.crossed_at > at:
            reasons.append(
                f"crossing {crossing.crossing_id} is registered at {utc_text(at)}, before it "
                f"happens ({utc_text(crossing.crossed_at)})"
            )
        if crossing.conveyance_id not in register:
            stored: Conveyance | None = known.get(crossing.conveyance_id)
            if stored is None:
                reasons.append(
                    f"crossing {crossing.crossing_id}: conveyance {crossing.conveyance_id} is "
                    "not registered; describe it with the crossing"
                )
                continue
            register[crossing.conveyance_id] = stored
    if movement.part_of is not None:
        reasons.append(f"movement {movement.crossing_id} cannot itself be part of another")
    vehicle = register.get(movement.conveyance_id)
    if vehicle is not None and not vehicle.kind.is_movement:
        reasons.append(
            f"movement {movement.crossing_id}: a {vehicle.kind} does not cross on its own; "
            "register it with its train or truck"
        )
    for unit in units:
        reasons += _check_unit(unit, movement, register.get(unit.conveyance_id))
    for crossing in every:
        vehicle = register.get(crossing.conveyance_id)
        if vehicle is not None:
            reasons += _violations(check_carried_mass, crossing, vehicle)
    reasons += _elsewhere(uow, every)
    return reasons


def _elsewhere(uow: UnitOfWork, every: Sequence[Crossing]) -> list[str]:
    """Units already recorded crossing (in another movement, or at another post) at the same
    time: one indexed query over the few minutes around the movement."""
    start = min(c.crossed_at for c in every) - CONVEYANCE_GAP
    end = max(c.crossed_at for c in every) + CONVEYANCE_GAP
    near: dict[str, list[Crossing]] = {}
    for other in uow.crossings.of_conveyances_between({c.conveyance_id for c in every}, start, end):
        near.setdefault(other.conveyance_id, []).append(other)
    reasons: list[str] = []
    for crossing in every:
        for other in near.get(crossing.conveyance_id, []):
            reasons += _violations(check_apart, crossing, other)
    return reasons


def _violations(rule: Callable[..., None], *args: Any) -> list[str]:
    try:
        rule(*args)
    except InvariantViolation as error:
        return [violation.message for violation in error.violations]
    return []


def _check_unit(unit: Crossing, movement: Crossing, vehicle: Conveyance | None) -> list[str]:
    reasons: list[str] = []
    if unit.part_of != movement.crossing_id:
        reasons.append(
            f"unit {unit.crossing_id} names movement {unit.part_of}, not {movement.crossing_id}"
        )
    reasons += _violations(check_part_of, unit, movement)
    if vehicle is not None and not vehicle.kind.carries_cargo:
        reasons.append(f"unit {unit.crossing_id}: a {vehicle.kind} carries no cargo")
    return reasons


def _empty_not_empty(
    crossing: Crossing, vehicle: Conveyance, actor: str, at: datetime
) -> Discrepancy | None:
    try:
        check_laden_mass(crossing, vehicle)
    except InvariantViolation as error:
        return Discrepancy(
            discrepancy_id=discrepancy_id(DiscrepancyKind.EMPTY_NOT_EMPTY, crossing.crossing_id),
            post_code=crossing.post_code,
            kind=DiscrepancyKind.EMPTY_NOT_EMPTY,
            detail=error.message,
            found_at=at,
            found_by=actor,
            crossing_id=crossing.crossing_id,
        )
    return None
