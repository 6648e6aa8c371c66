"""Choosing a channel on expected revenue recovered per inspection-hour.

The model gives, per declaration, the probability of a finding and the revenue expected from
inspecting it. A documentary check (yellow) takes about an hour and recovers part of what a
physical examination (red, about three hours) recovers. Each channel is worth its expected
recovery divided by its hours; a declaration goes to the best channel whose worth reaches the
cutoff, which training sets so that the model alone selects a chosen share of declarations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from dostyk.domain.declarations import Channel


@dataclass(frozen=True, slots=True)
class ChannelPolicy:
    yellow_hours: float = 1.0
    red_hours: float = 3.0
    #: Share of what a physical examination recovers that a documentary check recovers.
    yellow_recovery: float = 0.5
    #: Revenue per inspection-hour (national currency) a channel must reach.
    cutoff: float = 0.0
    #: Share of declarations the model alone selects at that cutoff, in training.
    rate: float = 0.05

    def selected_per_hour(self, expected: float | np.ndarray) -> float | np.ndarray:
        """Revenue per hour of the cheapest inspection, a documentary check: what selects."""
        return expected * self.yellow_recovery / self.yellow_hours

    def upgrade_per_hour(self, expected: float | np.ndarray) -> float | np.ndarray:
        """What each extra hour of a physical examination recovers beyond a documentary check."""
        return expected * (1.0 - self.yellow_recovery) / (self.red_hours - self.yellow_hours)

    def channel(self, expected: float) -> Channel:
        """Green below the cutoff; yellow when a documentary check is worth its hour; red when
        the extra hours of a physical examination are worth the cutoff too."""
        if self.cutoff <= 0 or self.selected_per_hour(expected) < self.cutoff:
            return Channel.GREEN
        return Channel.RED if self.upgrade_per_hour(expected) >= self.cutoff else Channel.YELLOW

    def with_rate(self, expected: Sequence[float] | np.ndarray, rate: float) -> ChannelPolicy:
        """This policy with the cutoff at which ``rate`` of these declarations are selected."""
        worth = np.asarray(self.selected_per_hour(np.asarray(expected, dtype=np.float64)))
        positive = worth[worth > 0]
        cutoff = 0.0
        if len(positive) and rate > 0:
            cutoff = max(float(np.quantile(worth, 1.0 - rate)), float(positive.min()))
        return ChannelPolicy(**{**asdict(self), "cutoff": cutoff, "rate": rate})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> ChannelPolicy:
        return cls(**{k: float(values[k]) for k in asdict(cls()) if k in values})
