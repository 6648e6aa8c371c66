"""The release guard: goods do not leave while their conveyance has an unresolved alarm.

Kept in a module of its own, without the alarm algorithms, so that the release use case pays
for nothing but the one indexed lookup (see
:meth:`~dostyk.store.radiation_repositories.RadiationAlarms.holding_declaration`).
"""

from __future__ import annotations

from datetime import datetime

from dostyk.domain.alarms import Alarm
from dostyk.services.errors import Conflict
from dostyk.store.unit_of_work import UnitOfWork


class HeldByAlarm(Conflict):
    """A declaration whose conveyance has an open or escalated radiation alarm."""

    def __init__(self, declaration_id: str, alarms: list[Alarm]) -> None:
        named = ", ".join(
            f"{a.alarm_id} ({a.status.value}, crossing {a.crossing_id})" for a in alarms
        )
        super().__init__(
            f"declaration {declaration_id} cannot be released: its conveyance is held by "
            f"radiation alarm {named}; a radiation operator must adjudicate it first "
            "(dostyk radiation adjudicate)"
        )
        self.declaration_id = declaration_id
        self.alarms = alarms


def check_not_held(uow: UnitOfWork, declaration_id: str) -> None:
    held = uow.radiation_alarms.holding_declaration(declaration_id)
    if held:
        raise HeldByAlarm(declaration_id, held)


def without_held(
    uow: UnitOfWork, waiting: list[tuple[str, datetime]]
) -> list[tuple[str, datetime]]:
    """``waiting`` (declaration id, time) without the declarations an alarm holds: the release
    queue's order is among the goods that may go. Two queries for the whole list (their units
    and movements, then the alarms on those crossings); none when nothing waits ahead."""
    if not waiting:
        return waiting
    units = uow.units.of_any(declaration_id for declaration_id, _ in waiting)
    if not units:
        return waiting
    crossings = uow.crossings.many(unit.crossing_id for unit in units)
    movement = {c.crossing_id: c.part_of for c in crossings.values() if c.part_of is not None}
    watched = {unit.crossing_id for unit in units} | set(movement.values())
    holding = {a.crossing_id for a in uow.radiation_alarms.holding_crossings(sorted(watched))}
    if not holding:
        return waiting
    held = {
        unit.declaration_id
        for unit in units
        if unit.crossing_id in holding or movement.get(unit.crossing_id) in holding
    }
    return [(d, at) for d, at in waiting if d not in held]
