"""Revenue-aware evaluation of selectivity on a simulated store, whose ground truth is known.

Two questions, both answered in revenue recovered (the simulator's revenue at stake of the
fraudulent declarations selected, as if each inspection found what was there):

* **Static**: train on what the store's own inspections found in the first part of the period
  (inverse-propensity weighted), then rank the rest; at 1, 2, 5 and 10 % inspected, compare the
  model with random selection (its expectation: that share of all revenue at stake) and with the
  rules alone (declarations ranked by the weight of the rules that fired on them).
* **Online replay**: week by week, the model is retrained on only what the replay itself
  inspected so far, and selects the next week's 5 %; histories are replayed from the replay's
  own outcomes. With a random share part of the budget is drawn at random (and weighted by its
  inverse in training); without it the model only ever learns from what it chose. Figures per
  quarter show whether it keeps finding revenue or collapses onto what it already knows.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from dostyk.risk.dataset import Case
from dostyk.risk.features import HistoryBook, feature_row
from dostyk.risk.training import fit, frame
from dostyk.services.selectivity import default_profile

RATES = (0.01, 0.02, 0.05, 10 / 100)


@dataclass(frozen=True, slots=True)
class Truth:
    fraudulent: bool
    at_stake: float


def read_truth(folder: Path) -> dict[str, Truth]:
    """The simulator's declarations.csv: which declarations lied, and the revenue at stake."""
    path = folder / "declarations.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["declaration_id"]: Truth(
                row["fraudulent"] == "true", float(row["revenue_at_stake_kzt"] or 0)
            )
            for row in csv.DictReader(handle)
        }


