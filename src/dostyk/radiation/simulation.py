"""Simulated portal monitor occupancies with known sources, deterministic for a seed.

The monitor is the ANSI N42.42 Annex D layout: four PVT gamma panels (two each side of a 4 m
lane) with a low (30-400 keV) and a high (400-3000 keV) energy window, and two He-3 tubes. What
passes:

- **background**: about 900 counts/s per panel, varying from day to day (rain washes radon
  progeny down, snow cover shields the ground) by a few per cent in rate and in shape;
- **vehicle shielding**: the vehicle suppresses the background by 5-30 % according to its cargo's
  density, more in the low window than the high, ramping in and out as it enters and leaves;
- **NORM cargo** by HS code, spread along the load, with the spectral share of its nuclides
  (K-40, the thorium and the uranium series), self-shielding softening it somewhat;
- **medical patients** (I-131, Tc-99m) in the cab, **industrial sources** (Co-60, Cs-137, Ir-192)
  and rare **threat-like** sources (HEU- and WGPu-like shapes, Cf-252 neutrons) in the load;
- **cosmic-ray bursts** of neutrons set free in dense bulk cargo (steel, ore);
- trucks at 5-8 km/h and railcars at 6-12 km/h.

Spectral shares are the fraction of a source's PVT counts below 400 keV: for a Compton continuum
flat from 30 keV to the Compton edge ``E_c = E / (1 + m_e c^2 / 2E)``, that is
``(400 - 30) / (E_c - 30)`` for each line, weighted by the line yields, plus down-scatter.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import numpy as np

from dostyk.domain.occupancies import (
    SLICE_SECONDS,
    Background,
    EnergyWindow,
    FloatArray,
    Occupancy,
)
from dostyk.radiation.batch import PANEL_DISTANCE_M

WINDOWS = (EnergyWindow(30.0, 400.0), EnergyWindow(400.0, 3000.0))
GAMMA_PANELS = ("Aa1", "Aa2", "Ba1", "Ba2")
NEUTRON_PANELS = ("Aa1N", "Ba1N")
#: Lateral offset of each gamma panel's side: A on the driver's side (-), B on the other (+).
PANEL_SIDE = np.array([-1.0, -1.0, 1.0, 1.0])
NEUTRON_SIDE = np.array([-1.0, 1.0])
#: Gross background per panel, counts/s, and its low-window share.
BACKGROUND_CPS = 900.0
BACKGROUND_LOW_SHARE = 0.62
NEUTRON_BACKGROUND_CPS = 2.5
#: How long the monitor measures the background between occupancies.
BACKGROUND_SECONDS = 20.0


class SourceClass(StrEnum):
    NONE = "none"
    NORM = "norm"
    MEDICAL = "medical"
    INDUSTRIAL = "industrial"
    THREAT = "threat"
    COSMIC = "cosmic"


@dataclass(frozen=True, slots=True)
class Cargo:
    """A kind of load: its HS heading, density share (0 empty .. 1 ore) and any NORM in it.

    ``norm_cps`` is the median gross rate (counts/s per panel, at the panel) a full load adds,
    ``norm_low_share`` its spectral share below 400 keV, ``bulk`` whether cosmic rays set free
    neutron bursts in it.
    """

    hs_code: str
    description: str
    density: float
    norm_cps: float = 0.0
    norm_low_share: float = 0.0
    bulk: bool = False


#: Benign loads (no NORM): what most trucks and railcars carry.
BENIGN = (
    Cargo("8471", "computers", 0.15),
    Cargo("6204", "garments", 0.10),
    Cargo("8703", "cars", 0.20),
    Cargo("1001", "wheat in bulk", 0.55, bulk=True),
    Cargo("7208", "hot-rolled steel coils", 0.85, bulk=True),
    Cargo("2601", "iron ore", 0.95, bulk=True),
    Cargo("0000", "empty", 0.02),
)
#: Loads carrying naturally occurring radioactive material, with the usual nuclides: K-40
#: (share 0.33), thorium series (0.45), uranium/radium series (0.58); the figures are of the
#: order of published portal monitor experience (Kouzes et al. 2008: ceramics, fertiliser,
#: granite, kitty litter, bananas are the classic nuisance alarms).
NORM_CARGO = (
    Cargo("6907", "ceramic tiles", 0.60, 45.0, 0.52),
    Cargo("6802", "worked granite", 0.75, 55.0, 0.45),
    Cargo("2516", "granite blocks", 0.80, 50.0, 0.45),
    Cargo("3104", "potassium fertiliser", 0.65, 60.0, 0.33, bulk=True),
    Cargo("3105", "mixed fertiliser (NPK)", 0.60, 35.0, 0.33, bulk=True),
    Cargo("0803", "bananas", 0.35, 15.0, 0.33),
    Cargo("2508", "bentonite kitty litter", 0.50, 30.0, 0.58),
    Cargo("2615", "zircon sand", 0.85, 80.0, 0.55, bulk=True),
)


@dataclass(frozen=True, slots=True)
class Source:
    """A point source: its nuclide, class, median gross rate at closest approach (counts/s per
    panel at 2 m, unshielded), spread of that rate (log sd), low share and neutron rate."""

    nuclide: str
    source_class: SourceClass
    cps: float
    spread: float
    low_share: float
    neutron_cps: float = 0.0
    in_cab: bool = False


SOURCES = (
    Source("I-131", SourceClass.MEDICAL, 250.0, 1.0, 0.97, in_cab=True),
    Source("Tc-99m", SourceClass.MEDICAL, 150.0, 1.0, 0.99, in_cab=True),
    Source("Cs-137", SourceClass.INDUSTRIAL, 60.0, 0.7, 0.83),
    Source("Co-60", SourceClass.INDUSTRIAL, 60.0, 0.7, 0.37),
    Source("Ir-192", SourceClass.INDUSTRIAL, 60.0, 0.7, 0.97),
    Source("HEU", SourceClass.THREAT, 45.0, 0.7, 0.95),
    Source("WGPu", SourceClass.THREAT, 45.0, 0.7, 0.93, neutron_cps=3.0),
    Source("Cf-252", SourceClass.THREAT, 8.0, 0.5, 0.60, neutron_cps=12.0),
)
SOURCE_BY_NUCLIDE = {s.nuclide: s for s in SOURCES}


@dataclass(frozen=True, slots=True)
class Truth:
    """What really passed: the class of source, its nuclide, the cargo and the source's rate."""

    source_class: SourceClass
    nuclide: str | None
    cargo: Cargo
    strength_cps: float
    conveyance_kind: str


