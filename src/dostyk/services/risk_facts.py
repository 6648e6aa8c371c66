"""The facts rule conditions read, from what :func:`~dostyk.services.selectivity.selection_context`
gathered: the declaration, its items, its units and post, and the running statistics.

Each name here is one of :data:`dostyk.domain.conditions.DECLARATION_FACTS` or
:data:`~dostyk.domain.conditions.ITEM_FACTS`; an unknown value is None, which fires nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dostyk.domain.conveyances import ConveyanceKind
from dostyk.store import outcomes

if TYPE_CHECKING:
    from dostyk.services.selectivity import SelectionContext

#: Most cargo a unit of each kind can carry, kilograms.
CAPACITY_KG = {
    ConveyanceKind.RAILCAR: 72_000.0,
    ConveyanceKind.TRUCK: 40_000.0,
    ConveyanceKind.TRAILER: 40_000.0,
}


def found_rate(history: outcomes.History) -> float | None:
    return history.found / history.inspected if history.inspected else None


def facts_of(context: SelectionContext) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    declaration = context.declaration
    items = context.items
    facts: dict[str, Any] = {
        "declaration.kind": str(declaration.kind),
        "declaration.items": len(items),
        "declaration.value": sum(float(i.value_national) for i in items),
        "declaration.gross_mass_kg": sum(i.gross_mass_kg for i in items),
        "post.code": context.post.code,
        "post.neighbour": context.post.neighbour_country,
        "post.mode": str(context.post.mode),
        "importer.id": declaration.importer_id,
        "importer.released": context.importer_released,
        "declarant.id": declaration.declarant_id,
        "seller.id": declaration.exporter_id,
        "units.count": len(context.units),
        "mass.exceeds": context.mass is not None and context.mass.exceeds(),
        "mass.excess_share": None,
        "load.per_unit_kg": None,
        "load.capacity_kg": None,
    }
    if context.units:
        facts["load.per_unit_kg"] = facts["declaration.gross_mass_kg"] / len(context.units)
        capacities = [
            CAPACITY_KG.get(context.conveyances[u.conveyance_id].kind)
            for u in context.units
            if u.conveyance_id in context.conveyances
        ]
        known = [c for c in capacities if c is not None]
        facts["load.capacity_kg"] = max(known) if known else None
    subjects = {
        "importer": declaration.importer_id,
        "declarant": declaration.declarant_id,
        "seller": declaration.exporter_id,
        "post": declaration.post_code,
    }
    for who, subject in subjects.items():
        dimension = outcomes.SELLER if who == "seller" else who
        history = (
            None if subject is None else context.histories.get((dimension, subject), outcomes.EMPTY)
        )
        facts[f"history.{who}.released"] = None if history is None else history.released
        facts[f"history.{who}.inspected"] = None if history is None else history.inspected
        facts[f"history.{who}.found"] = None if history is None else history.found
        facts[f"history.{who}.found_rate"] = None if history is None else found_rate(history)
    listed = []
    for item in items:
        usual = context.unit_values.get(item.hs6)
        per_kg = float(item.value_national) / item.net_mass_kg if item.net_mass_kg > 0 else None
        listed.append(
            {
                "item.code": item.commodity_code,
                "item.chapter": item.commodity_code[:2],
                "item.heading": item.commodity_code[:4],
                "item.hs6": item.hs6,
                "item.origin": item.origin,
                "item.value": float(item.value_national),
                "item.net_mass_kg": item.net_mass_kg,
                "item.value_per_kg": per_kg,
                "item.usual_value_per_kg": None if usual is None else usual.median,
                "item.usual_count": 0 if usual is None else usual.count,
            }
        )
    return facts, listed
