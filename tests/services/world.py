"""A small world at Dostyk for the use-case tests, and a clock-keeping driver of the lifecycle.

The post is DST from the reference data. Its officers form one chain of command:
HQ-0001 > RC-0001 > PC-DST1 > SS-DST1 > IN-DST1, IN-DST2; a second shift supervisor SS-DST2
(a peer of SS-DST1, so outside his inspectors' chain) leads the night shift with IN-DST3, and
PC-KHR1 heads the Khorgos road post. A KTZ train (X-TR1) brought six laden railcars at 06:00, each
weighed at its tare plus 40 t, and its waybill M1 lists one consignment of toys per railcar. The
day shift runs 06:00-18:00 local time on 1 March 2025; tests start at 08:00.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import Engine

from dostyk.domain.conveyances import Conveyance, ConveyanceKind, Crossing, Direction
from dostyk.domain.declarations import (
    Channel,
    Declaration,
    DeclarationItem,
    DeclarationKind,
    DeclarationUnit,
)
from dostyk.domain.events import StatusChange
from dostyk.domain.inspections import Finding, Inspection
from dostyk.domain.manifests import Manifest, ManifestKind, ManifestLine
from dostyk.domain.officers import Officer, Posting, Rank
from dostyk.domain.parties import Party, PartyRole
from dostyk.domain.payments import Payment
from dostyk.domain.risk import RiskAssessment
from dostyk.domain.shifts import DutyShift
from dostyk.ledger.writer import log_size
from dostyk.services import assignment, declarations, inspections, payments, selectivity
from dostyk.services.selectivity import Selection, SelectionContext
from dostyk.store.unit_of_work import UnitOfWork

ALMATY = timezone(timedelta(hours=5))
#: 08:00 at Dostyk on 1 March 2025.
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=ALMATY)
POST = "DST"

HQ = Officer("HQ-0001", "Aigerim Sadykova", Rank.HQ)
REGIONAL_CHIEF = Officer("RC-0001", "Nurlan Abenov", Rank.REGIONAL_CHIEF, "HQ-0001")
POST_CHIEF = Officer("PC-DST1", "Serik Zhaksylykov", Rank.POST_CHIEF, "RC-0001")
SUPERVISOR = Officer("SS-DST1", "Marat Tulegenov", Rank.SHIFT_SUPERVISOR, "PC-DST1")
NIGHT_SUPERVISOR = Officer("SS-DST2", "Asel Karimova", Rank.SHIFT_SUPERVISOR, "PC-DST1")
INSPECTOR_1 = Officer("IN-DST1", "Dana Omarova", Rank.INSPECTOR, "SS-DST1")
INSPECTOR_2 = Officer("IN-DST2", "Yerlan Kassymov", Rank.INSPECTOR, "SS-DST1")
NIGHT_INSPECTOR = Officer("IN-DST3", "Bolat Ospanov", Rank.INSPECTOR, "SS-DST2")
KHORGOS_CHIEF = Officer("PC-KHR1", "Gulnara Bekova", Rank.POST_CHIEF, "RC-0001")
OFFICERS = (
    HQ,
    REGIONAL_CHIEF,
    POST_CHIEF,
    SUPERVISOR,
    NIGHT_SUPERVISOR,
    INSPECTOR_1,
    INSPECTOR_2,
    NIGHT_INSPECTOR,
    KHORGOS_CHIEF,
)
DAY_SHIFT = ("PC-DST1", "SS-DST1", "IN-DST1", "IN-DST2")
NIGHT_SHIFT = ("SS-DST2", "IN-DST3")

CARRIER = Party(
    "KTZ", "Kazakhstan Temir Zholy", "020540003431", "KZ", frozenset({PartyRole.CARRIER})
)
BROKER = Party("BRK1", "Broker One LLP", "662585919944", "KZ", frozenset({PartyRole.DECLARANT}))
OTHER_BROKER = Party(
    "BRK2", "Broker Two LLP", "907492420872", "KZ", frozenset({PartyRole.DECLARANT})
)
IMPORTER = Party("IMP1", "Importer One LLP", "123456789012", "KZ", frozenset({PartyRole.IMPORTER}))
EXPORTER = Party("EXP1", "Urumqi Trading Co", "91650100MA77", "CN", frozenset({PartyRole.EXPORTER}))
PARTIES = (CARRIER, BROKER, OTHER_BROKER, IMPORTER, EXPORTER)

TARE_KG = 23_500.0
CARGO_KG = 40_000.0
RAILCARS = 6
TRAIN = Conveyance("TR1", ConveyanceKind.TRAIN, "2TE10U-0412", "KZ", "KTZ")
WAGONS = tuple(
    Conveyance(f"RC{n}", ConveyanceKind.RAILCAR, f"5000000{n}", "KZ", "KTZ", TARE_KG)
    for n in range(1, RAILCARS + 1)
)
ARRIVED = T0 - timedelta(hours=2)
TRAIN_IN = Crossing("X-TR1", POST, "TR1", Direction.IN, ARRIVED, laden=True)
RAILCARS_IN = tuple(
    Crossing(f"X-RC{n}", POST, f"RC{n}", Direction.IN, ARRIVED, True, TARE_KG + CARGO_KG, "X-TR1")
    for n in range(1, RAILCARS + 1)
)
WAYBILL = Manifest(
    "M1", ManifestKind.RAIL_WAYBILL, POST, "X-TR1", "KTZ", "SMGS-0001", ARRIVED - timedelta(days=2)
)
WAYBILL_LINES = tuple(
    ManifestLine("M1", n, "950300", "Toys", 400, CARGO_KG, f"X-RC{n}", "IMP1")
    for n in range(1, RAILCARS + 1)
)


def shift(officer_id: str, starts: datetime, hours: int = 12) -> DutyShift:
    return DutyShift(
        f"S-{officer_id}-{starts:%Y%m%d%H}",
        officer_id,
        POST,
        starts,
        starts + timedelta(hours=hours),
    )


DAY_STARTS = datetime(2025, 3, 1, 6, 0, tzinfo=ALMATY)
SHIFTS = tuple(
    [shift(o, DAY_STARTS) for o in DAY_SHIFT]
    + [shift(o, DAY_STARTS + timedelta(hours=12)) for o in NIGHT_SHIFT]
)


def build_world(engine: Engine) -> None:
    """Every record above, through the repositories in one unit of work."""
    with UnitOfWork(engine, actor="setup", at=ARRIVED) as uow:
        uow.parties.add_many(PARTIES)
        uow.officers.add_many(OFFICERS)
        uow.postings.add_many(
            Posting(o.officer_id, "KHR" if o is KHORGOS_CHIEF else POST, date(2024, 1, 1))
            for o in OFFICERS
            if o.rank is not Rank.HQ and o.rank is not Rank.REGIONAL_CHIEF
        )
        uow.shifts.add_many(SHIFTS)
        uow.conveyances.add_many([TRAIN, *WAGONS])
        uow.crossings.add_many([TRAIN_IN, *RAILCARS_IN])
        uow.manifests.add(WAYBILL)
        uow.manifest_lines.add_many(WAYBILL_LINES)


@dataclass(frozen=True)
class Lodging:
    """What a broker sends: the declaration, its items and its units."""

    declaration: Declaration
    items: tuple[DeclarationItem, ...]
    units: tuple[DeclarationUnit, ...]

    @property
    def declaration_id(self) -> str:
        return self.declaration.declaration_id


def item(declaration_id: str, item_no: int = 1, **changes: object) -> DeclarationItem:
    """Toys, 38 t net in 40 t gross, worth USD 20,000 at 500 tenge: 10,000,000.00 KZT."""
    toys = DeclarationItem(
        declaration_id=declaration_id,
        item_no=item_no,
        commodity_code="9503000000",
        description="Toys",
        origin="CN",
        quantity=Decimal("38000"),
        unit="KGM",
        gross_mass_kg=CARGO_KG,
        net_mass_kg=38_000.0,
        customs_value=Decimal("20000.00"),
        currency="USD",
        exchange_rate=Decimal("500"),
        manifest_line_no=item_no,
    )
    return replace(toys, **changes)  # type: ignore[arg-type]


def lodging(
    n: int,
    *,
    railcars: Sequence[int] | None = None,
    items: Sequence[DeclarationItem] | None = None,
    **changes: object,
) -> Lodging:
    """Declaration D<n> by BRK1 for IMP1 of the toys in railcar n, line n of the waybill."""
    declaration_id = f"D{n}"
    declaration = Declaration(
        declaration_id,
        DeclarationKind.IMPORT,
        POST,
        "BRK1",
        f"REF-{n:04d}",
        T0,
        importer_id="IMP1",
        exporter_id="EXP1",
        manifest_id="M1",
    )
    declaration = replace(declaration, **changes)  # type: ignore[arg-type]
    chosen = railcars if railcars is not None else [n]
    goods = items if items is not None else [item(declaration_id, manifest_line_no=n)]
    units = tuple(DeclarationUnit(declaration_id, f"X-RC{r}") for r in chosen)
    return Lodging(declaration, tuple(goods), units)


@dataclass(frozen=True)
class Fixed:
    """A selector that always chooses one channel, to steer a test's declaration."""

    channel: Channel
    name: str = "fixed:test"

    def assess(self, context: SelectionContext) -> Selection:
        return Selection(self.channel, 0.0, (f"fixed:{self.channel}",), self.name)


