"""Repositories of the radiation records: monitors, occupancies, alarms and their steps.

Kept apart from :mod:`dostyk.store.repositories` (whose patterns they follow: kept statements,
one query for a list of keys) because they form one capability. The release guard,
:meth:`RadiationAlarms.holding_declaration`, runs on every release: it reads the declaration's
units by their key, their movements by theirs, and one range of the alarms' (crossing, status)
index per crossing, so it costs the same however many alarms were ever raised.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, desc, select, union

from dostyk.domain.alarms import HOLDING, AdjudicationStep, Alarm, AlarmFinding, AlarmStatus
from dostyk.domain.monitors import PortalMonitor, StoredOccupancy
from dostyk.store import tables as t
from dostyk.store.repositories import Repository, _listed, _one_of, _slots

_HOLDING = sorted(status.value for status in HOLDING)


class PortalMonitors(Repository[PortalMonitor]):
    table = t.portal_monitors
    keeps_reads = True

    def of_post(self, post_code: str) -> list[PortalMonitor]:
        return self._of(self.table.c.post_code, post_code)


class Occupancies(Repository[StoredOccupancy]):
    table = t.occupancies

    def of_crossing(self, crossing_id: str) -> list[StoredOccupancy]:
        return self._of(self.table.c.crossing_id, crossing_id)

    def known(self, occupancy_ids: list[str]) -> set[str]:
        """Which of ``occupancy_ids`` are stored, in one query of the key alone."""
        wanted = sorted(set(occupancy_ids))
        if not wanted:
            return set()
        slots = _slots(wanted)
        key = self.table.c.occupancy_id
        rows = self._select(
            f"known:{slots}",
            lambda: select(key).where(_one_of(key, "value", slots)),
            **_listed("value", wanted),
        )
        return {str(row[0]) for row in rows}


class RadiationAlarms(Repository[Alarm]):
    table = t.radiation_alarms

    def of_occupancy(self, occupancy_id: str) -> list[Alarm]:
        return self._of(self.table.c.occupancy_id, occupancy_id)

    def holding_declaration(self, declaration_id: str) -> list[Alarm]:
        """The open or escalated alarms on any unit a declaration covers, or on the train's
        or truck's crossing those units crossed with."""
        a, u, c = self.table.c, t.declaration_units.c, t.crossings.c

        def build() -> Any:
            held = union(
                select(u.crossing_id).where(u.declaration_id == bindparam("declaration")),
                select(c.part_of)
                .join(t.declaration_units, u.crossing_id == c.crossing_id)
                .where(u.declaration_id == bindparam("declaration"), c.part_of.is_not(None)),
            )
            return (
                select(self.table)
                .where(
                    a.crossing_id.in_(held.scalar_subquery()),
                    _one_of(a.status, "status", len(_HOLDING)),
                )
                .order_by(a.raised_at, a.alarm_id)
            )

        return self._run(
            "holding_declaration",
            build,
            declaration=declaration_id,
            **_listed("status", _HOLDING),
        )

    def holding_crossings(self, crossing_ids: list[str]) -> list[Alarm]:
        """The open or escalated alarms on any of ``crossing_ids``, in one query."""
        wanted = sorted(set(crossing_ids))
        if not wanted:
            return []
        slots = _slots(wanted)
        a = self.table.c
        return self._run(
            f"holding_crossings:{slots}",
            lambda: (
                select(self.table)
                .where(
                    _one_of(a.crossing_id, "crossing", slots),
                    _one_of(a.status, "status", len(_HOLDING)),
                )
                .order_by(a.raised_at, a.alarm_id)
            ),
            **_listed("crossing", wanted),
            **_listed("status", _HOLDING),
        )

    def at_post(
        self, post_code: str, statuses: list[AlarmStatus], limit: int, before: datetime | None
    ) -> list[Alarm]:
        """A post's alarms in ``statuses``, newest first, at most ``limit``, raised before
        ``before`` when given (the next page): one range of the (post, status, time) index per
        status."""
        a = self.table.c
        wanted = sorted(s.value for s in statuses)
        slots = _slots(wanted)
        paged = before is not None
        params: dict[str, Any] = {"post": post_code, "limit": limit, **_listed("status", wanted)}
        if paged:
            params["before"] = before

        def build() -> Any:
            query = select(self.table).where(
                a.post_code == bindparam("post"), _one_of(a.status, "status", slots)
            )
            if paged:
                query = query.where(a.raised_at < bindparam("before"))
            return query.order_by(desc(a.raised_at), desc(a.alarm_id)).limit(bindparam("limit"))

        return self._run(f"at_post:{slots}:{paged}", build, **params)


class AlarmFindings(Repository[AlarmFinding]):
    table = t.alarm_findings

    def of(self, alarm_id: str) -> list[AlarmFinding]:
        return self._of(self.table.c.alarm_id, alarm_id)


class AdjudicationSteps(Repository[AdjudicationStep]):
    table = t.adjudication_steps

    def of(self, alarm_id: str) -> list[AdjudicationStep]:
        return self._of(self.table.c.alarm_id, alarm_id)

    def of_any(self, alarm_ids: list[str]) -> list[AdjudicationStep]:
        return self._in(self.table.c.alarm_id, alarm_ids)


__all__ = [
    "AdjudicationSteps",
    "AlarmFindings",
    "Occupancies",
    "PortalMonitors",
    "RadiationAlarms",
]
