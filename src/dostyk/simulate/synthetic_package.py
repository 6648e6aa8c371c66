"""A synthetic data package of any size, for load tests, benchmarks and the sample package.

It is not the calibrated simulator: records are plausible and internally consistent (every
reference resolves, every declaration's railcars crossed in at its post, duties follow the
tariff) but volumes and behaviours are not modelled. Everything is drawn from one seed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from dostyk.domain.money import to_amount
from dostyk.domain.tariff import Tariff
from dostyk.interchange.datapackage.descriptor import package_descriptor
from dostyk.reference import nomenclature, tariff_rates
from dostyk.store import tables as t
from dostyk.store.canonical import row_encoder

START = datetime(2024, 3, 1, tzinfo=UTC)
POSTS = ("DST", "KHR")
CURRENCIES = (("CNY", Decimal("64.350000")), ("USD", Decimal("452.100000")))
GOODS = (
    ("851713", "Smartphones", "H87", 0.25, 320.0),
    ("870323", "Passenger cars, 1500-3000 cc", "H87", 1450.0, 14_000.0),
    ("640299", "Footwear, rubber or plastics", "PR", 0.8, 6.5),
    ("940360", "Wooden furniture", "KGM", 1.0, 3.2),
    ("731100", "Steel gas cylinders", "H87", 45.0, 60.0),
    ("392690", "Articles of plastics", "KGM", 1.0, 2.4),
    ("611030", "Jerseys of man-made fibres", "H87", 0.3, 4.1),
    ("690721", "Ceramic tiles", "MTK", 21.0, 7.5),
    ("848180", "Valves and taps", "KGM", 1.0, 9.8),
    ("950300", "Toys", "KGM", 1.0, 5.6),
)


@dataclass(frozen=True)
class PackageSize:
    declarations: int
    items_per_declaration: int = 3
    units_per_declaration: int = 2
    lifecycle: bool = False
    manifests: bool = True


class _Writer:
    """Writes one table's CSV with the canonical encoders, as ``dostyk export`` would."""

    def __init__(self, folder: Path, table: Any) -> None:
        self.handle = (folder / f"{table.name}.csv").open("w", encoding="utf-8", newline="")
        self.csv = csv.writer(self.handle, lineterminator="\n")
        self.csv.writerow([c.name for c in table.columns])
        self.encode = row_encoder(table)
        self.count = 0

    def write(self, row: Sequence[Any]) -> None:
        self.csv.writerow(self.encode(row))
        self.count += 1

    def close(self) -> None:
        self.handle.close()


