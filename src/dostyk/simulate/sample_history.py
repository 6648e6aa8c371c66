"""The sample package (``examples/sample-package``): a small history, then exported.

``python -m dostyk.simulate.sample_history examples/sample-package`` writes it. The history is
made in two parts, both from one seed, so the same seed writes the same bytes:

1. *An old system's records*, as a hand-made package would carry them: the synthetic package's
   finished lifecycles (:mod:`dostyk.simulate.synthetic_package`) with the records the
   integrity unit holds about them (conflicts of interest, a drawn inspector's exclusion,
   reviews of findings, cases) and China's reported exports of the goods. They are imported
   like any package, which also keeps the breaches of Dostyk's controls as anomalies.
2. *Dostyk at work*, through the product's own use cases on the store that import made: the
   risk unit loads a rule profile and puts it live, trains a small model on the inspections
   and puts it live; a train crosses in at Dostyk, its declarations are lodged and assessed by
   the rules and the model (the risk decisions), and the model is switched off again (a
   package carries a model's record, not its file); the railcars pass the post's radiation portal
   monitors, the occupancies that alarm open alarms with every algorithm's finding, and the
   radiation operator adjudicates each one step by step.

The store is then exported, so the sample holds rows in every table of the package and imports
back whole (tests/interchange/test_datapackage.py).
"""

from __future__ import annotations

import csv
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table

from dostyk.domain.conveyances import Conveyance, ConveyanceKind, Crossing, Direction
from dostyk.domain.declarations import (
    Declaration,
    DeclarationItem,
    DeclarationKind,
    DeclarationUnit,
)
from dostyk.domain.ports import Post
from dostyk.interchange.datapackage import export_package, import_package
from dostyk.interchange.datapackage.descriptor import package_descriptor
from dostyk.radiation.simulation import NORM_CARGO, SOURCE_BY_NUCLIDE, Cargo, Source, Vehicle
from dostyk.reference import default_rule_profile
from dostyk.risk import dataset
from dostyk.risk.scoring import Shelf
from dostyk.risk.training import fit
from dostyk.services import crossings, declarations, risk_admin
from dostyk.services.selectivity import assess_risk
from dostyk.services.setup import initialise
from dostyk.simulate.portals import Pending, Portals, cargo_for
from dostyk.simulate.synthetic_package import PackageSize, write_synthetic_package
from dostyk.store import tables as t
from dostyk.store.canonical import row_encoder
from dostyk.store.engine import make_engine
from dostyk.store.unit_of_work import UnitOfWork

#: The seed of the sample in examples/sample-package.
SEED = 7
#: Declarations of the old system's history: every tenth is inspected, and the model needs
#: twenty inspections to learn from.
OLD_DECLARATIONS = 200
#: When Dostyk takes over at Dostyk: once the old system's history is over (by 02:40 on
#: 1 March), before the walk-throughs of README.md and docs/lifecycle.md begin (at 04:00).
TAKEOVER = datetime(2024, 3, 1, 3, 0, tzinfo=UTC)
HQ = "HQ-0001"
#: The train's crossing. Its records are named to sort after the old system's in the package
#: (``X000000000`` and ``D000000000`` stay the first rows of their files).
TRAIN = "XS-0001"
INSPECTOR = "IN-DST1"
POST = "DST"

