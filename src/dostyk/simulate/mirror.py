"""What the partner countries report they exported: the mirror of the simulated imports.

The exporting country sees the goods as they really leave it: the true consignments with their
true value and mass, goods hidden off the manifest included, before any undervaluation or
understated mass on this side. It reports them the way UN Comtrade figures are made:

- by the month the goods left, which is the month of arrival less the transit time (one to four
  days by rail from the border station, half a day to three by road), so a shipment that left on
  the 30th may be declared here on the 2nd;
- valued free on board (FOB) at its border: the true customs value here (CIF at the border)
  less freight and insurance, whose margin differs by goods (5 to 15 %, drawn once per reporter
  and subheading; the usual convention is 10 %);
- with its own reporting noise: a few per cent on value (sd 3 %) and mass (sd 2 %) per figure.

So an honest world shows a mirror gap of noise only, and undervaluation, understated mass and
goods off the manifest show as the gap they make. What each declaration really carried against
what it declared goes to the ground truth (``mirror.csv``), with the importer, the broker, the
post and the inspector who saw it, for the evaluation of the drill-down.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from dostyk.domain.partner_trade import PartnerExport, month_of

#: Transit from the partner's export clearance to the declaration here, days (low, high).
TRANSIT_DAYS = {"rail": (1.0, 3.5), "road": (0.5, 3.0)}
#: Freight and insurance as a share of the FOB value, drawn per reporter and subheading.
CIF_FOB_MARGIN = (0.05, 0.15)
#: Lognormal sd of the partner's reporting error on one figure's value and mass.
VALUE_NOISE = 0.03
MASS_NOISE = 0.02
#: Net mass as a share of the gross mass the world loads (as the declarations' net).
NET_SHARE = 0.97
SOURCE = "Simulated partner statistics (modelled on UN Comtrade, exports by partner, HS 2022)"
#: The columns of the ground truth's mirror.csv: one row per declaration and true subheading.
TRUTH_COLUMNS = (
    "declaration_id",
    "post_code",
    "importer_id",
    "declarant_id",
    "inspector_id",
    "reporter",
    "hs6",
    "exported_on",
    "month",
    "true_value_usd",
    "declared_value_usd",
    "true_net_kg",
    "declared_net_kg",
    "scheme",
)


@dataclass
class _Flow:
    value_usd: float = 0.0
    net_kg: float = 0.0
    quantity: float = 0.0
    unit: str = ""


@dataclass
class PartnerTrade:
    """The partners' true exports as the world ships them, and the figures they report."""

    seed: int
    flows: dict[tuple[str, str, str], _Flow] = field(default_factory=dict)
    truth: list[dict[str, Any]] = field(default_factory=list)
    margins: dict[tuple[str, str], float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A stream of its own, so that the partners' draws change nothing else in the world.
        self.rng = np.random.default_rng([self.seed, 9])

    def exported_on(self, arrived: datetime, mode: str) -> date:
        """When the shipment arriving now left the partner: arrival less its transit."""
        low, high = TRANSIT_DAYS.get(mode, TRANSIT_DAYS["road"])
        return (arrived - timedelta(days=float(self.rng.uniform(low, high)))).date()

    def ship(
        self,
        reporter: str,
        hs6: str,
        exported_on: date,
        value_usd: float,
        net_kg: float,
        quantity: float,
        unit: str,
    ) -> None:
        """The partner exports a true consignment (valued as it is worth at the border here)."""
        flow = self.flows.setdefault((reporter, hs6, month_of(exported_on)), _Flow(unit=unit))
        flow.value_usd += value_usd
        flow.net_kg += net_kg
        flow.quantity += quantity

    def declared(self, row: dict[str, Any]) -> None:
        """What one declaration really carried of one subheading, against what it declared."""
        self.truth.append(row)

    def _margin(self, reporter: str, hs6: str) -> float:
        key = (reporter, hs6)
        if key not in self.margins:
            self.margins[key] = float(self.rng.uniform(*CIF_FOB_MARGIN))
        return self.margins[key]

    def records(self) -> list[PartnerExport]:
        """The figures each partner reports, one per subheading and month, in key order."""
        records = []
        for (reporter, hs6, month), flow in sorted(self.flows.items()):
            margin = self._margin(reporter, hs6)
            value = flow.value_usd / (1 + margin) * float(self.rng.lognormal(0, VALUE_NOISE))
            mass_noise = float(self.rng.lognormal(0, MASS_NOISE))
            records.append(
                PartnerExport(
                    reporter,
                    "KZ",
                    hs6,
                    month,
                    Decimal(str(round(value, 2))),
                    SOURCE,
                    round(flow.net_kg * mass_noise, 1),
                    Decimal(max(1, round(flow.quantity * mass_noise))),
                    flow.unit,
                )
            )
        return records

    def write_truth(self, folder: Path, inspectors: dict[str, str]) -> None:
        """``mirror.csv``: per declaration and subheading, true against declared, with who."""
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "mirror.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(TRUTH_COLUMNS)
            for row in sorted(self.truth, key=lambda r: (r["declaration_id"], r["hs6"])):
                row = {**row, "inspector_id": inspectors.get(row["declaration_id"], "")}
                writer.writerow([_text(row[name]) for name in TRUTH_COLUMNS])
        margins = folder / "partner_margins.csv"
        with margins.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["reporter", "hs6", "cif_fob_margin"])
            for (reporter, hs6), margin in sorted(self.margins.items()):
                writer.writerow([reporter, hs6, f"{margin:.4f}"])


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
