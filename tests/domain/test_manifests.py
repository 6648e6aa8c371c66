from __future__ import annotations

from dataclasses import replace

import pytest

from dostyk.domain.manifests import Manifest, ManifestKind, ManifestLine

from .helpers import NAIVE, T0, violates

WAYBILL = Manifest(
    manifest_id="M-1",
    kind=ManifestKind.RAIL_WAYBILL,
    post_code="DOSTYK",
    crossing_id="X-TRAIN-1",
    carrier_id="ktz",
    reference="SMGS 12345678",
    issued_at=T0,
)
LINE = ManifestLine(
    manifest_id="M-1",
    line_no=1,
    hs_code="851713",
    description="Smartphones",
    packages=120,
    gross_mass_kg=1_800.0,
    unit_crossing_id="X-CAR-1",
)


def test_a_valid_manifest_is_accepted() -> None:
    assert WAYBILL.reference == "SMGS 12345678"


def test_a_manifest_needs_the_carriers_reference() -> None:
    with violates("reference"):
        replace(WAYBILL, reference="  ")


def test_a_manifest_with_a_naive_issue_time_is_refused() -> None:
    with violates("issued_at"):
        replace(WAYBILL, issued_at=NAIVE)


@pytest.mark.parametrize("hs_code", ["8517", "851713", "85171300", "8517130000"])
def test_a_valid_manifest_line_is_accepted(hs_code: str) -> None:
    assert replace(LINE, hs_code=hs_code).hs_code == hs_code


def test_loose_cargo_has_zero_packages() -> None:
    assert replace(LINE, packages=0).packages == 0


def test_lines_are_numbered_from_one() -> None:
    with violates("line_no"):
        replace(LINE, line_no=0)


@pytest.mark.parametrize("hs_code", ["85", "851", "85171300001", "8517AB", ""])
def test_a_line_hs_code_must_be_4_to_10_digits(hs_code: str) -> None:
    with violates("hs_code"):
        replace(LINE, hs_code=hs_code)


def test_negative_packages_are_refused() -> None:
    with violates("packages"):
        replace(LINE, packages=-1)


@pytest.mark.parametrize("mass", [0.0, -1.0])
def test_a_line_gross_mass_must_be_positive(mass: float) -> None:
    with violates("gross_mass_kg"):
        replace(LINE, gross_mass_kg=mass)
