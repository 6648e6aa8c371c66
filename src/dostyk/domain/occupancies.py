"""Radiation portal monitor occupancies and the alarm results computed from them.

A portal monitor stands at each lane of a post: plastic-scintillator (PVT) gamma panels whose
counts are binned into energy windows, and He-3 neutron tubes. While no vehicle is in the lane it
measures the background; a vehicle breaking the occupancy beam starts an *occupancy*, sampled in
0.1 s slices until the vehicle has left. The counts are kept as numpy arrays, one row per slice:

- ``gamma``: integer counts, shape ``(n_slices, n_gamma_panels, n_windows)``;
- ``neutron``: integer counts, shape ``(n_slices, n_neutron_panels)``;
- a :class:`Background` before (and optionally after) the occupancy: total counts over its live
  time, ``gamma`` shape ``(n_gamma_panels, n_windows)``, ``neutron`` shape ``(n_neutron_panels,)``.

The windows are described by :class:`EnergyWindow` (start and end energy in keV); they may overlap
(the ANSI N42.42 Annex D monitor reports 0–100, 0–3000 and 100–400 keV), so which window sums make
the gross, low and high counts is worked out by :func:`window_projection`.

An :class:`AlarmResult` is one algorithm's decision about one occupancy: alarm or not, the
statistic and the threshold it was compared with, the kind of radiation, and for gamma alarms
whether the excess looks like naturally occurring radioactive material (NORM) or a man-made
source. Pure types, no I/O: the store, the N42 files and the simulator all build these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from dostyk.domain.bounds import Checks
from dostyk.domain.ports import POST_CODE

#: The usual slice of a vehicle portal monitor (ANSI N42.35 / N42.42 Annex D).
SLICE_SECONDS = 0.1
#: Where the low energy windows end and the high ones begin, keV: man-made sources that matter
#: (HEU 186 keV, Pu 60/414 keV, Tc-99m 140 keV, I-131 364 keV, Ir-192 317 keV, Cs-137 Compton
#: edge 477 keV) put most of their PVT counts below it; NORM (K-40 1461 keV, Th-232 series
#: 2614 keV, U/Ra series 609-1764 keV) puts a larger share above it (Ely et al. 2006).
LOW_HIGH_SPLIT_KEV = 400.0
#: The longest occupancy kept: a slow train past a rail portal (10 minutes).
MAX_SLICES = 6000

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class RadiationKind(StrEnum):
    GAMMA = "gamma"
    NEUTRON = "neutron"


class SourceVerdict(StrEnum):
    """What an alarm's spectrum (its energy-window shape) says the source is."""

    NORM = "norm"
    MAN_MADE = "man-made"
    UNDETERMINED = "undetermined"


class FaultSeverity(StrEnum):
    ERROR = "Error"
    WARNING = "Warning"
    INFORMATION = "Information"


@dataclass(frozen=True, slots=True)
class EnergyWindow:
    """One gamma energy window of a panel, keV (start inclusive, end exclusive)."""

    start_kev: float
    end_kev: float

    def __post_init__(self) -> None:
        if not (0.0 <= self.start_kev < self.end_kev <= 20_000.0):
            raise_field(
                "windows",
                f"window {self.start_kev:g}-{self.end_kev:g} keV is not 0 <= start < end <= 20000",
            )

    def covers(self, other: EnergyWindow) -> bool:
        return self.start_kev <= other.start_kev and other.end_kev <= self.end_kev


@dataclass(frozen=True, slots=True)
class MonitorFault:
    """A fault the monitor reported during the occupancy (overspeed, a dead panel, ...)."""

    code: str
    description: str
    severity: FaultSeverity = FaultSeverity.WARNING


def raise_field(name: str, message: str) -> None:
    checks = Checks()
    checks.add(name, message)
    checks.done()


