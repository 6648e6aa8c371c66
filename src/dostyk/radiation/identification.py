"""Secondary inspection: naming the nuclide in a handheld identifier's NaI spectrum.

A simple template-matching identifier over the base spectra of a generic NaI(Tl) handheld (the
LLNL RASE base spectra in ../shared/data/radiation/nai-base-spectra). For each candidate
nuclide the measured spectrum ``m`` is fitted as ``a T + c B`` — its template ``T`` and the
background ``B``, both normalised to one count — by weighted least squares with Poisson
weights ``1 / max(m, 1)`` and ``a, c >= 0``. The score of a nuclide is how much its template
lowers the chi-square of the background-only fit; the best scores name the source. The best
counts as identified when its improvement is at least :data:`IDENTIFIED_CHI2` (a 5-sigma
improvement for one added parameter), a runner-up only when adding it to the best improves the
fit that much again (a second source). The confidence is the best improvement's share of
all candidates' improvements. Medical (Tc-99m, I-131, Tl-201, Ga-67) and NORM (Ra-226, Th-232)
answers let the operator release the vehicle; anything else is escalated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dostyk.domain.occupancies import FloatArray
from dostyk.domain.spectra import Identification, Spectrum
from dostyk.interchange.n42.legacy import read_legacy_spectrum

IDENTIFIED_CHI2 = 25.0
#: What each base spectrum stands for, for the operator's decision.
CATEGORIES = {
    "Tc99M": "Medical",
    "I131": "Medical",
    "Tl201": "Medical",
    "Ga67": "Medical",
    "Ra226": "NORM",
    "Th232": "NORM",
    "Co60": "Industrial",
    "Cs137": "Industrial",
    "Ir192": "Industrial",
    "Am241": "Industrial",
    "Co57": "Industrial",
    "Eu154": "Industrial",
    "Se75": "Industrial",
    "Yb169": "Industrial",
    "Sr90": "Industrial",
    "Cm244": "SNM-like",
    "Cf252": "SNM-like",
}
#: Synthetic test shapes in the folder, not nuclides.
NOT_NUCLIDES = {"Spike", "Step", "Bgnd"}


@dataclass(frozen=True, slots=True, eq=False)
class Templates:
    """Unit-normalised templates by nuclide name, and the background, over the same channels."""

    names: tuple[str, ...]
    shapes: FloatArray  # (n_nuclides, n_channels)
    background: FloatArray  # (n_channels,)
    background_rate: float  # counts per second of the background spectrum


def load_templates(folder: Path) -> Templates:
    """The base spectra in ``folder`` (``*_<Nuclide>.n42``; ``Bgnd`` is the background)."""
    spectra: dict[str, Spectrum] = {}
    for path in sorted(folder.glob("*.n42")):
        spectra[path.stem.rsplit("_", 1)[-1]] = read_legacy_spectrum(path)
    if "Bgnd" not in spectra:
        raise FileNotFoundError(f"{folder}: no background base spectrum (*_Bgnd.n42)")
    background = spectra["Bgnd"]
    width = background.channels.size
    names = tuple(n for n in spectra if n not in NOT_NUCLIDES and spectra[n].channels.size == width)
    shapes = np.stack([spectra[n].channels / max(spectra[n].channels.sum(), 1.0) for n in names])
    return Templates(
        names,
        shapes,
        background.channels / background.channels.sum(),
        float(background.channels.sum() / background.live_seconds),
    )


def simulate_measurement(
    templates: Templates,
    nuclide: str,
    source_counts: float,
    live_seconds: float,
    rng: np.random.Generator,
) -> FloatArray:
    """A handheld's spectrum of ``nuclide`` giving ``source_counts`` over background."""
    shape = templates.shapes[templates.names.index(nuclide)]
    expected = source_counts * shape + templates.background_rate * live_seconds * (
        templates.background
    )
    return np.asarray(rng.poisson(expected), dtype=np.float64)


def _fit(measured: FloatArray, columns: FloatArray, weights: FloatArray) -> float:
    """Weighted non-negative least squares of ``measured`` on 1 or 2 columns; the chi-square."""
    design = columns * np.sqrt(weights)[None, :]
    target = measured * np.sqrt(weights)
    coefficients, *_ = np.linalg.lstsq(design.T, target, rcond=None)
    if np.any(coefficients < 0):
        best = np.inf
        for i in range(columns.shape[0]):
            column = design[i]
            scale = max(float(column @ target) / float(column @ column), 0.0)
            best = min(best, float(np.sum((target - scale * column) ** 2)))
        return best
    residual = target - coefficients @ design
    return float(residual @ residual)


def identify(templates: Templates, measured: FloatArray, top: int = 3) -> list[Identification]:
    """The ``top`` best-matching nuclides, best first."""
    if measured.shape != templates.background.shape:
        raise ValueError(
            f"the spectrum has {measured.size} channels, the templates {templates.background.size}"
        )
    weights = 1.0 / np.maximum(measured, 1.0)
    alone = _fit(measured, templates.background[None, :], weights)
    gains = np.array(
        [
            alone - _fit(measured, np.stack([shape, templates.background]), weights)
            for shape in templates.shapes
        ]
    )
    gains = np.maximum(gains, 0.0)
    order = [int(i) for i in np.argsort(-gains)[:top]]
    total = float(gains.sum()) or 1.0
    best = order[0]
    with_best = _fit(measured, np.stack([templates.shapes[best], templates.background]), weights)
    found = []
    for rank, i in enumerate(order):
        if rank == 0:
            significant = gains[i] >= IDENTIFIED_CHI2
        else:
            # A second nuclide is there only if it explains what the best one leaves.
            both = np.stack([templates.shapes[best], templates.shapes[i], templates.background])
            significant = with_best - _fit(measured, both, weights) >= IDENTIFIED_CHI2
        found.append(
            Identification(
                templates.names[i],
                bool(significant),
                float(gains[i] / total),
                CATEGORIES.get(templates.names[i]),
                "dostyk-template-match",
            )
        )
    return found
