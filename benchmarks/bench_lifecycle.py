"""Whole declaration lifecycles through the real use cases, with and without the ledger.

A world at Dostyk (post DST): trains of railcars that have crossed and been weighed, each train
with its waybill, and brokers who declare the cargo — each declaration 3 items (of varied HS
subheadings) on 2 railcars of its own, claiming 3 lines of its train's waybill. For every train in
turn the brokers lodge its declarations, the system assesses their risk (rules v1 and the random
share read the real selection context; the channel is then set by plan, so that exactly a tenth
go yellow), a tenth are inspected (assigned at random, started and finished by the drawn
inspector), and every declaration has its duties assessed, is paid and is released, in turn.

The same lifecycles run on a second, identical store with the unit of work's ledger writer
replaced by a no-op (inside this benchmark only): the difference is what the tamper-evident
ledger costs; and on a third with group commit (a :class:`Batch` of 200 use cases per
transaction, each in its own savepoint), as batch drivers run. Trains alternate between the
stores, so noise on a shared machine falls on all alike.

Run: ``uv run python -m benchmarks.bench_lifecycle [--quick] [--profile FILE]``.
"""

from __future__ import annotations

import argparse
import cProfile
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from unittest import mock

from sqlalchemy import Engine

from benchmarks.common import show, sqlite_engine
from dostyk import reference
from dostyk.domain.conveyances import Conveyance, ConveyanceKind, Crossing, Direction
from dostyk.domain.declarations import (
    Channel,
    Declaration,
    DeclarationItem,
    DeclarationKind,
    DeclarationUnit,
)
from dostyk.domain.manifests import Manifest, ManifestKind, ManifestLine
from dostyk.domain.officers import Officer, Posting, Rank
from dostyk.domain.parties import Party, PartyRole
from dostyk.domain.shifts import DutyShift
from dostyk.ledger.writer import LedgerWriter, log_size
from dostyk.services import assignment, declarations, inspections, payments, selectivity
from dostyk.services.selectivity import Selection, SelectionContext, Selector
from dostyk.services.setup import initialise
from dostyk.store.batch import Batch
from dostyk.store.unit_of_work import UnitOfWork

POST = "DST"
ALMATY = timezone(timedelta(hours=5))
#: The first train arrives at 06:00 on 1 March 2025; the lifecycles start at 08:00.
ARRIVED = datetime(2025, 3, 1, 6, 0, tzinfo=ALMATY)
START = ARRIVED + timedelta(hours=2)
#: Railcars per train, two per declaration.
RAILCARS_PER_TRAIN = 40
ITEMS = 3
RAILCARS = 2
TARE_KG = 23_500.0
INSPECTED_SHARE = 10  # one in ten
INSPECTORS = 6
BROKERS = 8
IMPORTERS = 60
EXPORTERS = 12
SUBHEADINGS = 80
RELEASER = "SS-DST1"
#: Use cases per transaction in group-commit mode.
BATCH = 200


@dataclass(frozen=True)
class Plan:
    """One declaration as its broker sends it, and whether the plan inspects it."""

    declaration: Declaration
    items: tuple[DeclarationItem, ...]
    units: tuple[DeclarationUnit, ...]
    inspect: bool

    @property
    def declaration_id(self) -> str:
        return self.declaration.declaration_id


@dataclass
class Clock:
    """One second per use case, so every step comes after the one before."""

    now: datetime = START

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass(frozen=True)
class Planned:
    """The production selector reads the real context; the plan then fixes the channel, so that
    exactly the planned tenth is inspected whatever the rules and the random share said."""

    inspected: frozenset[str]
    inner: Selector = field(default_factory=selectivity.default_selector)

    @property
    def name(self) -> str:
        return f"planned:{self.inner.name}"

    def assess(self, context: SelectionContext) -> Selection:
        chosen = self.inner.assess(context)
        inspect = context.declaration.declaration_id in self.inspected
        channel = Channel.YELLOW if inspect else Channel.GREEN
        return Selection(channel, chosen.score, chosen.criteria, self.name)


# --- the world ---------------------------------------------------------------------------------


