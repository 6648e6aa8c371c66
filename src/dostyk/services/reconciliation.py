"""Reconciling what crossed with what was declared, for one train's or truck's movement.

Goods "off the manifest" leave three traces, each recorded as a discrepancy for someone to
resolve: a laden unit no declaration covers, a manifest line no declaration item claims, and
units heavier than their tare and declared cargo explain (see :mod:`dostyk.services.masses`).
Goods declared but not there leave the opposite traces: units lighter than the cargo declared
on them (summed over every declaration covering them), and cargo declared on units that were
never weighed.
Each discrepancy's identifier is made from what it is about, so running the reconciliation again
finds the same discrepancies instead of adding them twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from dostyk.domain.conveyances import Conveyance, Crossing
from dostyk.domain.declarations import Declaration, DeclarationItem, DeclarationUnit
from dostyk.domain.discrepancies import Discrepancy, DiscrepancyKind
from dostyk.domain.manifests import Manifest, ManifestLine
from dostyk.services.actors import staff
from dostyk.services.errors import NotFound, ValidationFailed
from dostyk.services.ids import discrepancy_id
from dostyk.services.masses import DEAD, mass_balances
from dostyk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class Reconciliation:
    movement_crossing_id: str
    #: Every discrepancy that holds for the movement, whether found now or before.
    discrepancies: tuple[Discrepancy, ...]
    #: How many of them this run recorded.
    added: int


def reconcile(
    engine: Engine, movement_crossing_id: str, *, actor: str, at: datetime
) -> Reconciliation:
    """Compare a movement's units and manifests with the declarations covering them."""
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        staff(uow, actor, "reconcile a movement")
        movement: Crossing | None = uow.crossings.get(movement_crossing_id)
        if movement is None:
            raise NotFound("crossing", movement_crossing_id)
        if movement.part_of is not None:
            raise ValidationFailed(
                [
                    f"{movement_crossing_id} is a unit of movement {movement.part_of}; "
                    "reconcile the movement"
                ]
            )
        found = _Finder(uow, movement, actor, at)
        units = found.cargo_units()
        candidates = [
            *found.undeclared_units(units),
            *found.undeclared_lines(),
            *found.mass_balances(units),
        ]
        kept: list[Discrepancy] = []
        added = 0
        for candidate in candidates:
            stored: Discrepancy | None = uow.discrepancies.get(candidate.discrepancy_id)
            if stored is None:
                uow.discrepancies.add(candidate)
                added += 1
            kept.append(stored or candidate)
    return Reconciliation(movement_crossing_id, tuple(kept), added)