@dataclass(frozen=True, slots=True, eq=False)
class Background:
    """Background counts summed over ``live_seconds`` with the lane empty.

    ``gamma`` has shape ``(n_gamma_panels, n_windows)``, ``neutron`` ``(n_neutron_panels,)``.
    Totals (not rates) are kept so that the statistical uncertainty of the estimate is known.
    """

    gamma: FloatArray
    neutron: FloatArray
    live_seconds: float
    measured_at: datetime | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        if not (self.live_seconds > 0.0 and np.isfinite(self.live_seconds)):
            checks.add("background.live_seconds", "must be a positive number of seconds")
        if self.gamma.ndim != 2:
            checks.add("background.gamma", "must be an array (gamma panels, windows)")
        if self.neutron.ndim != 1:
            checks.add("background.neutron", "must be an array (neutron panels,)")
        for name, values in (("gamma", self.gamma), ("neutron", self.neutron)):
            # NaN fails both comparisons, infinity the second: one pass over a few values.
            if not ((values >= 0.0) & (values < np.inf)).all():
                checks.add(f"background.{name}", "counts must be finite and not negative")
        checks.done()

    def gamma_per_slice(self, slice_seconds: float = SLICE_SECONDS) -> FloatArray:
        """Expected gamma counts per slice, shape ``(n_gamma_panels, n_windows)``."""
        return self.gamma * (slice_seconds / self.live_seconds)

    def neutron_per_slice(self, slice_seconds: float = SLICE_SECONDS) -> FloatArray:
        return self.neutron * (slice_seconds / self.live_seconds)


@dataclass(frozen=True, slots=True, eq=False)
class Occupancy:
    """One vehicle or railcar passing one lane's portal monitor.

    ``gamma`` is ``(n_slices, n_gamma_panels, n_windows)`` int64 counts, ``neutron``
    ``(n_slices, n_neutron_panels)``; ``gamma_panels``/``neutron_panels`` name the detectors in
    that order and ``windows`` the gamma energy windows. ``conveyance_ref`` is what the monitor or
    the file says of the vehicle (a plate, a railcar number); ``crossing_id`` links the occupancy
    to a recorded crossing once it is known.
    """

    occupancy_id: str
    monitor_id: str
    post_code: str
    started_at: datetime
    windows: tuple[EnergyWindow, ...]
    gamma_panels: tuple[str, ...]
    neutron_panels: tuple[str, ...]
    gamma: IntArray
    neutron: IntArray
    background_before: Background
    background_after: Background | None = None
    slice_seconds: float = SLICE_SECONDS
    speed_kmh: float | None = None
    conveyance_ref: str | None = None
    crossing_id: str | None = None
    faults: tuple[MonitorFault, ...] = field(default=())

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("occupancy_id", self.occupancy_id, 40)
        checks.identifier("monitor_id", self.monitor_id, 40)
        if not POST_CODE.fullmatch(self.post_code):
            checks.add("post_code", f"{self.post_code!r} is not 2-12 of A-Z, 0-9 and '-'")
        checks.instant("started_at", self.started_at)
        if not (0.0 < self.slice_seconds <= 10.0):
            checks.add("slice_seconds", "must be a positive number of seconds, at most 10")
        if self.speed_kmh is not None and not (0.0 <= self.speed_kmh <= 300.0):
            checks.add("speed_kmh", f"{self.speed_kmh:g} km/h is not between 0 and 300")
        if self.crossing_id is not None:
            checks.identifier("crossing_id", self.crossing_id, 40)
        if self.conveyance_ref is not None:
            checks.text("conveyance_ref", self.conveyance_ref, 40)
        if not self.windows:
            checks.add("windows", "a gamma monitor has at least one energy window")
        if self.gamma.ndim != 3 or self.neutron.ndim != 2:
            checks.add("gamma", "gamma must be (slices, panels, windows), neutron (slices, panels)")
        else:
            n, panels, windows = self.gamma.shape
            if not 1 <= n <= MAX_SLICES:
                checks.add("gamma", f"{n} slices is not between 1 and {MAX_SLICES}")
            if panels != len(self.gamma_panels) or windows != len(self.windows):
                checks.add(
                    "gamma",
                    f"shape {self.gamma.shape} does not match {len(self.gamma_panels)} panels "
                    f"and {len(self.windows)} windows",
                )
            if self.neutron.shape != (n, len(self.neutron_panels)):
                checks.add(
                    "neutron",
                    f"shape {self.neutron.shape} is not ({n}, {len(self.neutron_panels)})",
                )
            for name, values in (("gamma", self.gamma), ("neutron", self.neutron)):
                if values.size and values.min() < 0:
                    checks.add(name, "counts cannot be negative")
            for name, background in (
                ("background_before", self.background_before),
                ("background_after", self.background_after),
            ):
                if background is None:
                    continue
                if background.gamma.shape != (panels, windows):
                    checks.add(
                        name, f"gamma shape {background.gamma.shape} is not {(panels, windows)}"
                    )
                if background.neutron.shape != (len(self.neutron_panels),):
                    checks.add(name, f"neutron shape {background.neutron.shape} does not match")
        checks.done()

    @property
    def n_slices(self) -> int:
        return int(self.gamma.shape[0])

    @property
    def ended_at(self) -> datetime:
        return self.started_at + timedelta(seconds=self.n_slices * self.slice_seconds)

    @property
    def duration_seconds(self) -> float:
        return self.n_slices * self.slice_seconds