class Flow:
    """Drives declarations through the real use cases, one minute apart, on the day shift."""

    def __init__(self, engine: Engine, start: datetime = T0) -> None:
        self.engine = engine
        self.now = start

    def tick(self, minutes: int = 1) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now

    def lodge(self, lodged: Lodging) -> declarations.Lodgement:
        return declarations.lodge(
            self.engine,
            lodged.declaration,
            lodged.items,
            lodged.units,
            actor=lodged.declaration.declarant_id,
            at=self.tick(),
        )

    def assess(self, declaration_id: str, channel: Channel) -> RiskAssessment:
        return selectivity.assess_risk(
            self.engine, declaration_id, Fixed(channel), actor="system", at=self.tick()
        )

    def assign(self, declaration_id: str) -> Inspection:
        return assignment.assign_inspector(
            self.engine, declaration_id, actor="system", at=self.tick()
        )

    def start(self, inspection: Inspection, reason: str | None = None) -> Inspection:
        return inspections.start_inspection(
            self.engine,
            inspection.inspection_id,
            actor=inspection.inspector_id,
            at=self.tick(),
            reason=reason,
        ).inspection

    def finish(self, inspection: Inspection, findings: Sequence[Finding] = ()) -> Inspection:
        return inspections.finish_inspection(
            self.engine,
            inspection.inspection_id,
            findings,
            actor=inspection.inspector_id,
            at=self.tick(),
        ).inspection

    def inspect(self, declaration_id: str, findings: Sequence[Finding] = ()) -> Inspection:
        """Assign, start and finish; ``findings`` name inspection I-<declaration>-1."""
        return self.finish(self.start(self.assign(declaration_id)), findings)

    def duties(self, declaration_id: str) -> payments.Duties:
        return payments.assess_duties(self.engine, declaration_id, actor="system", at=self.tick())

    def pay(self, declaration_id: str, amount: Decimal | None = None) -> Payment:
        due = payments.duties_due(self.engine, declaration_id).total
        return payments.record_payment(
            self.engine,
            declaration_id,
            due if amount is None else amount,
            f"KZ-TRS-{declaration_id}",
            actor="BRK1",
            at=self.tick(),
        )

    def release(self, declaration_id: str, reason: str | None = None) -> payments.Release:
        return payments.release(
            self.engine, declaration_id, actor="SS-DST1", at=self.tick(), reason=reason
        )

    def to_payment(self, lodged: Lodging, channel: Channel) -> str:
        """Lodge and take a declaration as far as paid; returns its id."""
        self.lodge(lodged)
        self.assess(lodged.declaration_id, channel)
        if channel is not Channel.GREEN:
            self.inspect(lodged.declaration_id)
        self.duties(lodged.declaration_id)
        self.pay(lodged.declaration_id)
        return lodged.declaration_id


def read_declaration(engine: Engine, declaration_id: str) -> Declaration:
    with UnitOfWork(engine) as uow:
        found: Declaration | None = uow.declarations.get(declaration_id)
    assert found is not None
    return found


def history(engine: Engine, declaration_id: str) -> list[StatusChange]:
    with UnitOfWork(engine) as uow:
        steps: list[StatusChange] = uow.status_changes.of(declaration_id)
    return steps


def path(engine: Engine, declaration_id: str) -> list[str]:
    """The statuses a declaration went through, in order."""
    return [str(step.to_status) for step in history(engine, declaration_id)]


def ledger_size(engine: Engine) -> int:
    with engine.connect() as connection:
        return log_size(connection)
