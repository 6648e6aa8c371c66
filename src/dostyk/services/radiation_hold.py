"""The release guard: goods do not leave while their conveyance has an unresolved alarm.

Kept in a module of its own, without the alarm algorithms, so that the release use case pays
for nothing but the one indexed lookup (see
:meth:`~dostyk.store.radiation_repositories.RadiationAlarms.holding_declaration`).
"""

from __future__ import annotations

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
