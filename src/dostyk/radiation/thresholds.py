"""Alarm thresholds computed from a target false-alarm rate, never picked by hand.

An operator states how often an occupancy with nothing but background may alarm (per occupancy,
say 1 in 1,000 for gamma). Each algorithm scans many positions of an occupancy, so its threshold
depends on the occupancy's length: the scan statistic of a moving window of ``k`` slices over
``n`` slices (Loader 1991, "Large-deviation approximations to the distribution of scan
statistics"; Naus 1982) exceeds ``z`` with probability about
``1 - (1 - Q(z)) exp(-(n/k - 1) z phi(z) nu)`` for Gaussian counts. :func:`scan_threshold`
solves that for ``z`` given the target rate, vectorised over occupancies.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import special

from dostyk.domain.occupancies import FloatArray, IntArray, raise_field


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The operating targets from which every threshold is computed.

    ``gamma_false_alarm_rate`` and ``neutron_false_alarm_rate`` are per occupancy with background
    only. ``sprt_miss_rate`` is Wald's beta, the design miss probability of a source at the gross
    count's detection limit. ``shape_share`` is the part of the gamma rate the energy-window
    algorithm spends on its shape path (gate and shape test); the rest goes to its strong-source
    backstop. ``burst_probability`` is how improbable a slice's neutron count must be, even with a
    source at the alarm level present, to be taken for a cosmic-ray burst.
    """

    gamma_false_alarm_rate: float = 1e-3
    neutron_false_alarm_rate: float = 1e-4
    sprt_miss_rate: float = 0.1
    shape_share: float = 0.95
    burst_probability: float = 1e-4

    def __post_init__(self) -> None:
        for name in (
            "gamma_false_alarm_rate",
            "neutron_false_alarm_rate",
            "sprt_miss_rate",
            "shape_share",
            "burst_probability",
        ):
            value = getattr(self, name)
            if not (isinstance(value, float | int) and 0.0 < float(value) < 1.0):
                raise_field(name, f"{value!r} is not a probability strictly between 0 and 1")

    def with_gamma_rate(self, rate: float) -> Thresholds:
        return Thresholds(
            rate,
            self.neutron_false_alarm_rate,
            self.sprt_miss_rate,
            self.shape_share,
            self.burst_probability,
        )

    def with_neutron_rate(self, rate: float) -> Thresholds:
        return Thresholds(
            self.gamma_false_alarm_rate,
            rate,
            self.sprt_miss_rate,
            self.shape_share,
            self.burst_probability,
        )


def upper_quantile(p: FloatArray | float) -> FloatArray:
    """z with Q(z) = p for the standard normal (vectorised)."""
    return np.asarray(-special.ndtri(np.asarray(p, dtype=np.float64)), dtype=np.float64)


def scan_probability(z: FloatArray, windows: FloatArray, width: FloatArray | float) -> FloatArray:
    """P(max of the moving-window z-scores >= z), ``windows`` = n/k, ``width`` = k slices.

    Loader's approximation, with Siegmund's correction for a scan that moves in whole slices
    rather than continuously: the crossing rate times ``nu(x) ~ exp(-0.583 x)``,
    ``x = z sqrt(2/k)`` (Siegmund 1985, "Sequential Analysis", ch. X).
    """
    tail = special.ndtr(-z)
    density = np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
    overshoot = np.exp(-0.583 * z * np.sqrt(2.0 / np.asarray(width, dtype=np.float64)))
    crossings = np.maximum(windows - 1.0, 0.0) * z * density * overshoot
    return np.asarray(1.0 - (1.0 - tail) * np.exp(-crossings), dtype=np.float64)


#: The grid of n/k over which :func:`scan_threshold` tabulates its solution (1 to 10,000
#: windows, log-spaced; the threshold varies slowly, as sqrt(2 ln(n/k)), so linear interpolation
#: in log n/k between 400 points is exact to better than 1e-4 sigma).
_GRID = np.geomspace(1.0, 1e4, 400)
_LOG_GRID = np.log(_GRID)


def scan_threshold(rate: float, windows: FloatArray, width: IntArray) -> FloatArray:
    """The z at which the scan over ``windows`` (= n/k) of ``width`` (= k) slices, per
    occupancy, alarms at ``rate``."""
    values = np.log(np.clip(np.asarray(windows, dtype=np.float64), 1.0, 1e4))
    width = np.asarray(width, dtype=np.int64)
    # A lane's occupancies mostly share one window width (a single truck always does): one
    # interpolation then, without sorting the widths out.
    first = int(width.flat[0]) if width.size else 0
    if not width.size or bool((width == first).all()):
        return np.asarray(
            np.interp(values, _LOG_GRID, _scan_table(float(rate), first)), dtype=np.float64
        )
    found = np.empty_like(values)
    for k in np.unique(width):
        chosen = width == k
        found[chosen] = np.interp(values[chosen], _LOG_GRID, _scan_table(float(rate), int(k)))
    return found


@lru_cache(maxsize=1024)
def _scan_table(rate: float, width: int) -> FloatArray:
    return solve_scan_threshold(rate, _GRID, width)


def solve_scan_threshold(rate: float, windows: FloatArray, width: int) -> FloatArray:
    """Solved by bisection on :func:`scan_probability`, which decreases in z; 40 halvings of
    [0, 12] fix z to 1e-11."""
    windows = np.asarray(windows, dtype=np.float64)
    low = np.zeros_like(windows)
    high = np.full_like(windows, 12.0)
    for _ in range(40):
        middle = 0.5 * (low + high)
        above = scan_probability(middle, windows, width) > rate
        low = np.where(above, middle, low)
        high = np.where(above, high, middle)
    return np.asarray(0.5 * (low + high), dtype=np.float64)


def poisson_threshold(probability: FloatArray | float, mean: FloatArray) -> FloatArray:
    """The least count ``N`` with ``P(X >= N) <= probability`` for Poisson ``X`` of ``mean``
    (vectorised), and never less than two standard deviations below the normal approximation.

    ``P(X >= N)`` is the regularised lower incomplete gamma ``P(N, mean)``, which falls as ``N``
    grows. The search starts at the Cornish-Fisher quantile, which is within a count or two of
    the answer, and steps down while the count below still qualifies (never under the floor)
    and up while the count does not: the same least count as a walk up from the floor, in a
    few evaluations rather than a dozen.
    """
    mean = np.asarray(mean, dtype=np.float64)
    p = np.asarray(probability, dtype=np.float64)
    spread = np.sqrt(mean)
    z = upper_quantile(p)
    floor = np.maximum(np.floor(mean + z * spread - 2.0 * spread - 3.0), 1.0)
    count = np.maximum(np.floor(mean + z * spread + (z * z - 1.0) / 6.0) + 1.0, floor)
    for _ in range(200):
        lower = count - 1.0
        down = (lower >= floor) & (special.gammainc(np.maximum(lower, 1.0), mean) <= p)
        if not down.any():
            break
        count = np.where(down, lower, count)
    for _ in range(200):
        above = special.gammainc(count, mean) > p
        if not above.any():
            break
        count = np.where(above, count + 1.0, count)
    return np.asarray(count, dtype=np.float64)
