"""Parties to a movement of goods: importers, exporters, declarants (brokers) and carriers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from dostyk.domain.bounds import NAME_MAX, Checks
from dostyk.domain.codes import check_country
from dostyk.domain.errors import InvariantViolation

KZ_BIN = re.compile(r"[0-9]{12}", re.ASCII)


class PartyRole(StrEnum):
    IMPORTER = "importer"
    EXPORTER = "exporter"
    DECLARANT = "declarant"
    CARRIER = "carrier"


def parse_roles(text: str) -> frozenset[PartyRole]:
    """Roles as written in a data package: names joined by '|', e.g. ``importer|declarant``."""
    try:
        roles = frozenset(PartyRole(part) for part in text.split("|") if part)
    except ValueError as error:
        raise InvariantViolation("roles", f"{text!r}: {error}") from None
    if not roles:
        raise InvariantViolation("roles", "a party needs at least one role")
    return roles


def format_roles(roles: frozenset[PartyRole]) -> str:
    return "|".join(role.value for role in PartyRole if role in roles)


@dataclass(frozen=True, slots=True)
class Party:
    """A company or person known to customs.

    A Kazakh party is identified by its 12-digit business or individual identification number
    (BIN/IIN); foreign parties carry their own country's tax number as given.
    """

    party_id: str
    name: str
    tax_id: str
    country: str
    roles: frozenset[PartyRole]

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("party_id", self.party_id)
        if not self.name.strip():
            checks.add("name", "a party needs a name")
        else:
            checks.text("name", self.name, NAME_MAX)
        checks.check(check_country, "country", self.country)
        if not self.tax_id.strip():
            checks.add("tax_id", "a party needs a tax identifier")
        elif self.country == "KZ" and not KZ_BIN.fullmatch(self.tax_id):
            checks.add("tax_id", f"{self.tax_id!r} is not a 12-digit BIN/IIN")
        else:
            checks.text("tax_id", self.tax_id, 32)
        if not self.roles:
            checks.add("roles", "a party needs at least one role")
        checks.done()

    def has_role(self, role: PartyRole) -> bool:
        return role in self.roles
