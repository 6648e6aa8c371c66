"""Killed at any moment, the store keeps every acknowledged step and no half-done one.

A child process (:mod:`tests.services.crash_worker`) takes declarations through their whole
lifecycle on a SQLite store, acknowledging each use case only after it returns. The test kills
it with SIGKILL at random moments (a seeded draw), 50 times, starting it again after each kill
to carry on from wherever the store says it is. Afterwards:

* every acknowledged step is in the store, and none was acknowledged twice (a lost step would be
  done and acknowledged again by the next child);
* no declaration is half-done: its status is its last step's, its steps are numbered without a
  gap, each assessed one has its assessment, each inspected one its finished inspection, each
  released one its duty lines and a payment of exactly what they add up to;
* the ledger, signed after the last kill, verifies.

It runs twice: with one transaction per use case, as interactive callers work, and with group
commit (:class:`dostyk.store.batch.Batch`), as the simulator works, where a kill loses the
uncommitted tail of a batch — whole use cases, never part of one.
"""

from __future__ import annotations

import multiprocessing
import random
import signal
import time
from collections import Counter
from decimal import Decimal
from multiprocessing.process import BaseProcess
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from dostyk.domain.declarations import DeclarationStatus
from dostyk.ledger.verification import verify_store
from dostyk.services.ledger import ensure_signing_key, sign_head
from dostyk.store import tables as t
from dostyk.store.engine import make_engine
from tests.conftest import make_store
from tests.services import crash_worker
from tests.services.world import build_world

KILLS = 50
SEED = 20_251_128
#: More than the children can get through, so that every one of them is killed at work.
DECLARATIONS = 100_000
#: The child is killed this long after its first acknowledgement, in seconds, drawn uniformly;
#: with group commit longer, so that it commits a few batches before the kill.
LIFETIME = (0.02, 0.3)
BATCH_LIFETIME = (0.1, 0.8)
#: The longest a child may take to acknowledge its first step, in seconds.
FIRST_STEP_TIMEOUT = 60.0
S = DeclarationStatus

#: The status each acknowledged step leaves behind, or the record it leaves where none.
STEP_STATUS = {
    "lodge": S.ACCEPTED,
    "assess": S.ASSESSED,
    "start": S.UNDER_INSPECTION,
    "finish": S.INSPECTED,
    "duties": S.DUTIES_ASSESSED,
    "pay": S.PAID,
    "release": S.RELEASED,
}


def kill_repeatedly(database: Path, acknowledgements: Path, batch: bool) -> int:
    """Start and SIGKILL the worker ``KILLS`` times; how many of them were killed at work."""
    # Forked, the child starts at once with everything imported (a fresh interpreter would
    # spend most of a short life importing); it opens its own engine.
    context = multiprocessing.get_context("fork")
    rng = random.Random(SEED)
    killed = 0
    for _ in range(KILLS):
        child = context.Process(
            target=crash_worker.run,
            args=(str(database), str(acknowledgements), DECLARATIONS, batch),
        )
        before = acknowledgements.stat().st_size if acknowledgements.exists() else 0
        child.start()
        _wait_for_first_acknowledgement(acknowledgements, before, child)
        time.sleep(rng.uniform(*(BATCH_LIFETIME if batch else LIFETIME)))
        child.kill()
        child.join()
        killed += child.exitcode == -signal.SIGKILL
    return killed


def _wait_for_first_acknowledgement(path: Path, size_before: int, child: BaseProcess) -> None:
    """Until the child has acknowledged a step: on a loaded machine its start alone can outlast
    a drawn lifetime, and a child killed before it works tests nothing."""
    deadline = time.monotonic() + FIRST_STEP_TIMEOUT
    while child.is_alive() and time.monotonic() < deadline:
        if path.exists() and path.stat().st_size > size_before:
            return
        time.sleep(0.002)


