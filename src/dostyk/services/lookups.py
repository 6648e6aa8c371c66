"""Reads the web layer needs before a use case: whose post a record is at, and listings.

A route checks the caller's reach before it acts, so it must know the declaration or the crossing
it is about, and their post. Each read here is one lookup by primary key;
the listing of declarations reads one page along an index, so neither grows with history.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, or_, select, tuple_

from dostyk.domain.conveyances import Crossing
from dostyk.domain.declarations import Declaration, DeclarationStatus
from dostyk.services.errors import NotFound, ValidationFailed
from dostyk.store import repositories as r
from dostyk.store import tables as t
from dostyk.store.canonical import decode_instant, encode_instant
from dostyk.store.records import RECORD_TYPES


def declaration(engine: Engine, declaration_id: str) -> Declaration:
    with engine.connect() as c:
        found: Declaration | None = r.Declarations(c).get(declaration_id)
    if found is None:
        raise NotFound("declaration", declaration_id)
    return found


def crossing(engine: Engine, crossing_id: str) -> Crossing:
    with engine.connect() as c:
        found: Crossing | None = r.Crossings(c).get(crossing_id)
    if found is None:
        raise NotFound("crossing", crossing_id)
    return found


@dataclass(frozen=True, slots=True)
class Page:
    """One page of declarations, oldest lodgement first, and the cursor of the next (if any)."""

    declarations: tuple[Declaration, ...]
    next_cursor: str | None


def _cursor(d: Declaration) -> str:
    text = f"{encode_instant(d.lodged_at)}|{d.declaration_id}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime, str]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, declaration_id = text.partition("|")
        return decode_instant(at), declaration_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValidationFailed(
            ["the cursor is not one this API gave; start again without it"], subject="cursor"
        ) from None


def list_declarations(
    engine: Engine,
    *,
    posts: Collection[str] | None,
    parties: Collection[str] = (),
    status: DeclarationStatus | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """Declarations lodged at ``posts`` (None: every post), or naming one of ``parties`` when
    given, optionally of one ``status`` and lodged in ``[since, until)``; one page of them."""
    d = t.declarations.c
    query = select(t.declarations)
    if posts is not None:
        query = query.where(d.post_code.in_(sorted(posts)))
    if parties:
        named = sorted(parties)
        query = query.where(
            or_(d.declarant_id.in_(named), d.importer_id.in_(named), d.exporter_id.in_(named))
        )
    if status is not None:
        query = query.where(d.status == status.value)
    if since is not None:
        query = query.where(d.lodged_at >= since)
    if until is not None:
        query = query.where(d.lodged_at < until)
    if cursor:
        at, declaration_id = _after(cursor)
        query = query.where(tuple_(d.lodged_at, d.declaration_id) > tuple_(at, declaration_id))
    query = query.order_by(d.lodged_at, d.declaration_id).limit(limit + 1)
    record = RECORD_TYPES["declarations"]
    with engine.connect() as c:
        rows = [record.to_domain(list(row)) for row in c.execute(query)]
    found = tuple(rows[:limit])
    more = len(rows) > limit
    return Page(found, _cursor(found[-1]) if more and found else None)
