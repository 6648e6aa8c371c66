"""Writing occupancies (and the alarms found on them) as ANSI N42.42-2011 documents.

One document per monitor, as the standard has it: the monitor is the RadInstrumentInformation,
its panels and tubes the RadDetectorInformation, and each occupancy a RadMeasurementGroup whose
description is the occupancy's id: a Background measurement (the pre-occupancy background, one
measurement over its live time), the 0.1 s slices with OccupancyIndicator true, and the
post-occupancy background when there is one. The vehicle is a RadItemInformation whose
characteristics carry the conveyance and the crossing. The alarms go in an AnalysisResults per
occupancy. What is written validates against n42.xsd and reads back to the same occupancies.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, indent, register_namespace, tostring

import numpy as np

from dostyk.domain.occupancies import AlarmResult, Background, Occupancy, RadiationKind
from dostyk.interchange.n42.names import CONVEYANCE, CREATOR, CROSSING
from dostyk.interchange.n42.parsing import NS

register_namespace("n42", NS)


class ExportRefused(ValueError):
    """Occupancies that cannot go into one N42 document."""


def _e(parent: Element, name: str, text: str | None = None, **attributes: str) -> Element:
    element = SubElement(parent, f"{{{NS}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _duration(seconds: float) -> str:
    return f"PT{seconds:.6f}".rstrip("0").rstrip(".") + "S"


def _instant(value: datetime) -> str:
    return value.isoformat()


def _numbers(values: np.ndarray) -> str:
    flat = np.asarray(values).ravel()
    if np.all(flat == np.rint(flat)):
        return " ".join(str(int(v)) for v in flat)
    return " ".join(format(float(v), ".17g") for v in flat)


def _characteristic(parent: Element, name: str, value: str) -> None:
    characteristic = _e(parent, "Characteristic")
    _e(characteristic, "CharacteristicName", name)
    _e(characteristic, "CharacteristicValue", value)
    _e(characteristic, "CharacteristicValueUnits", "unit-less")
    _e(characteristic, "CharacteristicValueDataClassCode", "string")


def n42_document(
    occupancies: Sequence[Occupancy],
    results: Mapping[str, Sequence[AlarmResult]] | None = None,
) -> bytes:
    """The N42 document (UTF-8 bytes) of one monitor's ``occupancies``."""
    if not occupancies:
        raise ExportRefused("no occupancies to write")
    first = occupancies[0]
    for occupancy in occupancies:
        if occupancy.monitor_id != first.monitor_id:
            raise ExportRefused(
                f"occupancy {occupancy.occupancy_id} is of monitor {occupancy.monitor_id}, not "
                f"{first.monitor_id}: an N42 document holds one instrument's data"
            )
        if (
            occupancy.gamma_panels != first.gamma_panels
            or occupancy.neutron_panels != first.neutron_panels
            or occupancy.windows != first.windows
        ):
            raise ExportRefused(
                f"occupancy {occupancy.occupancy_id} has other panels or windows than "
                f"{first.occupancy_id} of the same monitor"
            )
    root = Element(
        f"{{{NS}}}RadInstrumentData",
        {"n42DocUUID": str(uuid.uuid5(uuid.NAMESPACE_URL, _key(occupancies)))},
    )
    _e(root, "RadInstrumentDataCreatorName", CREATOR)
    info = _e(root, "RadInstrumentInformation", id="RPM")
    _e(info, "RadInstrumentManufacturerName", "unknown")
    _e(info, "RadInstrumentIdentifier", first.monitor_id)
    _e(info, "RadInstrumentModelName", "unknown")
    _e(info, "RadInstrumentDescription", f"portal monitor {first.monitor_id} at {first.post_code}")
    _e(info, "RadInstrumentClassCode", "Portal Monitor")
    version = _e(info, "RadInstrumentVersion")
    _e(version, "RadInstrumentComponentName", "Software")
    _e(version, "RadInstrumentComponentVersion", CREATOR)
    for panel in first.gamma_panels:
        detector = _e(root, "RadDetectorInformation", id=_panel_id(panel))
        _e(detector, "RadDetectorName", panel)
        _e(detector, "RadDetectorCategoryCode", "Gamma")
        _e(detector, "RadDetectorKindCode", "PVT")
    for panel in first.neutron_panels:
        detector = _e(root, "RadDetectorInformation", id=_panel_id(panel))
        _e(detector, "RadDetectorName", panel)
        _e(detector, "RadDetectorCategoryCode", "Neutron")
        _e(detector, "RadDetectorKindCode", "He3")
    for occupancy in occupancies:
        item = _e(root, "RadItemInformation", id=f"I-{occupancy.occupancy_id}")
        _e(item, "RadItemDescription", occupancy.conveyance_ref or "vehicle")
        if occupancy.conveyance_ref or occupancy.crossing_id:
            characteristics = _e(item, "RadItemCharacteristics")
            if occupancy.conveyance_ref:
                _characteristic(characteristics, CONVEYANCE, occupancy.conveyance_ref)
            if occupancy.crossing_id:
                _characteristic(characteristics, CROSSING, occupancy.crossing_id)
    for occupancy in occupancies:
        _measurements(root, occupancy)
    for occupancy in occupancies:
        group = _e(root, "RadMeasurementGroup", id=f"G-{occupancy.occupancy_id}")
        _e(group, "RadMeasurementGroupDescription", occupancy.occupancy_id)
    windows = _e(root, "EnergyWindows", id="EW")
    _e(windows, "WindowStartEnergyValues", " ".join(f"{w.start_kev:g}" for w in first.windows))
    _e(windows, "WindowEndEnergyValues", " ".join(f"{w.end_kev:g}" for w in first.windows))
    for occupancy in occupancies:
        found = list((results or {}).get(occupancy.occupancy_id, ()))
        alarms = [r for r in found if r.alarm]
        if not found:
            continue
        analysis = _e(
            root, "AnalysisResults", radMeasurementGroupReferences=f"G-{occupancy.occupancy_id}"
        )
        _e(analysis, "AnalysisAlgorithmName", CREATOR)
        _e(analysis, "AnalysisAlgorithmDescription", ", ".join(r.algorithm for r in found))
        for result in alarms:
            panels = (
                first.gamma_panels if result.kind is RadiationKind.GAMMA else first.neutron_panels
            )
            alarm = _e(
                analysis,
                "RadAlarm",
                radDetectorInformationReferences=" ".join(_panel_id(p) for p in panels),
            )
            _e(
                alarm,
                "RadAlarmCategoryCode",
                "Neutron" if result.kind is RadiationKind.NEUTRON else "Gamma",
            )
            _e(alarm, "RadAlarmDescription", f"{result.algorithm}: {result.explanation}")
            _e(alarm, "RadAlarmLightColor", "Red")
    indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode").encode(
        "utf-8"
    )


