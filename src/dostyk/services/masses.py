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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dostyk.domain.conveyances import Conveyance, Crossing
from dostyk.domain.declarations import DeclarationStatus
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

    def falls_short(
        self, share: float = TOLERANCE_SHARE, floor_kg: float = TOLERANCE_FLOOR_KG
    ) -> bool:
        """Lighter than the declared cargo alone (on the tare, where known) can be, beyond the
        scale's tolerance: more is declared than crossed. Declarations on the same units add
        up, so two declarations each claiming a whole railcar's load fall short here."""
        if self.weighed_kg is None or not self.declaration_ids:
            return False
        least = (self.tare_kg or 0.0) + self.declared_kg
        return least - self.weighed_kg > max(share * least, floor_kg)

    @property
    def unweighed(self) -> bool:
        """Cargo is declared on the units, but some of them were never weighed."""
        return self.weighed_kg is None and bool(self.declaration_ids) and self.declared_kg > 0

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
        if excess is not None and expected and excess > 0:
            text += f": {excess:,.0f} kg ({100 * excess / expected:.1f} %) more than explained"
        elif self.falls_short():
            assert self.weighed_kg is not None
            least = (self.tare_kg or 0.0) + self.declared_kg
            short = least - self.weighed_kg
            text += f": {short:,.0f} kg ({100 * short / least:.1f} %) less than declared"
        elif self.unweighed:
            text += ": the declared cargo was never weighed"
        return text


#: A unit's crossing and its conveyance (None when the conveyance is not registered).
UnitRecord = tuple[Crossing, Conveyance | None]


class _Covers:
    """Who covers what, read from the store a set of keys at a time and then kept.

    The grouping walks "covers" back and forth; asking the store once per unit and once per
    declaration would cost a query per step of the walk, so each step asks for all the keys
    it has not seen yet in one query.
    """

    def __init__(self, uow: UnitOfWork, covering: Mapping[str, set[str]] | None = None) -> None:
        self.uow = uow
        #: Live declarations covering each unit asked about.
        self._covering: dict[str, set[str]] = {k: set(v) for k, v in (covering or {}).items()}
        #: Units of each declaration asked about.
        self._units: dict[str, set[str]] = {}

    def covering(self, crossing_ids: Iterable[str]) -> set[str]:
        """The live declarations covering any of the units."""
        wanted = set(crossing_ids)
        unseen = wanted - self._covering.keys()
        if unseen:
            for crossing_id in unseen:
                self._covering[crossing_id] = set()
            for unit in self.uow.units.covering_any_except(unseen, excluding=DEAD):
                self._covering[unit.crossing_id].add(unit.declaration_id)
        return {d for crossing_id in wanted for d in self._covering[crossing_id]}

    def units_of(self, declaration_ids: Iterable[str]) -> set[str]:
        """Every unit any of the declarations covers."""
        wanted = set(declaration_ids)
        unseen = wanted - self._units.keys()
        if unseen:
            for declaration_id in unseen:
                self._units[declaration_id] = set()
            for unit in self.uow.units.of_any(unseen):
                self._units[unit.declaration_id].add(unit.crossing_id)
        return {c for declaration_id in wanted for c in self._units[declaration_id]}


def mass_balances(
    uow: UnitOfWork,
    crossing_ids: Iterable[str],
    known: Mapping[str, UnitRecord] | None = None,
    covering: Mapping[str, set[str]] | None = None,
) -> list[MassBalance]:
    """The groups the given units fall into, each with its balance, ordered by first unit.

    ``known`` may hold crossings (with their conveyances) the caller has already read, and
    ``covering`` the live declarations covering units it has already asked about (for each
    unit, all of them); the rest is read here.
    """
    covers = _Covers(uow, covering)
    remaining = set(crossing_ids)
    covers.covering(remaining)  # every unit asked about, in one query
    groups = []
    while remaining:
        start = min(remaining)
        units, declarations = {start}, set[str]()
        frontier = {start}
        while frontier:
            fresh = covers.covering(frontier) - declarations
            declarations |= fresh
            frontier = covers.units_of(fresh) - units
            units |= frontier
        remaining -= units
        groups.append((sorted(units), sorted(declarations)))
    return _balances(uow, groups, known or {})


def _balances(
    uow: UnitOfWork,
    groups: list[tuple[list[str], list[str]]],
    known: Mapping[str, UnitRecord],
) -> list[MassBalance]:
    """Each group's balance, from one read of its units and one of its declared masses."""
    records = dict(known)
    missing = {c for units, _ in groups for c in units if c not in records}
    records.update(uow.crossings.with_conveyances(missing))
    masses = uow.items.gross_masses(d for _, declarations in groups for d in declarations)
    return [
        _balance([records[c] for c in units], units, declarations, masses)
        for units, declarations in groups
    ]


def _balance(
    records: list[UnitRecord],
    crossing_ids: list[str],
    declaration_ids: list[str],
    masses: Mapping[str, list[float]],
) -> MassBalance:
    weighed: float | None = 0.0
    tare: float | None = 0.0
    for crossing, conveyance in records:
        if weighed is not None:
            weighed = None if crossing.gross_mass_kg is None else weighed + crossing.gross_mass_kg
        if tare is not None:
            known = None if conveyance is None else conveyance.tare_mass_kg
            tare = None if known is None else tare + known
    declared = 0.0
    for declaration_id in declaration_ids:
        declared += sum(masses.get(declaration_id, []))
    return MassBalance(tuple(crossing_ids), tuple(declaration_ids), weighed, tare, declared)