class _Finder:
    def __init__(self, uow: UnitOfWork, movement: Crossing, actor: str, at: datetime) -> None:
        self.uow = uow
        self.movement = movement
        self.actor = actor
        self.at = at
        #: The cargo units read so far, each with its conveyance, and the live declarations
        #: covering each: the mass balances need not read them again.
        self.read: dict[str, tuple[Crossing, Conveyance | None]] = {}
        self.covering: dict[str, set[str]] = {}

    def discrepancy(
        self,
        kind: DiscrepancyKind,
        key: str,
        detail: str,
        *,
        crossing_id: str | None = None,
        manifest_id: str | None = None,
        line_no: int | None = None,
        declaration_id: str | None = None,
    ) -> Discrepancy:
        return Discrepancy(
            discrepancy_id=discrepancy_id(kind, key),
            post_code=self.movement.post_code,
            kind=kind,
            detail=detail,
            found_at=self.at,
            found_by=self.actor,
            crossing_id=crossing_id,
            manifest_id=manifest_id,
            line_no=line_no,
            declaration_id=declaration_id,
        )

    def cargo_units(self) -> list[Crossing]:
        """The crossings that can carry cargo: railcars and trailers, and a truck itself."""
        units: list[Crossing] = self.uow.crossings.of_movement(self.movement.crossing_id)
        carrying = []
        every = [self.movement, *units]
        vehicles = self.uow.conveyances.many(c.conveyance_id for c in every)  # one query
        for crossing in every:
            vehicle: Conveyance | None = vehicles.get(crossing.conveyance_id)
            if vehicle is not None and vehicle.kind.carries_cargo:
                carrying.append(crossing)
                self.read[crossing.crossing_id] = (crossing, vehicle)
        return carrying

    def live(self, declaration_ids: Iterable[str]) -> set[str]:
        """Those of ``declaration_ids`` that exist and are not dead, in one query."""
        found: dict[str, Declaration] = self.uow.declarations.many(declaration_ids)
        return {key for key, declaration in found.items() if declaration.status not in DEAD}

    def undeclared_units(self, units: list[Crossing]) -> list[Discrepancy]:
        covering: list[DeclarationUnit] = self.uow.units.covering_any(
            unit.crossing_id for unit in units
        )
        live = self.live(c.declaration_id for c in covering)
        for unit in units:
            self.covering[unit.crossing_id] = set()
        for c in covering:
            if c.declaration_id in live:
                self.covering[c.crossing_id].add(c.declaration_id)
        covered = {crossing_id for crossing_id, found in self.covering.items() if found}
        return [
            self.discrepancy(
                DiscrepancyKind.UNDECLARED_UNIT,
                unit.crossing_id,
                f"unit {unit.crossing_id} ({unit.conveyance_id}) crossed laden with movement "
                f"{self.movement.crossing_id}, and no declaration covers it",
                crossing_id=unit.crossing_id,
            )
            for unit in units
            if unit.laden and unit.crossing_id not in covered
        ]

    def undeclared_lines(self) -> list[Discrepancy]:
        found = []
        manifests: list[Manifest] = self.uow.manifests.of_crossing(self.movement.crossing_id)
        for manifest in manifests:
            claimed = self.claimed_lines(manifest.manifest_id)
            lines: list[ManifestLine] = self.uow.manifest_lines.of(manifest.manifest_id)
            for line in lines:
                if line.line_no in claimed:
                    continue
                found.append(
                    self.discrepancy(
                        DiscrepancyKind.UNDECLARED_MANIFEST_LINE,
                        f"{manifest.manifest_id}-{line.line_no}",
                        f"line {line.line_no} of manifest {manifest.manifest_id} "
                        f"({line.hs_code}, {line.description}, {line.gross_mass_kg:,.0f} kg) "
                        "is claimed by no declaration item",
                        crossing_id=line.unit_crossing_id,
                        manifest_id=manifest.manifest_id,
                        line_no=line.line_no,
                    )
                )
        return found

    def claimed_lines(self, manifest_id: str) -> set[int]:
        declarations: list[Declaration] = self.uow.declarations.of_manifest(manifest_id)
        items: list[DeclarationItem] = self.uow.items.of_any(  # one query for them all
            d.declaration_id for d in declarations if d.status not in DEAD
        )
        return {i.manifest_line_no for i in items if i.manifest_line_no is not None}

    def mass_balances(self, units: list[Crossing]) -> list[Discrepancy]:
        """Weighed against declared, both ways: more weighed than tare and declared cargo
        explain, less weighed than the declared cargo needs, or cargo declared on units
        nobody weighed."""
        found = []
        ids = (u.crossing_id for u in units)
        for balance in mass_balances(self.uow, ids, self.read, self.covering):
            if not balance.declaration_ids:
                continue
            if balance.exceeds():
                kind = DiscrepancyKind.MASS_EXCESS
            elif balance.falls_short():
                kind = DiscrepancyKind.MASS_SHORTFALL
            elif balance.unweighed:
                kind = DiscrepancyKind.UNWEIGHED_CARGO
            else:
                continue
            found.append(
                self.discrepancy(
                    kind,
                    balance.crossing_ids[0],
                    balance.describe(),
                    crossing_id=balance.crossing_ids[0],
                    declaration_id=balance.declaration_ids[0],
                )
            )
        return found
