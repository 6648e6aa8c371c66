"""Risk assessments: which channel a declaration goes to, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dostyk.domain.bounds import Checks
from dostyk.domain.declarations import Channel


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
        checks = Checks()
        for name in ("assessment_id", "declaration_id"):
            checks.identifier(name, getattr(self, name))
        if not 0.0 <= self.score <= 1.0:
            checks.add("score", f"{self.score} is not a probability")
        checks.instant("assessed_at", self.assessed_at)
        if any("|" in c for c in self.criteria):
            checks.add("criteria", "a criterion name cannot contain '|'")
        for criterion in self.criteria:
            checks.text("criteria", criterion, 200)
        checks.text("selector", self.selector, 64)
        checks.done()