#: Old-system records of the integrity unit, in each table's column order.
CONFLICTS = [
    (
        "C-IN-DST2-1",
        "IN-DST2",
        "IMP0000",
        "kin",
        "His brother is the importer's director",
        datetime(2024, 2, 20, 9, 0, tzinfo=UTC),
        HQ,
        None,
        None,
    ),
    (
        "C-SS-KHR1-1",
        "SS-KHR1",
        "BRK004",
        "former_employer",
        "Worked for the broker until 2023",
        datetime(2024, 2, 21, 10, 30, tzinfo=UTC),
        HQ,
        datetime(2024, 2, 28, 12, 0, tzinfo=UTC),
        HQ,
    ),
]
EXCLUSIONS = [
    (
        "X-I000000000-1",
        "C-IN-DST2-1",
        "IN-DST2",
        "IMP0000",
        "D000000000",
        "draw",
        "I000000000",
        datetime(2024, 3, 1, 0, 15, 14, tzinfo=UTC),
    )
]
REVIEWS = [
    (
        "V-I000000000-1",
        "I000000000",
        "D000000000",
        "appeal",
        "no_basis",
        "The weighbridge's calibration certificate had lapsed on the day",
        "PC-DST1",
        datetime(2024, 3, 8, 10, 0, tzinfo=UTC),
        1,
        Decimal("0.00"),
    ),
    (
        "V-I000000010-1",
        "I000000010",
        "D000000010",
        "appeal",
        "upheld",
        "Reweighed at the importer's warehouse: 4% above declared",
        "PC-KHR1",
        datetime(2024, 3, 9, 9, 30, tzinfo=UTC),
        1,
        Decimal("0.00"),
    ),
    (
        "V-I000000020-1",
        "I000000020",
        "D000000020",
        "audit",
        "fraud_missed",
        "Invoices at the importer show 30% more goods than declared",
        "RC-0001",
        datetime(2024, 4, 15, 8, 0, tzinfo=UTC),
        None,
        Decimal("185000.00"),
    ),
]
CASES = [
    (
        "K-1",
        "inspector",
        "IN-DST1",
        "Inspected green declarations that no override had moved",
        datetime(2024, 3, 2, 9, 0, tzinfo=UTC),
        HQ,
        HQ,
        datetime(2024, 3, 2, 9, 30, tzinfo=UTC),
        "unsubstantiated",
        "The old system inspected green declarations at random; no pattern by broker",
        datetime(2024, 3, 5, 16, 0, tzinfo=UTC),
        HQ,
    ),
    (
        "K-2",
        "broker",
        "BRK004",
        "Releases out of turn at Khorgos",
        datetime(2024, 3, 3, 11, 0, tzinfo=UTC),
        HQ,
        None,
        None,
        None,
        None,
        None,
        None,
    ),
]
COMTRADE = (
    "Synthetic, modelled on UN Comtrade (reporter China, partner Kazakhstan, exports, HS 2022)"
)
#: China's reported exports to Kazakhstan in February 2024: HS6, FOB USD, net kg, quantity, unit.
PARTNER_EXPORTS = [
    ("392690", "1244144.78", 553423.9, 559014, "KGM"),
    ("611030", "6501089.95", 493585.4, 1678862, "H87"),
    ("640299", "4318843.73", 524471.8, 682906, "PR"),
    ("690721", "167311.95", 524183.9, 24714, "MTK"),
    ("731100", "695140.56", 578110.5, 12595, "H87"),
    ("848180", "8965585.35", 948138.1, 977462, "KGM"),
    ("851713", "542133220.89", 505272.5, 1943356, "H87"),
    ("870323", "5861818.88", 718373.5, 481, "H87"),
    ("940360", "2024620.02", 652833.9, 666157, "KGM"),
    ("950300", "6539404.05", 732211.2, 732211, "KGM"),
]

#: The risk unit's own profile: the shipped rules, under a version of its own, and one more.
EXTRA_RULE = """  - name: ceramic-norm
    version: 1
    reference: "Risk unit order: ceramics from new suppliers are checked against the invoice"
    valid_from: 2024-01-01
    description: ceramic tiles (HS 6907), which the portal monitors see as NORM
    when: any_item(item.heading == "6907")
    channel: yellow
    weight: 1.0
"""


@dataclass(frozen=True)
class Lot:
    """One railcar of the sample train: its goods, and what passes the monitor with them."""

    commodity_code: str
    description: str
    unit: str
    quantity: int
    net_kg: float
    value_usd: Decimal
    #: A man-made source travelling with the railcar (a nuclide of the simulator), if any,
    #: and its count rate at the monitor (drawn by the simulator when None).
    source: str | None = None
    strength_cps: float | None = None


LOTS = (
    Lot("6907210000", "Ceramic tiles", "MTK", 2_400, 50_400.0, Decimal("18000.00")),
    Lot("9503000000", "Toys", "KGM", 21_000, 21_000.0, Decimal("117600.00"), source="I-131"),
    Lot("8481800000", "Valves and taps", "KGM", 18_500, 18_500.0, Decimal("181300.00")),
    Lot(
        "7311000000",
        "Steel gas cylinders",
        "H87",
        600,
        27_000.0,
        Decimal("36000.00"),
        "Cs-137",
        400,
    ),
    Lot("9403600000", "Wooden furniture", "KGM", 15_000, 15_000.0, Decimal("48000.00")),
)
USD_RATE = Decimal("452.100000")
TARE_KG = 23_500.0


