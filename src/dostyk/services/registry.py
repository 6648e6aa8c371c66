"""Registering who takes part: officers with their postings, parties, conveyances.

These are HQ's and the posts' administrative use cases. Each checks the records as a whole —
the chain of command, overlapping postings, a party's tax number — before writing them in one
unit of work, like every other use case.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine

from dostyk.domain.conveyances import Conveyance
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.officers import Officer, Posting, check_hierarchy, check_postings
from dostyk.domain.parties import Party
from dostyk.services.errors import ValidationFailed
from dostyk.store.unit_of_work import UnitOfWork


def register_officers(
    engine: Engine,
    officers: Sequence[Officer],
    postings: Sequence[Posting],
    *,
    actor: str,
    at: datetime,
) -> int:
    """Add officers and postings; the whole chain of command must hold afterwards."""
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        known = uow.officers.by_id()
        clashes = [o.officer_id for o in officers if o.officer_id in known]
        if clashes:
            raise ValidationFailed([f"officer {i} is already registered" for i in clashes])
        everyone = {**known, **{o.officer_id: o for o in officers}}
        reasons: list[str] = []
        try:
            check_hierarchy(everyone)
        except (InvariantViolation, KeyError) as error:
            reasons.append(f"chain of command: {error}")
        known_posts = {p.code for p in uow.posts.all()}
        for posting in postings:
            if posting.officer_id not in everyone:
                reasons.append(f"posting of unknown officer {posting.officer_id}")
            if posting.post_code not in known_posts:
                reasons.append(f"posting to unknown post {posting.post_code}")
        touched = {p.officer_id for p in postings}
        try:
            check_postings([*postings, *(p for p in uow.postings.all() if p.officer_id in touched)])
        except InvariantViolation as error:
            reasons.append(str(error))
        if reasons:
            raise ValidationFailed(reasons)
        uow.officers.add_many(officers)
        uow.postings.add_many(postings)
    return len(officers)


#: Ids looked up per query when registering many records at once.
_LOOKUP_CHUNK = 500


def register_parties(engine: Engine, parties: Sequence[Party], *, actor: str, at: datetime) -> int:
    """Add parties not yet known; a known one must be registered with the same details."""
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        known: dict[str, Party] = {}
        for start in range(0, len(parties), _LOOKUP_CHUNK):  # a query per chunk, not per one
            chunk = parties[start : start + _LOOKUP_CHUNK]
            known.update(uow.parties.many(p.party_id for p in chunk))
        fresh = []
        for party in parties:
            stored = known.get(party.party_id)
            if stored is None:
                fresh.append(party)
            elif stored != party:
                raise ValidationFailed([f"party {party.party_id} is registered differently"])
        uow.parties.add_many(fresh)
    return len(fresh)


def register_conveyances(
    engine: Engine, conveyances: Sequence[Conveyance], *, actor: str, at: datetime
) -> int:
    """Add conveyances not yet known (railcars keep their numbers for decades)."""
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        known: set[str] = set()
        for start in range(0, len(conveyances), _LOOKUP_CHUNK):  # a query per chunk, not per one
            chunk = conveyances[start : start + _LOOKUP_CHUNK]
            known.update(uow.conveyances.many(c.conveyance_id for c in chunk))
        fresh = [c for c in conveyances if c.conveyance_id not in known]
        uow.conveyances.add_many(fresh)
    return len(fresh)