class WindowProjection:
    """Linear map from a panel's window counts to its (gross, low, high) counts.

    ``matrix`` has shape ``(n_windows, 3)``: ``counts @ matrix`` gives gross, low and high.
    The gross window is the one covering all others when there is one (Annex D's 0-3000 keV),
    else the sum of all (disjoint) windows; low is the sum of the other windows ending at or below
    :data:`LOW_HIGH_SPLIT_KEV`; high is gross minus low.
    """

    __slots__ = ("has_shape", "matrix")

    def __init__(self, matrix: FloatArray, has_shape: bool) -> None:
        self.matrix = matrix
        #: False when the windows cannot be split into low and high (one window only).
        self.has_shape = has_shape


@lru_cache(maxsize=256)
def window_projection(
    windows: tuple[EnergyWindow, ...], split_kev: float = LOW_HIGH_SPLIT_KEV
) -> WindowProjection:
    """See :class:`WindowProjection`. Kept for the last few window sets: a lane's monitor has
    one, and every occupancy it records is projected by it (the matrix is read-only)."""
    n = len(windows)
    matrix = np.zeros((n, 3), dtype=np.float64)
    covering = [i for i, w in enumerate(windows) if all(w.covers(o) for o in windows) and n > 1]
    if covering:
        gross = covering[0]
        matrix[gross, 0] = 1.0
        parts = [i for i in range(n) if i != gross]
    else:
        matrix[:, 0] = 1.0
        parts = list(range(n))
    low = [i for i in parts if windows[i].end_kev <= split_kev]
    # Overlapping low windows would count twice: keep a disjoint set, earliest first.
    chosen: list[int] = []
    for i in sorted(low, key=lambda i: windows[i].start_kev):
        if all(
            windows[i].start_kev >= windows[j].end_kev or windows[i].end_kev <= windows[j].start_kev
            for j in chosen
        ):
            chosen.append(i)
    for i in chosen:
        matrix[i, 1] = 1.0
    matrix[:, 2] = matrix[:, 0] - matrix[:, 1]
    has_shape = bool(chosen) and bool(np.any(matrix[:, 2] != 0))
    matrix.setflags(write=False)
    return WindowProjection(matrix, has_shape)


@dataclass(frozen=True, slots=True)
class AlarmResult:
    """One algorithm's decision on one occupancy.

    ``statistic`` is compared with ``threshold`` (alarm when it reaches it); ``verdict`` says for a
    gamma result whether the excess looks like NORM or a man-made source (None when the algorithm
    does not look at the spectrum); ``explanation`` says it in words for the operator;
    ``peak_slice`` is where the excess is largest (None for no excess).
    """

    algorithm: str
    kind: RadiationKind
    alarm: bool
    statistic: float
    threshold: float
    explanation: str
    verdict: SourceVerdict | None = None
    peak_slice: int | None = None
