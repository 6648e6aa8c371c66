"""Weighed against declared: do the units weigh what their tare and declared cargo explain?

A railcar's cargo is often split between several declarations (groupage), and one declaration
usually covers many railcars, so a single railcar's declared cargo is generally not known. The
comparison is therefore made over *groups*: the units and the declarations covering them,
closed under "covers" (every unit of a declaration in the group, every live declaration on a
unit in the group). Where one declaration covers one railcar, the group is that railcar; where a
declaration covers seventeen, the group is the seventeen. Rejected and cancelled declarations
cover nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dostyk.domain.conveyances import Conveyance, Crossing
from dostyk.domain.declarations import Declaration, DeclarationItem, DeclarationStatus
from dostyk.store.unit_of_work import UnitOfWork

#: Declarations that no longer (or never did) cover any goods.
DEAD = frozenset({DeclarationStatus.REJECTED, DeclarationStatus.CANCELLED})

#: Weighed mass may exceed tare plus declared gross mass by this share of it (scale error,
#: packing, moisture) ...
TOLERANCE_SHARE = 0.05
#: ... and by at least this much, since a track scale weighs to tens of kilograms.
TOLERANCE_FLOOR_KG = 500.0


@dataclass(frozen=True, slots=True)
class MassBalance:
    """One group's weighed mass against its tare plus declared gross mass."""

    crossing_ids: tuple[str, ...]
    declaration_ids: tuple[str, ...]
    #: Sum of the units' weighed masses; None when a unit was not weighed.
    weighed_kg: float | None
    #: Sum of the units' tares; None when a unit's tare is unknown.
    tare_kg: float | None
    declared_kg: float

    @property
    def expected_kg(self) -> float | None:
        return None if self.tare_kg is None else self.tare_kg + self.declared_kg

    @property
    def excess_kg(self) -> float | None:
        expected = self.expected_kg
        return None if expected is None or self.weighed_kg is None else self.weighed_kg - expected

    def exceeds(self, share: float = TOLERANCE_SHARE, floor_kg: float = TOLERANCE_FLOOR_KG) -> bool:
        """Heavier than tare and declared cargo explain, beyond the scale's tolerance."""
        excess, expected = self.excess_kg, self.expected_kg
        if excess is None or expected is None:
            return False
        return excess > max(share * expected, floor_kg)

    def describe(self) -> str:
        units = ", ".join(self.crossing_ids)
        declared = ", ".join(self.declaration_ids) or "none"
        weighed = "not weighed" if self.weighed_kg is None else f"{self.weighed_kg:,.0f} kg"
        tare = "unknown" if self.tare_kg is None else f"{self.tare_kg:,.0f} kg"
        text = (
            f"units {units} weigh {weighed}; tare {tare} plus gross mass "
            f"{self.declared_kg:,.0f} kg declared on {declared}"
        )
        excess, expected = self.excess_kg, self.expected_kg
        if excess is not None and expected:
            text += f": {excess:,.0f} kg ({100 * excess / expected:.1f} %) more than explained"
        return text


class _Loader:
    """Reads, once each, the records the grouping needs from the unit of work."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self._declarations: dict[str, Declaration | None] = {}
        self._units: dict[str, list[str]] = {}

    def is_live(self, declaration_id: str) -> bool:
        if declaration_id not in self._declarations:
            self._declarations[declaration_id] = self.uow.declarations.get(declaration_id)
        found = self._declarations[declaration_id]
        return found is not None and found.status not in DEAD

    def units_of(self, declaration_id: str) -> list[str]:
        if declaration_id not in self._units:
            self._units[declaration_id] = [
                unit.crossing_id for unit in self.uow.units.of(declaration_id)
            ]
        return self._units[declaration_id]


def mass_balances(uow: UnitOfWork, crossing_ids: Iterable[str]) -> list[MassBalance]:
    """The groups the given units fall into, each with its balance, ordered by first unit."""
    loader = _Loader(uow)
    remaining = set(crossing_ids)
    balances = []
    while remaining:
        start = min(remaining)
        units, declarations = {start}, set[str]()
        frontier = {start}
        while frontier:
            covering = {
                unit.declaration_id
                for unit in uow.units.covering_any(sorted(frontier))
                if loader.is_live(unit.declaration_id)
            }
            fresh = covering - declarations
            declarations |= fresh
            reached = {c for d in sorted(fresh) for c in loader.units_of(d)}
            frontier = reached - units
            units |= frontier
        remaining -= units
        balances.append(_balance(uow, sorted(units), sorted(declarations)))
    return balances


def _balance(uow: UnitOfWork, crossing_ids: list[str], declaration_ids: list[str]) -> MassBalance:
    crossings: dict[str, Crossing] = uow.crossings.many(crossing_ids)
    weighed: float | None = 0.0
    tare: float | None = 0.0
    for crossing_id in crossing_ids:
        crossing = crossings[crossing_id]
        conveyance: Conveyance | None = uow.conveyances.get(crossing.conveyance_id)
        if weighed is not None:
            weighed = None if crossing.gross_mass_kg is None else weighed + crossing.gross_mass_kg
        if tare is not None:
            known = None if conveyance is None else conveyance.tare_mass_kg
            tare = None if known is None else tare + known
    declared = 0.0
    for declaration_id in declaration_ids:
        items: list[DeclarationItem] = uow.items.of(declaration_id)
        declared += sum(item.gross_mass_kg for item in items)
    return MassBalance(tuple(crossing_ids), tuple(declaration_ids), weighed, tare, declared)