def _officers() -> list[Officer]:
    chiefs = [
        Officer("HQ-0001", "Aigerim Sadykova", Rank.HQ),
        Officer("RC-0001", "Nurlan Abenov", Rank.REGIONAL_CHIEF, "HQ-0001"),
        Officer("PC-DST1", "Serik Zhaksylykov", Rank.POST_CHIEF, "RC-0001"),
        Officer("SS-DST1", "Marat Tulegenov", Rank.SHIFT_SUPERVISOR, "PC-DST1"),
    ]
    inspectors = [
        Officer(f"IN-DST{n}", f"Inspector {n}", Rank.INSPECTOR, "SS-DST1")
        for n in range(1, INSPECTORS + 1)
    ]
    return chiefs + inspectors


def _parties() -> list[Party]:
    exporter = frozenset({PartyRole.EXPORTER})

    def kz(prefix: str, n: int, role: PartyRole) -> Party:
        return Party(f"{prefix}{n}", f"{prefix} {n} LLP", f"{n:012d}", "KZ", frozenset({role}))

    return [
        Party(
            "KTZ", "Kazakhstan Temir Zholy", "020540003431", "KZ", frozenset({PartyRole.CARRIER})
        ),
        *(kz("BRK", n, PartyRole.DECLARANT) for n in range(1, BROKERS + 1)),
        *(kz("IMP", n, PartyRole.IMPORTER) for n in range(1, IMPORTERS + 1)),
        *(
            Party(f"EXP{n}", f"Urumqi Trading {n}", f"9165{n:08d}", "CN", exporter)
            for n in range(1, EXPORTERS + 1)
        ),
    ]


