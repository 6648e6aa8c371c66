"""The indicators' common shape: one row per subject and indicator, with its evidence in words.

``value`` is what the subject did, ``peer_value`` what his peers would have done in his place,
``z`` and ``p_value`` how surprising the difference is (``p_value`` is the tail probability of a
value at least as suspicious under the peers' behaviour; either may be empty where no test
applies, and such an indicator only informs the case officer, it does not add to the score).
``log_lr`` is the weight of evidence the indicator adds to the score: log10 of how much likelier
the value is if the subject is corrupt than if he is honest — exact where the indicator models
what the scheme does to it (and then negative where the value speaks for honesty), else the
Sellke–Bayarri–Berger bound of its p-value (:func:`statistics.calibrated_evidence`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dostyk.integrity.statistics import calibrated_evidence

SUBJECT_KINDS = ("inspector", "supervisor", "broker", "importer", "post")
COLUMNS = (
    "subject_kind",
    "subject_id",
    "post_code",
    "indicator",
    "value",
    "peer_value",
    "z",
    "p_value",
    "log_lr",
    "words",
)


@dataclass
class Indicators:
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        kind: str,
        subject: str,
        post_code: str | None,
        indicator: str,
        value: float,
        peer_value: float | None,
        z: float | None,
        p_value: float | None,
        words: str,
        log_lr: float | None = None,
    ) -> None:
        """One indicator of one subject; without ``log_lr`` a tested indicator weighs what its
        p-value can say at most, an untested one nothing."""
        if log_lr is None and p_value is not None:
            log_lr = calibrated_evidence(p_value)
        self.rows.append(
            {
                "subject_kind": kind,
                "subject_id": subject,
                "post_code": post_code,
                "indicator": indicator,
                "value": value,
                "peer_value": peer_value,
                "z": z,
                "p_value": p_value,
                "log_lr": log_lr,
                "words": words,
            }
        )

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=list(COLUMNS))
        for name in ("value", "peer_value", "z", "p_value", "log_lr"):
            frame[name] = frame[name].astype("float64")
        return frame.sort_values(
            ["subject_kind", "subject_id", "indicator"], kind="mergesort"
        ).reset_index(drop=True)
