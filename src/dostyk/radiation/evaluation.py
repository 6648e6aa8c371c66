"""Detection probability against nuisance-alarm rate for each algorithm (the ROC).

On simulated occupancies whose sources are known, every algorithm is run at a sweep of target
false-alarm rates; at each, what share of the man-made sources it detects, what share of NORM
loads (gamma) or of bulk loads with cosmic-ray bursts (neutron) it alarms on, and what share of
background-only occupancies. The energy-window algorithm's claim is checked where it matters:
at the detection probability the gross count reaches at its default rate, how many fewer NORM
nuisance alarms it raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from dostyk.radiation.algorithms import (
    ENERGY_WINDOW,
    GROSS,
    NEUTRON,
    SPRT,
    gamma_scan,
    gross_count,
    neutron,
    shape_test,
    sprt,
)
from dostyk.radiation.batch import shadow, stack
from dostyk.radiation.simulation import Simulated, SourceClass, evaluation_set
from dostyk.radiation.thresholds import Thresholds

#: Man-made gamma sources a portal must find (medical patients alarm too, but are innocent and
#: counted apart).
GAMMA_TARGETS = ("Cs-137", "Co-60", "Ir-192", "HEU", "WGPu")
NEUTRON_TARGETS = ("Cf-252", "WGPu")
#: The rates swept: 1e-6 to 0.3 per occupancy.
RATES = tuple(float(r) for r in np.geomspace(1e-6, 0.3, 28))
DEFAULT_RATE = 1e-3
GROSS_UNCORRECTED = "gross-count-uncorrected"
NEUTRON_NAIVE = "neutron-no-burst-rejection"


@dataclass(frozen=True, slots=True)
class Point:
    rate: float
    detection: float
    nuisance: float
    background: float
    medical: float


@dataclass(frozen=True, slots=True)
class Curve:
    algorithm: str
    kind: str
    nuisance_label: str
    points: tuple[Point, ...]

    def at_rate(self, rate: float) -> Point:
        return min(self.points, key=lambda p: abs(np.log(p.rate / rate)))

    def nuisance_at_detection(self, detection: float) -> float | None:
        """The least nuisance rate at which the curve detects at least ``detection``,
        interpolating linearly between swept points; None if it never does."""
        ordered = sorted(self.points, key=lambda p: (p.detection, p.nuisance))
        best: float | None = None
        for low, high in pairwise(ordered):
            if low.detection <= detection <= high.detection and high.detection > low.detection:
                share = (detection - low.detection) / (high.detection - low.detection)
                value = low.nuisance + share * (high.nuisance - low.nuisance)
                best = value if best is None else min(best, value)
        for point in ordered:
            if point.detection >= detection:
                best = point.nuisance if best is None else min(best, point.nuisance)
        return best


@dataclass(frozen=True, slots=True)
class Comparison:
    """Gross count at its default rate against the energy-window algorithm at equal detection."""

    detection: float
    gross_nuisance: float
    energy_window_nuisance: float | None

    @property
    def reduction(self) -> float | None:
        if self.energy_window_nuisance is None or self.gross_nuisance == 0:
            return None
        return 1.0 - self.energy_window_nuisance / self.gross_nuisance


@dataclass(frozen=True, slots=True)
class Evaluation:
    seed: int
    counts: dict[str, int]
    curves: tuple[Curve, ...]
    comparison: Comparison


def evaluate(
    seed: int = 1, per_class: int = 300, progress: Callable[[int], None] | None = None
) -> Evaluation:
    """Simulate ``per_class`` occupancies per class (see
    :func:`~dostyk.radiation.simulation.evaluation_set`) and sweep every algorithm."""
    simulated = evaluation_set(seed, per_class)
    return evaluate_on(simulated, seed, progress)


def evaluate_on(
    simulated: Sequence[Simulated], seed: int, progress: Callable[[int], None] | None = None
) -> Evaluation:
    classes = np.array([s.truth.source_class.value for s in simulated])
    nuclides = np.array([s.truth.nuclide or "" for s in simulated])
    gamma_target = np.isin(nuclides, GAMMA_TARGETS)
    neutron_target = np.isin(nuclides, NEUTRON_TARGETS)
    norm = classes == SourceClass.NORM.value
    cosmic = classes == SourceClass.COSMIC.value
    quiet = classes == SourceClass.NONE.value
    medical = classes == SourceClass.MEDICAL.value
    batch = stack([s.occupancy for s in simulated])
    shade = shadow(batch)
    scan = gamma_scan(batch, shade)
    plain = shadow(batch, corrected=False)
    plain_scan = gamma_scan(batch, plain)
    found: dict[str, list[Point]] = {
        GROSS: [],
        GROSS_UNCORRECTED: [],
        ENERGY_WINDOW: [],
        SPRT: [],
        NEUTRON: [],
        NEUTRON_NAIVE: [],
    }

    def point(rate: float, alarm: np.ndarray, target: np.ndarray, nuisance: np.ndarray) -> Point:
        return Point(
            rate,
            _share(alarm, target),
            _share(alarm, nuisance),
            _share(alarm, quiet),
            _share(alarm, medical),
        )

    for done, rate in enumerate(RATES, start=1):
        thresholds = Thresholds(gamma_false_alarm_rate=rate, neutron_false_alarm_rate=rate)
        found[GROSS].append(
            point(rate, gross_count(batch, scan, thresholds).alarm, gamma_target, norm)
        )
        found[GROSS_UNCORRECTED].append(
            point(rate, gross_count(batch, plain_scan, thresholds).alarm, gamma_target, norm)
        )
        window_scores, _ = shape_test(batch, shade, scan, thresholds)
        found[ENERGY_WINDOW].append(point(rate, window_scores.alarm, gamma_target, norm))
        found[SPRT].append(
            point(rate, sprt(batch, shade, scan, thresholds).alarm, gamma_target, norm)
        )
        found[NEUTRON].append(point(rate, neutron(batch, thresholds).alarm, neutron_target, cosmic))
        found[NEUTRON_NAIVE].append(
            point(rate, neutron(batch, thresholds, False).alarm, neutron_target, cosmic)
        )
        if progress is not None:
            progress(done)
    curves = tuple(
        Curve(
            name,
            "neutron" if name.startswith("neutron") else "gamma",
            "cosmic-burst" if name.startswith("neutron") else "NORM",
            tuple(points),
        )
        for name, points in found.items()
    )
    by_name = {c.algorithm: c for c in curves}
    reference = by_name[GROSS].at_rate(DEFAULT_RATE)
    comparison = Comparison(
        reference.detection,
        reference.nuisance,
        by_name[ENERGY_WINDOW].nuisance_at_detection(reference.detection),
    )
    counts = {
        "background only": int(quiet.sum()),
        "NORM loads": int(norm.sum()),
        "man-made gamma sources": int(gamma_target.sum()),
        "neutron sources": int(neutron_target.sum()),
        "medical patients": int(medical.sum()),
        "bulk loads with cosmic bursts": int(cosmic.sum()),
    }
    return Evaluation(seed, counts, curves, comparison)


def _share(alarm: np.ndarray, members: np.ndarray) -> float:
    total = int(members.sum())
    return float(alarm[members].sum() / total) if total else 0.0


def as_json(evaluation: Evaluation) -> dict[str, object]:
    comparison = evaluation.comparison
    return {
        "seed": evaluation.seed,
        "occupancies": evaluation.counts,
        "default_false_alarm_rate": DEFAULT_RATE,
        "equal_detection": {
            "detection": comparison.detection,
            "gross_count_norm_rate": comparison.gross_nuisance,
            "energy_window_norm_rate": comparison.energy_window_nuisance,
            "norm_reduction": comparison.reduction,
        },
        "curves": [
            {
                "algorithm": c.algorithm,
                "kind": c.kind,
                "nuisance": c.nuisance_label,
                "points": [
                    {
                        "target_false_alarm_rate": p.rate,
                        "detection": p.detection,
                        "nuisance_rate": p.nuisance,
                        "background_alarm_rate": p.background,
                        "medical_alarm_rate": p.medical,
                    }
                    for p in c.points
                ],
            }
            for c in evaluation.curves
        ],
    }
