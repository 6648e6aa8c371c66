"""Customs declarations and their goods items.

One declaration at Dostyk typically covers the cargo of about seventeen railcars: its *units*
are the crossings of those railcars into the country, and each must have crossed in at the post
where the declaration is lodged — a declaration that claims cargo from another post or from a
railcar leaving the country is how goods get cleared twice or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from dostyk.domain.bounds import (
    DESCRIPTION_MAX,
    MAX_CUSTOMS_VALUE,
    MAX_EXCHANGE_RATE,
    MAX_ITEM_VALUE,
    MAX_ITEMS,
    MAX_QUANTITY,
    REFERENCE_MAX,
    Checks,
)
from dostyk.domain.codes import check_country, check_currency, check_unit
from dostyk.domain.conveyances import Crossing, Direction
from dostyk.domain.copies import unchecked_copy
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.money import to_amount
from dostyk.domain.nomenclature import Nomenclature


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
        checks = Checks()
        for name in ("declaration_id", "declarant_id"):
            checks.identifier(name, getattr(self, name))
        checks.identifier("post_code", self.post_code, 12)
        for name in ("importer_id", "exporter_id", "manifest_id"):
            if getattr(self, name) is not None:
                checks.identifier(name, getattr(self, name))
        if self.reference[:1].isspace():
            checks.add("reference", f"{self.reference!r} starts with a space")
        else:
            checks.text("reference", self.reference, REFERENCE_MAX)
        checks.instant("lodged_at", self.lodged_at)
        if self.kind is DeclarationKind.IMPORT and self.importer_id is None:
            checks.add("importer_id", "an import declaration names its importer")
        if self.kind is DeclarationKind.EXPORT and self.exporter_id is None:
            checks.add("exporter_id", "an export declaration names its exporter")
        checks.done()

    def in_utc(self) -> Declaration:
        """This declaration with its lodgement time in UTC, as the store gives it back: the
        same instant, so the checks it passed hold and are not run again."""
        if self.lodged_at.tzinfo is UTC:
            return self
        return unchecked_copy(self, lodged_at=self.lodged_at.astimezone(UTC))

    def at_status(self, status: DeclarationStatus, channel: Channel | None) -> Declaration:
        """This declaration at another status and channel, everything else as it is.

        Built without running the checks again: none of them concerns the status or the channel,
        and which status and channel may follow which is the lifecycle's to say
        (:func:`dostyk.domain.lifecycle.advance` asks it).
        """
        return unchecked_copy(self, status=status, channel=channel)


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
        checks = Checks()
        checks.identifier("declaration_id", self.declaration_id)
        if not 1 <= self.item_no <= MAX_ITEMS:
            checks.add("item_no", f"items are numbered from 1 to {MAX_ITEMS}")
        if not self.description.strip():
            checks.add("description", "an item needs a description of the goods")
        else:
            checks.text("description", self.description, DESCRIPTION_MAX, prose=True)
        checks.text("commodity_code", self.commodity_code, 10)
        checks.check(check_country, "origin", self.origin)
        checks.check(check_unit, "unit", self.unit)
        checks.check(check_currency, "currency", self.currency)
        checks.decimal("quantity", self.quantity, MAX_QUANTITY, positive=True)
        checks.mass("gross_mass_kg", self.gross_mass_kg)
        checks.mass("net_mass_kg", self.net_mass_kg)
        if not checks.failed("gross_mass_kg", "net_mass_kg") and (
            self.net_mass_kg > self.gross_mass_kg
        ):
            checks.add(
                "net_mass_kg",
                f"net mass {self.net_mass_kg} kg exceeds gross mass {self.gross_mass_kg} kg",
            )
        checks.decimal("customs_value", self.customs_value, MAX_CUSTOMS_VALUE)
        checks.decimal("exchange_rate", self.exchange_rate, MAX_EXCHANGE_RATE, positive=True)
        if not checks.failed("customs_value", "exchange_rate") and (
            self.customs_value * self.exchange_rate > MAX_ITEM_VALUE
        ):
            checks.add(
                "customs_value",
                f"{self.customs_value} {self.currency} at {self.exchange_rate} is worth more than "
                f"{MAX_ITEM_VALUE:,f} in national currency, the most one item may be",
            )
        checks.done()

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

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("declaration_id", self.declaration_id)
        checks.identifier("crossing_id", self.crossing_id)
        checks.done()


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
