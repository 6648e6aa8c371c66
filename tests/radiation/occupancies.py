"""Occupancies for the tests: Poisson background, and a man-made source when asked.

Four gamma panels with a low (0-400 keV) and a high (400-3000 keV) window and two neutron
tubes, 6 s at a walking pace; the background is 10 s before the vehicle arrived. A source adds
counts to the low window of the slices where it passes the panels, which is what Cs-137 or
Ba-133 does to plastic scintillators, and what the energy-window algorithm alarms on.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from dostyk.domain.occupancies import Background, EnergyWindow, Occupancy

WINDOWS = (EnergyWindow(0.0, 400.0), EnergyWindow(400.0, 3000.0))
PANELS = ("G1", "G2", "G3", "G4")
TUBES = ("N1", "N2")
#: Background counts per second per panel in each window, and per tube.
GAMMA_CPS = np.array([1500.0, 600.0])
NEUTRON_CPS = 1.5
SLICES = 60


def occupancy(
    occupancy_id: str,
    *,
    started_at: datetime,
    monitor_id: str = "RPM-DST-1",
    post_code: str = "DST",
    crossing_id: str | None = None,
    source_cps: float = 0.0,
    seed: int = 0,
) -> Occupancy:
    rng = np.random.default_rng(seed)
    per_slice = np.broadcast_to(GAMMA_CPS * 0.1, (SLICES, len(PANELS), len(WINDOWS))).copy()
    if source_cps:
        passing = np.exp(-0.5 * ((np.arange(SLICES) - 30) / 4.0) ** 2)
        per_slice[:, :, 0] += source_cps * 0.1 * passing[:, None]
    gamma = rng.poisson(per_slice).astype(np.int64)
    neutron = rng.poisson(NEUTRON_CPS * 0.1, size=(SLICES, len(TUBES))).astype(np.int64)
    before = Background(
        np.broadcast_to(GAMMA_CPS * 10.0, (len(PANELS), len(WINDOWS))).copy(),
        np.full(len(TUBES), NEUTRON_CPS * 10.0),
        10.0,
    )
    return Occupancy(
        occupancy_id,
        monitor_id,
        post_code,
        started_at,
        WINDOWS,
        PANELS,
        TUBES,
        gamma,
        neutron,
        before,
        speed_kmh=5.0,
        conveyance_ref="RC-1",
        crossing_id=crossing_id,
    )
