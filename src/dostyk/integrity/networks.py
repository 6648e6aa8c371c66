"""The officer–broker–importer graph, its communities, its concentration, and the relationships
it suggests that nobody declared.

Edges: an inspector and a broker (or an importer) are joined by the inspections of the broker's
(importer's) declarations he did; a broker and an importer by the declarations the broker lodged
for him. Communities are Louvain's (Blondel et al. 2008, seeded, so a run is reproducible).
Concentration is the Herfindahl index of a broker's inspections over inspectors against the index
the recorded draws would give. An officer–party pair over-paired beyond the draws (see
:mod:`dostyk.integrity.pairing`) and absent from the register of declared conflicts of interest is
a relationship to check.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pandas as pd

from dostyk.integrity.frames import fetch
from dostyk.integrity.indicators import Indicators
from dostyk.integrity.pairing import FDR
from dostyk.warehouse.backends import Warehouse

REGISTER = "conflicts_of_interest"


@dataclass(frozen=True)
class SuggestedRelationship:
    """An officer and a party the data ties together, with no declared conflict."""

    officer_id: str
    party_id: str
    post_code: str
    inspections: int
    expected: float
    q_value: float
    words: str


def graph(pairs: pd.DataFrame, brokerage: pd.DataFrame) -> nx.Graph:
    g = nx.Graph()
    for row in pairs[pairs["observed"] > 0].itertuples():
        g.add_edge(
            f"officer:{row.inspector_id}", f"party:{row.declarant_id}", weight=float(row.observed)
        )
    for row in brokerage.itertuples():
        g.add_edge(
            f"party:{row.declarant_id}", f"party:{row.importer_id}", weight=float(row.lodged)
        )
    return g


def brokerage(w: Warehouse) -> pd.DataFrame:
    d = w.table("declarations")
    named = d.filter(d.importer_id.notnull())
    return fetch(named.group_by(["declarant_id", "importer_id"]).aggregate(lodged=named.count()))


def network_indicators(w: Warehouse, out: Indicators, pairs: pd.DataFrame) -> dict[str, int]:
    """Concentration per broker; returns each node's community."""
    if pairs.empty:
        return {}
    for (post, broker), rows in pairs.groupby(["post_code", "declarant_id"], sort=True):
        n = rows["observed"].sum()
        e = rows["expected"].sum()
        if n < 5 or e <= 0:
            continue
        hhi = float(((rows["observed"] / n) ** 2).sum())
        expected_hhi = float(((rows["expected"] / e) ** 2).sum())
        out.add(
            "broker",
            str(broker),
            str(post),
            "concentration",
            hhi,
            expected_hhi,
            None,
            None,
            f"his {int(n)} inspections concentrate on inspectors with a Herfindahl index of "
            f"{hhi:.2f}; the recorded draws give {expected_hhi:.2f}",
        )
    g = graph(pairs, brokerage(w))
    communities = nx.community.louvain_communities(g, weight="weight", seed=0)
    membership: dict[str, int] = {}
    for index, members in enumerate(sorted(communities, key=lambda c: sorted(c)[0])):
        for node in members:
            membership[node] = index
    return membership


def declared_pairs(w: Warehouse) -> set[tuple[str, str]]:
    """The (officer, party) pairs in the register of conflicts of interest, if it exists."""
    if not w.has(REGISTER):
        return set()
    frame = fetch(w.table(REGISTER).select("officer_id", "party_id"))
    return {(str(a), str(b)) for a, b in zip(frame["officer_id"], frame["party_id"], strict=True)}


def suggested_relationships(w: Warehouse, pairs: pd.DataFrame) -> list[SuggestedRelationship]:
    """Over-paired officer–party pairs that nobody declared, strongest first."""
    declared = declared_pairs(w)
    if pairs.empty:
        return []
    flagged = pairs[(pairs["q_value"] < FDR) & (pairs["observed"] >= 3)]
    found = []
    for row in flagged.sort_values(["q_value", "inspector_id"], kind="mergesort").itertuples():
        if (row.inspector_id, row.declarant_id) in declared:
            continue
        found.append(
            SuggestedRelationship(
                str(row.inspector_id),
                str(row.declarant_id),
                str(row.post_code),
                int(row.observed),
                float(row.expected),
                float(row.q_value),
                f"{row.inspector_id} inspected {int(row.observed)} declarations of "
                f"{row.declarant_id} where the draws give {row.expected:.1f}; "
                "no conflict of interest is declared",
            )
        )
    return found