@dataclass(frozen=True, slots=True, eq=False)
class Simulated:
    occupancy: Occupancy
    truth: Truth


@dataclass(frozen=True, slots=True)
class Vehicle:
    """One vehicle of a train or queue for :meth:`PortalSimulator.pass_train`."""

    cargo: Cargo
    source: Source | None = None
    #: The source's rate, when it is known (a second pass); drawn otherwise.
    strength_cps: float | None = None
    railcar: bool = False
    conveyance_ref: str | None = None
    crossing_id: str | None = None


@dataclass(frozen=True, slots=True)
class Day:
    """One day's background at the monitor."""

    rate_factor: float
    low_share: float


class PortalSimulator:
    """Occupancies at one lane, deterministic for ``seed``."""

    def __init__(self, seed: int, *, post_code: str = "DOSTYK", monitor_id: str = "RPM-1") -> None:
        self.rng = np.random.default_rng(seed)
        self.post_code = post_code
        self.monitor_id = monitor_id
        self.count = 0
        self._days: dict[datetime, Day] = {}

    def day(self, when: datetime) -> Day:
        key = when.replace(hour=0, minute=0, second=0, microsecond=0)
        found = self._days.get(key)
        if found is None:
            seeded = np.random.default_rng(int(key.timestamp()) ^ 0x5EED)
            found = self._days[key] = Day(
                float(np.exp(seeded.normal(0.0, 0.05))),
                float(np.clip(seeded.normal(BACKGROUND_LOW_SHARE, 0.01), 0.5, 0.7)),
            )
        return found

    def pass_vehicle(
        self,
        when: datetime,
        *,
        cargo: Cargo,
        source: Source | None = None,
        strength_cps: float | None = None,
        railcar: bool = False,
        conveyance_ref: str | None = None,
        crossing_id: str | None = None,
    ) -> Simulated:
        """One vehicle through the portal: its counts slice by slice."""
        rng = self.rng
        day = self.day(when)
        speed_kmh = float(rng.uniform(6.0, 12.0) if railcar else rng.uniform(5.0, 8.0))
        speed = speed_kmh / 3.6
        length = float(rng.uniform(13.5, 15.5) if railcar else rng.uniform(12.0, 16.5))
        slices = int(np.ceil((length + 1.0) / speed / SLICE_SECONDS))
        t = (np.arange(slices) + 0.5) * SLICE_SECONDS
        front = speed * t  # how far the vehicle's front is past the panels' plane, m

        background = BACKGROUND_CPS * day.rate_factor * SLICE_SECONDS
        share = day.low_share
        per_window = np.array([background * share, background * (1.0 - share)])
        # Vehicle shadow: depth by density, deeper at low energies; ramps over ~2 m.
        depth = 0.05 + 0.25 * cargo.density + float(rng.normal(0.0, 0.01))
        depth = float(np.clip(depth, 0.03, 0.35))
        window_depth = np.array([min(0.5, 1.15 * depth), 0.8 * depth])
        ramp = float(rng.uniform(1.8, 2.2))
        rear = front - length
        profile = np.clip(np.minimum(front / ramp, (-rear + 1.0) / ramp), 0.0, 1.0)
        mean = per_window[None, None, :] * (
            1.0 - window_depth[None, None, :] * profile[:, None, None]
        )
        mean = np.broadcast_to(mean, (slices, len(GAMMA_PANELS), 2)).copy()
        neutron_mean = np.full(
            (slices, len(NEUTRON_PANELS)), NEUTRON_BACKGROUND_CPS * SLICE_SECONDS
        )

        truth_class = SourceClass.NONE
        nuclide: str | None = None
        strength = 0.0
        if cargo.norm_cps > 0.0:
            truth_class = SourceClass.NORM
            strength = float(cargo.norm_cps * np.exp(rng.normal(0.0, 0.6)))
            fill = float(rng.uniform(0.6, 0.95))
            start, end = 0.5, 0.5 + fill * (length - 1.0)
            # A line of sources along the load: the integral of r^2/(a^2 + r^2) over its length.
            r = PANEL_DISTANCE_M + 0.3 * PANEL_SIDE
            a1 = (front[:, None] - start) / r[None, :]
            a2 = (front[:, None] - end) / r[None, :]
            line = (np.arctan(a1) - np.arctan(a2)) / np.pi  # 1 in the middle of a long load
            low = min(
                0.95, cargo.norm_low_share + (1.0 - cargo.norm_low_share) * 0.2 * cargo.density
            )
            rate = strength * SLICE_SECONDS * line
            mean[:, :, 0] += rate * low
            mean[:, :, 1] += rate * (1.0 - low)
        if source is not None:
            truth_class = source.source_class
            nuclide = source.nuclide
            strength = (
                strength_cps
                if strength_cps is not None
                else float(source.cps * np.exp(rng.normal(0.0, source.spread)))
            )
            where = 1.0 if source.in_cab else float(rng.uniform(0.2, 0.9)) * length
            lateral = float(rng.uniform(-1.0, 1.0))
            shielding = 1.0 - (0.0 if source.in_cab else 0.6 * cargo.density)
            low = source.low_share + (1.0 - source.low_share) * (
                0.0 if source.in_cab else 0.3 * cargo.density
            )
            along = front[:, None] - where
            r = PANEL_DISTANCE_M - lateral * PANEL_SIDE
            rate = strength * shielding * SLICE_SECONDS * (PANEL_DISTANCE_M**2) / (along**2 + r**2)
            mean[:, :, 0] += rate * low
            mean[:, :, 1] += rate * (1.0 - low)
            if source.neutron_cps:
                rn = PANEL_DISTANCE_M - lateral * NEUTRON_SIDE
                scale = strength / source.cps
                neutron_mean += (
                    source.neutron_cps
                    * scale
                    * SLICE_SECONDS
                    * (PANEL_DISTANCE_M**2)
                    / (along**2 + rn[None, :] ** 2)
                )
        gamma = rng.poisson(mean).astype(np.int64)
        neutron = rng.poisson(neutron_mean).astype(np.int64)
        if cargo.bulk:
            # Cosmic-ray spallation bursts: a few per occupancy in dense bulk cargo, each several
            # neutrons in one slice shared between the tubes.
            bursts = rng.poisson(0.25 * cargo.density * slices * SLICE_SECONDS)
            for _ in range(int(bursts)):
                at = int(rng.integers(slices))
                size = 2 + int(rng.geometric(0.2))
                neutron[at] += rng.multinomial(size, [0.5, 0.5])
            if bursts and truth_class is SourceClass.NONE:
                truth_class = SourceClass.COSMIC
        seconds = BACKGROUND_SECONDS
        background_gamma = rng.poisson(
            np.broadcast_to(per_window / SLICE_SECONDS * seconds, (len(GAMMA_PANELS), 2))
        ).astype(np.float64)
        background_neutron = rng.poisson(
            np.full(len(NEUTRON_PANELS), NEUTRON_BACKGROUND_CPS * seconds)
        ).astype(np.float64)
        self.count += 1
        occupancy = Occupancy(
            occupancy_id=f"{self.monitor_id}-{self.count:08d}",
            monitor_id=self.monitor_id,
            post_code=self.post_code,
            started_at=when,
            windows=WINDOWS,
            gamma_panels=GAMMA_PANELS,
            neutron_panels=NEUTRON_PANELS,
            gamma=gamma,
            neutron=neutron,
            background_before=Background(
                background_gamma, background_neutron, seconds, when - timedelta(seconds=seconds)
            ),
            speed_kmh=round(speed_kmh, 2),
            conveyance_ref=conveyance_ref,
            crossing_id=crossing_id,
        )
        truth = Truth(truth_class, nuclide, cargo, strength, "railcar" if railcar else "truck")
        return Simulated(occupancy, truth)

    def pass_train(self, start: datetime, vehicles: Sequence[Vehicle]) -> list[Simulated]:
        """``vehicles`` through the portal one after another from ``start`` (a train's railcars,
        a queue of trucks), each starting a second after the one before it ended: the same
        physics as :meth:`pass_vehicle`, drawn for the whole train in one vectorised pass (the
        counts of a train's slices padded to its longest occupancy). Deterministic for the
        simulator's seed and what it passed before."""
        if not vehicles:
            return []
        rng = self.rng
        n = len(vehicles)
        railcar = np.array([v.railcar for v in vehicles])
        density = np.array([v.cargo.density for v in vehicles])
        speed_kmh = np.where(railcar, rng.uniform(6.0, 12.0, n), rng.uniform(5.0, 8.0, n))
        speed = speed_kmh / 3.6
        length = np.where(railcar, rng.uniform(13.5, 15.5, n), rng.uniform(12.0, 16.5, n))
        slices = np.ceil((length + 1.0) / speed / SLICE_SECONDS).astype(np.int64)
        depth = np.clip(0.05 + 0.25 * density + rng.normal(0.0, 0.01, n), 0.03, 0.35)
        ramp = rng.uniform(1.8, 2.2, n)
        starts: list[datetime] = []
        when = start
        for count in slices.tolist():
            starts.append(when)
            # As ``ended_at`` computes it, then a second's gap.
            when += timedelta(seconds=count * SLICE_SECONDS)
            when += timedelta(seconds=1)
        days = [self.day(at) for at in starts]
        rate = np.array([d.rate_factor for d in days])
        share = np.array([d.low_share for d in days])
        background = BACKGROUND_CPS * rate * SLICE_SECONDS
        per_window = np.stack([background * share, background * (1.0 - share)], axis=1)  # (N, 2)

        longest = int(slices.max())
        t = (np.arange(longest) + 0.5) * SLICE_SECONDS
        inside = np.arange(longest)[None, :] < slices[:, None]  # (N, T)
        front = speed[:, None] * t[None, :]
        rear = front - length[:, None]
        profile = np.clip(np.minimum(front, -rear + 1.0) / ramp[:, None], 0.0, 1.0)
        window_depth = np.stack([np.minimum(0.5, 1.15 * depth), 0.8 * depth], axis=1)  # (N, 2)
        shadowed = per_window[:, None, :] * (
            1.0 - window_depth[:, None, :] * profile[:, :, None]
        )  # (N, T, 2)
        mean = np.repeat(shadowed[:, :, None, :], len(GAMMA_PANELS), axis=2)  # (N, T, P, 2)
        neutron_mean = np.full((n, longest, len(NEUTRON_PANELS)), NEUTRON_BACKGROUND_CPS)
        neutron_mean *= SLICE_SECONDS

        classes = [SourceClass.NONE] * n
        nuclides: list[str | None] = [None] * n
        strengths = [0.0] * n
        norm = np.array([v.cargo.norm_cps > 0.0 for v in vehicles])
        if norm.any():
            # A line of sources along the load: the integral of r^2/(a^2 + r^2) over its length.
            rows = np.flatnonzero(norm)
            loaded = [vehicles[i].cargo for i in rows.tolist()]
            cargo_cps = np.array([c.norm_cps for c in loaded])
            strength = cargo_cps * np.exp(rng.normal(0.0, 0.6, len(rows)))
            fill = rng.uniform(0.6, 0.95, len(rows))
            end = 0.5 + fill * (length[rows] - 1.0)
            r = PANEL_DISTANCE_M + 0.3 * PANEL_SIDE
            f = front[rows][:, :, None]
            line = (np.arctan((f - 0.5) / r) - np.arctan((f - end[:, None, None]) / r)) / np.pi
            low_share = np.array([c.norm_low_share for c in loaded])
            low = np.minimum(0.95, low_share + (1.0 - low_share) * 0.2 * density[rows])
            spread = strength[:, None, None] * SLICE_SECONDS * line  # (R, T, P)
            mean[rows, :, :, 0] += spread * low[:, None, None]
            mean[rows, :, :, 1] += spread * (1.0 - low[:, None, None])
            for i, value in zip(rows.tolist(), strength.tolist(), strict=True):
                classes[i], strengths[i] = SourceClass.NORM, value
        for i, vehicle in enumerate(vehicles):
            source = vehicle.source
            if source is None:
                continue
            cargo = vehicle.cargo
            classes[i], nuclides[i] = source.source_class, source.nuclide
            strengths[i] = (
                vehicle.strength_cps
                if vehicle.strength_cps is not None
                else float(source.cps * np.exp(rng.normal(0.0, source.spread)))
            )
            where = 1.0 if source.in_cab else float(rng.uniform(0.2, 0.9)) * float(length[i])
            lateral = float(rng.uniform(-1.0, 1.0))
            shielding = 1.0 - (0.0 if source.in_cab else 0.6 * cargo.density)
            low_part = source.low_share + (1.0 - source.low_share) * (
                0.0 if source.in_cab else 0.3 * cargo.density
            )
            along = front[i][:, None] - where
            r = PANEL_DISTANCE_M - lateral * PANEL_SIDE
            scale_at = strengths[i] * shielding * SLICE_SECONDS * PANEL_DISTANCE_M**2
            added = scale_at / (along**2 + r**2)
            mean[i, :, :, 0] += added * low_part
            mean[i, :, :, 1] += added * (1.0 - low_part)
            if source.neutron_cps:
                rn = PANEL_DISTANCE_M - lateral * NEUTRON_SIDE
                scale = strengths[i] / source.cps
                neutron_mean[i] += (
                    source.neutron_cps
                    * scale
                    * SLICE_SECONDS
                    * PANEL_DISTANCE_M**2
                    / (along**2 + rn[None, :] ** 2)
                )
        mean[~inside] = 0.0
        neutron_mean[~inside] = 0.0
        gamma = rng.poisson(mean)
        neutron = rng.poisson(neutron_mean)
        for i, vehicle in enumerate(vehicles):
            if not vehicle.cargo.bulk:
                continue
            # Cosmic-ray spallation bursts, as in pass_vehicle.
            count = int(slices[i])
            bursts = int(rng.poisson(0.25 * vehicle.cargo.density * count * SLICE_SECONDS))
            for _ in range(bursts):
                at = int(rng.integers(count))
                size = 2 + int(rng.geometric(0.2))
                neutron[i, at] += rng.multinomial(size, [0.5, 0.5])
            if bursts and classes[i] is SourceClass.NONE:
                classes[i] = SourceClass.COSMIC
        seconds = BACKGROUND_SECONDS
        background_gamma = rng.poisson(
            np.broadcast_to(
                (per_window / SLICE_SECONDS * seconds)[:, None, :], (n, len(GAMMA_PANELS), 2)
            )
        ).astype(np.float64)
        background_neutron = rng.poisson(
            np.full((n, len(NEUTRON_PANELS)), NEUTRON_BACKGROUND_CPS * seconds)
        ).astype(np.float64)
        found: list[Simulated] = []
        for i, vehicle in enumerate(vehicles):
            self.count += 1
            count = int(slices[i])
            begun = starts[i]
            occupancy = Occupancy(
                occupancy_id=f"{self.monitor_id}-{self.count:08d}",
                monitor_id=self.monitor_id,
                post_code=self.post_code,
                started_at=begun,
                windows=WINDOWS,
                gamma_panels=GAMMA_PANELS,
                neutron_panels=NEUTRON_PANELS,
                gamma=gamma[i, :count],
                neutron=neutron[i, :count],
                background_before=Background(
                    background_gamma[i],
                    background_neutron[i],
                    seconds,
                    begun - timedelta(seconds=seconds),
                ),
                speed_kmh=round(float(speed_kmh[i]), 2),
                conveyance_ref=vehicle.conveyance_ref,
                crossing_id=vehicle.crossing_id,
            )
            truth = Truth(
                classes[i],
                nuclides[i],
                vehicle.cargo,
                strengths[i],
                "railcar" if vehicle.railcar else "truck",
            )
            found.append(Simulated(occupancy, truth))
        return found

    def random_cargo(self) -> Cargo:
        """A load as a post sees them: mostly benign, about one in eight with NORM."""
        if self.rng.random() < 0.12:
            return NORM_CARGO[int(self.rng.integers(len(NORM_CARGO)))]
        return BENIGN[int(self.rng.integers(len(BENIGN)))]

    def traffic(
        self, count: int, start: datetime, *, source_rate: float = 0.003
    ) -> Iterator[Simulated]:
        """``count`` occupancies one after another, as a post's traffic: a man-made source in
        about ``source_rate`` of them (medical most often), NORM in about one in eight."""
        when = start
        for _ in range(count):
            when += timedelta(seconds=float(self.rng.exponential(90.0)) + 20.0)
            source = None
            if self.rng.random() < source_rate:
                weights = np.array([0.35, 0.25, 0.1, 0.08, 0.1, 0.04, 0.04, 0.04])
                source = SOURCES[int(self.rng.choice(len(SOURCES), p=weights / weights.sum()))]
            yield self.pass_vehicle(
                when,
                cargo=self.random_cargo(),
                source=source,
                railcar=bool(self.rng.random() < 0.3),
            )


