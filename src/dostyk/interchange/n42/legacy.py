"""Reading the 2006 form of N42 (``N42InstrumentData``) in which identifier base spectra come.

The generic NaI(Tl) base spectra of a handheld identifier (LLNL RASE's ``baseSpectra``) are in
the older ANSI N42.42-2006 layout: Measurement / Spectrum with RealTime, LiveTime, a polynomial
energy calibration and ChannelData, no namespace. Parsed with the same defused parser.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dostyk.domain.errors import InvariantViolation
from dostyk.domain.spectra import Spectrum
from dostyk.interchange.n42.errors import N42Error
from dostyk.interchange.n42.parsing import duration_seconds, local, numbers, parse_file


def read_legacy_spectrum(path: Path) -> Spectrum:
    """The first spectrum of a 2006-style N42 file."""
    parsed = parse_file(path)
    root = parsed.root
    if local(root.tag) != "N42InstrumentData":
        raise parsed.error(root, "is not an N42InstrumentData document")
    spectrum = next((e for e in root.iter() if local(e.tag) == "Spectrum"), None)
    if spectrum is None:
        raise N42Error(path, "holds no Spectrum", element="N42InstrumentData")
    found = {local(e.tag): e for e in spectrum.iter()}
    data = found.get("ChannelData")
    live_el = found.get("LiveTime")
    if data is None or live_el is None:
        raise parsed.error(spectrum, "needs ChannelData and LiveTime")
    coefficients = found.get("Coefficients")
    real_el = found.get("RealTime")
    try:
        return Spectrum(
            path.stem,
            np.asarray(numbers(parsed, data), dtype=np.float64),
            duration_seconds(parsed, live_el),
            tuple(numbers(parsed, coefficients)) if coefficients is not None else (),
            None,
            duration_seconds(parsed, real_el) if real_el is not None else None,
        )
    except InvariantViolation as bad:
        raise parsed.error(data, bad.message) from None
