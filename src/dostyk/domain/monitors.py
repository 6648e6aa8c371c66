"""Portal monitors and the stored form of their occupancies.

A post has as many radiation portal monitors as it has equipped lanes (``posts.rpm_lanes``);
each monitor is named ``RPM-<post>-<lane>`` unless a file names it otherwise. An occupancy is
stored as a :class:`StoredOccupancy`: the scalar facts as columns and every counts array as
canonical text (:mod:`dostyk.domain.slices`), so one row holds one vehicle's passage, the ledger
hashes it as stored, and :meth:`StoredOccupancy.occupancy` gives the analysable
:class:`~dostyk.domain.occupancies.Occupancy` back, array for array.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from datetime import datetime
from functools import lru_cache

import numpy as np

from dostyk.domain.bounds import REMARK_MAX, Checks
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.occupancies import (
    Background,
    EnergyWindow,
    FaultSeverity,
    MonitorFault,
    Occupancy,
    window_projection,
)
from dostyk.domain.ports import POST_CODE, TransportMode
from dostyk.domain.slices import SliceTextError, decode_counts, encode_counts

#: Detector names and windows are joined by this in their columns.
SEPARATOR = "|"


def monitor_id_for(post_code: str, lane: int) -> str:
    return f"RPM-{post_code}-{lane}"


@dataclass(frozen=True, slots=True)
class PortalMonitor:
    """One lane's radiation portal monitor at a post."""

    monitor_id: str
    post_code: str
    lane: int
    mode: TransportMode
    description: str | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("monitor_id", self.monitor_id, 40)
        if not POST_CODE.fullmatch(self.post_code):
            checks.add("post_code", f"{self.post_code!r} is not 2-12 of A-Z, 0-9 and '-'")
        if not 1 <= self.lane <= 99:
            checks.add("lane", f"lane {self.lane} is not between 1 and 99")
        if self.mode not in (TransportMode.ROAD, TransportMode.RAIL):
            checks.add("mode", f"a portal monitor stands at a road or rail lane, not {self.mode}")
        if self.description is not None:
            checks.text("description", self.description, REMARK_MAX, prose=True, required=False)
        checks.done()


@lru_cache(maxsize=64)
def _windows_text(windows: tuple[EnergyWindow, ...]) -> str:
    """Cached: a monitor's windows are the same for every occupancy it records."""
    return SEPARATOR.join(f"{w.start_kev:g}-{w.end_kev:g}" for w in windows)


def _windows(text: str) -> tuple[EnergyWindow, ...]:
    found = []
    for part in text.split(SEPARATOR):
        start, _, end = part.partition("-")
        found.append(EnergyWindow(float(start), float(end)))
    return tuple(found)


def _names(text: str | None) -> tuple[str, ...]:
    return tuple(text.split(SEPARATOR)) if text else ()


def _faults_text(faults: tuple[MonitorFault, ...]) -> str | None:
    if not faults:
        return None
    rows = [[f.code, f.severity.value, f.description] for f in faults]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def _faults(text: str | None) -> tuple[MonitorFault, ...]:
    if not text:
        return ()
    return tuple(
        MonitorFault(str(code), str(description), FaultSeverity(severity))
        for code, severity, description in json.loads(text)
    )


#: The counts texts of an occupancy row.
_MEASUREMENTS = (
    "gamma_counts",
    "neutron_counts",
    "background_before_gamma",
    "background_before_neutron",
    "background_after_gamma",
    "background_after_neutron",
)
#: The stored field holding each field of :class:`Occupancy` an invariant may name.
_OCCUPANCY_FIELDS = {
    "occupancy_id": "occupancy_id",
    "monitor_id": "monitor_id",
    "post_code": "post_code",
    "started_at": "started_at",
    "slice_seconds": "slice_seconds",
    "speed_kmh": "speed_kmh",
    "crossing_id": "crossing_id",
    "conveyance_ref": "conveyance_ref",
    "windows": "windows",
    "gamma": "gamma_counts",
    "neutron": "neutron_counts",
    "gamma_panels": "gamma_panels",
    "neutron_panels": "neutron_panels",
    "background.gamma": "background_before_gamma",
    "background.neutron": "background_before_neutron",
    "background.live_seconds": "background_before_seconds",
    "background_before": "background_before_gamma",
    "background_after": "background_after_gamma",
}


