"""The indicators' common shape: one row per subject and indicator, with its evidence in words.

``value`` is what the subject did, ``peer_value`` what his peers would have done in his place,
``z`` and ``p_value`` how surprising the difference is (``p_value`` is the tail probability of a
value at least as suspicious under the peers' behaviour; either may be empty where no test
applies, and such an indicator only informs the case officer, it does not add to the score).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

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
    ) -> None:
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
                "words": words,
            }
        )

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=list(COLUMNS))
        for name in ("value", "peer_value", "z", "p_value"):
            frame[name] = frame[name].astype("float64")
        return frame.sort_values(
            ["subject_kind", "subject_id", "indicator"], kind="mergesort"
        ).reset_index(drop=True)
