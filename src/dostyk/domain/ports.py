"""Border crossing points (posts): where goods and conveyances enter and leave the country."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dostyk.domain.bounds import REMARK_MAX, Checks
from dostyk.domain.codes import check_country

POST_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,11}", re.ASCII)


class TransportMode(StrEnum):
    RAIL = "rail"
    ROAD = "road"
    AIR = "air"
    SEA = "sea"
    PEDESTRIAN = "pedestrian"


class RpmFunder(StrEnum):
    """Who paid for a post's radiation portal monitors; donors report on their own equipment."""

    NATIONAL = "national"
    DONOR_US_DOE = "donor-US-DOE"
    DONOR_EU = "donor-EU"
    DONOR_OTHER = "donor-other"


@dataclass(frozen=True, slots=True)
class Post:
    """A border crossing point.

    ``model_only`` marks a post that exists only in the model network (made up to complete the
    country's count), so that nobody mistakes it for a real place.
    """

    code: str
    name: str
    mode: TransportMode
    neighbour_country: str | None
    region: str
    latitude: float
    longitude: float
    rpm_lanes: int = 0
    rpm_funder: RpmFunder | None = None
    electronic_since: date | None = None
    model_only: bool = False
    note: str | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        if not POST_CODE.fullmatch(self.code):
            checks.add("code", f"{self.code!r} is not 2-12 of A-Z, 0-9 and '-'")
        if not self.name.strip():
            checks.add("name", "a post needs a name")
        else:
            checks.text("name", self.name, 120)
        checks.text("region", self.region, 80, required=False)
        if self.note is not None:
            checks.text("note", self.note, REMARK_MAX, prose=True, required=False)
        if self.neighbour_country is not None:
            checks.check(check_country, "neighbour_country", self.neighbour_country)
        if not -90 <= self.latitude <= 90:
            checks.add("latitude", f"{self.latitude} is outside -90..90")
        if not -180 <= self.longitude <= 180:
            checks.add("longitude", f"{self.longitude} is outside -180..180")
        if self.rpm_lanes < 0:
            checks.add("rpm_lanes", "cannot be negative")
        if self.rpm_lanes > 0 and self.rpm_funder is None:
            checks.add("rpm_funder", "portal monitor lanes need a funder")
        if self.rpm_lanes == 0 and self.rpm_funder is not None:
            checks.add("rpm_funder", "a post without portal monitors has no funder")
        checks.done()

    @property
    def has_portal_monitors(self) -> bool:
        return self.rpm_lanes > 0

    def is_electronic_on(self, day: date) -> bool:
        return self.electronic_since is not None and self.electronic_since <= day
