"""Gamma spectra from handheld identifiers and spectroscopic monitors, and what they identify.

A :class:`Spectrum` is counts per channel over a live time, with the polynomial energy
calibration that turns a channel into keV. An :class:`Identification` is a nuclide an
instrument or Dostyk's identifier named, with its confidence. Pure types, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from dostyk.domain.occupancies import FloatArray, raise_field


@dataclass(frozen=True, slots=True, eq=False)
class Spectrum:
    """Counts per channel (``channels``, float64, shape ``(n_channels,)``) over
    ``live_seconds``; ``calibration`` are the coefficients of E(ch) = c0 + c1 ch + c2 ch^2 ..."""

    detector: str
    channels: FloatArray
    live_seconds: float
    calibration: tuple[float, ...] = ()
    started_at: datetime | None = None
    real_seconds: float | None = None
    measurement_class: str = "Foreground"

    def __post_init__(self) -> None:
        if self.channels.ndim != 1 or self.channels.size == 0:
            raise_field("channels", "a spectrum has one row of at least one channel")
        if not (np.all(np.isfinite(self.channels)) and self.channels.min() >= 0):
            raise_field("channels", "counts must be finite and not negative")
        if not (self.live_seconds > 0.0 and np.isfinite(self.live_seconds)):
            raise_field("live_seconds", "must be a positive number of seconds")

    def energies(self) -> FloatArray:
        """The energy (keV) at each channel's lower edge, from the calibration (or the channel
        number when there is none)."""
        channel = np.arange(self.channels.size, dtype=np.float64)
        if not self.calibration:
            return channel
        return np.asarray(np.polynomial.polynomial.polyval(channel, self.calibration))

    def window_counts(self, start_kev: float, end_kev: float) -> float:
        energies = self.energies()
        inside = (energies >= start_kev) & (energies < end_kev)
        return float(self.channels[inside].sum())


@dataclass(frozen=True, slots=True)
class Identification:
    """A nuclide named by an analysis, with its confidence (0-1, None when not given)."""

    nuclide: str
    identified: bool = True
    confidence: float | None = None
    category: str | None = None
    source: str = "instrument"
