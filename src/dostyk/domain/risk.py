"""Risk assessments: which channel a declaration goes to, and why."""

from __future__ import annotations

import hashlib
import json
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


#: How long a version name of a rule profile or model may be.
VERSION_MAX = 64
#: What a digest looks like: SHA-256 in hexadecimal.
DIGEST_LENGTH = 64
#: The longest rule profile source kept, in characters (the shipped one is some 4,000).
PROFILE_MAX = 1_000_000


@dataclass(frozen=True, slots=True)
class RiskDecision:
    """What an assessment decided with, beside its channel: the evidence for training and review.

    ``selection_probability`` is the chance the declaration had of being inspected under the
    selectors in force (1 when a rule or the model chose it, otherwise the random share), which
    training divides by to correct for only inspected declarations having outcomes.
    ``rule_versions`` names each rule that fired as ``profile/rule@version``; the model's fields
    are empty when no model was active.
    """

    assessment_id: str
    random_share: float
    selection_probability: float
    rule_versions: tuple[str, ...] = ()
    model_version: str | None = None
    model_score: float | None = None
    #: Revenue the model expects an inspection to recover, national currency.
    expected_revenue: float | None = None
    #: The model's top contributions, in words.
    explanation: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("assessment_id", self.assessment_id)
        for name in ("random_share", "selection_probability"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                checks.add(name, f"{getattr(self, name)} is not a probability")
        if self.model_score is not None and not 0.0 <= self.model_score <= 1.0:
            checks.add("model_score", f"{self.model_score} is not a probability")
        if self.expected_revenue is not None and not self.expected_revenue >= 0.0:
            checks.add("expected_revenue", f"{self.expected_revenue} is not a revenue")
        for name in ("rule_versions", "explanation"):
            for text in getattr(self, name):
                if "|" in text:
                    checks.add(name, f"{text!r} cannot contain '|'")
                checks.text(name, text, 200)
        if self.model_version is not None:
            checks.text("model_version", self.model_version, VERSION_MAX)
        checks.done()


@dataclass(frozen=True, slots=True)
class StoredRuleProfile:
    """A rule profile as loaded: its YAML source kept whole, so any later version can be read,
    diffed and re-run exactly as it decided."""

    version: str
    name: str
    loaded_at: datetime
    loaded_by: str
    rules: int
    digest: str
    source: str

    def __post_init__(self) -> None:
        checks = Checks()
        checks.text("version", self.version, VERSION_MAX)
        checks.text("name", self.name, VERSION_MAX)
        checks.identifier("loaded_by", self.loaded_by)
        checks.instant("loaded_at", self.loaded_at)
        if checks.text("source", self.source, PROFILE_MAX, prose=True):
            # The digest is the source's: a profile is re-run from its text, and a text that is
            # not the one loaded would decide otherwise than the profile did.
            if self.digest != hashlib.sha256(self.source.encode()).hexdigest():
                checks.add("digest", "is not the SHA-256 of the profile's source")
        elif len(self.digest) != DIGEST_LENGTH:
            checks.add("digest", "a SHA-256 in hexadecimal")
        checks.done()


@dataclass(frozen=True, slots=True)
class StoredModel:
    """A trained model: the digest of its file under HOME and the figures it was trained to."""

    model_version: str
    trained_at: datetime
    trained_by: str
    labelled: int
    digest: str
    #: JSON: training figures, evaluation figures and the channel policy.
    figures: str

    def __post_init__(self) -> None:
        checks = Checks()
        checks.text("model_version", self.model_version, VERSION_MAX)
        checks.identifier("trained_by", self.trained_by)
        checks.instant("trained_at", self.trained_at)
        if len(self.digest) != DIGEST_LENGTH:
            checks.add("digest", "a SHA-256 in hexadecimal")
        if not _is_json_object(self.figures):
            checks.add("figures", "must be a JSON object (the model's figures by name)")
        checks.done()


def _is_json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True, slots=True)
class Activation:
    """Which rule profile (``kind`` rules) or model (``kind`` model) assesses from now on;
    ``version`` None switches the model off."""

    kind: str
    version: str | None
    activated_at: datetime
    activated_by: str

    def __post_init__(self) -> None:
        checks = Checks()
        if self.kind not in ("rules", "model"):
            checks.add("kind", f"{self.kind!r} is neither 'rules' nor 'model'")
        if self.version is not None:
            checks.text("version", self.version, VERSION_MAX)
        checks.identifier("activated_by", self.activated_by)
        checks.instant("activated_at", self.activated_at)
        checks.done()
