"""Reading ANSI N42.42-2011 documents into Dostyk's domain objects.

One document is one instrument's data. What Dostyk takes from it:

- **occupancies** of a portal monitor: the RadMeasurements carrying GrossCounts (or spectra, for
  a spectroscopic monitor, binned into energy windows) grouped by RadMeasurementGroup, in time
  order; each run of slices with OccupancyIndicator true is an occupancy, the slices without it
  before and after are its backgrounds (a measurement of class Background counts too);
  an instant without a time zone (xsd:dateTime allows it) is taken as UTC;
- **spectra** of handheld identifiers and spectroscopic monitors;
- **alarms** (RadAlarm) and **identifications** (NuclideAnalysisResults) the instrument reported.

Everything else in the file (calibrations beyond energy, dose rates, locations, pictures) is
accepted and left aside. A file that breaks the standard in what Dostyk reads is refused with
the line and element at fault.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.etree.ElementTree import Element

import numpy as np

from dostyk.domain.errors import InvariantViolation
from dostyk.domain.occupancies import (
    AlarmResult,
    Background,
    EnergyWindow,
    FaultSeverity,
    MonitorFault,
    Occupancy,
    RadiationKind,
)
from dostyk.domain.spectra import Identification, Spectrum
from dostyk.interchange.n42.names import CONVEYANCE, CROSSING
from dostyk.interchange.n42.parsing import (
    NS,
    Parsed,
    duration_seconds,
    local,
    numbers,
    parse_bytes,
    parse_file,
)

#: Windows a spectroscopic monitor's spectra are binned into, keV.
SPECTRUM_WINDOWS = (EnergyWindow(30.0, 400.0), EnergyWindow(400.0, 3000.0))
_SEVERITY = {s.value: s for s in FaultSeverity}


def q(name: str) -> str:
    return f"{{{NS}}}{name}"


@dataclass(frozen=True, slots=True)
class Instrument:
    identifier: str | None
    manufacturer: str | None
    model: str | None
    class_code: str | None
    description: str | None


@dataclass(frozen=True, slots=True)
class ReportedAlarm:
    """An alarm the instrument reported, with the occupancy it was about (None when the file
    does not tie it to one)."""

    occupancy_id: str | None
    result: AlarmResult


@dataclass(slots=True, eq=False)
class N42Document:
    """What Dostyk read from one N42 file."""

    file: str
    instrument: Instrument
    occupancies: list[Occupancy] = field(default_factory=list)
    spectra: list[Spectrum] = field(default_factory=list)
    alarms: list[ReportedAlarm] = field(default_factory=list)
    identifications: list[Identification] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class _Slice:
    element: Element
    start: datetime
    seconds: float
    occupied: bool
    background: bool
    gamma: dict[str, list[float]]
    neutron: dict[str, float]
    live: dict[str, float]
    speed_kmh: float | None
    faults: list[MonitorFault]
    item: str | None


def read_n42(path: Path, *, post_code: str, monitor_id: str | None = None) -> N42Document:
    """Read the N42 file at ``path``; occupancies are put at ``post_code``."""
    return _read(parse_file(path), post_code, monitor_id)


def read_n42_bytes(
    data: bytes, file: str, *, post_code: str, monitor_id: str | None = None
) -> N42Document:
    return _read(parse_bytes(data, file), post_code, monitor_id)


def _text(element: Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    value = element.text.strip()
    return value or None


def _instant(parsed: Parsed, element: Element | None, owner: Element) -> datetime:
    if element is None:
        raise parsed.error(owner, "has no StartDateTime")
    text = (element.text or "").strip()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise parsed.error(element, f"{text[:40]!r} is not a date and time") from None
    if value.tzinfo is None:
        # xsd:dateTime lets the zone be left out (Annex I does); Dostyk keeps instants in UTC.
        value = value.replace(tzinfo=UTC)
    return value


def _read(parsed: Parsed, post_code: str, monitor_id: str | None) -> N42Document:
    root = parsed.root
    if root.tag != q("RadInstrumentData"):
        raise parsed.error(
            root,
            f"the root element is <{local(root.tag)}>, not N42.42-2011's <RadInstrumentData> "
            f"in namespace {NS}",
        )
    info = root.find(q("RadInstrumentInformation"))
    if info is None:
        raise parsed.error(root, "has no RadInstrumentInformation")
    instrument = Instrument(
        _text(info.find(q("RadInstrumentIdentifier"))),
        _text(info.find(q("RadInstrumentManufacturerName"))),
        _text(info.find(q("RadInstrumentModelName"))),
        _text(info.find(q("RadInstrumentClassCode"))),
        _text(info.find(q("RadInstrumentDescription"))),
    )
    document = N42Document(parsed.file, instrument)
    detectors: dict[str, str] = {}
    names: dict[str, str] = {}
    for detector in root.iter(q("RadDetectorInformation")):
        ident = detector.get("id")
        if ident is None:
            raise parsed.error(detector, "has no id attribute")
        detectors[ident] = _text(detector.find(q("RadDetectorCategoryCode"))) or "Gamma"
        names[ident] = _text(detector.find(q("RadDetectorName"))) or ident
    described = {
        g.get("id", ""): _text(g.find(q("RadMeasurementGroupDescription")))
        for g in root.iter(q("RadMeasurementGroup"))
    }
    items = {i.get("id", ""): _item(i) for i in root.iter(q("RadItemInformation"))}
    windows: dict[str, tuple[EnergyWindow, ...]] = {}
    for ew in root.iter(q("EnergyWindows")):
        windows[ew.get("id", "")] = _windows(parsed, ew)
    calibrations: dict[str, tuple[float, ...]] = {}
    for calibration in root.iter(q("EnergyCalibration")):
        coefficients = calibration.find(q("CoefficientValues"))
        if coefficients is not None:
            calibrations[calibration.get("id", "")] = tuple(numbers(parsed, coefficients))
    groups: dict[str, list[_Slice]] = {}
    for measurement in root.iter(q("RadMeasurement")):
        document.spectra.extend(_spectra(parsed, measurement, calibrations))
        piece = _slice(parsed, measurement, detectors, windows, calibrations)
        if piece is not None:
            group = (measurement.get("radMeasurementGroupReferences") or "").split()
            groups.setdefault(group[0] if group else "", []).append(piece)
    monitor = monitor_id or _identifier(instrument.identifier) or "N42"
    context = _Context(post_code, monitor, names, described, items)
    occupancy_of: dict[str, str] = {}
    for name, pieces in groups.items():
        made = _occupancies(parsed, name, pieces, context, document)
        if made is not None:
            occupancy_of[name] = made
    for results in root.iter(q("AnalysisResults")):
        group = (results.get("radMeasurementGroupReferences") or "").split()
        _analysis(parsed, results, document, occupancy_of.get(group[0]) if group else None)
    return document


@dataclass(frozen=True, slots=True)
class _Context:
    post_code: str
    monitor: str
    names: dict[str, str]
    described: dict[str, str | None]
    items: dict[str, dict[str, str]]


def _item(element: Element) -> dict[str, str]:
    found: dict[str, str] = {}
    for characteristic in element.iter(q("Characteristic")):
        name = _text(characteristic.find(q("CharacteristicName")))
        value = _text(characteristic.find(q("CharacteristicValue")))
        if name and value:
            found[name] = value
    return found


def _identifier(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = "".join(c if c.isalnum() or c in "._-" else "-" for c in value).strip("-._")
    return cleaned[:40] or None


def _windows(parsed: Parsed, element: Element) -> tuple[EnergyWindow, ...]:
    starts_el = element.find(q("WindowStartEnergyValues"))
    ends_el = element.find(q("WindowEndEnergyValues"))
    if starts_el is None or ends_el is None:
        raise parsed.error(element, "needs WindowStartEnergyValues and WindowEndEnergyValues")
    starts, ends = numbers(parsed, starts_el), numbers(parsed, ends_el)
    if len(starts) != len(ends) or not starts:
        raise parsed.error(element, f"{len(starts)} window starts but {len(ends)} ends")
    try:
        return tuple(EnergyWindow(a, b) for a, b in zip(starts, ends, strict=True))
    except InvariantViolation as bad:
        raise parsed.error(element, bad.message) from None


def _channels(parsed: Parsed, element: Element) -> list[float]:
    values = numbers(parsed, element)
    if element.get("compressionCode") != "CountedZeroes":
        return values
    expanded: list[float] = []
    i = 0
    while i < len(values):
        if values[i] == 0.0:
            if i + 1 >= len(values):
                raise parsed.error(element, "CountedZeroes data ends with a zero and no count")
            run = values[i + 1]
            if run < 0 or run != math.floor(run) or run > 1_000_000:
                raise parsed.error(element, f"{run:g} is not a count of zeros")
            expanded.extend([0.0] * int(run))
            i += 2
        else:
            expanded.append(values[i])
            i += 1
    return expanded


def _spectra(
    parsed: Parsed, measurement: Element, calibrations: dict[str, tuple[float, ...]]
) -> list[Spectrum]:
    found: list[Spectrum] = []
    start_el = measurement.find(q("StartDateTime"))
    start = _instant(parsed, start_el, measurement) if start_el is not None else None
    real_el = measurement.find(q("RealTimeDuration"))
    real = duration_seconds(parsed, real_el) if real_el is not None else None
    kind = _text(measurement.find(q("MeasurementClassCode"))) or "Foreground"
    for spectrum in measurement.findall(q("Spectrum")):
        data = spectrum.find(q("ChannelData"))
        if data is None:
            raise parsed.error(spectrum, "has no ChannelData")
        live_el = spectrum.find(q("LiveTimeDuration"))
        live = duration_seconds(parsed, live_el) if live_el is not None else real
        if live is None or live <= 0:
            raise parsed.error(spectrum, "needs a positive LiveTimeDuration or RealTimeDuration")
        calibration = calibrations.get(spectrum.get("energyCalibrationReference", ""), ())
        channels = np.asarray(_channels(parsed, data), dtype=np.float64)
        try:
            found.append(
                Spectrum(
                    spectrum.get("radDetectorInformationReference", ""),
                    channels,
                    live,
                    calibration,
                    start,
                    real,
                    kind,
                )
            )
        except InvariantViolation as bad:
            raise parsed.error(data, bad.message) from None
    return found


def _indicator(parsed: Parsed, element: Element | None) -> bool | None:
    value = _text(element)
    if value is None or element is None:
        return None
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise parsed.error(element, f"{value!r} is not true, false, 1 or 0")


def _slice(
    parsed: Parsed,
    measurement: Element,
    detectors: dict[str, str],
    windows: dict[str, tuple[EnergyWindow, ...]],
    calibrations: dict[str, tuple[float, ...]],
) -> _Slice | None:
    occupied = _indicator(parsed, measurement.find(q("OccupancyIndicator")))
    kind = _text(measurement.find(q("MeasurementClassCode")))
    if occupied is None and kind != "Background":
        return None  # not a portal monitor's time slice
    counts = measurement.findall(q("GrossCounts"))
    spectra = measurement.findall(q("Spectrum"))
    if not counts and not spectra:
        return None
    start = _instant(parsed, measurement.find(q("StartDateTime")), measurement)
    real_el = measurement.find(q("RealTimeDuration"))
    if real_el is None:
        raise parsed.error(measurement, "has no RealTimeDuration")
    seconds = duration_seconds(parsed, real_el)
    if not (0.0 < seconds <= 86400.0):
        raise parsed.error(real_el, f"{seconds:g} s is not a slice duration")
    gamma: dict[str, list[float]] = {}
    neutron: dict[str, float] = {}
    live: dict[str, float] = {}
    for gc in counts:
        ref = gc.get("radDetectorInformationReference", "")
        if ref not in detectors:
            raise parsed.error(gc, f"refers to detector {ref!r}, which the file does not describe")
        data = gc.find(q("CountData"))
        if data is None:
            raise parsed.error(gc, "has no CountData")
        values = numbers(parsed, data)
        if any(v < 0 for v in values):
            raise parsed.error(data, "counts cannot be negative")
        live_el = gc.find(q("LiveTimeDuration"))
        live[ref] = duration_seconds(parsed, live_el) if live_el is not None else seconds
        if detectors[ref] == "Neutron":
            if len(values) != 1:
                raise parsed.error(data, f"a neutron count is one number, not {len(values)}")
            neutron[ref] = values[0]
        else:
            reference = gc.get("energyWindowsReference")
            expected = len(windows.get(reference, ())) if reference else 1
            if reference and reference not in windows:
                raise parsed.error(gc, f"refers to energy windows {reference!r}, not in the file")
            if len(values) != expected:
                raise parsed.error(data, f"{len(values)} counts for {expected} energy windows")
            gamma[ref] = values
    for spectrum in spectra:
        ref = spectrum.get("radDetectorInformationReference", "")
        data = spectrum.find(q("ChannelData"))
        if ref not in detectors or data is None or ref in gamma:
            continue
        calibration = calibrations.get(spectrum.get("energyCalibrationReference", ""), ())
        if not calibration:
            continue
        channels = Spectrum(ref, np.asarray(_channels(parsed, data)), seconds, calibration)
        gamma[ref] = [channels.window_counts(w.start_kev, w.end_kev) for w in SPECTRUM_WINDOWS]
        gamma_live = spectrum.find(q("LiveTimeDuration"))
        live[ref] = duration_seconds(parsed, gamma_live) if gamma_live is not None else seconds
    speed: float | None = None
    for value in measurement.iter(q("SpeedValue")):
        found = numbers(parsed, value)
        if len(found) != 1 or not 0 <= found[0] <= 300:
            raise parsed.error(value, "is not a speed between 0 and 300")
        speed = found[0]
    faults: list[MonitorFault] = []
    for fault in measurement.iter(q("Fault")):
        severity = _text(fault.find(q("FaultSeverityCode"))) or "Warning"
        faults.append(
            MonitorFault(
                _text(fault.find(q("FaultCodeValue"))) or "",
                _text(fault.find(q("FaultDescription"))) or "",
                _SEVERITY.get(severity, FaultSeverity.WARNING),
            )
        )
    return _Slice(
        measurement,
        start,
        seconds,
        bool(occupied),
        kind == "Background" and not occupied,
        gamma,
        neutron,
        live,
        speed,
        faults,
        measurement.get("radItemInformationReferences"),
    )


def _occupancies(
    parsed: Parsed,
    group: str,
    pieces: list[_Slice],
    context: _Context,
    document: N42Document,
) -> str | None:
    """Add the group's occupancies to ``document``; the id of its last one, if any."""
    pieces.sort(key=lambda s: s.start)
    first = pieces[0]
    gamma_panels = tuple(sorted({p for s in pieces for p in s.gamma}, key=_order(first.element)))
    neutron_panels = tuple(sorted({p for s in pieces for p in s.neutron}))
    if not gamma_panels or not any(p.occupied for p in pieces):
        return None  # a handheld's or a survey's measurements: no vehicle passed
    sizes = {len(v) for s in pieces for v in s.gamma.values()}
    if len(sizes) != 1:
        raise parsed.error(first.element, "gamma panels report different numbers of windows")
    width = sizes.pop()
    windows = _group_windows(parsed, first.element, width)
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces):
        if pieces[i].occupied:
            j = i
            while j + 1 < len(pieces) and pieces[j + 1].occupied:
                j += 1
            runs.append((i, j + 1))
            i = j + 1
        else:
            i += 1
    made: str | None = None
    for number, (begin, end) in enumerate(runs, start=1):
        previous_end = runs[number - 2][1] if number > 1 else 0
        following = runs[number][0] if number < len(runs) else len(pieces)
        before = [p for p in pieces[previous_end:begin] if not p.occupied]
        after = [p for p in pieces[end:following] if not p.occupied]
        occupied = pieces[begin:end]
        if not before and not after:
            raise parsed.error(
                occupied[0].element,
                "an occupancy needs a background measurement before or after it",
            )
        slice_seconds = occupied[0].seconds
        for piece in occupied:
            if not math.isclose(piece.seconds, slice_seconds, rel_tol=1e-6):
                raise parsed.error(piece.element, "occupancy slices differ in duration")
        gamma = np.array(
            [[_values(parsed, s, p, width) for p in gamma_panels] for s in occupied],
            dtype=np.float64,
        )
        neutron = np.array(
            [[s.neutron.get(p, 0.0) for p in neutron_panels] for s in occupied], dtype=np.float64
        ).reshape(len(occupied), len(neutron_panels))
        if np.any(gamma != np.rint(gamma)) or np.any(neutron != np.rint(neutron)):
            raise parsed.error(occupied[0].element, "occupancy counts must be whole numbers")
        name = context.described.get(group) or group or "occupancy"
        ident = _identifier(f"{name}-{number}" if len(runs) > 1 else name) or "occupancy"
        speeds = [s.speed_kmh for s in occupied if s.speed_kmh is not None]
        reference = next((s.item for s in occupied if s.item), None)
        item = context.items.get(reference.split()[0], {}) if reference else {}
        faults = tuple(dict.fromkeys(f for s in occupied for f in s.faults))
        background_before = _background(
            parsed, before or after, gamma_panels, neutron_panels, width
        )
        background_after = (
            _background(parsed, after, gamma_panels, neutron_panels, width)
            if before and after
            else None
        )
        try:
            occupancy = Occupancy(
                occupancy_id=ident,
                monitor_id=context.monitor,
                post_code=context.post_code,
                started_at=occupied[0].start,
                windows=windows,
                gamma_panels=tuple(context.names.get(p, p) for p in gamma_panels),
                neutron_panels=tuple(context.names.get(p, p) for p in neutron_panels),
                gamma=gamma.astype(np.int64),
                neutron=neutron.astype(np.int64),
                background_before=background_before,
                background_after=background_after,
                slice_seconds=slice_seconds,
                speed_kmh=max(speeds) if speeds else None,
                conveyance_ref=item.get(CONVEYANCE),
                crossing_id=item.get(CROSSING),
                faults=faults,
            )
        except InvariantViolation as bad:
            raise parsed.error(occupied[0].element, str(bad)) from None
        document.occupancies.append(occupancy)
        made = occupancy.occupancy_id
    return made


