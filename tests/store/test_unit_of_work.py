"""A unit of work is all or nothing, and checks foreign keys when it commits."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from dostyk.domain.conveyances import Crossing, Direction
from dostyk.domain.declarations import DeclarationUnit
from dostyk.domain.officers import Officer, Rank
from dostyk.store import tables as t
from dostyk.store.unit_of_work import UnitOfWork
from tests.store.test_repositories import (
    CARRIER,
    CONVEYANCES,
    CROSSINGS,
    DECLARATION,
    HQ,
    ITEMS,
    PARTIES,
    RAILCAR_1_IN,
    T0,
    TRAIN_IN,
    UNITS,
    add_world,
)


class Boom(Exception):
    pass


def counts(engine: Engine) -> dict[str, int]:
    with UnitOfWork(engine) as uow:
        return {
            "parties": uow.parties.count(),
            "officers": uow.officers.count(),
            "conveyances": uow.conveyances.count(),
            "crossings": uow.crossings.count(),
            "declarations": uow.declarations.count(),
            "items": uow.items.count(),
            "units": uow.units.count(),
        }


EMPTY = dict.fromkeys(
    ("parties", "officers", "conveyances", "crossings", "declarations", "items", "units"), 0
)


def test_normal_exit_commits(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        add_world(uow)
        # Its own writes are visible inside the unit of work before the commit.
        assert uow.items.of("D1") == list(ITEMS)
    assert counts(engine) == {
        "parties": len(PARTIES),
        "officers": 3,
        "conveyances": len(CONVEYANCES),
        "crossings": len(CROSSINGS),
        "declarations": 1,
        "items": len(ITEMS),
        "units": len(UNITS),
    }
    # A later unit of work sees and builds on what was committed.
    later = replace(TRAIN_IN, crossing_id="X-TR2", crossed_at=T0 + timedelta(hours=3))
    with UnitOfWork(engine) as uow:
        uow.crossings.add(later)
    with UnitOfWork(engine) as uow:
        assert uow.crossings.get("X-TR2") == later
    # An explicit commit keeps the work done before a later error.
    with pytest.raises(Boom), UnitOfWork(engine) as uow:
        uow.officers.add(replace(HQ, officer_id="HQ-0002"))
        uow.commit()
        raise Boom
    assert counts(engine)["officers"] == 4


def test_an_exception_rolls_everything_back(engine: Engine) -> None:
    with pytest.raises(Boom), UnitOfWork(engine) as uow:
        add_world(uow)
        raise Boom
    assert counts(engine) == EMPTY

    # Changes to stored records too.
    with UnitOfWork(engine) as uow:
        add_world(uow)
    with pytest.raises(Boom), UnitOfWork(engine) as uow:
        uow.parties.replace(replace(CARRIER, name="Somebody else"))
        uow.officers.add(replace(HQ, officer_id="HQ-0002"))
        raise Boom
    with UnitOfWork(engine) as uow:
        assert uow.parties.get("KTZ") == CARRIER
        assert uow.officers.get("HQ-0002") is None
        assert uow.officers.count() == 3

    # A database error half-way rolls back the writes before it.
    with pytest.raises(IntegrityError), UnitOfWork(engine) as uow:
        uow.officers.add(replace(HQ, officer_id="HQ-0002"))
        uow.parties.add(CARRIER)  # the same key again
    assert counts(engine)["officers"] == 3


def test_a_row_referring_to_a_missing_parent_is_refused_at_commit(engine: Engine) -> None:
    orphan = Crossing("X-ORPHAN", "DST", "NO-SUCH-WAGON", Direction.IN, T0, laden=True)
    with pytest.raises(IntegrityError), UnitOfWork(engine) as uow:
        uow.parties.add_many(PARTIES)
        uow.conveyances.add_many(CONVEYANCES)
        # Accepted for now (the check is deferred) ...
        uow.crossings.add(orphan)
        assert uow.crossings.get("X-ORPHAN") == orphan
    # ... but the commit fails, and nothing of the unit of work is kept.
    assert counts(engine) == EMPTY

    # The same for a missing declaration, after a committed unit of work; and the engine goes
    # on working (on SQLite a refused COMMIT used to leave the pooled connection inside the
    # transaction, holding the write lock).
    with UnitOfWork(engine) as uow:
        add_world(uow)
    with pytest.raises(IntegrityError), UnitOfWork(engine) as uow:
        uow.officers.add(replace(HQ, officer_id="HQ-0002"))
        uow.units.add(DeclarationUnit("D-MISSING", "X-RC1"))
    with UnitOfWork(engine) as uow:
        assert uow.officers.get("HQ-0002") is None
        assert uow.units.of("D-MISSING") == []
        assert uow.units.count() == len(UNITS)
        uow.officers.add(replace(HQ, officer_id="HQ-0003"))
    assert counts(engine)["officers"] == 4

    # Plain connections check at once: deferral is the unit of work's, for its own writes.
    row = {
        "crossing_id": "X-RAW",
        "post_code": "DST",
        "conveyance_id": "NO-SUCH-WAGON",
        "direction": "in",
        "crossed_at": T0,
        "laden": True,
        "gross_mass_kg": None,
        "part_of": None,
    }
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(t.crossings).values(row))
    assert counts(engine)["crossings"] == len(CROSSINGS)


def test_a_row_may_be_written_before_the_row_it_refers_to(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        # Children first: the declaration's units and items before the declaration, the
        # railcar's crossing before its train's, crossings before their conveyances.
        uow.units.add_many(UNITS)
        uow.items.add_many(ITEMS)
        uow.declarations.add(DECLARATION)
        uow.crossings.add(RAILCAR_1_IN)
        uow.crossings.add_many([c for c in CROSSINGS if c is not RAILCAR_1_IN])
        uow.conveyances.add_many(CONVEYANCES)
        uow.parties.add_many(PARTIES)
        # An officer before his supervisor.
        uow.officers.add(Officer("RC-0001", "Regional Chief", Rank.REGIONAL_CHIEF, "HQ-0001"))
        uow.officers.add(HQ)
    with UnitOfWork(engine) as uow:
        assert uow.crossings.of_movement(TRAIN_IN.crossing_id)[0] == RAILCAR_1_IN
        assert uow.units.of("D1") == list(UNITS)
        assert uow.officers.count() == 2
