"""A store in which the UK's trade-test declarations can be lodged at Dostyk.

It is the world of the use-case tests (DST, its officers on the day shift) with more in it.
The samples name traders by their EORI numbers and their goods' containers and trailers by
number (AD12345, DM1234, ...). This world registers those traders as parties (declarants,
importers, exporters: each EORI a sample names in those roles, never an authorisation holder
that is not one), and a train that brought every one of those units in at DST two hours before
the declarations are lodged. The samples' invoices are in pounds; customs' rate of the day for
the test is 640 tenge to the pound.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine

from dostyk.domain.conveyances import Conveyance, ConveyanceKind, Crossing, Direction
from dostyk.domain.parties import Party, PartyRole
from dostyk.interchange.lodging import Options
from dostyk.interchange.wco.declarations import read_wco_declaration
from dostyk.store.unit_of_work import UnitOfWork
from tests.conftest import shared_data
from tests.services.world import T0, build_world

SAMPLES = shared_data() / "wco-declarations" / "samples"
NOTIFICATIONS = shared_data() / "wco-declarations" / "notifications"
POST = "DST"
RATES = {"GBP": Decimal("640.00"), "EUR": Decimal("545.00"), "USD": Decimal("505.00")}
OPTIONS = Options(post=POST, rates=RATES)
ARRIVED = T0 - timedelta(hours=2)
TRAIN = Conveyance("TR-UK1", ConveyanceKind.TRAIN, "2TE10U-0413", "KZ", "KTZ")


def samples() -> list[Path]:
    return sorted(SAMPLES.glob("*.xml"))


def named_in_samples() -> tuple[dict[str, set[PartyRole]], set[str]]:
    """The EORIs each sample names as declarant, importer or exporter, and its unit numbers."""
    roles: dict[str, set[PartyRole]] = {}
    units: set[str] = set()
    for path in samples():
        try:
            stated = read_wco_declaration(path.read_bytes(), path.name)
        except Exception:  # a refused sample names nobody this world needs
            continue
        for stated_party, role in (
            (stated.declarant, PartyRole.DECLARANT),
            (stated.importer, PartyRole.IMPORTER),
            (stated.exporter, PartyRole.EXPORTER),
        ):
            if stated_party.value:
                roles.setdefault(stated_party.value, set()).add(role)
        units |= {e.value for e in stated.equipment if e.value}
    return roles, units


def build_uk_world(engine: Engine) -> None:
    """The world of :mod:`tests.services.world` (officers, shifts, KTZ at DST) and the samples'
    traders and units."""
    build_world(engine)
    roles, units = named_in_samples()
    parties = [
        Party(
            eori, f"Trader {eori}", eori[2:], eori[:2] if eori[:2] != "XI" else "GB", frozenset(r)
        )
        for eori, r in sorted(roles.items())
    ]
    wagons = [
        Conveyance(number, ConveyanceKind.RAILCAR, number, "KZ", "KTZ", 23_500.0)
        for number in sorted(units)
    ]
    movement = Crossing("X-UK1", POST, TRAIN.conveyance_id, Direction.IN, ARRIVED, laden=True)
    crossings = [
        Crossing(
            f"X-UK1-{w.conveyance_id}",
            POST,
            w.conveyance_id,
            Direction.IN,
            ARRIVED,
            True,
            63_500.0,
            "X-UK1",
        )
        for w in wagons
    ]
    with UnitOfWork(engine, actor="setup", at=ARRIVED) as uow:
        uow.parties.add_many(parties)
        uow.conveyances.add_many([TRAIN, *wagons])
        uow.crossings.add_many([movement, *crossings])