def write_synthetic_package(folder: Path, size: PackageSize, seed: int = 1) -> dict[str, int]:
    """Write a package with ``size.declarations`` declarations and what they need."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    writers = {table.name: _Writer(folder, table) for table in t.TABLES}
    try:
        _write(writers, size, rng)
    finally:
        for writer in writers.values():
            writer.close()
    descriptor = package_descriptor("csv", folder)
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2) + "\n")
    return {name: w.count for name, w in writers.items()}


def _write(writers: dict[str, _Writer], size: PackageSize, rng: np.random.Generator) -> None:
    w = {name: writer.write for name, writer in writers.items()}
    _officers(w)
    brokers, importers, carriers = _parties(w, rng)
    railcars = [f"RC{50_000_000 + i}" for i in range(max(40, size.declarations // 4))]
    for number, conveyance_id in enumerate(railcars):
        w["conveyances"](
            (conveyance_id, "railcar", f"{50_000_000 + number}", "KZ", carriers[0], 23_500.0)
        )
    locomotives = [f"TR{i:04d}" for i in range(20)]
    for conveyance_id in locomotives:
        w["conveyances"]((conveyance_id, "train", conveyance_id, "KZ", carriers[0], None))
    tariff = Tariff.of(tariff_rates())
    subheadings = [g for g in GOODS if nomenclature().is_subheading(g[0])]
    crossing_no = 0
    train_crossing = ""
    manifest_id: str | None = None
    for d in range(size.declarations):
        lodged = START + timedelta(seconds=int(d * 37 + rng.integers(0, 30)))
        if d % 8 == 0 or not train_crossing:
            train_crossing = f"X{crossing_no:09d}"
            crossing_no += 1
            post = POSTS[(d // 8) % len(POSTS)]
            w["crossings"](
                (
                    train_crossing,
                    post,
                    locomotives[d % len(locomotives)],
                    "in",
                    lodged - timedelta(hours=2),
                    True,
                    None,
                    None,
                )
            )
            train_post = post
            manifest_id = f"M{train_crossing[1:]}" if size.manifests else None
            line_no = 0
            if manifest_id is not None:
                w["manifests"](
                    (
                        manifest_id,
                        "rail_waybill",
                        post,
                        train_crossing,
                        carriers[0],
                        f"SMGS-{train_crossing[1:]}",
                        lodged - timedelta(days=3),
                    )
                )
        declaration_id = f"D{d:09d}"
        units = []
        for u in range(size.units_per_declaration):
            crossing_id = f"X{crossing_no:09d}"
            crossing_no += 1
            mass = float(round(23_500 + rng.uniform(20_000, 60_000), 0))
            w["crossings"](
                (
                    crossing_id,
                    train_post,
                    railcars[(d * size.units_per_declaration + u) % len(railcars)],
                    "in",
                    lodged - timedelta(hours=2),
                    True,
                    mass,
                    train_crossing,
                )
            )
            units.append(crossing_id)
        declarant = brokers[d % len(brokers)]
        status = "released" if size.lifecycle else "lodged"
        w["declarations"](
            (
                declaration_id,
                "import",
                train_post,
                declarant,
                f"REF-{d:09d}",
                lodged,
                status,
                importers[d % len(importers)],
                None,
                manifest_id,
                "green" if size.lifecycle else None,
            )
        )
        for crossing_id in units:
            w["declaration_units"]((declaration_id, crossing_id))
        values = []
        for item_no in range(1, size.items_per_declaration + 1):
            hs6, text, unit, kg_per_unit, usd_per_unit = subheadings[
                int(rng.integers(len(subheadings)))
            ]
            # Three items share two railcars' load of 40-120 t, so each is 5-30 t net.
            quantity = max(1, round(float(rng.uniform(5_000, 30_000)) / kg_per_unit))
            net = round(quantity * kg_per_unit, 1)
            gross = round(net * 1.08 + 5, 1)
            currency, rate = CURRENCIES[item_no % 2]
            per_unit = Decimal(str(usd_per_unit)) * (Decimal(452) / rate)
            value = to_amount(per_unit * quantity * Decimal(str(rng.uniform(0.8, 1.2))))
            w["declaration_items"](
                (
                    declaration_id,
                    item_no,
                    f"{hs6}0000",
                    text,
                    "CN",
                    Decimal(quantity),
                    unit,
                    gross,
                    net,
                    value,
                    currency,
                    rate,
                    None if manifest_id is None else line_no + 1,
                )
            )
            line_no += 1
            if manifest_id is not None:
                w["manifest_lines"](
                    (
                        manifest_id,
                        line_no,
                        hs6,
                        text,
                        int(rng.integers(10, 400)),
                        gross,
                        units[(item_no - 1) % len(units)],
                        importers[d % len(importers)],
                    )
                )
            values.append((item_no, f"{hs6}0000", to_amount(value * rate)))
        if size.lifecycle:
            _lifecycle(w, d, declaration_id, train_post, declarant, lodged, values, tariff, rng)


def _officers(w: dict[str, Any]) -> None:
    rows = [
        ("HQ-0001", "Aigerim Sadykova", "hq", None),
        ("RC-0001", "Nurlan Abenov", "regional_chief", "HQ-0001"),
        ("PC-DST1", "Serik Zhaksylykov", "post_chief", "RC-0001"),
        ("SS-DST1", "Marat Tulegenov", "shift_supervisor", "PC-DST1"),
        ("IN-DST1", "Dana Omarova", "inspector", "SS-DST1"),
        ("IN-DST2", "Yerlan Kassymov", "inspector", "SS-DST1"),
        ("PC-KHR1", "Gulnara Bekova", "post_chief", "RC-0001"),
        ("SS-KHR1", "Timur Akhmetov", "shift_supervisor", "PC-KHR1"),
        ("IN-KHR1", "Aliya Nurpeisova", "inspector", "SS-KHR1"),
    ]
    for row in rows:
        w["officers"](row)
    for officer_id, *_ in rows[2:]:
        post = "DST" if "DST" in officer_id else "KHR"
        w["officer_postings"]((officer_id, date(2023, 1, 1), post, None))
        w["duty_shifts"](
            (
                f"S-{officer_id}-{START:%Y%m%d}",
                officer_id,
                post,
                START - timedelta(hours=4),
                START + timedelta(hours=20),
            )
        )


def _parties(w: dict[str, Any], rng: np.random.Generator) -> tuple[list[str], ...]:
    brokers = [f"BRK{i:03d}" for i in range(12)]
    importers = [f"IMP{i:04d}" for i in range(60)]
    carriers = ["KTZ"]
    w["parties"](("KTZ", "Kazakhstan Temir Zholy", "020540003431", "KZ", "carrier"))
    for i, party_id in enumerate(brokers):
        bin_ = f"{int(rng.integers(10**11, 10**12))}"
        w["parties"]((party_id, f"Broker {i + 1} LLP", bin_, "KZ", "declarant"))
    for i, party_id in enumerate(importers):
        bin_ = f"{int(rng.integers(10**11, 10**12))}"
        roles = "importer|declarant" if i % 10 == 0 else "importer"
        w["parties"]((party_id, f"Importer {i + 1} LLP", bin_, "KZ", roles))
    return brokers, importers, carriers


def _lifecycle(
    w: dict[str, Any],
    d: int,
    declaration_id: str,
    post: str,
    declarant: str,
    lodged: datetime,
    values: list[tuple[int, str, Decimal]],
    tariff: Tariff,
    rng: np.random.Generator,
) -> None:
    """The records of a finished lifecycle: steps, assessment, duties, payment, release."""
    inspector, other, supervisor = (
        ("IN-DST1", "IN-DST2", "SS-DST1") if post == "DST" else ("IN-KHR1", "IN-KHR1", "SS-KHR1")
    )
    at = iter(lodged + timedelta(minutes=5 * k) for k in range(1, 20))
    steps: list[tuple[str | None, str, str, str | None]] = [
        (None, "lodged", declarant, None),
        ("lodged", "accepted", "system", None),
        ("accepted", "assessed", "system", None),
    ]
    inspected = d % 10 == 0
    if inspected:
        steps.append(("assessed", "under_inspection", inspector, None))
        steps.append(("under_inspection", "inspected", inspector, None))
    prior = steps[-1][1]
    steps += [
        (prior, "duties_assessed", "system", None),
        ("duties_assessed", "paid", declarant, None),
        ("paid", "released", supervisor, None),
    ]
    times = {}
    for seq, (before, after, actor, reason) in enumerate(steps, start=1):
        times[after] = next(at)
        w["status_changes"]((declaration_id, seq, before, after, times[after], actor, reason))
    score = float(round(rng.uniform(0, 0.3), 4))
    overridden = d % 25 == 5
    channel = "yellow" if overridden else "green"
    criteria = "rule:new-importer" if overridden else ""
    w["risk_assessments"](
        (f"A{d:09d}", declaration_id, times["assessed"], channel, score, criteria, "rules:v1")
    )
    if overridden:
        w["overrides"](
            (
                f"O{d:09d}",
                declaration_id,
                "yellow",
                "green",
                "Documents presented in full at the window and checked against the invoice",
                inspector,
                times["assessed"],
                "approved",
                supervisor,
                times["assessed"] + timedelta(minutes=2),
            )
        )
    total = Decimal("0.00")
    for item_no, code, value in values:
        line = tariff.duty_line(declaration_id, item_no, code, value, lodged.date())
        w["duty_lines"](
            (declaration_id, item_no, value, line.duty_rate, line.duty, line.vat_rate, line.vat)
        )
        total += line.total
    # Two inspections in three find the goods 4 % heavier than declared, and 4 % more duty is
    # paid; the third finds nothing. A model learns from both (dostyk.simulate.sample_history).
    found = inspected and (d // 10) % 3 != 2
    extra = to_amount(total * Decimal("0.04")) if found else Decimal("0.00")
    total += extra
    if inspected:
        inspection_id = f"I{d:09d}"
        w["inspections"](
            (
                inspection_id,
                declaration_id,
                inspector,
                times["assessed"],
                f"seed={d};candidates={inspector},{other};chosen={inspector}",
                times["under_inspection"],
                times["inspected"],
                None,
                None,
                None,
            )
        )
        if found:
            w["findings"](
                (
                    inspection_id,
                    1,
                    "mass_discrepancy",
                    "Weighed 4% above declared",
                    extra,
                    False,
                    1,
                )
            )
    w["payments"]((f"P{d:09d}", declaration_id, total, times["paid"], f"KZ-TRS-{d:09d}"))
    if d % 30 == 11:
        w["queue_exceptions"](
            (
                f"Q{d:09d}",
                post,
                "release",
                channel if not overridden else "green",
                declaration_id,
                1,
                f"D{d - 1:09d}",
                "Perishable cargo: refrigerated railcar losing temperature",
                supervisor,
                times["released"],
            )
        )
    if d % 40 == 7:
        w["discrepancies"](
            (
                f"Z{d:09d}",
                post,
                "mass_excess",
                "Railcars weigh 2.4 t more than the declared gross mass and the tare explain",
                times["accepted"],
                "system",
                None,
                None,
                None,
                declaration_id,
            )
        )
