"""The ground truth of a simulated world, kept apart from the records.

The store holds only what the customs service could know. What really happened — who is corrupt
and how, which declarations lied and what revenue was really at stake, every bribe and every
pass-up payment — is written to a separate folder of CSV files, so detectors can be scored
against it and never read it by accident.
"""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class AgentTruth:
    """An officer, broker or trader, and the scheme he follows (``honest`` for most)."""

    agent_id: str
    kind: str
    post_code: str
    scheme: str
    partner_id: str = ""


@dataclass(frozen=True)
class DeclarationTruth:
    declaration_id: str
    post_code: str
    scheme: str
    fraudulent: bool
    declared_value_kzt: Decimal
    true_value_kzt: Decimal
    declared_commodity_code: str
    true_commodity_code: str
    declared_mass_kg: float
    true_mass_kg: float
    revenue_at_stake_kzt: Decimal
    inspected: bool = False
    detected: bool = False
    #: A corrupt inspector recorded a finding the goods did not bear (extortion that failed).
    fabricated: bool = False
    #: What later reviews concluded of the inspection's result: "", or outcomes joined by '|'.
    reviews: str = ""


@dataclass(frozen=True)
class Payment:
    """A bribe (broker or trader to officer) or a pass-up share (inspector to supervisor)."""

    at: datetime
    kind: str
    payer_id: str
    payee_id: str
    amount_usd: Decimal
    declaration_id: str
    post_code: str


#: The columns of radiation.csv: what really passed each portal monitor that saw something.
RADIATION_COLUMNS = (
    "occupancy_id",
    "crossing_id",
    "post_code",
    "source_class",
    "nuclide",
    "cargo_hs",
    "strength_cps",
    "alarm_id",
)


@dataclass
class GroundTruth:
    agents: list[AgentTruth] = field(default_factory=list)
    declarations: dict[str, DeclarationTruth] = field(default_factory=dict)
    payments: list[Payment] = field(default_factory=list)
    crossings: list[dict[str, Any]] = field(default_factory=list)
    #: Occupancies with a real source (NORM or man-made) or an alarm (dostyk.simulate.portals).
    radiation: list[dict[str, Any]] = field(default_factory=list)

    def record(self, truth: DeclarationTruth) -> None:
        self.declarations[truth.declaration_id] = truth

    def mark(self, declaration_id: str, **changes: Any) -> None:
        current = self.declarations.get(declaration_id)
        if current is not None:
            self.declarations[declaration_id] = DeclarationTruth(**{**asdict(current), **changes})

    def write(self, folder: Path, parameters: dict[str, Any]) -> None:
        """One CSV per kind of truth, rows in a stable order, plus the run's parameters."""
        folder.mkdir(parents=True, exist_ok=True)
        _write(folder / "agents.csv", AgentTruth, sorted(self.agents, key=lambda a: a.agent_id))
        _write(
            folder / "declarations.csv",
            DeclarationTruth,
            [self.declarations[k] for k in sorted(self.declarations)],
        )
        _write(folder / "payments.csv", Payment, self.payments)
        with (folder / "smuggling_out.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["crossing_id", "post_code", "hidden_cargo_kg"])
            for row in self.crossings:
                writer.writerow([row["crossing_id"], row["post_code"], row["hidden_cargo_kg"]])
        with (folder / "radiation.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            names = list(RADIATION_COLUMNS)
            writer.writerow(names)
            for row in self.radiation:
                writer.writerow([row[name] for name in names])
        text = json.dumps(parameters, indent=2, sort_keys=True, default=str)
        (folder / "parameters.json").write_text(text + "\n", encoding="utf-8")


def _write(path: Path, kind: type[Any], rows: list[Any]) -> None:
    names = [f.name for f in fields(kind)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow([_text(getattr(row, n)) for n in names])


def _text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