def _order(measurement: Element) -> Callable[[str], tuple[int, str]]:
    order = [gc.get("radDetectorInformationReference", "") for gc in measurement]

    def key(panel: str) -> tuple[int, str]:
        return (order.index(panel) if panel in order else len(order), panel)

    return key


def _values(parsed: Parsed, piece: _Slice, panel: str, width: int) -> list[float]:
    found = piece.gamma.get(panel)
    if found is None:
        raise parsed.error(piece.element, f"has no counts for gamma panel {panel!r}")
    return found if len(found) == width else [0.0] * width


def _group_windows(parsed: Parsed, element: Element, width: int) -> tuple[EnergyWindow, ...]:
    root = parsed.root
    for gc in element.iter(q("GrossCounts")):
        reference = gc.get("energyWindowsReference")
        if reference:
            for ew in root.iter(q("EnergyWindows")):
                if ew.get("id") == reference:
                    return _windows(parsed, ew)
    if width == len(SPECTRUM_WINDOWS):
        return SPECTRUM_WINDOWS
    return (EnergyWindow(0.0, 3000.0),) * 1 if width == 1 else SPECTRUM_WINDOWS[:width]


def _background(
    parsed: Parsed,
    pieces: list[_Slice],
    gamma_panels: tuple[str, ...],
    neutron_panels: tuple[str, ...],
    width: int,
) -> Background:
    gamma = np.zeros((len(gamma_panels), width))
    neutron = np.zeros(len(neutron_panels))
    live = 0.0
    for piece in pieces:
        for i, panel in enumerate(gamma_panels):
            gamma[i] += _values(parsed, piece, panel, width)
        for i, panel in enumerate(neutron_panels):
            neutron[i] += piece.neutron.get(panel, 0.0)
        panel_live = [piece.live[p] for p in gamma_panels if p in piece.live]
        live += min(panel_live) if panel_live else piece.seconds
    try:
        return Background(gamma, neutron, live, pieces[0].start)
    except InvariantViolation as bad:
        raise parsed.error(pieces[0].element, str(bad)) from None


