"""ANSI N42.42-2011 files: every annex reads, what Dostyk writes validates and reads back, and
hostile, malformed or truncated files are refused naming file, line and element."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dostyk.interchange.n42 import N42Error, n42_document, read_n42, read_n42_bytes, validate
from dostyk.radiation.algorithms import analyse_many
from dostyk.radiation.simulation import BENIGN, SOURCE_BY_NUCLIDE, PortalSimulator
from tests.conftest import shared_data

ANNEXES = shared_data() / "radiation" / "n42-2011-annexes"
SCHEMA = ANNEXES / "n42.xsd"
FILES = sorted(ANNEXES.glob("Annex_*.xml"))


def _need_data() -> None:
    if not SCHEMA.exists():
        pytest.skip(f"shared radiation data not found at {ANNEXES}")


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_annex_file_reads(path: Path) -> None:
    document = read_n42(path, post_code="TEST")
    assert document.instrument.class_code
    assert (
        document.occupancies
        or document.spectra
        or document.identifications
        or (path.name in {"Annex_F_n42.xml", "Annex_H_n42.xml", "Annex_L_n42.xml"})
    )


def test_portal_monitor_annex_gives_its_occupancy_backgrounds_speed_and_alarms() -> None:
    _need_data()
    document = read_n42(ANNEXES / "Annex_D_alarmed_n42.xml", post_code="TEST")
    (occupancy,) = document.occupancies
    assert occupancy.gamma.shape == (3, 4, 3)  # three occupied slices, four panels, 3 windows
    assert occupancy.neutron.shape == (3, 2)
    assert occupancy.gamma[0, 0].tolist() == [5, 22, 200]
    assert occupancy.background_before.live_seconds == pytest.approx(0.2)
    assert occupancy.background_after is not None
    assert occupancy.speed_kmh == 15
    assert [f.description for f in occupancy.faults] == ["Overspeed"]
    assert {a.result.kind.value for a in document.alarms} == {"gamma", "neutron"}
    assert all(a.occupancy_id == occupancy.occupancy_id for a in document.alarms)


def test_identifier_annex_gives_spectra_and_nuclides() -> None:
    _need_data()
    document = read_n42(ANNEXES / "Annex_C_n42.xml", post_code="TEST")
    assert [i.nuclide for i in document.identifications] == ["Cs-137", "K-40"]
    assert all(s.channels.size == 256 for s in document.spectra)
    assert document.spectra[0].calibration


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_annexes_validate_except_the_undeclared_extension(path: Path) -> None:
    data = path.read_bytes()
    if path.name == "Annex_L_n42.xml":
        # Its HHRUs humidity and temperature elements belong to a schema that is not published.
        with pytest.raises(N42Error, match="HumidityValue"):
            validate(data, path.name, SCHEMA)
    else:
        validate(data, path.name, SCHEMA)


def _occupancies(count: int = 5) -> list:  # type: ignore[type-arg]
    simulator = PortalSimulator(11)
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    found = [
        simulator.pass_vehicle(
            start.replace(minute=i), cargo=BENIGN[i % 3], conveyance_ref=f"KZ {i}77 AB"
        ).occupancy
        for i in range(count - 1)
    ]
    found.append(
        simulator.pass_vehicle(
            start.replace(minute=30),
            cargo=BENIGN[0],
            source=SOURCE_BY_NUCLIDE["Cs-137"],
            strength_cps=2000.0,
            crossing_id="CR-42",
        ).occupancy
    )
    return found


def test_export_validates_and_reads_back_the_same_occupancies() -> None:
    _need_data()
    occupancies = _occupancies()
    results = analyse_many(occupancies)
    data = n42_document(
        occupancies, {o.occupancy_id: r for o, r in zip(occupancies, results, strict=True)}
    )
    validate(data, "export.n42", SCHEMA)
    document = read_n42_bytes(data, "export.n42", post_code="DOSTYK")
    assert len(document.occupancies) == len(occupancies)
    for written, read in zip(occupancies, document.occupancies, strict=True):
        assert read.occupancy_id == written.occupancy_id
        assert read.started_at == written.started_at
        assert np.array_equal(read.gamma, written.gamma)
        assert np.array_equal(read.neutron, written.neutron)
        assert np.array_equal(read.background_before.gamma, written.background_before.gamma)
        assert read.background_before.live_seconds == written.background_before.live_seconds
        assert read.speed_kmh == written.speed_kmh
        assert read.gamma_panels == written.gamma_panels
        assert read.windows == written.windows
        assert read.conveyance_ref == written.conveyance_ref
        assert read.crossing_id == written.crossing_id
    # The strong Cs-137 source alarms, and the alarm comes back tied to its occupancy.
    assert {a.occupancy_id for a in document.alarms} == {occupancies[-1].occupancy_id}


def test_reading_back_gives_the_same_alarm_decisions() -> None:
    occupancies = _occupancies()
    data = n42_document(occupancies)
    again = read_n42_bytes(data, "x.n42", post_code="DOSTYK").occupancies
    before = [[r.alarm for r in rs] for rs in analyse_many(occupancies)]
    after = [[r.alarm for r in rs] for rs in analyse_many(again)]
    assert before == after


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<RadInstrumentData xmlns="http://physics.nist.gov/N42/2011/N42">&lol3;</RadInstrumentData>
"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<RadInstrumentData xmlns="http://physics.nist.gov/N42/2011/N42">&x;</RadInstrumentData>
"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL], ids=["expansion", "external"])
def test_hostile_files_are_refused(data: bytes) -> None:
    with pytest.raises(N42Error) as refused:
        read_n42_bytes(data, "hostile.n42", post_code="TEST")
    assert "hostile.n42, line 2" in str(refused.value)
    assert "DTD" in str(refused.value)


def test_truncated_file_is_refused_with_its_line() -> None:
    _need_data()
    data = (ANNEXES / "Annex_D_n42.xml").read_bytes()
    cut = data[: len(data) // 2]
    with pytest.raises(N42Error, match=r"Annex_D\.n42, line \d+: not well-formed XML.*truncated"):
        read_n42_bytes(cut, "Annex_D.n42", post_code="TEST")


def test_bad_count_is_refused_naming_line_and_element() -> None:
    _need_data()
    text = (ANNEXES / "Annex_D_n42.xml").read_text()
    broken = text.replace("<CountData>5 22 200</CountData>", "<CountData>5 many 200</CountData>", 1)
    line = broken[: broken.index("5 many")].count("\n") + 1
    with pytest.raises(N42Error) as refused:
        read_n42_bytes(broken.encode(), "d.n42", post_code="TEST")
    assert str(refused.value).startswith(f"d.n42, line {line}, element <CountData>: 'many'")


def test_reference_to_a_missing_detector_is_refused() -> None:
    _need_data()
    text = (ANNEXES / "Annex_D_n42.xml").read_text()
    broken = text.replace(
        'radDetectorInformationReference="Aa2"', 'radDetectorInformationReference="Zz9"', 1
    )
    with pytest.raises(N42Error, match="element <GrossCounts>: refers to detector 'Zz9'"):
        read_n42_bytes(broken.encode(), "d.n42", post_code="TEST")


def test_other_documents_are_refused() -> None:
    with pytest.raises(N42Error, match=r"not N42\.42-2011's <RadInstrumentData>"):
        read_n42_bytes(b"<html><body/></html>", "page.html", post_code="TEST")
    with pytest.raises(N42Error, match="empty"):
        read_n42_bytes(b"  ", "empty.n42", post_code="TEST")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mangled_files_raise_only_n42_errors(data: st.DataObject) -> None:
    _need_data()
    original = (ANNEXES / "Annex_D_alarmed_n42.xml").read_bytes()
    start = data.draw(st.integers(0, len(original) - 1))
    length = data.draw(st.integers(0, 200))
    insert = data.draw(st.binary(max_size=40) | st.sampled_from([b"<", b">", b"&", b"0", b"-1"]))
    mangled = original[:start] + insert + original[start + length :]
    try:
        read_n42_bytes(mangled, "fuzz.n42", post_code="TEST")
    except N42Error as refused:
        assert str(refused).startswith("fuzz.n42")
