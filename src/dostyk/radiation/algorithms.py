"""The alarm algorithms of a vehicle portal monitor, vectorised over occupancies.

``analyse(occupancy, thresholds)`` is the stable entrance: one occupancy in, one
:class:`~dostyk.domain.occupancies.AlarmResult` per algorithm out, in the order of
:data:`ALGORITHMS`. ``analyse_many`` does the same for many at once, and ``score`` gives the raw
arrays (statistic, threshold, alarm per algorithm) for evaluation and benchmarks. Each method and
its reference is in docs/radiation.md:

- ``gross-count``: moving-window gross count at n sigma over the pre-occupancy background,
  corrected for the vehicle's suppression of that background;
- ``energy-window``: the gross excess tested for its low/high energy-window shape against the
  NORM-like shape of the background (Ely et al. 2006), with a strong-source backstop;
- ``sprt``: Wald's sequential probability ratio test on the gross count per slice;
- ``neutron``: moving-window neutron count with cosmic-ray burst rejection.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from dostyk.domain.occupancies import (
    AlarmResult,
    FloatArray,
    IntArray,
    Occupancy,
    RadiationKind,
    SourceVerdict,
)
from dostyk.radiation.batch import (
    Batch,
    Shadow,
    moving_sums,
    shadow,
    stack,
    window_slices,
    window_suppression,
)
from dostyk.radiation.thresholds import (
    Thresholds,
    poisson_threshold,
    scan_threshold,
    upper_quantile,
)

GROSS = "gross-count"
ENERGY_WINDOW = "energy-window"
SPRT = "sprt"
NEUTRON = "neutron"
#: Every algorithm ``analyse`` runs, in the order of its results.
ALGORITHMS = (GROSS, ENERGY_WINDOW, SPRT, NEUTRON)


@dataclass(frozen=True, slots=True, eq=False)
class Scores:
    """One algorithm over a batch: ``statistic``, ``threshold``, ``alarm`` and ``peak`` (N,)."""

    statistic: FloatArray
    threshold: FloatArray
    alarm: np.ndarray
    peak: IntArray


@dataclass(frozen=True, slots=True, eq=False)
class GammaScan:
    """The gross moving-window scan every gamma algorithm starts from."""

    window: IntArray
    z: FloatArray  # (N,) the largest z-score over the occupancy
    peak_start: IntArray  # (N,) where its window starts
    excess: FloatArray  # (N,) counts above the expected background there
    windows: FloatArray  # (N,) n/k, the number of windows the scan tries
    shaded: FloatArray  # (N,) the shadow template summed over that window


def _positions(batch: Batch, window: IntArray) -> np.ndarray:
    """(N, T) which window starts fit inside each occupancy."""
    start = np.arange(batch.counts.shape[1])[None, :]
    return np.asarray(start + window[:, None] <= batch.slices[:, None])


def gamma_scan(batch: Batch, shade: Shadow) -> GammaScan:
    """z-scores of the gross count over every window of the occupancy, against the shadowed
    background, with the variance of the background and suppression estimates included."""
    window = window_slices(batch)
    observed = moving_sums(batch.counts[:, :, 0], window)
    shaded = moving_sums(shade.template, window)
    b = np.maximum(batch.background[:, 0], 1e-9)[:, None]
    # The shadowed background summed over the window: b (k - d U), U the template's sum.
    expected = b * (window[:, None] - shade.suppression[:, None] * shaded)
    # The window's slices are part of the plateau whose median set the suppression, so the
    # error of that median is correlated with the window's own noise: with the median's
    # variance (pi/2) / (b n) and its covariance with a slice mean 1 / (b n), the excess has
    # variance E (1 + (pi/2 - 2) U^2 / (k n)) rather than E + (b U)^2 var(d).
    correlated = (1.0 - 4.0 / np.pi) * (b * shaded) ** 2 * shade.suppression_variance[:, None]
    variance = np.maximum(
        expected + (expected / b) ** 2 * batch.background_variance[:, 0][:, None] + correlated,
        0.5 * expected,
    )
    z = (observed - expected) / np.sqrt(np.maximum(variance, 1e-9))
    z = np.where(_positions(batch, window), z, -np.inf)
    start = np.argmax(z, axis=1)
    rows = np.arange(batch.size)
    return GammaScan(
        window,
        z[rows, start],
        start,
        (observed - expected)[rows, start],
        np.maximum(batch.slices / window, 1.0),
        shaded[rows, start],
    )


def gross_count(batch: Batch, scan: GammaScan, thresholds: Thresholds) -> Scores:
    threshold = scan_threshold(thresholds.gamma_false_alarm_rate, scan.windows, scan.window)
    return Scores(scan.z, threshold, scan.z >= threshold, scan.peak_start + scan.window // 2)


@dataclass(frozen=True, slots=True, eq=False)
class ShapeTest:
    """The energy-window algorithm's parts, kept for its explanation."""

    shape_z: FloatArray  # (N,) low-window excess beyond a NORM-shaped excess, in sigma
    gate: FloatArray  # (N,) gross z needed for the shape path
    shape_threshold: FloatArray
    backstop: FloatArray  # (N,) gross z that alarms whatever the shape


