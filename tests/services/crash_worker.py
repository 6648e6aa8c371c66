"""The child process of the crash test: declarations taken through their lifecycle until killed.

:mod:`tests.services.test_crash` starts it again and again and kills it with SIGKILL at random
moments. Each time it works out from the store alone where every declaration stands, takes the
next step through the real use case, and only after the use case has returned appends a line to
the acknowledgement file, flushed and fsync'd: what it acknowledges is what a broker or an
officer would have been told was done, so it must survive the kill.

Declaration D<n> covers the two railcars of its own train X-CR<n>, whose crossing the worker
registers first; every fifth declaration is yellow and inspected (assigned, started, finished).
Each use case happens at the world's 08:00 plus one second per ledger entry: the clock moves on
with the store itself and so keeps going forward across restarts.

In batch mode the steps run in group-committed batches of a few use cases, each in its own
savepoint, and are acknowledged when their batch commits: a kill loses the steps since the last
commit, which the next child does again.

An acknowledgement line reads ``<step> <subject> <status after>``; ``-`` where a step leaves the
declaration's status as it was (registering the crossing, assigning the inspector).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import IO

from sqlalchemy import Engine

from dostyk.domain.conveyances import Conveyance, ConveyanceKind, Crossing, Direction
from dostyk.domain.declarations import (
    Channel,
    Declaration,
    DeclarationItem,
    DeclarationKind,
    DeclarationStatus,
    DeclarationUnit,
)
from dostyk.domain.inspections import Inspection
from dostyk.ledger.writer import log_size
from dostyk.services import assignment, crossings, declarations, inspections, payments, selectivity
from dostyk.store.batch import Batch, current_batch
from dostyk.store.engine import make_engine
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import (
    CARGO_KG,
    POST,
    SUPERVISOR,
    T0,
    TARE_KG,
    TRAIN,
    Fixed,
    item,
)

S = DeclarationStatus
#: Every this many declarations, one is yellow and inspected.
INSPECTED_EVERY = 5
RAILCARS = 2
BROKER = "BRK1"
#: In batch mode: use cases per transaction, and the longest a batch stays open, in seconds.
BATCH_EVERY = 5
BATCH_SECONDS = 0.03
OFFICER = SUPERVISOR.officer_id


def declaration_id(n: int) -> str:
    return f"D{n}"


def movement_id(n: int) -> str:
    return f"X-CR{n}"


def unit_id(n: int, car: int) -> str:
    return f"X-CR{n}-{car}"


def inspected(n: int) -> bool:
    return n % INSPECTED_EVERY == 0


@dataclass(frozen=True)
class Standing:
    """Where declaration n stands in the store."""

    registered: bool
    status: DeclarationStatus | None
    inspection: Inspection | None


def standing(engine: Engine, n: int) -> Standing:
    with UnitOfWork(engine) as uow:
        registered = uow.crossings.get(movement_id(n)) is not None
        found: Declaration | None = uow.declarations.get(declaration_id(n))
        done: list[Inspection] = uow.inspections.of(declaration_id(n))
    status = None if found is None else found.status
    return Standing(registered, status, done[-1] if done else None)


#: The world's clock moves on this much per ledger entry. Small enough that however many steps
#: the children take before they are killed, the clock stays within the day's shifts.
TICK = timedelta(milliseconds=100)


def now(engine: Engine) -> datetime:
    """The world's 08:00 plus a tick per ledger entry: later after every step (in a batch,
    counted on the batch's own connection, which sees its uncommitted steps)."""
    batch = current_batch(engine)
    if batch is not None:
        return T0 + TICK * log_size(batch.connection())
    with engine.connect() as connection:
        return T0 + TICK * log_size(connection)


# --- the steps ---------------------------------------------------------------------------------


def register(engine: Engine, n: int, at: datetime) -> str:
    arrived = T0 - timedelta(hours=1)
    cars = [
        Conveyance(f"CR{n}-{c}", ConveyanceKind.RAILCAR, f"7{n:06d}{c}", "KZ", "KTZ", TARE_KG)
        for c in range(1, RAILCARS + 1)
    ]
    # Each its own locomotive: one train cannot bring two movements in at the same moment.
    train = replace(TRAIN, conveyance_id=f"TR-{n}", registration=f"TR-{n}")
    movement = Crossing(movement_id(n), POST, train.conveyance_id, Direction.IN, arrived, True)
    units = [
        Crossing(
            unit_id(n, c),
            POST,
            car.conveyance_id,
            Direction.IN,
            arrived,
            True,
            TARE_KG + CARGO_KG,
            movement.crossing_id,
        )
        for c, car in enumerate(cars, start=1)
    ]
    crossings.register_crossing(engine, movement, units, [train, *cars], actor=OFFICER, at=at)
    return "-"