def _shifts(officers: Sequence[Officer], hours: int) -> list[DutyShift]:
    """Twelve-hour shifts around the clock for everyone at the post, from 06:00 on day one."""
    shifts = []
    for number in range(hours // 12 + 2):
        starts = ARRIVED + timedelta(hours=12 * number)
        for officer in officers:
            shifts.append(
                DutyShift(
                    f"S-{officer.officer_id}-{starts:%Y%m%d%H}",
                    officer.officer_id,
                    POST,
                    starts,
                    starts + timedelta(hours=12),
                )
            )
    return shifts


def _codes(rng: random.Random) -> list[str]:
    """Ten-digit codes under subheadings that the tariff rates from 2010 on."""
    rated = {r.code_prefix for r in reference.tariff_rates() if r.valid_from.year <= 2010}
    subheadings = [
        s
        for s in reference.nomenclature().subheadings()
        if any(s[:n] in rated for n in range(2, 7))
    ]
    return [f"{s}0000" for s in rng.sample(subheadings, SUBHEADINGS)]


@dataclass
class Train:
    """One train's crossing, its railcars', its waybill and the declarations of its cargo."""

    conveyances: list[Conveyance]
    crossings: list[Crossing]
    manifest: Manifest
    lines: list[ManifestLine]
    plans: list[Plan]


def _train(number: int, codes: Sequence[str], rng: random.Random) -> Train:
    movement = Crossing(f"X-TR{number}", POST, f"TR{number}", Direction.IN, ARRIVED, laden=True)
    conveyances = [Conveyance(f"TR{number}", ConveyanceKind.TRAIN, f"2TE10-{number}", "KZ", "KTZ")]
    crossings = [movement]
    manifest = Manifest(
        f"M{number}",
        ManifestKind.RAIL_WAYBILL,
        POST,
        movement.crossing_id,
        "KTZ",
        f"SMGS-{number:06d}",
        ARRIVED - timedelta(days=2),
    )
    lines: list[ManifestLine] = []
    plans: list[Plan] = []
    for d in range(RAILCARS_PER_TRAIN // RAILCARS):
        declaration_id = f"D{number}-{d + 1}"
        importer = f"IMP{rng.randrange(1, IMPORTERS + 1)}"
        cars = [f"{number}-{d * RAILCARS + c + 1}" for c in range(RAILCARS)]
        items = []
        for item_no in range(1, ITEMS + 1):
            net = float(rng.randrange(8_000, 18_000))
            line_no = len(lines) + 1
            code = rng.choice(codes)
            lines.append(
                ManifestLine(
                    manifest.manifest_id,
                    line_no,
                    code[:6],
                    "Goods",
                    rng.randrange(10, 400),
                    net + 600.0,
                    f"X-RC{cars[(item_no - 1) % RAILCARS]}",
                    importer,
                )
            )
            items.append(
                DeclarationItem(
                    declaration_id=declaration_id,
                    item_no=item_no,
                    commodity_code=code,
                    description="Goods",
                    origin="CN",
                    quantity=Decimal(int(net)),
                    unit="KGM",
                    gross_mass_kg=net + 600.0,
                    net_mass_kg=net,
                    customs_value=Decimal(rng.randrange(500_000, 5_000_000)) / 100,
                    currency="USD",
                    exchange_rate=Decimal("512.34"),
                    manifest_line_no=line_no,
                )
            )
        cargo = sum(i.gross_mass_kg for i in items) / RAILCARS
        for car in cars:
            conveyances.append(
                Conveyance(f"RC{car}", ConveyanceKind.RAILCAR, f"5{car}", "KZ", "KTZ", TARE_KG)
            )
            crossings.append(
                Crossing(
                    f"X-RC{car}",
                    POST,
                    f"RC{car}",
                    Direction.IN,
                    ARRIVED,
                    True,
                    TARE_KG + cargo,
                    movement.crossing_id,
                )
            )
        declaration = Declaration(
            declaration_id,
            DeclarationKind.IMPORT,
            POST,
            f"BRK{rng.randrange(1, BROKERS + 1)}",
            f"REF-{declaration_id}",
            START,
            importer_id=importer,
            exporter_id=f"EXP{rng.randrange(1, EXPORTERS + 1)}",
            manifest_id=manifest.manifest_id,
        )
        units = tuple(DeclarationUnit(declaration_id, f"X-RC{car}") for car in cars)
        plans.append(Plan(declaration, tuple(items), units, inspect=False))
    # Exactly a tenth of every train is inspected.
    chosen = set(rng.sample(range(len(plans)), len(plans) // INSPECTED_SHARE))
    plans = [
        Plan(p.declaration, p.items, p.units, inspect=n in chosen) for n, p in enumerate(plans)
    ]
    return Train(conveyances, crossings, manifest, lines, plans)


def build_world(engine: Engine, trains: int, seed: int = 7) -> list[Train]:
    """Initialise the store and record everything the lifecycles need, in one unit of work."""
    initialise(engine)
    rng = random.Random(seed)
    codes = _codes(rng)
    world = [_train(n, codes, rng) for n in range(1, trains + 1)]
    lifecycles = trains * RAILCARS_PER_TRAIN // RAILCARS
    hours = int(lifecycles * 8 / 3600) + 1
    officers = _officers()
    with UnitOfWork(engine, actor="setup", at=ARRIVED) as uow:
        uow.parties.add_many(_parties())
        uow.officers.add_many(officers)
        uow.postings.add_many(
            Posting(o.officer_id, POST, date(2024, 1, 1)) for o in officers if o.rank.seniority < 3
        )
        uow.shifts.add_many(_shifts([o for o in officers if o.rank.seniority < 2], hours))
        for train in world:
            uow.conveyances.add_many(train.conveyances)
            uow.crossings.add_many(train.crossings)
            uow.manifests.add(train.manifest)
            uow.manifest_lines.add_many(train.lines)
    return world


# --- the lifecycles ----------------------------------------------------------------------------


def run_train(
    engine: Engine, train: Train, clock: Clock, phases: dict[str, float] | None = None
) -> None:
    """Every declaration of a train, a step at a time for all of them, as a post would.

    ``phases`` collects the seconds spent assessing risk (under "assess").
    """
    plans = train.plans
    selector = Planned(frozenset(p.declaration_id for p in plans if p.inspect))
    for plan in plans:
        lodged = declarations.lodge(
            engine,
            plan.declaration,
            plan.items,
            plan.units,
            actor=plan.declaration.declarant_id,
            at=clock(),
        )
        assert lodged.accepted, lodged.reasons
    started = time.perf_counter()
    for plan in plans:
        selectivity.assess_risk(engine, plan.declaration_id, selector, actor="system", at=clock())
    if phases is not None:
        phases["assess"] = phases.get("assess", 0.0) + time.perf_counter() - started
    for plan in plans:
        if plan.inspect:
            _inspect(engine, plan.declaration_id, clock)
    due = {
        plan.declaration_id: payments.assess_duties(
            engine, plan.declaration_id, actor="system", at=clock()
        ).total
        for plan in plans
    }
    for plan in plans:
        payments.record_payment(
            engine,
            plan.declaration_id,
            due[plan.declaration_id],
            f"KZ-TRS-{plan.declaration_id}",
            actor=plan.declaration.declarant_id,
            at=clock(),
        )
    for plan in plans:
        payments.release(engine, plan.declaration_id, actor=RELEASER, at=clock())


def _inspect(engine: Engine, declaration_id: str, clock: Clock) -> None:
    drawn = assignment.assign_inspector(engine, declaration_id, actor="system", at=clock())
    actor = drawn.inspector_id
    inspections.start_inspection(engine, drawn.inspection_id, actor=actor, at=clock())
    inspections.finish_inspection(engine, drawn.inspection_id, (), actor=actor, at=clock())


@contextmanager
def no_ledger() -> Iterator[None]:
    """Units of work that log nothing: the baseline, patched here and never in the system."""
    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(LedgerWriter, "record", _nothing))
        stack.enter_context(mock.patch.object(LedgerWriter, "flush", _nothing))
        yield


def _nothing(*_args: Any, **_kwargs: Any) -> None:
    return None


@dataclass
class Run:
    """One store's share of the benchmark: its world, its clock and the time it has taken."""

    engine: Engine
    trains: list[Train]
    ledger: bool
    #: Group commit (:class:`Batch`) instead of one transaction per use case.
    batch: bool = False
    clock: Clock = field(default_factory=Clock)
    seconds: float = 0.0
    lifecycles: int = 0

    def train(self, number: int, profile: cProfile.Profile | None = None) -> None:
        train = self.trains[number]
        with ExitStack() as stack:
            if not self.ledger:
                stack.enter_context(no_ledger())
            if profile is not None:
                profile.enable()
            started = time.perf_counter()
            if self.batch:
                stack.enter_context(Batch(self.engine, every=BATCH))
            run_train(self.engine, train, self.clock)
            stack.close()
            self.seconds += time.perf_counter() - started
            if profile is not None:
                profile.disable()
        self.lifecycles += len(train.plans)

    @property
    def rate(self) -> float:
        return self.lifecycles / self.seconds


def measure(trains: int, warm_up: int, profile_path: str | None = None) -> list[list[str]]:
    profile = cProfile.Profile() if profile_path else None
    with (
        sqlite_engine() as logged_engine,
        sqlite_engine() as batch_engine,
        sqlite_engine() as plain_engine,
    ):
        runs = [
            Run(logged_engine, build_world(logged_engine, trains + warm_up), ledger=True),
            Run(plain_engine, build_world(plain_engine, trains + warm_up), ledger=False),
            Run(batch_engine, build_world(batch_engine, trains + warm_up), True, batch=True),
        ]
        for number in range(warm_up):
            for run in runs:
                run.train(number)
        with logged_engine.connect() as connection:
            before = log_size(connection)
        for run in runs:
            run.seconds, run.lifecycles = 0.0, 0
        for number in range(warm_up, warm_up + trains):
            for run in runs:
                run.train(number, profile if run.ledger else None)
        with logged_engine.connect() as connection:
            entries = log_size(connection) - before
    if profile is not None and profile_path is not None:
        profile.dump_stats(profile_path)
    logged, plain, batched = runs
    per_lifecycle = entries / logged.lifecycles
    return [
        [
            f"{logged.lifecycles:,} lifecycles ({trains} trains of {RAILCARS_PER_TRAIN} railcars)",
            f"{logged.seconds:.2f} s ({logged.rate:,.0f}/s, "
            f"{1000 * logged.seconds / logged.lifecycles:.2f} ms each)",
            f"{batched.seconds:.2f} s ({batched.rate:,.0f}/s, "
            f"{1000 * batched.seconds / batched.lifecycles:.2f} ms each)",
            f"{plain.seconds:.2f} s ({plain.rate:,.0f}/s)",
            f"{logged.rate / plain.rate:.0%}",
            f"{per_lifecycle:.1f}",
        ]
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description="Declaration lifecycles on SQLite.")
    parser.add_argument("--quick", action="store_true", help="a few trains, for a smoke run")
    parser.add_argument("--trains", type=int, help="trains to time, 20 declarations each")
    parser.add_argument("--profile", metavar="FILE", help="write cProfile stats of the ledger run")
    args = parser.parse_args()
    trains = args.trains or (10 if args.quick else 150)
    warm_up = 2 if args.quick else 10
    show(
        "Declaration lifecycles on SQLite, in-process "
        "(lodge → assess → duties → pay → release; a tenth inspected)",
        [
            "lifecycles",
            "one transaction per use case",
            f"group commit ({BATCH} per transaction)",
            "per use case, without the ledger",
            "ledger ratio",
            "ledger entries each",
        ],
        measure(trains, warm_up, args.profile),
    )


if __name__ == "__main__":
    main()
