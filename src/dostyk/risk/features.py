"""The learned model's features: the declaration itself and the risk histories of its parties,
codes, origins, route and post, the same on the live path and in training.

One function, :func:`feature_row`, turns a declaration's facts (see
:mod:`dostyk.domain.conditions`) and the outcome histories known when it was assessed into one
row. Live, the histories are the store's running tallies (:mod:`dostyk.store.outcomes`), read
for the dozen subjects of one declaration; in training and evaluation they are replayed in time
order by a :class:`HistoryBook` holding the same counts in memory — so the model is trained on
exactly what it will see, and never on what was known only later.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from dostyk.store.outcomes import (
    DIMENSIONS,
    EMPTY,
    HS2,
    HS4,
    HS6,
    IMPORTER,
    ORIGIN,
    ROUTE,
    History,
    subjects_of,
)
from dostyk.store.running import UnitValue, bucket_of, median_of

#: Chapters with the highest duty rates (as in the default rule profile).
HIGH_DUTY_CHAPTERS = frozenset({"17", "18", "20", "21", "22", "24", "62", "64"})
#: Text features, given to the trees as native categories.
CATEGORICAL = ("post", "kind", "chapter", "origin")
#: Dimensions over a declaration's items: the riskiest of its items' subjects counts.
ITEM_DIMENSIONS = frozenset({HS2, HS4, HS6, ORIGIN, ROUTE})


def feature_names() -> list[str]:
    names = [
        *CATEGORICAL,
        "items",
        "log_value",
        "log_gross_mass",
        "units",
        "log_per_unit_kg",
        "min_value_ratio",
        "unknown_usual",
        "high_duty",
        "other_origin",
    ]
    for dimension in DIMENSIONS:
        names += [f"{dimension}_count", f"{dimension}_rate", f"{dimension}_revenue"]
    return names


def _log(value: float | None) -> float:
    return math.nan if value is None or value <= 0 else math.log10(value)


def feature_row(
    facts: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    histories: Mapping[tuple[str, str], History],
) -> dict[str, Any]:
    """One declaration's features from its facts, its items' facts and the histories."""
    first = items[0] if items else {}
    ratios = [
        item["item.value_per_kg"] / item["item.usual_value_per_kg"]
        for item in items
        if item.get("item.value_per_kg") is not None
        and item.get("item.usual_value_per_kg")
        and item.get("item.usual_count", 0) >= 5
    ]
    row: dict[str, Any] = {
        "post": facts["post.code"],
        "kind": facts["declaration.kind"],
        "chapter": str(first.get("item.chapter", "")),
        "origin": str(first.get("item.origin", "")),
        "items": float(len(items)),
        "log_value": _log(facts["declaration.value"]),
        "log_gross_mass": _log(facts["declaration.gross_mass_kg"]),
        "units": float(facts["units.count"]),
        "log_per_unit_kg": _log(facts.get("load.per_unit_kg")),
        "min_value_ratio": min(ratios) if ratios else math.nan,
        "unknown_usual": float(sum(1 for item in items if not item.get("item.usual_count"))),
        "high_duty": float(any(item["item.chapter"] in HIGH_DUTY_CHAPTERS for item in items)),
        "other_origin": float(
            facts.get("post.neighbour") is not None
            and any(item["item.origin"] != facts["post.neighbour"] for item in items)
        ),
    }
    subjects: dict[str, list[str]] = {dimension: [] for dimension in DIMENSIONS}
    for dimension, subject in subjects_of(
        facts["declarant.id"],
        facts["post.code"],
        facts.get("importer.id"),
        facts.get("seller.id"),
        [(item["item.code"], item["item.origin"]) for item in items],
    ):
        subjects[dimension].append(subject)
    for dimension in DIMENSIONS:
        known = [histories.get((dimension, s), EMPTY) for s in subjects[dimension]]
        inspected = [h for h in known if h.inspected]
        if not inspected:
            row[f"{dimension}_count"] = 0.0
            row[f"{dimension}_rate"] = math.nan
            row[f"{dimension}_revenue"] = math.nan
            continue
        worst = max(inspected, key=lambda h: (h.found / h.inspected, h.inspected))
        row[f"{dimension}_count"] = float(sum(h.inspected for h in inspected))
        row[f"{dimension}_rate"] = worst.found / worst.inspected
        row[f"{dimension}_revenue"] = worst.extra_duty_cents / 100 / worst.inspected
    return row


class HistoryBook:
    """The running statistics in memory, for replaying a store's history in time order: the
    outcome histories, the importers' releases and the usual values per kg."""

    def __init__(self) -> None:
        self.histories: dict[tuple[str, str], History] = {}
        self.buckets: dict[str, Counter[int]] = {}

    def released(
        self,
        facts: Mapping[str, Any],
        items: Sequence[Mapping[str, Any]],
        *,
        inspected: bool,
        found: bool,
        extra_cents: int,
    ) -> None:
        """Count a declaration's release with its outcome, as the releasing use case does."""
        for pair in subjects_of(
            facts["declarant.id"],
            facts["post.code"],
            facts.get("importer.id"),
            facts.get("seller.id"),
            [(item["item.code"], item["item.origin"]) for item in items],
        ):
            self.histories[pair] = self.histories.get(pair, EMPTY).plus(
                inspected, found, extra_cents
            )
        for item in items:
            per_kg = item.get("item.value_per_kg")
            self.buckets.setdefault(item["item.hs6"], Counter())[bucket_of(per_kg)] += 1

    def importer_released(self, importer: str | None) -> int | None:
        if importer is None:
            return None
        return self.histories.get((IMPORTER, importer), EMPTY).released

    def usual_value(self, hs6: str) -> UnitValue | None:
        buckets = self.buckets.get(hs6)
        return None if not buckets else median_of(sorted(buckets.items()))

    def complete(
        self, facts: dict[str, Any], items: Iterable[dict[str, Any]]
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Fill in the facts that come from the running statistics, as of now in the replay."""
        facts["importer.released"] = self.importer_released(facts.get("importer.id"))
        listed = []
        for item in items:
            usual = self.usual_value(item["item.hs6"])
            item["item.usual_value_per_kg"] = None if usual is None else usual.median
            item["item.usual_count"] = 0 if usual is None else usual.count
            listed.append(item)
        return facts, listed