def write_sample_package(target: Path, seed: int = SEED) -> dict[str, int]:
    """Make the sample history in a scratch store and export it to ``target``; rows per table."""
    with tempfile.TemporaryDirectory(prefix="dostyk-sample-") as scratch:
        folder = Path(scratch)
        old = folder / "old-system"
        write_old_system(old, seed)
        engine = make_engine(f"sqlite:///{folder / 'dostyk.db'}")
        try:
            # The ledger's times are the history's, not the clock's: its root draws the random
            # share of every assessment, and the same seed must give the same channels.
            initialise(engine, at=TAKEOVER - timedelta(days=30))
            import_package(engine, old, at=TAKEOVER - timedelta(minutes=20))
            dostyk_at_work(engine, folder / "models", seed)
            return export_package(engine, target, force=True)
        finally:
            engine.dispose()


def write_old_system(folder: Path, seed: int) -> None:
    """The old system's package: synthetic lifecycles and the integrity unit's records."""
    write_synthetic_package(folder, PackageSize(OLD_DECLARATIONS, lifecycle=True), seed=seed)
    _append(folder, t.conflicts_of_interest, CONFLICTS)
    _append(folder, t.conflict_exclusions, EXCLUSIONS)
    _append(folder, t.finding_reviews, REVIEWS)
    _append(folder, t.integrity_cases, CASES)
    _append(
        folder,
        t.partner_exports,
        [
            ("CN", "KZ", hs6, "2024-02", Decimal(fob), COMTRADE, net, quantity, unit)
            for hs6, fob, net, quantity, unit in PARTNER_EXPORTS
        ],
    )
    descriptor = package_descriptor("csv", folder)
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n")


def _append(folder: Path, table: Table, rows: Sequence[Sequence[Any]]) -> None:
    encode = row_encoder(table)
    with (folder / f"{table.name}.csv").open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for row in rows:
            writer.writerow(encode(row))


def dostyk_at_work(engine: Engine, models: Path, seed: int) -> None:
    """The risk unit's profile and model put live, a train declared and assessed, its railcars
    through the portal monitors and every alarm adjudicated — all through the use cases."""
    at = _Clock(TAKEOVER)
    _selectivity(engine, models, seed, at)
    units = _train(engine, at)
    ids = _declare(engine, units, at)
    selector = risk_admin.active_selector(engine, Shelf(models))
    for declaration_id in ids:
        assess_risk(engine, declaration_id, selector, actor="system", at=at.tick())
    # A package carries the model's record, not its file: a store that imports the sample has
    # no file to assess with, so the risk unit switches the model off again (its decisions stay).
    risk_admin.activate_model(engine, None, models, actor=HQ, at=at.tick())
    _portals(engine, units, seed, at)


class _Clock:
    """The history's time, a minute a step."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def tick(self, minutes: int = 1) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now


def _selectivity(engine: Engine, models: Path, seed: int, at: _Clock) -> None:
    """The risk unit's profile (the shipped rules and one more) put live, and a small model
    trained on the old system's inspections, registered and put live."""
    source = default_rule_profile()
    source = source.replace("profile: default", "profile: sample", 1)
    source = source.replace("version: rules:v1", "version: rules:v2", 1)
    source = source.rstrip("\n") + "\n" + EXTRA_RULE
    profile = risk_admin.load_profile(engine, source, "rules-v2.yaml", actor=HQ, at=at.tick())
    risk_admin.activate_rules(engine, profile.version, actor=HQ, at=at.tick())
    cases = dataset.replay(dataset.load(engine))
    trained = fit(cases, rate=0.1, seed=seed, estimators=20)
    trained_at = at.tick()
    # The file records when it was trained: the history's time, not the clock's, so that the
    # same seed gives the same file and the same digest in the package.
    trained.model.metadata_["trained_at"] = trained_at.isoformat(timespec="seconds")
    models.mkdir(parents=True, exist_ok=True)
    partial = models / "training.partial.json"
    version = trained.model.save(partial)
    file = risk_admin.model_file(models, version)
    partial.replace(file)
    figures = {
        "declarations": len(cases),
        "labelled": trained.labelled,
        "findings": trained.findings,
        "weighted": trained.weighted,
        "period": list(trained.period),
        "policy": trained.policy.as_dict(),
    }
    risk_admin.register_model(
        engine, version, file, labelled=trained.labelled, figures=figures, actor=HQ, at=trained_at
    )
    risk_admin.activate_model(engine, version, models, actor=HQ, at=at.tick())


