"""Customs declarations and their goods items.

One declaration at Dostyk typically covers the cargo of about seventeen railcars: its *units*
are the crossings of those railcars into the country, and each must have crossed in at the post
where the declaration is lodged — a declaration that claims cargo from another post or from a
railcar leaving the country is how goods get cleared twice or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from dostyk.domain.codes import check_country, check_currency, check_unit
from dostyk.domain.conveyances import Crossing, Direction
from dostyk.domain.errors import InvariantViolation, check_positive
from dostyk.domain.money import to_amount
from dostyk.domain.nomenclature import Nomenclature

REFERENCE = re.compile(r"\S.{0,63}", re.ASCII)


class DeclarationKind(StrEnum):
    IMPORT = "import"
    EXPORT = "export"
    TRANSIT = "transit"

    @property
    def unit_direction(self) -> Direction:
        """Imports and transits cover goods that came in; exports cover goods going out."""
        return Direction.OUT if self is DeclarationKind.EXPORT else Direction.IN


class DeclarationStatus(StrEnum):
    LODGED = "lodged"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    ASSESSED = "assessed"
    UNDER_INSPECTION = "under_inspection"
    INSPECTED = "inspected"
    DUTIES_ASSESSED = "duties_assessed"
    PAID = "paid"
    RELEASED = "released"
    CANCELLED = "cancelled"


class Channel(StrEnum):
    """Green: release on the data; yellow: documents checked; red: physical inspection."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def severity(self) -> int:
        return list(Channel).index(self)


@dataclass(frozen=True, slots=True)
class Declaration:
    declaration_id: str
    kind: DeclarationKind
    post_code: str
    declarant_id: str
    reference: str
    lodged_at: datetime
    status: DeclarationStatus = DeclarationStatus.LODGED
    importer_id: str | None = None
    exporter_id: str | None = None
    manifest_id: str | None = None
    channel: Channel | None = None

    def __post_init__(self) -> None:
        if not REFERENCE.fullmatch(self.reference):
            raise InvariantViolation("reference", f"{self.reference!r} is not a reference")
        if self.lodged_at.tzinfo is None:
            raise InvariantViolation("lodged_at", "needs its time zone")
        if self.kind is DeclarationKind.IMPORT and self.importer_id is None:
            raise InvariantViolation("importer_id", "an import declaration names its importer")
        if self.kind is DeclarationKind.EXPORT and self.exporter_id is None:
            raise InvariantViolation("exporter_id", "an export declaration names its exporter")


@dataclass(frozen=True, slots=True)
class DeclarationItem:
    """A goods item: one commodity code, one origin, its quantity, masses and customs value.

    ``exchange_rate`` is national currency per unit of ``currency`` as applied at lodgement, so
    that values stay comparable across currencies without a rate table.
    """

    declaration_id: str
    item_no: int
    commodity_code: str
    description: str
    origin: str
    quantity: Decimal
    unit: str
    gross_mass_kg: float
    net_mass_kg: float
    customs_value: Decimal
    currency: str
    exchange_rate: Decimal
    manifest_line_no: int | None = None

    def __post_init__(self) -> None:
        if self.item_no < 1:
            raise InvariantViolation("item_no", "items are numbered from 1")
        if not self.description.strip():
            raise InvariantViolation("description", "an item needs a description of the goods")
        check_country("origin", self.origin)
        check_unit("unit", self.unit)
        check_currency("currency", self.currency)
        if self.quantity <= 0:
            raise InvariantViolation("quantity", "must be positive")
        check_positive("gross_mass_kg", self.gross_mass_kg)
        check_positive("net_mass_kg", self.net_mass_kg)
        if self.net_mass_kg > self.gross_mass_kg:
            raise InvariantViolation(
                "net_mass_kg",
                f"net mass {self.net_mass_kg} kg exceeds gross mass {self.gross_mass_kg} kg",
            )
        if self.customs_value < 0:
            raise InvariantViolation("customs_value", "cannot be negative")
        if self.exchange_rate <= 0:
            raise InvariantViolation("exchange_rate", "must be positive")

    @property
    def value_national(self) -> Decimal:
        """Customs value in national currency, the base of duty and VAT."""
        return to_amount(self.customs_value * self.exchange_rate)

    @property
    def hs6(self) -> str:
        return self.commodity_code[:6]

    def check_against(self, nomenclature: Nomenclature) -> None:
        nomenclature.check_commodity_code("commodity_code", self.commodity_code)


@dataclass(frozen=True, slots=True)
class DeclarationUnit:
    """A conveyance unit's crossing whose cargo the declaration covers."""

    declaration_id: str
    crossing_id: str


def check_units(
    declaration: Declaration,
    units: Iterable[DeclarationUnit],
    crossings: Mapping[str, Crossing],
) -> None:
    """Every unit a declaration covers crossed the border at its post, in its direction."""
    expected = declaration.kind.unit_direction
    for unit in units:
        crossing = crossings.get(unit.crossing_id)
        if crossing is None:
            raise InvariantViolation("crossing_id", f"unknown crossing {unit.crossing_id}")
        if crossing.post_code != declaration.post_code:
            raise InvariantViolation(
                "crossing_id",
                f"{unit.crossing_id} crossed at {crossing.post_code}, but declaration "
                f"{declaration.declaration_id} is lodged at {declaration.post_code}",
            )
        if crossing.direction != expected:
            raise InvariantViolation(
                "crossing_id",
                f"{unit.crossing_id} crossed {crossing.direction}, but a {declaration.kind} "
                f"declaration covers units that crossed {expected}",
            )