@dataclass(frozen=True, slots=True)
class StoredOccupancy:
    """An occupancy as one row: see the columns of ``occupancies`` for each field."""

    occupancy_id: str
    monitor_id: str
    post_code: str
    started_at: datetime
    ended_at: datetime
    slices: int
    slice_seconds: float
    windows: str
    gamma_panels: str
    neutron_panels: str
    gamma_counts: str
    neutron_counts: str
    background_before_gamma: str
    background_before_neutron: str
    background_before_seconds: float
    crossing_id: str | None = None
    conveyance_ref: str | None = None
    speed_kmh: float | None = None
    faults: str | None = None
    background_after_gamma: str | None = None
    background_after_neutron: str | None = None
    background_after_seconds: float | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        self._check(measurements=True)

    def _check(self, *, measurements: bool) -> None:
        checks = Checks()
        checks.identifier("occupancy_id", self.occupancy_id, 40)
        checks.identifier("monitor_id", self.monitor_id, 40)
        if self.crossing_id is not None:
            checks.identifier("crossing_id", self.crossing_id, 40)
        checks.instant("started_at", self.started_at)
        if self.ended_at < self.started_at:
            checks.add("ended_at", "an occupancy ends after it starts")
        if self.conveyance_ref is not None:
            checks.text("conveyance_ref", self.conveyance_ref, 40, required=False)
        if self.source is not None:
            checks.text("source", self.source, REMARK_MAX, prose=True, required=False)
        if measurements and not checks.found:
            self._check_measurements(checks)
        checks.done()

    def _check_measurements(self, checks: Checks) -> None:
        """The texts decode to an occupancy the algorithms can analyse, of ``slices`` slices
        ending at ``ended_at``: a row that does not would be refused at its analysis, so it is
        refused here, at its field, on every path that takes input."""
        texts = [name for name in _MEASUREMENTS if getattr(self, name) is not None]
        for name in texts:
            try:
                decode_counts(getattr(self, name))
            except ValueError as error:
                checks.add(name, str(error))
        for name, read in (("windows", _windows), ("faults", _faults)):
            try:
                read(getattr(self, name))
            except InvariantViolation as error:
                checks.found.extend(error.violations)
            except (ValueError, TypeError, KeyError) as error:
                checks.add(name, f"cannot be read: {error}")
        if (self.background_after_gamma is None) != (self.background_after_seconds is None) or (
            self.background_after_gamma is None
        ) != (self.background_after_neutron is None):
            checks.add("background_after_gamma", "the background after is given whole or not")
        if checks.found:
            return
        try:
            occupancy = self.occupancy()
        except InvariantViolation as error:
            for violation in error.violations:
                checks.add(
                    _OCCUPANCY_FIELDS.get(violation.field, "gamma_counts"), violation.message
                )
            return
        except (ValueError, TypeError) as error:
            checks.add("gamma_counts", str(error))
            return
        if occupancy.n_slices != self.slices:
            checks.add("slices", f"the counts hold {occupancy.n_slices} slices, not {self.slices}")

    @classmethod
    def of(cls, occupancy: Occupancy, source: str | None = None) -> StoredOccupancy:
        """The row of an analysable occupancy.

        Its texts are encoded here from arrays that passed the occupancy's own invariants, and
        encoding is exact (tests/radiation/test_stored_rows.py), so they are not decoded again to be
        checked, which cost more than analysing them; the other fields are checked as ever.
        """
        before, after = occupancy.background_before, occupancy.background_after
        values = (
            occupancy.occupancy_id,
            occupancy.monitor_id,
            occupancy.post_code,
            occupancy.started_at,
            occupancy.ended_at,
            occupancy.n_slices,
            occupancy.slice_seconds,
            _windows_text(occupancy.windows),
            SEPARATOR.join(occupancy.gamma_panels),
            SEPARATOR.join(occupancy.neutron_panels),
            encode_counts(occupancy.gamma),
            encode_counts(occupancy.neutron),
            encode_counts(np.asarray(before.gamma, dtype=np.float64)),
            encode_counts(np.asarray(before.neutron, dtype=np.float64)),
            before.live_seconds,
            occupancy.crossing_id,
            occupancy.conveyance_ref,
            occupancy.speed_kmh,
            _faults_text(occupancy.faults),
            None if after is None else encode_counts(np.asarray(after.gamma, dtype=np.float64)),
            None if after is None else encode_counts(np.asarray(after.neutron, dtype=np.float64)),
            None if after is None else after.live_seconds,
            source,
        )
        row = object.__new__(cls)
        for name, value in zip(_FIELDS, values, strict=True):
            object.__setattr__(row, name, value)
        row._check(measurements=False)
        return row

    def occupancy(self) -> Occupancy:
        """The analysable occupancy; a stored text that does not decode raises ValueError."""
        try:
            after = None
            if self.background_after_gamma is not None:
                assert self.background_after_neutron is not None
                assert self.background_after_seconds is not None
                after = Background(
                    decode_counts(self.background_after_gamma).astype(np.float64),
                    decode_counts(self.background_after_neutron).astype(np.float64),
                    self.background_after_seconds,
                )
            return Occupancy(
                self.occupancy_id,
                self.monitor_id,
                self.post_code,
                self.started_at,
                _windows(self.windows),
                _names(self.gamma_panels),
                _names(self.neutron_panels),
                decode_counts(self.gamma_counts).astype(np.int64),
                decode_counts(self.neutron_counts).astype(np.int64),
                Background(
                    decode_counts(self.background_before_gamma).astype(np.float64),
                    decode_counts(self.background_before_neutron).astype(np.float64),
                    self.background_before_seconds,
                ),
                after,
                self.slice_seconds,
                self.speed_kmh,
                self.conveyance_ref,
                self.crossing_id,
                _faults(self.faults),
            )
        except SliceTextError as error:
            raise ValueError(f"occupancy {self.occupancy_id}: {error}") from None

    def gross_profile(self) -> list[list[int]]:
        """Counts per slice summed over windows, one list per gamma panel (for the chart)."""
        gamma = decode_counts(self.gamma_counts)
        if gamma.ndim != 3:
            return []
        # Windows may overlap (a 0-3000 keV window over 0-100 and 100-400): the gross counts
        # are the projection's, not the sum of every window.
        gross = gamma.astype(np.float64) @ window_projection(_windows(self.windows)).matrix[:, 0]
        return [[int(v) for v in gross[:, p]] for p in range(gross.shape[1])]

    def neutron_profile(self) -> list[int]:
        neutron = decode_counts(self.neutron_counts)
        return [int(v) for v in neutron.sum(axis=1)] if neutron.ndim == 2 else []


#: The fields of a stored occupancy, in the order :meth:`StoredOccupancy.of` gives them.
_FIELDS = tuple(f.name for f in fields(StoredOccupancy))
