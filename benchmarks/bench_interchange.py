"""WCO XML declarations imported per second, beside the same declarations lodged as JSON.

A world at Dostyk: broker BRK1 declares for importer IMP1 the cargo of railcars that crossed in
at DST. Each declaration is the UK's trade-test sample TT_IM001d (three goods items) with its
reference, railcar and traders made Dostyk's, in tenge; the same declaration is also written as
the JSON document ``dostyk declaration lodge`` reads. Two identical stores take them: one through
``read_wco_declaration`` (defusedxml, schema validation, reading) and ``lodge_stated`` (the
railcar's crossing looked up, then the lodgement use case), the other through
``parse_declaration`` and the same use case. Chunks alternate between the stores, so that noise
on a shared machine falls on both alike. The schemas are built before timing (once per process).

Run: ``uv run python -m benchmarks.bench_interchange [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Engine

from benchmarks.common import machine, show, sqlite_engine
from dostyk.domain.conveyances import Conveyance, ConveyanceKind, Crossing, Direction
from dostyk.domain.parties import Party, PartyRole
from dostyk.interchange.json_documents import SET_BY_CUSTOMS, parse_declaration
from dostyk.interchange.lodging import lodge_stated, prepare
from dostyk.interchange.wco.declarations import read_wco_declaration
from dostyk.interchange.wco.safe_xml import schema
from dostyk.services import declarations
from dostyk.services.declaration_record import record_json
from dostyk.services.setup import initialise
from dostyk.store.unit_of_work import UnitOfWork

ALMATY = timezone(timedelta(hours=5))
ARRIVED = datetime(2025, 3, 1, 6, 0, tzinfo=ALMATY)
AT = ARRIVED + timedelta(hours=2)
SAMPLE = "TT_IM001d.xml"
CHUNK = 20


def _samples() -> Path:
    import os

    root = Path(os.environ.get("DOSTYK_SHARED_DATA") or Path(__file__).parents[2] / "shared/data")
    return root / "wco-declarations" / "samples" / SAMPLE


def wco_declaration(template: str, n: int) -> bytes:
    text = template
    for old, new in (
        ("TT_IM01d_v1.6_230322_1", f"BENCH-{n:06d}"),
        ("GB603202734852", "BRK1"),
        ("GB553202734852", "IMP1"),
        ("WLALONBTW", "DST"),
        ("AD12345", f"RC{n}"),
        ('currencyID="GBP"', 'currencyID="KZT"'),
    ):
        text = text.replace(old, new)
    return text.encode("utf-8")


def build_world(engine: Engine, count: int) -> None:
    initialise(engine)
    parties = [
        Party(
            "KTZ", "Kazakhstan Temir Zholy", "020540003431", "KZ", frozenset({PartyRole.CARRIER})
        ),
        Party("BRK1", "Broker One LLP", "662585919944", "KZ", frozenset({PartyRole.DECLARANT})),
        Party("IMP1", "Importer One LLP", "123456789012", "KZ", frozenset({PartyRole.IMPORTER})),
    ]
    train = Conveyance("TR1", ConveyanceKind.TRAIN, "2TE10U-0412", "KZ", "KTZ")
    wagons = [
        Conveyance(f"RC{n}", ConveyanceKind.RAILCAR, f"5{n:07d}", "KZ", "KTZ", 23_500.0)
        for n in range(count)
    ]
    movement = Crossing("X-TR1", "DST", "TR1", Direction.IN, ARRIVED, laden=True)
    units = [
        Crossing(f"X-RC{n}", "DST", f"RC{n}", Direction.IN, ARRIVED, True, 63_500.0, "X-TR1")
        for n in range(count)
    ]
    with UnitOfWork(engine, actor="setup", at=ARRIVED) as uow:
        uow.parties.add_many(parties)
        uow.conveyances.add_many([train, *wagons])
        uow.crossings.add_many([movement, *units])


def json_twin(engine: Engine, xml: bytes) -> str:
    """The JSON document of the same declaration (read from the XML once, before timing)."""
    prepared = prepare(engine, read_wco_declaration(xml, "x"), file="x", at=AT).document
    head = {k: v for k, v in record_json(prepared.declaration).items() if k not in SET_BY_CUSTOMS}
    items = [
        {k: v for k, v in record_json(i).items() if k != "declaration_id"} for i in prepared.items
    ]
    return json.dumps(
        {"declaration": head, "items": items, "units": [u.crossing_id for u in prepared.units]}
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="60 declarations instead of 400")
    count = 60 if parser.parse_args().quick else 400
    template = _samples().read_text(encoding="utf-8")
    schema("declaration")
    schema("notification")
    with sqlite_engine() as wco_store, sqlite_engine() as json_store:
        build_world(wco_store, count)
        build_world(json_store, count)
        xml = [wco_declaration(template, n) for n in range(count)]
        documents = [json_twin(wco_store, x) for x in xml]
        spent = {"wco": 0.0, "json": 0.0, "wco_read": 0.0}
        accepted = {"wco": 0, "json": 0}
        for start in range(0, count, CHUNK):
            chunk = range(start, min(start + CHUNK, count))
            began = time.perf_counter()
            for n in chunk:
                read_began = time.perf_counter()
                stated = read_wco_declaration(xml[n], "bench.xml")
                spent["wco_read"] += time.perf_counter() - read_began
                lodged = lodge_stated(wco_store, stated, file="bench.xml", actor="BRK1", at=AT)
                accepted["wco"] += lodged.accepted
            spent["wco"] += time.perf_counter() - began
            began = time.perf_counter()
            for n in chunk:
                parsed = parse_declaration(documents[n], "bench.json", lodged_at=AT)
                lodged = declarations.lodge(
                    json_store, parsed.declaration, parsed.items, parsed.units, actor="BRK1", at=AT
                )
                accepted["json"] += lodged.accepted
            spent["json"] += time.perf_counter() - began
    assert accepted == {"wco": count, "json": count}, accepted
    rows = [
        [
            "WCO XML (read, validate, map, lodge)",
            f"{count}",
            f"{count / spent['wco']:,.1f}",
            f"{1000 * spent['wco'] / count:.2f}",
        ],
        ["  of which read + schema validation", "", "", f"{1000 * spent['wco_read'] / count:.2f}"],
        [
            "JSON document (parse, lodge)",
            f"{count}",
            f"{count / spent['json']:,.1f}",
            f"{1000 * spent['json'] / count:.2f}",
        ],
    ]
    show(
        f"Declarations of 3 items lodged on SQLite — {machine()}",
        ["entrance", "declarations", "per second", "ms each"],
        rows,
    )


if __name__ == "__main__":
    main()
