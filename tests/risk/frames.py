"""Small synthetic training frames for the risk model's tests: known structure, seconds to fit."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dostyk.risk import HistoryKey, RiskModel

KEYS = (HistoryKey("importer", ("importer",)), HistoryKey("importer_hs", ("importer", "hs")))


def declarations(rows: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Declarations whose findings depend on the importer and on the declared value.

    Returns the frame, the labels (1 = finding) and the revenue recovered (0 without a finding).
    """
    rng = np.random.default_rng(seed)
    importers = np.array([f"IMP{i:03d}" for i in range(40)])
    propensity = np.linspace(0.02, 0.9, len(importers))
    which = rng.integers(0, len(importers), rows)
    value = rng.lognormal(8, 1, rows)
    frame = pd.DataFrame(
        {
            "importer": pd.array(importers[which], dtype="string"),
            "hs": pd.array(rng.choice(["0101", "8471", "6109"], rows), dtype="string"),
            "office": rng.integers(10, 14, rows),
            "value": value,
            "mass": rng.uniform(1, 100, rows),
        }
    )
    chance = np.clip(propensity[which] + 0.1 * (value > np.exp(9)), 0, 1)
    labels = (rng.uniform(size=rows) < chance).astype(int)
    revenue = labels * value * 0.2
    return frame, labels, revenue


def small_model(**changes: object) -> RiskModel:
    parameters: dict[str, object] = {
        "categorical": ("hs", "office", "importer"),
        "histories": KEYS,
        "history_only": ("importer",),
        "n_estimators": 30,
        "num_leaves": 7,
        "min_child_samples": 5,
        "min_data_per_group": 5,
    }
    parameters.update(changes)
    return RiskModel(**parameters)  # type: ignore[arg-type]
