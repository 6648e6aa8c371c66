"""A post's first-in-first-out queues, read in one transaction (for the CLI and the API).

Three queues, each in order: yellow and red declarations waiting for an inspector; each
inspector's assigned, unstarted inspections per channel, oldest first (the order
``start_inspection`` enforces); and paid declarations waiting for release per channel, first paid
first (the order ``release`` enforces).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from dostyk.domain.declarations import Channel, DeclarationStatus
from dostyk.services.declaration_record import instant
from dostyk.services.errors import NotFound
from dostyk.store import repositories as r
from dostyk.store import tables as t


@dataclass(frozen=True)
class QueueView:
    post_code: str
    at: datetime
    to_assign: list[dict[str, Any]]
    inspections: list[dict[str, Any]]
    releases: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "post_code": self.post_code,
            "at": instant(self.at),
            "to_assign": self.to_assign,
            "inspections": self.inspections,
            "releases": self.releases,
        }


def read_queues(engine: Engine, post_code: str, channel: Channel | None, at: datetime) -> QueueView:
    channels = [channel] if channel is not None else list(Channel)
    with engine.connect() as c:
        if r.Posts(c).get(post_code) is None:
            raise NotFound("post", post_code)
        releases: list[dict[str, Any]] = []
        for ch in channels:
            waiting = r.Declarations(c).paid_unreleased(post_code, ch)
            for position, (declaration, paid_at) in enumerate(waiting, start=1):
                releases.append(
                    {
                        "channel": ch.value,
                        "position": position,
                        "declaration_id": declaration.declaration_id,
                        "declarant_id": declaration.declarant_id,
                        "paid_at": instant(paid_at),
                        "waiting_minutes": _minutes(paid_at, at),
                    }
                )
        return QueueView(
            post_code,
            at,
            _to_assign(c, post_code, channels, at),
            _inspections(c, post_code, channels, at),
            releases,
        )


def _inspections(
    c: Connection, post_code: str, channels: list[Channel], at: datetime
) -> list[dict[str, Any]]:
    """Every inspector's queue at the post: assigned, not started, declaration still assessed."""
    i, d = t.inspections.c, t.declarations.c
    query = (
        select(i.inspection_id, i.declaration_id, i.inspector_id, i.assigned_at, d.channel)
        .join(t.declarations, d.declaration_id == i.declaration_id)
        .where(
            d.post_code == post_code,
            d.status == DeclarationStatus.ASSESSED.value,
            d.channel.in_([ch.value for ch in channels]),
            i.started_at.is_(None),
            i.ended_at.is_(None),
        )
        .order_by(i.inspector_id, d.channel, i.assigned_at, i.inspection_id)
    )
    rows: list[dict[str, Any]] = []
    positions: dict[tuple[str, str], int] = {}
    for row in c.execute(query):
        queue = (row.inspector_id, row.channel)
        positions[queue] = positions.get(queue, 0) + 1
        rows.append(
            {
                "inspector_id": row.inspector_id,
                "channel": row.channel,
                "position": positions[queue],
                "inspection_id": row.inspection_id,
                "declaration_id": row.declaration_id,
                "assigned_at": instant(row.assigned_at),
                "waiting_minutes": _minutes(row.assigned_at, at),
            }
        )
    return rows


def _to_assign(
    c: Connection, post_code: str, channels: list[Channel], at: datetime
) -> list[dict[str, Any]]:
    """Yellow and red declarations assessed at the post and not yet given to an inspector."""
    d, i, s = t.declarations.c, t.inspections.c, t.status_changes.c
    inspected = [ch.value for ch in channels if ch is not Channel.GREEN]
    open_inspection = select(i.declaration_id).where(i.ended_at.is_(None))
    assessed = (
        select(s.declaration_id, s.at)
        .where(s.to_status == DeclarationStatus.ASSESSED.value)
        .subquery()
    )
    query = (
        select(d.declaration_id, d.channel, assessed.c.at)
        .join(assessed, assessed.c.declaration_id == d.declaration_id)
        .where(
            d.post_code == post_code,
            d.status == DeclarationStatus.ASSESSED.value,
            d.channel.in_(inspected),
            d.declaration_id.not_in(open_inspection),
        )
        .order_by(d.declaration_id, assessed.c.at)
    )
    first: dict[str, tuple[str, datetime]] = {}
    for row in c.execute(query):
        first.setdefault(row.declaration_id, (row.channel, row.at))
    ordered = sorted(first.items(), key=lambda kv: (kv[1][1], kv[0]))
    return [
        {
            "channel": channel,
            "position": position,
            "declaration_id": declaration_id,
            "assessed_at": instant(since),
            "waiting_minutes": _minutes(since, at),
        }
        for position, (declaration_id, (channel, since)) in enumerate(ordered, start=1)
    ]


def _minutes(since: datetime, at: datetime) -> int:
    return max(0, int((at - since).total_seconds() // 60))