def _key(occupancies: Sequence[Occupancy]) -> str:
    return "dostyk:" + ",".join(o.occupancy_id for o in occupancies)


def _panel_id(panel: str) -> str:
    return f"D-{panel}"


def _background(
    root: Element, occupancy: Occupancy, background: Background, name: str, start: datetime
) -> None:
    ident = f"{name}-{occupancy.occupancy_id}"
    measurement = _e(
        root,
        "RadMeasurement",
        id=ident,
        radMeasurementGroupReferences=f"G-{occupancy.occupancy_id}",
    )
    _e(measurement, "MeasurementClassCode", "Background")
    _e(measurement, "StartDateTime", _instant(start))
    _e(measurement, "RealTimeDuration", _duration(background.live_seconds))
    for i, panel in enumerate(occupancy.gamma_panels):
        counts = _e(
            measurement,
            "GrossCounts",
            id=f"{ident}-{panel}",
            radDetectorInformationReference=_panel_id(panel),
            energyWindowsReference="EW",
        )
        _e(counts, "LiveTimeDuration", _duration(background.live_seconds))
        _e(counts, "CountData", _numbers(background.gamma[i]))
    for i, panel in enumerate(occupancy.neutron_panels):
        counts = _e(
            measurement,
            "GrossCounts",
            id=f"{ident}-{panel}",
            radDetectorInformationReference=_panel_id(panel),
        )
        _e(counts, "LiveTimeDuration", _duration(background.live_seconds))
        _e(counts, "CountData", _numbers(background.neutron[i : i + 1]))
    _e(measurement, "OccupancyIndicator", "false")


def _measurements(root: Element, occupancy: Occupancy) -> None:
    before = occupancy.background_before
    _background(
        root,
        occupancy,
        before,
        "B",
        before.measured_at or occupancy.started_at - timedelta(seconds=before.live_seconds),
    )
    dt = occupancy.slice_seconds
    duration = _duration(dt)
    for t in range(occupancy.n_slices):
        ident = f"S{t}-{occupancy.occupancy_id}"
        measurement = _e(
            root,
            "RadMeasurement",
            id=ident,
            radMeasurementGroupReferences=f"G-{occupancy.occupancy_id}",
            radItemInformationReferences=f"I-{occupancy.occupancy_id}",
        )
        _e(measurement, "MeasurementClassCode", "Foreground")
        _e(measurement, "StartDateTime", _instant(occupancy.started_at + timedelta(seconds=t * dt)))
        _e(measurement, "RealTimeDuration", duration)
        for i, panel in enumerate(occupancy.gamma_panels):
            counts = _e(
                measurement,
                "GrossCounts",
                id=f"{ident}-{panel}",
                radDetectorInformationReference=_panel_id(panel),
                energyWindowsReference="EW",
            )
            _e(counts, "LiveTimeDuration", duration)
            _e(counts, "CountData", _numbers(occupancy.gamma[t, i]))
        for i, panel in enumerate(occupancy.neutron_panels):
            counts = _e(
                measurement,
                "GrossCounts",
                id=f"{ident}-{panel}",
                radDetectorInformationReference=_panel_id(panel),
            )
            _e(counts, "LiveTimeDuration", duration)
            _e(counts, "CountData", _numbers(occupancy.neutron[t, i : i + 1]))
        if t == 0 and occupancy.faults:
            state = _e(measurement, "RadInstrumentState", radInstrumentInformationReference="RPM")
            for fault in occupancy.faults:
                element = _e(state, "Fault")
                _e(element, "FaultCodeValue", fault.code or "0")
                _e(element, "FaultDescription", fault.description or "fault")
                _e(element, "FaultSeverityCode", fault.severity.value)
        if t == 0 and occupancy.speed_kmh is not None:
            state = _e(
                measurement,
                "RadItemState",
                radItemInformationReference=f"I-{occupancy.occupancy_id}",
            )
            vector = _e(state, "StateVector")
            _e(vector, "SpeedValue", format(occupancy.speed_kmh, ".17g"))
        _e(measurement, "OccupancyIndicator", "true")
    after = occupancy.background_after
    if after is not None:
        _background(root, occupancy, after, "A", after.measured_at or occupancy.ended_at)


def write_n42(
    occupancies: Sequence[Occupancy],
    path: Path,
    results: Mapping[str, Sequence[AlarmResult]] | None = None,
) -> None:
    """Write one monitor's ``occupancies`` to ``path`` as N42.42-2011, all or nothing."""
    write_bytes(n42_document(occupancies, results), path)


def write_bytes(data: bytes, path: Path) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, renamed into place, so
    that a failure leaves nothing half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