def evaluation_set(seed: int, per_class: int, start: datetime | None = None) -> list[Simulated]:
    """Occupancies for evaluating the algorithms: ``per_class`` each of background only, of each
    NORM load, of each man-made source in benign cargo, and of bulk cargo with cosmic bursts."""
    simulator = PortalSimulator(seed)
    when = start or datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    found: list[Simulated] = []
    step = timedelta(minutes=2)
    benign = [c for c in BENIGN if not c.bulk]
    bulk = [c for c in BENIGN if c.bulk]
    for i in range(per_class):
        found.append(
            simulator.pass_vehicle(when, cargo=benign[i % len(benign)], railcar=i % 3 == 0)
        )
        when += step
    for cargo in NORM_CARGO:
        for i in range(per_class // 2):
            found.append(simulator.pass_vehicle(when, cargo=cargo, railcar=i % 3 == 0))
            when += step
    for source in SOURCES:
        for i in range(per_class // 2):
            found.append(
                simulator.pass_vehicle(
                    when, cargo=benign[i % len(benign)], source=source, railcar=i % 3 == 0
                )
            )
            when += step
    for i in range(per_class):
        found.append(simulator.pass_vehicle(when, cargo=bulk[i % len(bulk)], railcar=i % 2 == 0))
        when += step
    return found


def spectrum_counts(rate: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Poisson counts for expected ``rate`` (used by the handheld simulation)."""
    return np.asarray(rng.poisson(np.maximum(rate, 0.0)), dtype=np.float64)
