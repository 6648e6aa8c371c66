from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from dostyk.domain.ports import Post, RpmFunder, TransportMode

from .helpers import violates

DOSTYK = Post(
    code="DOSTYK",
    name="Dostyk",
    mode=TransportMode.RAIL,
    neighbour_country="CN",
    region="Abai",
    latitude=45.25,
    longitude=82.48,
    rpm_lanes=4,
    rpm_funder=RpmFunder.DONOR_US_DOE,
    electronic_since=date(2019, 1, 1),
)


def test_a_valid_post_is_accepted() -> None:
    assert DOSTYK.code == "DOSTYK"
    assert DOSTYK.has_portal_monitors


def test_an_inland_post_without_neighbour_or_monitors_is_accepted() -> None:
    post = replace(DOSTYK, code="ALA-AIR", neighbour_country=None, rpm_lanes=0, rpm_funder=None)
    assert not post.has_portal_monitors


@pytest.mark.parametrize("code", ["KZ-01", "AB", "A23456789012", "KHORGOS-ECZ"])
def test_post_codes_of_2_to_12_upper_alphanumerics_and_dashes_are_accepted(code: str) -> None:
    assert replace(DOSTYK, code=code).code == code


@pytest.mark.parametrize("code", ["D", "dostyk", "-DOSTYK", "DOSTYK 1", "A234567890123", "", "DÖS"])
def test_bad_post_code_is_refused(code: str) -> None:
    with violates("code"):
        replace(DOSTYK, code=code)


def test_post_code_with_a_trailing_newline_is_refused() -> None:
    with violates("code"):
        replace(DOSTYK, code="DOSTYK\n")


def test_blank_name_is_refused() -> None:
    with violates("name"):
        replace(DOSTYK, name="  ")


def test_neighbour_must_be_an_iso_country() -> None:
    with violates("neighbour_country"):
        replace(DOSTYK, neighbour_country="CHN")


@pytest.mark.parametrize("latitude", [-90.5, 90.1, float("nan")])
def test_latitude_outside_range_is_refused(latitude: float) -> None:
    with violates("latitude"):
        replace(DOSTYK, latitude=latitude)


@pytest.mark.parametrize("longitude", [-180.5, 180.1, float("nan")])
def test_longitude_outside_range_is_refused(longitude: float) -> None:
    with violates("longitude"):
        replace(DOSTYK, longitude=longitude)


def test_latitude_and_longitude_bounds_are_inclusive() -> None:
    post = replace(DOSTYK, latitude=-90.0, longitude=180.0)
    assert (post.latitude, post.longitude) == (-90.0, 180.0)


def test_negative_rpm_lanes_are_refused() -> None:
    with violates("rpm_lanes"):
        replace(DOSTYK, rpm_lanes=-1, rpm_funder=None)


def test_rpm_lanes_without_a_funder_are_refused() -> None:
    with violates("rpm_funder"):
        replace(DOSTYK, rpm_lanes=2, rpm_funder=None)


def test_a_funder_without_rpm_lanes_is_refused() -> None:
    with violates("rpm_funder"):
        replace(DOSTYK, rpm_lanes=0, rpm_funder=RpmFunder.NATIONAL)


def test_electronic_since_is_inclusive_and_none_means_never() -> None:
    assert DOSTYK.is_electronic_on(date(2019, 1, 1))
    assert DOSTYK.is_electronic_on(date(2025, 3, 1))
    assert not DOSTYK.is_electronic_on(date(2018, 12, 31))
    assert not replace(DOSTYK, electronic_since=None).is_electronic_on(date(2025, 3, 1))
