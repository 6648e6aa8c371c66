"""Training the risk model from a store's inspection outcomes, corrected for who was inspected.

Only inspected declarations have outcomes, and most were inspected because a rule or the model
chose them: learning from them as they are would learn what the rules already believe. Each
labelled declaration is therefore weighted by the inverse of the probability it had of being
inspected (inverse-propensity weighting): 1 for one a rule or the model chose, 1/share for one
the random share drew — which stands for the many like it that went green unseen. The
probability is the one recorded on its assessment; an assessment from before it was recorded is
given the random share's when only the draw chose it, 1 otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dostyk.risk.dataset import Case
from dostyk.risk.features import CATEGORICAL, feature_names
from dostyk.risk.policy import ChannelPolicy

#: The share the default random draw sends to inspection (5 % yellow, 2 % red).
DEFAULT_SHARE = 0.07
#: The largest weight one declaration gets, so a handful of draws cannot dominate.
MAX_WEIGHT = 50.0


def propensity(case: Case) -> float:
    """The probability ``case`` had of being inspected, as recorded or as inferred."""
    if case.probability is not None and case.probability > 0:
        return case.probability
    share = case.random_share or DEFAULT_SHARE
    return share if case.random and not case.rules else 1.0


def weights(cases: Sequence[Case]) -> np.ndarray:
    """Inverse-propensity weights, capped at :data:`MAX_WEIGHT`."""
    inverse = np.asarray([1.0 / propensity(c) for c in cases], dtype=np.float64)
    capped: np.ndarray = np.minimum(inverse, MAX_WEIGHT)
    return capped


def frame(cases: Sequence[Case]) -> pd.DataFrame:
    names = feature_names()
    table = pd.DataFrame([case.features for case in cases], columns=names)
    for name in CATEGORICAL:
        table[name] = table[name].astype(str)
    for name in names:
        if name not in CATEGORICAL:
            table[name] = table[name].astype("float64")
    return table


@dataclass
class Trained:
    model: Any
    policy: ChannelPolicy
    labelled: int
    findings: int
    weighted: bool
    period: tuple[str, str]


def fit(
    cases: Sequence[Case],
    *,
    rate: float = 0.05,
    weighted: bool = True,
    seed: int = 0,
    estimators: int = 300,
    policy: ChannelPolicy | None = None,
) -> Trained:
    """Fit the model on the inspected ``cases`` (features set by
    :func:`dostyk.risk.dataset.replay`) and set the channel cutoff so that the model alone would
    have selected ``rate`` of all of them."""
    from dostyk.risk.model import RiskModel

    labelled = [c for c in cases if c.inspected]
    if len(labelled) < 20 or sum(c.found for c in labelled) < 5:
        raise ValueError(
            f"{len(labelled)} inspected declarations, {sum(c.found for c in labelled)} with a "
            "finding: too few to learn from (at least 20 and 5)"
        )
    x = frame(labelled)
    y = np.asarray([1.0 if c.found else 0.0 for c in labelled])
    revenue = np.asarray([c.extra_cents / 100 if c.found else 0.0 for c in labelled])
    model = RiskModel(
        categorical=list(CATEGORICAL),
        n_estimators=estimators,
        learning_rate=0.05,
        num_leaves=15,
        min_child_samples=10,
        min_data_per_group=20,
        random_state=seed,
    )
    days = sorted(c.lodged_at.date().isoformat() for c in labelled)
    model.fit(
        x,
        y,
        revenue=revenue,
        sample_weight=weights(labelled) if weighted else None,
        period=(days[0], days[-1]),
    )
    expected = model.predict_revenue(frame(cases))
    chosen = (policy or ChannelPolicy()).with_rate(expected, rate)
    return Trained(model, chosen, len(labelled), int(y.sum()), weighted, (days[0], days[-1]))