def _analysis(
    parsed: Parsed, results: Element, document: N42Document, occupancy_id: str | None
) -> None:
    algorithm = _text(results.find(q("AnalysisAlgorithmName"))) or "instrument"
    for alarm in results.findall(q("RadAlarm")):
        category = _text(alarm.find(q("RadAlarmCategoryCode"))) or "Gamma"
        description = _text(alarm.find(q("RadAlarmDescription"))) or "alarm"
        light = _text(alarm.find(q("RadAlarmLightColor")))
        kind = RadiationKind.NEUTRON if category == "Neutron" else RadiationKind.GAMMA
        words = f"reported by the instrument: {description}"
        if light:
            words += f" ({light} light)"
        detectors = alarm.get("radDetectorInformationReferences")
        if detectors:
            words += f" on {detectors}"
        document.alarms.append(
            ReportedAlarm(
                occupancy_id,
                AlarmResult(algorithm, kind, True, math.nan, math.nan, words, None, None),
            )
        )
    for nuclide in results.iter(q("Nuclide")):
        name = _text(nuclide.find(q("NuclideName")))
        if name is None:
            raise parsed.error(nuclide, "has no NuclideName")
        identified = _text(nuclide.find(q("NuclideIdentifiedIndicator"))) != "false"
        confidence_el = nuclide.find(q("NuclideIDConfidenceValue"))
        confidence = None
        if confidence_el is not None:
            values = numbers(parsed, confidence_el)
            if len(values) != 1:
                raise parsed.error(confidence_el, "is one number")
            confidence = values[0] / 100.0 if values[0] > 1.0 else values[0]
        document.identifications.append(
            Identification(
                name,
                identified,
                confidence,
                _text(nuclide.find(q("NuclideCategoryDescription"))),
                algorithm,
            )
        )
