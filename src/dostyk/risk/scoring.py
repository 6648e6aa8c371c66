"""The learned model as a :class:`~dostyk.services.selectivity.Selector`.

It scores the declaration's features (:func:`dostyk.risk.features.feature_row`, with the running
outcome histories the context carries), chooses the channel on expected revenue recovered per
inspection-hour (:class:`~dostyk.risk.policy.ChannelPolicy`) and explains the score in words.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from dostyk.domain.declarations import Channel
from dostyk.domain.risk import StoredModel
from dostyk.risk.features import feature_row
from dostyk.risk.policy import ChannelPolicy
from dostyk.services.selectivity import Selection, SelectionContext, facts_of

if TYPE_CHECKING:
    from dostyk.risk.model import RiskModel

#: Contributions kept in an assessment's explanation.
EXPLAINED = 3


class Shelf:
    """The model files in a folder (HOME/models), each loaded once per digest: the
    :class:`~dostyk.services.risk_admin.ModelShelf` the entry points assess with."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._loaded: dict[tuple[str, str], ModelSelector] = {}

    @property
    def folder(self) -> Path:
        return self._folder

    def selector(self, record: StoredModel, folder: Path) -> ModelSelector:
        from dostyk.services.risk_admin import check_file

        key = (record.model_version, record.digest)
        found = self._loaded.get(key)
        if found is None:
            found = self._loaded[key] = ModelSelector.load(check_file(record, folder), record)
        return found


_SHELVES: dict[Path, Shelf] = {}


def shelf(folder: Path) -> Shelf:
    """The one shelf of a folder in this process, so each model is loaded once."""
    found = _SHELVES.get(folder)
    if found is None:
        found = _SHELVES[folder] = Shelf(folder)
    return found


class ModelSelector:
    def __init__(self, model: RiskModel, version: str, policy: ChannelPolicy) -> None:
        self.model = model
        self.version = version
        self.policy = policy

    @classmethod
    def load(cls, file: Path, record: StoredModel) -> ModelSelector:
        # LightGBM and scikit-learn are imported with the first model loaded, so a store with
        # no active model (a post's laptop, the simulator on rules) never pays for them.
        from dostyk.risk.model import RiskModel

        figures = json.loads(record.figures)
        return cls(
            RiskModel.load(file), record.model_version, ChannelPolicy.from_dict(figures["policy"])
        )

    @property
    def name(self) -> str:
        return self.version

    def assess(self, context: SelectionContext) -> Selection:
        facts, items = facts_of(context)
        # One encoding of the mapping, no DataFrame: the score, the revenue at stake and the
        # explanation come from the same one-row matrix (RiskModel.assess_one).
        assessed = self.model.assess_one(
            feature_row(facts, items, context.histories), top=EXPLAINED
        )
        score = assessed.score
        if assessed.expected_revenue is None:
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                f"model {self.version} was trained without revenue: it cannot choose a channel"
            )
        expected = max(0.0, assessed.expected_revenue)
        if not math.isfinite(expected):
            expected = 0.0
        channel = self.policy.channel(expected)
        words = tuple(c.words.replace("|", "/")[:200] for c in assessed.explanation)
        criteria = () if channel is Channel.GREEN else (f"model:{channel}",)
        return Selection(
            channel,
            min(1.0, max(0.0, score)),
            criteria,
            self.version,
            model_version=self.version,
            model_score=min(1.0, max(0.0, score)),
            expected_revenue=round(expected, 2),
            explanation=words,
        )
