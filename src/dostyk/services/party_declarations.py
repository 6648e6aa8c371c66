"""Declarations in a caller's reach, newest first: where each stands, since when, what it owes.

A broker wants to know, of every declaration he lodged or is named on, its status and channel,
its place in the post's queue, how long it has waited since its last step and the duties it
still has to pay; an officer the same of his posts' declarations. A page is read along the
indexes on (declarant, lodgement time), (importer, lodgement time) and (exporter, lodgement
time) — or (post, lodgement time) for an officer — one bounded read each, and only the page's
declarations have their steps, duties and queues looked up, so a page costs the same however
long the history grows.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, select, tuple_

from dostyk.domain.declarations import Declaration, DeclarationStatus
from dostyk.domain.events import StatusChange
from dostyk.domain.money import to_amount
from dostyk.domain.tariff import DutyLine
from dostyk.services.errors import ValidationFailed
from dostyk.services.queue_view import QueueView, read_queues
from dostyk.store import repositories as r
from dostyk.store import tables as t
from dostyk.store.canonical import decode_instant, encode_instant
from dostyk.store.records import RECORD_TYPES

#: Declarations whose lifecycle is over: nothing waits, nothing is due.
FINAL = frozenset(
    {DeclarationStatus.RELEASED, DeclarationStatus.CANCELLED, DeclarationStatus.REJECTED}
)
#: A declaration waits in a post's queue in these steps.
QUEUED = frozenset({DeclarationStatus.ASSESSED, DeclarationStatus.PAID})
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class QueuePlace:
    """Where a declaration stands: which queue, its position in it (1 is next)."""

    queue: str
    position: int


@dataclass(frozen=True, slots=True)
class PartyDeclaration:
    declaration: Declaration
    #: The last step, and so since when the declaration is where it is.
    last_step: StatusChange | None
    queue: QueuePlace | None
    #: Minutes since the last step, for a declaration still on its way; None once final.
    waiting_minutes: int | None
    #: What is to be paid now (duties assessed and not yet paid); None otherwise.
    duties_due: Decimal | None


@dataclass(frozen=True, slots=True)
class PartyPage:
    rows: tuple[PartyDeclaration, ...]
    #: Give it back to read the next (older) page; None on the last.
    next_cursor: str | None


def declarations_in_reach(
    engine: Engine,
    *,
    parties: Collection[str] = (),
    posts: Collection[str] | None = (),
    at: datetime,
    cursor: str | None = None,
    limit: int = 20,
) -> PartyPage:
    """The declarations lodged by or naming one of ``parties`` (a party's reach), or lodged at
    one of ``posts`` (an officer's; None: every post), newest lodgement first."""
    d = t.declarations.c
    after = _after(cursor) if cursor else None
    with engine.connect() as c:
        if parties:
            named = sorted(parties)
            reads = [(role, named) for role in (d.declarant_id, d.importer_id, d.exporter_id)]
        else:
            codes = sorted(posts) if posts is not None else [p.code for p in r.Posts(c).all()]
            reads = [(d.post_code, [code]) for code in codes]
        found = _newest(c, reads, after, limit + 1)
        page = found[:limit]
        queues: dict[str, QueueView] = {}
        rows = [_row(c, engine, d, queues, at) for d in page]
    more = len(found) > limit
    return PartyPage(tuple(rows), _cursor(page[-1]) if more and page else None)


def _newest(
    c: Connection,
    reads: Sequence[tuple[ColumnElement[Any], list[str]]],
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Declaration]:
    """The newest ``limit`` declarations of any of the reads (column, values), each one bounded
    read along its column's index by lodgement time."""
    d = t.declarations.c
    record = RECORD_TYPES["declarations"]
    found: dict[str, Declaration] = {}
    for column, values in reads:
        query = select(t.declarations).where(column.in_(values))
        if after is not None:
            query = query.where(tuple_(d.lodged_at, d.declaration_id) < tuple_(*after))
        query = query.order_by(d.lodged_at.desc(), d.declaration_id.desc()).limit(limit)
        for row in c.execute(query):
            declaration: Declaration = record.to_domain(list(row))
            found[declaration.declaration_id] = declaration
    newest = sorted(found.values(), key=lambda x: (x.lodged_at, x.declaration_id), reverse=True)
    return newest[:limit]


def _row(
    c: Connection,
    engine: Engine,
    declaration: Declaration,
    queues: dict[str, QueueView],
    at: datetime,
) -> PartyDeclaration:
    last: StatusChange | None = r.StatusChanges(c).last(declaration.declaration_id)
    status = declaration.status
    waiting = None
    if status not in FINAL:
        since = last.at if last is not None else declaration.lodged_at
        waiting = max(0, int((at - since).total_seconds() // 60))
    due = None
    if status is DeclarationStatus.DUTIES_ASSESSED:
        lines: list[DutyLine] = r.DutyLines(c).of(declaration.declaration_id)
        findings = r.Findings(c).of_declaration(declaration.declaration_id)
        extra = sum((finding.extra_duty for finding in findings), ZERO)
        due = to_amount(sum((line.total for line in lines), ZERO) + extra)
    place = None
    if status in QUEUED and declaration.channel is not None:
        post = declaration.post_code
        if post not in queues:
            queues[post] = read_queues(engine, post, None, at)
        place = _place(queues[post], declaration.declaration_id)
    return PartyDeclaration(declaration, last, place, waiting, due)


def _place(view: QueueView, declaration_id: str) -> QueuePlace | None:
    for queue, rows in (
        ("to_assign", view.to_assign),
        ("inspection", view.inspections),
        ("release", view.releases),
    ):
        for row in rows:
            if row["declaration_id"] == declaration_id:
                return QueuePlace(queue, int(row["position"]))
    return None


def _cursor(d: Declaration) -> str:
    text = f"{encode_instant(d.lodged_at)}|{d.declaration_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, declaration_id = text.partition("|")
        if not declaration_id:
            raise ValueError(cursor)
        return decode_instant(moment), declaration_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationFailed(
            ["the cursor is not one this list gave; start again from the first page"],
            subject="cursor",
        ) from None
