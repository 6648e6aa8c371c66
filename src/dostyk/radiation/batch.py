"""Occupancies stacked into arrays, and what every algorithm needs from them.

Each occupancy's gamma counts are summed over panels and projected onto (gross, low, high) by its
windows' :func:`~dostyk.domain.occupancies.window_projection`; occupancies of different lengths
are padded to the longest, with a mask. The background per slice is the pre-occupancy background
(pooled with the post-occupancy one when the monitor gives it), and the vehicle's *shadow* — the
fraction by which the vehicle suppresses that background — is estimated from the occupancy's own
profile (see :func:`shadow`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dostyk.domain.occupancies import (
    FloatArray,
    IntArray,
    Occupancy,
    window_projection,
)

#: Speed assumed when the monitor gives none (a truck at a portal, 5-8 km/h).
DEFAULT_SPEED_KMH = 6.5
#: Distance over which a vehicle's front (or back) moves into (out of) the panels' view: the
#: background suppression ramps up (down) over it.
SHADOW_RAMP_M = 2.0
#: Distance from the lane's centre line to a panel (half the 4 m lane of ANSI N42.42 Annex D); a
#: point source's count profile has its full width at half maximum at twice this.
PANEL_DISTANCE_M = 2.0
#: Bounds on the estimated suppression: a vehicle never adds background, and even a loaded
#: ore wagon leaves more than half of it.
MAX_SUPPRESSION = 0.5
#: The moving window is this many profile half-widths long (about optimal for a Lorentzian peak).
WINDOW_WIDTHS = 1.2


@dataclass(frozen=True, slots=True, eq=False)
class Batch:
    """Arrays over ``N`` occupancies padded to ``T`` slices.

    ``counts``: (N, T, 3) gross/low/high gamma counts summed over panels (0 where padded);
    ``neutron``: (N, T) neutron counts summed over the tubes; ``valid``: (N, T);
    ``slices``: (N,) true lengths; ``background``: (N, 3) gamma counts per slice;
    ``background_variance``: (N, 3) variance of that estimate; ``neutron_background``: (N, P)
    per slice; ``neutron_panels``: (N, P) which panels exist; ``speed_ms``: (N,);
    ``has_shape``: (N,) whether the windows split into low and high.
    """

    counts: FloatArray
    neutron: FloatArray
    valid: np.ndarray
    slices: IntArray
    background: FloatArray
    background_variance: FloatArray
    neutron_background: FloatArray
    neutron_panels: np.ndarray
    speed_ms: FloatArray
    slice_seconds: FloatArray
    has_shape: np.ndarray

    @property
    def size(self) -> int:
        return int(self.counts.shape[0])


def stack(occupancies: Sequence[Occupancy]) -> Batch:
    """The occupancies as one :class:`Batch`.

    Occupancies sharing windows and detector layout (nearly all of a lane's) are projected
    together: their slices concatenated into one array, so the cost per occupancy is a few
    attribute reads rather than a dozen small array operations.
    """
    n = len(occupancies)
    lengths = np.fromiter((o.gamma.shape[0] for o in occupancies), dtype=np.int64, count=n)
    length = int(lengths.max()) if n else 1
    panels = max((len(o.neutron_panels) for o in occupancies), default=1) or 1
    counts = np.zeros((n, length, 3))
    neutron = np.zeros((n, length))
    valid = np.arange(length)[None, :] < lengths[:, None]
    background = np.zeros((n, 3))
    variance = np.zeros((n, 3))
    neutron_background = np.zeros((n, panels))
    neutron_present = np.zeros((n, panels), dtype=bool)
    speed = np.fromiter(
        ((o.speed_kmh or DEFAULT_SPEED_KMH) / 3.6 for o in occupancies), dtype=np.float64, count=n
    )
    slice_seconds = np.fromiter((o.slice_seconds for o in occupancies), dtype=np.float64, count=n)
    has_shape = np.zeros(n, dtype=bool)
    groups: dict[tuple[object, ...], list[int]] = {}
    for i, occupancy in enumerate(occupancies):
        key = (occupancy.windows, len(occupancy.gamma_panels), len(occupancy.neutron_panels))
        groups.setdefault(key, []).append(i)
    for (windows, _, p), members in groups.items():
        projection = window_projection(windows)
        matrix = projection.matrix
        index = np.asarray(members)
        chosen = [occupancies[i] for i in members]
        # The group's slices in row-major order of the padded arrays: a boolean mask assigns
        # them in one pass (the concatenation is in the same order).
        if len(groups) == 1:
            mask = valid
        else:
            member = np.zeros(n, dtype=bool)
            member[index] = True
            mask = valid & member[:, None]
        counts[mask] = _project(np.concatenate([o.gamma for o in chosen]), matrix)
        has_shape[index] = projection.has_shape
        befores = [o.background_before for o in chosen]
        gamma_total = np.stack([b.gamma for b in befores]).sum(axis=1)
        live = np.fromiter((b.live_seconds for b in befores), dtype=np.float64)
        neutron_total = np.stack([b.neutron for b in befores]) if p else np.zeros((len(index), 0))
        for j, o in enumerate(chosen):
            after = o.background_after
            if after is not None:
                gamma_total[j] += after.gamma.sum(axis=0)
                if p:
                    neutron_total[j] += after.neutron
                live[j] += after.live_seconds
        per_slice = (slice_seconds[index] / live)[:, None]
        background[index] = (gamma_total @ matrix) * per_slice
        # The total is Poisson: its variance is itself; scaled to a slice, times per_slice**2.
        variance[index] = np.abs(gamma_total @ (matrix * matrix)) * per_slice * per_slice
        if p:
            neutron[mask] = np.concatenate([o.neutron for o in chosen]).sum(axis=1)
            neutron_present[index, :p] = True
            neutron_background[index, :p] = neutron_total * per_slice
    return Batch(
        counts,
        neutron,
        valid,
        lengths,
        background,
        variance,
        neutron_background,
        neutron_present,
        np.maximum(speed, 0.5),
        slice_seconds,
        has_shape,
    )


def _project(gamma: IntArray, matrix: FloatArray) -> FloatArray:
    """(S, P, W) slice counts to (S, 3) gross/low/high summed over panels, as one product with
    the projection repeated for each panel. Its weights are 0, 1 and -1 (high is gross less low),
    so every sum is of whole counts and exact in any order."""
    slices, panels, windows = gamma.shape
    flat = gamma.reshape(slices, panels * windows).astype(np.float64)
    return np.asarray(flat @ np.tile(matrix, (panels, 1)), dtype=np.float64)


def window_slices(batch: Batch) -> IntArray:
    """Slices in the moving window of each occupancy: the source peak's width at its speed."""
    width = WINDOW_WIDTHS * 2.0 * PANEL_DISTANCE_M / batch.speed_ms / batch.slice_seconds
    return np.asarray(np.clip(np.rint(width), 3, np.maximum(batch.slices, 3)), dtype=np.int64)


def shadow_template(batch: Batch) -> FloatArray:
    """(N, T) the share of the full suppression at each slice: ramps in, plateau, ramps out."""
    ramp = np.clip(SHADOW_RAMP_M / batch.speed_ms / batch.slice_seconds, 1.0, None)
    ramp = np.minimum(ramp, np.maximum(batch.slices / 4.0, 1.0))
    t = np.arange(batch.counts.shape[1], dtype=np.float64)[None, :] + 0.5
    n = batch.slices[:, None].astype(np.float64)
    template = np.minimum(np.minimum(t / ramp[:, None], (n - t) / ramp[:, None]), 1.0)
    return np.asarray(np.where(batch.valid, np.clip(template, 0.0, 1.0), 0.0), dtype=np.float64)


@dataclass(frozen=True, slots=True, eq=False)
class Shadow:
    """The vehicle's estimated suppression of the gross background: ``template`` (N, T) its
    shape, ``suppression`` (N,) its full depth, ``suppression_variance`` (N,) that estimate's
    variance, ``expected`` (N, T) the gross background counts per slice under the vehicle."""

    template: FloatArray
    suppression: FloatArray
    suppression_variance: FloatArray
    expected: FloatArray


def shadow(batch: Batch, corrected: bool = True) -> Shadow:
    """Estimate the suppression from the occupancy's plateau (Lo Presti et al. 2006).

    On the plateau, where the vehicle fills the panels' view, each slice's gross count divided by
    the background is ``1 - d`` plus noise; the median over the plateau estimates ``d`` and is
    not moved much by a source, which raises only the few slices near it. Its variance is that
    of a median of Poisson ratios, ``(pi/2) / (b * n_plateau)``.
    """
    template = shadow_template(batch)
    n = batch.size
    background = np.maximum(batch.background[:, 0], 1e-9)
    if not corrected:
        zeros = np.zeros(n)
        expected = background[:, None] * batch.valid
        return Shadow(template, zeros, zeros, np.asarray(expected, dtype=np.float64))
    plateau = template >= 0.999
    ratio = np.where(plateau, 1.0 - batch.counts[:, :, 0] / background[:, None], np.inf)
    # Median per occupancy over the plateau: sort with the other slices last, take the middle.
    ratio.sort(axis=1)
    count = plateau.sum(axis=1)
    safe = np.maximum(count, 1)
    rows = np.arange(n)
    middle = 0.5 * (ratio[rows, (safe - 1) // 2] + ratio[rows, safe // 2])
    middle = np.where((count > 0) & np.isfinite(middle), middle, 0.0)
    suppression = np.clip(middle, 0.0, MAX_SUPPRESSION)
    variance = (np.pi / 2.0) / (background * safe)
    expected = background[:, None] * (1.0 - suppression[:, None] * template)
    expected = np.where(batch.valid, expected, 0.0)
    return Shadow(template, suppression, variance, np.asarray(expected, dtype=np.float64))


def window_suppression(
    batch: Batch, shade: Shadow, start: IntArray, window: IntArray
) -> tuple[FloatArray, IntArray]:
    """(N, 3) the suppression of the gross, low and high windows, the last two from the mean
    count on the plateau outside the moving window where the excess is largest (so that the
    source, mostly inside it, does not lower them); the gross one where too few slices remain.
    Low energies are suppressed more than high ones (more of them are scattered away), which
    the energy-window test must allow for. Also returns how many slices each estimate used
    (its variance is about ``1 / (b * slices)``)."""
    slices = np.arange(batch.counts.shape[1])[None, :]
    outside = (shade.template >= 0.999) & (
        (slices < start[:, None]) | (slices >= (start + window)[:, None])
    )
    kept = outside.sum(axis=1)
    sums = np.einsum("nt,ntc->nc", outside.astype(np.float64), batch.counts)
    background = np.maximum(batch.background, 1e-9)
    depth = 1.0 - sums / (background * np.maximum(kept, 1)[:, None])
    depth = np.clip(depth, 0.0, MAX_SUPPRESSION)
    depth = np.where((kept >= 5)[:, None], depth, shade.suppression[:, None])
    depth[:, 0] = shade.suppression
    return np.asarray(depth, dtype=np.float64), np.asarray(kept, dtype=np.int64)


def cumulative(values: FloatArray) -> FloatArray:
    """Running sums along the slices with a leading zero: (N, T + 1, ...)."""
    n = values.shape[0]
    return np.concatenate([np.zeros((n, 1, *values.shape[2:])), np.cumsum(values, axis=1)], axis=1)


def window_sum(running: FloatArray, start: IntArray, window: IntArray) -> FloatArray:
    """The sum over ``window[i]`` slices from ``start[i]`` of occupancy i, from its running sums."""
    rows = np.arange(running.shape[0])
    end = np.minimum(start + window, running.shape[1] - 1)
    return np.asarray(running[rows, end] - running[rows, start], dtype=np.float64)


def moving_sums(values: FloatArray, window: IntArray) -> FloatArray:
    """(N, T) sums of ``values`` (N, T, ...) over ``window[i]`` slices starting at each slice
    (0 where the window would run past the data)."""
    n, length = values.shape[:2]
    cumulative = np.concatenate(
        [np.zeros((n, 1, *values.shape[2:])), np.cumsum(values, axis=1)], axis=1
    )
    start = np.arange(length)[None, :]
    end = np.minimum(start + window[:, None], length)
    rows = np.arange(n)[:, None]
    return np.asarray(cumulative[rows, end] - cumulative[rows, start], dtype=np.float64)