def shape_test(
    batch: Batch, shade: Shadow, scan: GammaScan, thresholds: Thresholds
) -> tuple[Scores, ShapeTest]:
    """Energy windowing (Ely et al. 2006; Kouzes et al. 2008).

    At the window where the gross excess is largest, the excess is split into its low and high
    windows, ``L`` and ``H``. The background under the vehicle has low share ``f`` (terrestrial
    background is itself K-40, uranium and thorium: NORM), so a NORM excess has
    ``(1 - f) L - f H`` near zero or below (NORM is harder than the scattered background), while
    HEU, plutonium, medical and most industrial sources put their counts low and drive it up.
    Under background alone that contrast is uncorrelated with the gross count, so the two tests
    multiply: the shape path (gross above a gate, shape above its threshold) spends
    ``shape_share`` of the target rate, split evenly between them, and a gross backstop the rest.
    """
    start = scan.peak_start
    window = scan.window
    slices = np.arange(batch.counts.shape[1])[None, :]
    inside = (slices >= start[:, None]) & (slices < (start + window)[:, None])
    observed = np.einsum("nt,ntc->nc", inside.astype(np.float64), batch.counts)  # (N, 3)
    # The shadowed background over the window: b_c (k - d_c U), U the template's sum there.
    depth, kept = window_suppression(batch, shade, start, window)
    expected = batch.background * (window[:, None] - depth * scan.shaded[:, None])
    low_expected = np.maximum(expected[:, 1], 1e-9)
    high_expected = np.maximum(expected[:, 2], 1e-9)
    share = low_expected / (low_expected + high_expected)
    low_excess = observed[:, 1] - expected[:, 1]
    high_excess = observed[:, 2] - expected[:, 2]
    contrast = (1.0 - share) * low_excess - share * high_excess
    # Each window's expected count carries the error of its suppression estimate, b U^2 / m
    # for m plateau slices (none when it fell back on the gross estimate).
    estimated = np.where(kept >= 5, scan.shaded**2 / np.maximum(kept, 1), 0.0)
    low_variance = low_expected + np.maximum(batch.background[:, 1], 0.0) * estimated
    high_variance = high_expected + np.maximum(batch.background[:, 2], 0.0) * estimated
    spread = np.sqrt((1.0 - share) ** 2 * low_variance + share**2 * high_variance)
    shape_z = np.where(batch.has_shape, contrast / spread, -np.inf)
    rate = thresholds.gamma_false_alarm_rate
    path = np.sqrt(rate * thresholds.shape_share)
    gate = scan_threshold(path, scan.windows, scan.window)
    shape_threshold = np.full(batch.size, float(upper_quantile(path)))
    backstop = scan_threshold(rate * (1.0 - thresholds.shape_share), scan.windows, scan.window)
    alarm = (scan.z >= backstop) | ((scan.z >= gate) & (shape_z >= shape_threshold))
    # One number that reaches 1 exactly when the algorithm alarms.
    statistic = np.maximum(scan.z / backstop, np.minimum(scan.z / gate, shape_z / shape_threshold))
    scores = Scores(statistic, np.ones(batch.size), alarm, start + window // 2)
    return scores, ShapeTest(shape_z, gate, shape_threshold, backstop)


def sprt(batch: Batch, shade: Shadow, scan: GammaScan, thresholds: Thresholds) -> Scores:
    """Wald's sequential probability ratio test (Wald 1945), restarted at the lower boundary.

    Per slice the log-likelihood ratio of "background + s" against "background" for a Poisson
    count ``x`` is ``x ln(1 + s/b_t) - s``; ``s`` is the per-slice rate of a source at the
    gross count's detection limit (its threshold spread over the window). The boundaries are
    Wald's, ``A = ln(beta/(1-alpha_t))`` and ``B = ln((1-beta)/alpha_t)``, with ``alpha_t`` the
    per-test rate that, over the number of restarts an occupancy allows (its length over the
    expected sample number under background), gives the target false-alarm rate.
    """
    rate = thresholds.gamma_false_alarm_rate
    beta = thresholds.sprt_miss_rate
    b = np.maximum(batch.background[:, 0], 1e-9)
    limit = scan_threshold(rate, scan.windows, scan.window)
    signal = limit * np.sqrt(scan.window * b) / scan.window  # (N,)
    expected = np.maximum(shade.expected, 1e-9)
    log_ratio = np.log1p(signal[:, None] / expected)
    increments = np.where(batch.valid, batch.counts[:, :, 0] * log_ratio - signal[:, None], 0.0)
    drift = np.where(batch.valid, expected * log_ratio - signal[:, None], 0.0).sum(axis=1)
    drift = np.minimum(drift / np.maximum(batch.slices, 1), -1e-9)
    per_test = np.full(batch.size, rate)
    for _ in range(4):
        lower = np.log(beta / (1.0 - per_test))
        upper = np.log((1.0 - beta) / per_test)
        samples = np.maximum((lower * (1.0 - per_test) + upper * per_test) / drift, 1.0)
        tests = np.maximum(batch.slices / samples, 1.0)
        per_test = -np.expm1(np.log1p(-rate) / tests)
    lower = np.log(beta / (1.0 - per_test))
    upper = np.log((1.0 - beta) / per_test)
    highest, peak = _restarted_walk(increments, lower)
    return Scores(highest, upper, highest >= upper, peak)


#: Below this many occupancies the walk runs in plain Python, row by row: a numpy step over a
#: handful of rows costs more than the arithmetic (a portal's single occupancy has 100-300 slices).
SMALL_BATCH = 8


def _restarted_walk(increments: FloatArray, lower: FloatArray) -> tuple[FloatArray, IntArray]:
    """The highest level of each row's cumulative sum, restarted at 0 whenever it falls to
    ``lower``, and the slice where it was reached. The walk is sequential in time; over a large
    batch it is vectorised across rows, over a small one it is a loop of floats (same IEEE
    arithmetic, so the same numbers)."""
    size, length = increments.shape
    if size <= SMALL_BATCH:
        highest = np.zeros(size)
        peak = np.zeros(size, dtype=np.int64)
        for row, (steps, floor) in enumerate(zip(increments.tolist(), lower.tolist(), strict=True)):
            walked = top = 0.0
            at = 0
            for t, step in enumerate(steps):
                walked += step
                if walked <= floor:
                    walked = 0.0
                if walked > top:
                    top, at = walked, t
            highest[row], peak[row] = top, at
        return highest, peak
    level = np.zeros(size)
    highest = np.zeros(size)
    peak = np.zeros(size, dtype=np.int64)
    for t in range(length):
        level = level + increments[:, t]
        level = np.where(level <= lower, 0.0, level)
        rising = level > highest
        highest = np.where(rising, level, highest)
        peak = np.where(rising, t, peak)
    return highest, peak


def neutron(batch: Batch, thresholds: Thresholds, reject_bursts: bool = True) -> Scores:
    """Moving-window neutron count with cosmic-ray burst rejection.

    Cosmic-ray muons and spallation in dense bulk cargo (steel, ore, grain) set free bursts of
    several neutrons within microseconds (the "ship effect", Kouzes et al. 2008), which land in
    one 0.1 s slice, often in several tubes at once; a neutron source gives a raised rate over
    the whole transit. A slice whose count, summed over the tubes, would be improbable
    (``burst_probability``) even with a source at the alarm level is a burst: it counts as its
    expected background. The windowed sum is then compared with the Poisson quantile that gives
    the target rate over the occupancy's windows (so no single burst-free slice alarms alone).
    """
    window = window_slices(batch)
    per_slice = batch.neutron_background.sum(axis=1)  # (N,)
    mean = np.maximum(window * per_slice, 1e-9)
    windows = np.maximum(batch.slices / window, 1.0)
    z = scan_threshold(thresholds.neutron_false_alarm_rate, windows, window)
    single = special.ndtr(-z)
    threshold = poisson_threshold(single, mean)
    totals = batch.neutron
    if reject_bursts:
        limit = np.maximum(threshold - mean, 0.0) / window + per_slice
        burst = poisson_threshold(thresholds.burst_probability, limit)
        totals = np.where(totals >= burst[:, None], per_slice[:, None], totals)
    totals = np.where(batch.valid, totals, 0.0)
    sums = moving_sums(totals, window)
    sums = np.where(_positions(batch, window), sums, -np.inf)
    start = np.argmax(sums, axis=1)
    statistic = sums[np.arange(batch.size), start]
    return Scores(statistic, threshold, statistic >= threshold, start + window // 2)


@dataclass(frozen=True, slots=True, eq=False)
class BatchScores:
    """Every algorithm's scores over a batch, with the parts the explanations quote."""

    scores: dict[str, Scores]
    scan: GammaScan
    shape: ShapeTest
    shadow: Shadow


def score(
    batch: Batch, thresholds: Thresholds, *, corrected: bool = True, reject_bursts: bool = True
) -> BatchScores:
    """All algorithms over ``batch``. ``corrected=False`` drops the suppression correction and
    ``reject_bursts=False`` the burst rejection (the naive variants evaluations compare)."""
    shade = shadow(batch, corrected)
    scan = gamma_scan(batch, shade)
    shape_scores, shape = shape_test(batch, shade, scan, thresholds)
    scores = {
        GROSS: gross_count(batch, scan, thresholds),
        ENERGY_WINDOW: shape_scores,
        SPRT: sprt(batch, shade, scan, thresholds),
        NEUTRON: neutron(batch, thresholds, reject_bursts),
    }
    return BatchScores(scores, scan, shape, shade)


def analyse_many(
    occupancies: Sequence[Occupancy], thresholds: Thresholds | None = None
) -> list[list[AlarmResult]]:
    """``analyse`` for each occupancy, computed together."""
    if not occupancies:
        return []
    chosen = thresholds or Thresholds()
    result = score(stack(occupancies), chosen)
    return _results(result)


def analyse(occupancy: Occupancy, thresholds: Thresholds | None = None) -> list[AlarmResult]:
    """One result per algorithm of :data:`ALGORITHMS`, in that order."""
    return analyse_many([occupancy], thresholds)[0]


def _results(result: BatchScores) -> list[list[AlarmResult]]:
    """The batch's scores as results, one list per occupancy (columns turned into Python lists
    first: indexing numpy arrays one element at a time costs more than the analysis)."""
    scan, shape, shade = result.scan, result.shape, result.shadow
    gross, ew = result.scores[GROSS], result.scores[ENERGY_WINDOW]
    sequential, counted = result.scores[SPRT], result.scores[NEUTRON]
    columns = zip(
        scan.z.tolist(),
        scan.excess.tolist(),
        scan.window.tolist(),
        shade.suppression.tolist(),
        gross.threshold.tolist(),
        gross.alarm.tolist(),
        gross.peak.tolist(),
        shape.shape_z.tolist(),
        shape.gate.tolist(),
        shape.shape_threshold.tolist(),
        shape.backstop.tolist(),
        ew.alarm.tolist(),
        ew.statistic.tolist(),
        ew.peak.tolist(),
        sequential.statistic.tolist(),
        sequential.threshold.tolist(),
        sequential.alarm.tolist(),
        sequential.peak.tolist(),
        counted.statistic.tolist(),
        counted.threshold.tolist(),
        counted.alarm.tolist(),
        counted.peak.tolist(),
        strict=True,
    )
    found: list[list[AlarmResult]] = []
    gamma, neutron_kind = RadiationKind.GAMMA, RadiationKind.NEUTRON
    for (
        z,
        excess,
        window,
        suppression,
        gross_threshold,
        gross_alarm,
        gross_peak,
        shape_z,
        gate,
        shape_threshold,
        backstop,
        ew_alarm,
        ew_statistic,
        ew_peak,
        llr,
        boundary,
        sprt_alarm,
        sprt_peak,
        neutrons,
        neutron_threshold,
        neutron_alarm,
        neutron_peak,
    ) in columns:
        verdict: SourceVerdict | None
        if shape_z == -math.inf:
            verdict = SourceVerdict.UNDETERMINED
            shape_words = "the monitor's windows do not split into low and high energies"
        elif z < gate:
            verdict = None
            shape_words = f"no gross excess past the gate ({z:.2f} < {gate:.2f} sigma)"
        else:
            man_made = shape_z >= shape_threshold
            verdict = SourceVerdict.MAN_MADE if man_made else SourceVerdict.NORM
            shape_words = (
                f"low-window excess {shape_z:.2f} sigma beyond a NORM-shaped one "
                f"(threshold {shape_threshold:.2f}): "
                + ("spectrum softer than NORM, man-made" if man_made else "spectrum like NORM")
            )
        if ew_alarm and z >= backstop:
            shape_words += f"; gross {z:.2f} sigma reaches the backstop {backstop:.2f}"
        found.append(
            [
                AlarmResult(
                    GROSS,
                    gamma,
                    gross_alarm,
                    z,
                    gross_threshold,
                    f"largest gross excess {excess:.0f} counts over {window} slices, "
                    f"{z:.2f} sigma against {gross_threshold:.2f} for the target rate; "
                    f"background corrected for {100 * suppression:.0f}% suppression by the "
                    "vehicle",
                    None,
                    gross_peak,
                ),
                AlarmResult(
                    ENERGY_WINDOW, gamma, ew_alarm, ew_statistic, 1.0, shape_words, verdict, ew_peak
                ),
                AlarmResult(
                    SPRT,
                    gamma,
                    sprt_alarm,
                    llr,
                    boundary,
                    f"log-likelihood ratio reached {llr:.2f} against Wald's boundary "
                    f"{boundary:.2f}",
                    None,
                    sprt_peak,
                ),
                AlarmResult(
                    NEUTRON,
                    neutron_kind,
                    neutron_alarm,
                    neutrons,
                    neutron_threshold,
                    f"{neutrons:.1f} neutron counts in the busiest window after burst "
                    f"rejection, threshold {neutron_threshold:.0f}",
                    None,
                    neutron_peak,
                ),
            ]
        )
    return found