def _train(engine: Engine, at: _Clock) -> list[Crossing]:
    """A train of new railcars crosses in at Dostyk; its units' crossings."""
    crossed = at.tick(10)
    movement = Crossing(TRAIN, POST, "TRS-0001", Direction.IN, crossed, True)
    vehicles = [Conveyance("TRS-0001", ConveyanceKind.TRAIN, "TRS-0001", "KZ", "KTZ")]
    units = []
    for n, lot in enumerate(LOTS, start=1):
        railcar = f"RC{60_000_000 + n}"
        vehicles.append(
            Conveyance(railcar, ConveyanceKind.RAILCAR, railcar[2:], "KZ", "KTZ", TARE_KG)
        )
        gross = round(TARE_KG + lot.net_kg * 1.05 + 5, 0)
        units.append(
            Crossing(
                f"{TRAIN}-{n}",
                POST,
                railcar,
                Direction.IN,
                crossed,
                True,
                gross,
                movement.crossing_id,
            )
        )
    crossings.register_crossing(engine, movement, units, vehicles, actor=INSPECTOR, at=at.tick())
    return units


def _declare(engine: Engine, units: list[Crossing], at: _Clock) -> list[str]:
    """Each railcar's goods declared by a broker; the accepted declarations' ids."""
    accepted = []
    for n, (lot, unit) in enumerate(zip(LOTS, units, strict=True), start=1):
        declaration_id = f"DS-{n:04d}"
        broker = f"BRK{n:03d}"
        declaration = Declaration(
            declaration_id,
            DeclarationKind.IMPORT,
            POST,
            broker,
            f"SAMPLE-{n:04d}",
            at.now,
            importer_id=f"IMP{n * 7:04d}",
        )
        item = DeclarationItem(
            declaration_id,
            1,
            lot.commodity_code,
            lot.description,
            "CN",
            Decimal(lot.quantity),
            lot.unit,
            round(lot.net_kg * 1.05 + 5, 1),
            lot.net_kg,
            lot.value_usd,
            "USD",
            USD_RATE,
        )
        lodged = declarations.lodge(
            engine,
            declaration,
            [item],
            [DeclarationUnit(declaration_id, unit.crossing_id)],
            actor=broker,
            at=at.tick(),
        )
        if lodged.accepted:
            accepted.append(declaration_id)
    return accepted


def _portals(engine: Engine, units: list[Crossing], seed: int, at: _Clock) -> None:
    """The railcars pass a lane's monitor; the operator adjudicates every alarm to its end."""
    portals = Portals(engine, seed, {POST: 0}, live=True)
    with UnitOfWork(engine) as uow:
        post: Post | None = uow.posts.get(POST)
    if post is None:
        raise ValueError(f"the store has no post {POST}: initialise it first")
    portals.equip(post, at.tick())
    lane = portals.lanes[POST][0]
    vehicles = [
        Vehicle(
            _cargo(lot),
            _source(lot.source),
            lot.strength_cps,
            railcar=True,
            conveyance_ref=unit.conveyance_id,
            crossing_id=unit.crossing_id,
        )
        for lot, unit in zip(LOTS, units, strict=True)
    ]
    simulated = lane.pass_train(at.tick(), vehicles)
    passes = [(s, True) for s in simulated]
    recorded = portals.record(POST, passes, simulated[-1].occupancy.ended_at + timedelta(seconds=1))
    at.now = max(at.now, simulated[-1].occupancy.ended_at)
    due: list[tuple[datetime, int, Pending]] = [
        (at.now + timedelta(minutes=6), n, pending) for n, pending in enumerate(recorded)
    ]
    while due:
        due.sort(key=lambda d: (d[0], d[1]))
        when, n, pending = due.pop(0)
        later = portals.step(pending, INSPECTOR, when)
        if later is not None:
            due.append((later, n, pending))


def _cargo(lot: Lot) -> Cargo:
    heading = lot.commodity_code[:4]
    return next((c for c in NORM_CARGO if c.hs_code == heading), cargo_for([lot.commodity_code]))


def _source(nuclide: str | None) -> Source | None:
    return None if nuclide is None else SOURCE_BY_NUCLIDE[nuclide]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (1, 2):
        print("usage: python -m dostyk.simulate.sample_history FOLDER [SEED]", file=sys.stderr)
        return 2
    seed = int(args[1]) if len(args) == 2 else SEED
    counts = write_sample_package(Path(args[0]), seed)
    for name, count in sorted(counts.items()):
        print(f"{name}: {count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["SEED", "write_sample_package"]