def lodge(engine: Engine, n: int, at: datetime) -> str:
    subject = declaration_id(n)
    declaration = Declaration(
        subject,
        DeclarationKind.IMPORT,
        POST,
        BROKER,
        f"REF-{n:06d}",
        at,
        importer_id="IMP1",
        exporter_id="EXP1",
    )
    goods: list[DeclarationItem] = [
        item(subject, c, manifest_line_no=None) for c in range(1, RAILCARS + 1)
    ]
    units = [DeclarationUnit(subject, unit_id(n, c)) for c in range(1, RAILCARS + 1)]
    lodged = declarations.lodge(engine, declaration, goods, units, actor=BROKER, at=at)
    assert lodged.accepted, lodged.reasons
    return str(lodged.declaration.status)


def assess(engine: Engine, n: int, at: datetime) -> str:
    channel = Channel.YELLOW if inspected(n) else Channel.GREEN
    selectivity.assess_risk(engine, declaration_id(n), Fixed(channel), actor="system", at=at)
    return str(S.ASSESSED)


def assign(engine: Engine, n: int, at: datetime) -> str:
    assignment.assign_inspector(engine, declaration_id(n), actor="system", at=at)
    return "-"


def start(engine: Engine, n: int, at: datetime) -> str:
    drawn = standing(engine, n).inspection
    assert drawn is not None
    inspections.start_inspection(engine, drawn.inspection_id, actor=drawn.inspector_id, at=at)
    return str(S.UNDER_INSPECTION)


def finish(engine: Engine, n: int, at: datetime) -> str:
    drawn = standing(engine, n).inspection
    assert drawn is not None
    inspections.finish_inspection(engine, drawn.inspection_id, (), actor=drawn.inspector_id, at=at)
    return str(S.INSPECTED)


def duties(engine: Engine, n: int, at: datetime) -> str:
    payments.assess_duties(engine, declaration_id(n), actor="system", at=at)
    return str(S.DUTIES_ASSESSED)


def pay(engine: Engine, n: int, at: datetime) -> str:
    subject = declaration_id(n)
    due = payments.duties_due(engine, subject).total
    payments.record_payment(engine, subject, due, f"KZ-TRS-{subject}", actor=BROKER, at=at)
    return str(S.PAID)


def release(engine: Engine, n: int, at: datetime) -> str:
    payments.release(engine, declaration_id(n), actor=OFFICER, at=at)
    return str(S.RELEASED)


Step = Callable[[Engine, int, datetime], str]


def next_step(where: Standing, n: int) -> Step | None:
    """The step that follows from what the store holds; None once released."""
    if not where.registered:
        return register
    if where.status is None:
        return lodge
    status, drawn = where.status, where.inspection
    if status is S.ASSESSED and inspected(n):
        if drawn is None:
            return assign
        return start
    following: dict[DeclarationStatus, Step | None] = {
        S.ACCEPTED: assess,
        S.ASSESSED: duties,
        S.UNDER_INSPECTION: finish,
        S.INSPECTED: duties,
        S.DUTIES_ASSESSED: pay,
        S.PAID: release,
        S.RELEASED: None,
    }
    if status not in following:
        raise AssertionError(f"declaration {declaration_id(n)} is {status}")
    return following[status]


def acknowledge(log: IO[str], line: str) -> None:
    log.write(line + "\n")
    log.flush()
    os.fsync(log.fileno())


def run(database: str, acknowledgements: str, count: int, batch: bool = False) -> None:
    """Take declarations 1 to ``count`` to release, one acknowledged step at a time.

    With ``batch`` the use cases run in a group-committed :class:`Batch` of a few use cases:
    a step is acknowledged only once the batch that holds it has committed.
    """
    engine = make_engine(f"sqlite:///{database}")
    with open(acknowledgements, "a", encoding="utf-8") as log:
        done: list[str] = []

        def committed() -> None:
            for line in done:
                acknowledge(log, line)
            done.clear()

        with ExitStack() as stack:
            if batch:
                stack.enter_context(
                    Batch(engine, every=BATCH_EVERY, seconds=BATCH_SECONDS, on_commit=committed)
                )
            for n in range(1, count + 1):
                while (step := next_step(standing(engine, n), n)) is not None:
                    after = step(engine, n, now(engine))
                    subject = movement_id(n) if step is register else declaration_id(n)
                    done.append(f"{step.__name__} {subject} {after}")
                    if not batch:
                        committed()
    engine.dispose()