def _tiebreak(declaration_id: str) -> float:
    digest = hashlib.sha256(declaration_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def recovered(order: Sequence[str], truth: Mapping[str, Truth], share: float) -> float:
    """Revenue at stake of the fraudulent declarations among the first ``share`` of ``order``."""
    count = round(len(order) * share)
    return sum(truth[d].at_stake for d in order[:count] if d in truth and truth[d].fraudulent)


def rule_weight(case: Case) -> float:
    weights = {f"rule:{rule.name}": rule.weight for rule in default_profile().rules}
    return sum(weights.get(c, 0.0) for c in case.criteria)


@dataclass
class Static:
    declarations: int
    trained_on: int
    at_stake: float
    rows: list[dict[str, float]] = field(default_factory=list)


def static(
    cases: Sequence[Case], truth: Mapping[str, Truth], *, split: float = 0.5, seed: int = 0
) -> Static:
    """Train on the first ``split`` of the period (the store's outcomes), rank the rest."""
    cut = int(len(cases) * split)
    train, test = list(cases[:cut]), list(cases[cut:])
    trained = fit(train, seed=seed)
    expected = trained.model.predict_revenue(frame(test))
    by_model = [
        c.declaration_id
        for _, c in sorted(
            zip(expected, test, strict=True), key=lambda p: (-p[0], _tiebreak(p[1].declaration_id))
        )
    ]
    by_rules = [
        c.declaration_id
        for c in sorted(test, key=lambda c: (-rule_weight(c), _tiebreak(c.declaration_id)))
    ]
    total = sum(
        truth[c.declaration_id].at_stake
        for c in test
        if c.declaration_id in truth and truth[c.declaration_id].fraudulent
    )
    oracle = [
        c.declaration_id
        for c in sorted(
            test,
            key=lambda c: (
                -(
                    truth[c.declaration_id].at_stake
                    if c.declaration_id in truth and truth[c.declaration_id].fraudulent
                    else 0.0
                )
            ),
        )
    ]
    result = Static(len(test), trained.labelled, total)
    for rate in RATES:
        result.rows.append(
            {
                "rate": rate,
                "random": total * rate,
                "rules": recovered(by_rules, truth, rate),
                "model": recovered(by_model, truth, rate),
                "best possible": recovered(oracle, truth, rate),
            }
        )
    return result


@dataclass
class Replay:
    random_share: float
    rate: float
    #: Per week: (first day, declarations, revenue at stake, recovered, random's expectation).
    weeks: list[tuple[str, int, float, float, float]] = field(default_factory=list)

    @property
    def recovered(self) -> float:
        return sum(w[3] for w in self.weeks)

    @property
    def random_expected(self) -> float:
        return sum(w[4] for w in self.weeks)

    def quarters(self) -> list[tuple[str, float, float]]:
        """(first day, recovered, random's expectation) per 13 weeks."""
        rows = []
        for start in range(0, len(self.weeks), 13):
            chunk = self.weeks[start : start + 13]
            rows.append((chunk[0][0], sum(w[3] for w in chunk), sum(w[4] for w in chunk)))
        return rows


def replay(
    cases: Sequence[Case],
    truth: Mapping[str, Truth],
    *,
    rate: float = 0.05,
    random_share: float = 0.01,
    warm_up_weeks: int = 4,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Replay:
    """Select ``rate`` of each week's declarations, ``random_share`` of them at random and the
    rest by the model retrained weekly on the replay's own inspections (by the rules' weights
    during the warm-up weeks, before anything has been learned)."""
    if not cases:
        return Replay(random_share, rate)
    rng = np.random.default_rng(seed)
    first = cases[0].lodged_at
    weeks: dict[int, list[Case]] = {}
    for case in cases:
        weeks.setdefault((case.lodged_at - first).days // 7, []).append(case)
    book = HistoryBook()
    labelled: list[Case] = []
    result = Replay(random_share, rate)
    numbers = sorted(weeks)
    for step, week in enumerate(numbers):
        batch = weeks[week]
        rows = []
        for case in batch:
            facts, items = book.complete(case.facts, case.items)
            rows.append(feature_row(facts, items, book.histories))
        chosen_random = rng.random(len(batch)) < random_share
        budget = max(0, round(len(batch) * rate) - int(chosen_random.sum()))
        candidates = [n for n in range(len(batch)) if not chosen_random[n]]
        if step < warm_up_weeks or not labelled:
            ranks = {n: rule_weight(batch[n]) for n in candidates}
        else:
            try:
                trained = fit(labelled, seed=seed, estimators=150, rate=rate)
            except ValueError:
                trained = None
            if trained is None:
                ranks = {n: rule_weight(batch[n]) for n in candidates}
            else:
                copies = [_with_features(batch[n], rows[n]) for n in candidates]
                expected = trained.model.predict_revenue(frame(copies))
                ranks = dict(zip(candidates, expected, strict=True))
        picked = set(
            sorted(candidates, key=lambda n: (-ranks[n], _tiebreak(batch[n].declaration_id)))[
                :budget
            ]
        )
        stake = recovered_now = 0.0
        for n, case in enumerate(batch):
            known = truth.get(case.declaration_id, Truth(False, 0.0))
            value = known.at_stake if known.fraudulent else 0.0
            stake += value
            inspected = bool(chosen_random[n]) or n in picked
            found = inspected and known.fraudulent and value > 0
            if inspected:
                recovered_now += value
                labelled.append(
                    _labelled(case, rows[n], found, value, 1.0 if n in picked else random_share)
                )
            book.released(
                case.facts,
                case.items,
                inspected=inspected,
                found=found,
                extra_cents=round(value * 100) if found else 0,
            )
        day = (first + timedelta(days=7 * week)).date().isoformat()
        result.weeks.append((day, len(batch), stake, recovered_now, stake * rate))
        if progress is not None:
            progress(step + 1, len(numbers))
    return result


def _with_features(case: Case, row: dict[str, Any]) -> Case:
    return Case(
        case.declaration_id,
        case.lodged_at,
        case.released_at,
        case.facts,
        case.items,
        case.channel,
        case.criteria,
        case.probability,
        case.random_share,
        features=row,
    )


def _labelled(case: Case, row: dict[str, Any], found: bool, value: float, p: float) -> Case:
    copy = _with_features(case, row)
    copy.inspected, copy.found = True, found
    copy.extra_cents = round(value * 100) if found else 0
    copy.probability, copy.random_share, copy.criteria = p, None, ()
    return copy