def acknowledged(path: Path) -> list[tuple[str, str, str]]:
    """(step, subject, status after) of every complete line; a line cut short by the kill is
    not an acknowledgement."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = text.split("\n")[:-1]  # the last piece is empty, or a line the kill cut short
    return [(step, subject, after) for step, subject, after in (line.split() for line in lines)]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    database = tmp_path / "dostyk.db"
    engine = make_store(f"sqlite:///{database}")
    build_world(engine)
    engine.dispose()
    return database


@pytest.mark.slow
@pytest.mark.parametrize("batch", [False, True], ids=["one transaction each", "group commit"])
def test_nothing_acknowledged_is_lost_and_nothing_is_half_done(
    store: Path, tmp_path: Path, batch: bool
) -> None:
    acknowledgements = tmp_path / "acknowledged.txt"
    killed = kill_repeatedly(store, acknowledgements, batch)
    assert killed == KILLS, "every child was killed while at work"
    acks = acknowledged(acknowledgements)
    assert Counter(step for step, _, _ in acks)["release"] >= 5, "the children got some way"

    engine = make_engine(f"sqlite:///{store}")
    try:
        check_acknowledged(engine, acks)
        check_whole(engine)
        key, _ = ensure_signing_key(tmp_path / "keys")
        sign_head(engine, key)
        report = verify_store(engine, key.public)
        assert report.ok, report.findings[:5]
        assert report.entries > 0
    finally:
        engine.dispose()


def check_acknowledged(engine: Engine, acks: list[tuple[str, str, str]]) -> None:
    repeated = [ack for ack, times in Counter(acks).items() if times > 1]
    assert not repeated, f"acknowledged twice, so lost in between: {repeated[:5]}"
    s, i = t.status_changes.c, t.inspections.c
    with engine.connect() as connection:
        steps = {(d, to) for d, to in connection.execute(select(s.declaration_id, s.to_status))}
        crossings = set(connection.execute(select(t.crossings.c.crossing_id)).scalars())
        assigned = set(connection.execute(select(i.declaration_id)).scalars())
    for step, subject, after in acks:
        if step == "register":
            assert subject in crossings, f"acknowledged crossing {subject} is not stored"
        elif step == "assign":
            assert subject in assigned, f"acknowledged assignment for {subject} is not stored"
        else:
            assert after == STEP_STATUS[step]
            assert (subject, after) in steps, f"acknowledged {step} of {subject} is not stored"


def check_whole(engine: Engine) -> None:
    """Every declaration is in a state its lifecycle can be in, with all it needs for it."""
    d, s, i = t.declarations.c, t.status_changes.c, t.inspections.c
    with engine.connect() as connection:
        statuses = dict(connection.execute(select(d.declaration_id, d.status)).all())
        steps: dict[str, list[tuple[int, str]]] = {}
        for declaration_id, seq, to_status in connection.execute(
            select(s.declaration_id, s.seq, s.to_status).order_by(s.declaration_id, s.seq)
        ):
            steps.setdefault(declaration_id, []).append((seq, to_status))
        assessed = set(connection.execute(select(t.risk_assessments.c.declaration_id)).scalars())
        finished = set(
            connection.execute(select(i.declaration_id).where(i.ended_at.is_not(None))).scalars()
        )
        due: dict[str, Decimal] = {}
        for declaration_id, duty, vat in connection.execute(
            select(t.duty_lines.c.declaration_id, t.duty_lines.c.duty, t.duty_lines.c.vat)
        ):
            due[declaration_id] = due.get(declaration_id, Decimal(0)) + duty + vat
        paid = dict(
            connection.execute(select(t.payments.c.declaration_id, t.payments.c.amount)).all()
        )
    assert statuses, "the children lodged declarations"
    for declaration_id, status in statuses.items():
        history = steps.get(declaration_id, [])
        assert [seq for seq, _ in history] == list(range(1, len(history) + 1)), declaration_id
        assert history[-1][1] == status, f"{declaration_id} is {status}, its last step {history}"
        reached = {to_status for _, to_status in history}
        if S.ASSESSED in reached:
            assert declaration_id in assessed, f"{declaration_id} has no risk assessment"
        if S.INSPECTED in reached:
            assert declaration_id in finished, f"{declaration_id} has no finished inspection"
        if S.DUTIES_ASSESSED in reached:
            assert declaration_id in due, f"{declaration_id} has no duty lines"
        if S.PAID in reached:
            assert paid.get(declaration_id) == due[declaration_id], (
                f"{declaration_id} paid {paid.get(declaration_id)}, not {due[declaration_id]}"
            )
