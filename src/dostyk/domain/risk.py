"""Risk assessments: which channel a declaration goes to, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dostyk.domain.declarations import Channel
from dostyk.domain.errors import InvariantViolation


@dataclass(frozen=True, slots=True)
class RiskAssessment:
    """The selectivity decision with the criteria that fired, so it can be reviewed later.

    ``selector`` names the profile or model version that decided; ``score`` is its estimated
    probability of a finding (0 when only rules decided).
    """

    assessment_id: str
    declaration_id: str
    assessed_at: datetime
    channel: Channel
    score: float
    criteria: tuple[str, ...]
    selector: str

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise InvariantViolation("score", f"{self.score} is not a probability")
        if self.assessed_at.tzinfo is None:
            raise InvariantViolation("assessed_at", "needs its time zone")
        if any("|" in c for c in self.criteria):
            raise InvariantViolation("criteria", "a criterion name cannot contain '|'")
