"""A declaration as a standard message states it, before Dostyk's records are made of it.

A WCO Data Model declaration (XML) and an EDIFACT CUSDEC say the same things in different
syntaxes: who declares, for whom, where the goods are, which units carry them, and per goods
item its commodity code, origin, masses and price. Each reader (:mod:`dostyk.interchange.wco`,
:mod:`dostyk.interchange.edifact`) fills this neutral form, keeping where in the message each
value was found, so that one mapping (:mod:`dostyk.interchange.lodging`) turns either into the
declaration document the command line and the API lodge, and names the message's own place
(an XML path, an EDIFACT segment) when something is missing or wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Stated:
    """One value and where the message states it (empty when it is absent)."""

    value: str | None
    where: str

    @property
    def given(self) -> bool:
        return self.value is not None and self.value.strip() != ""


@dataclass(frozen=True, slots=True)
class StatedItem:
    """A goods item (WCO GovernmentAgencyGoodsItem, CUSDEC segment group 29 / CST)."""

    where: str
    number: Stated
    #: The commodity code's parts in order (CN/TARIC or HS/national): joined, ten digits;
    #: ``code_where`` is where the message states it.
    commodity_code: tuple[Stated, ...]
    code_where: str
    description: Stated
    origin: Stated
    gross_mass_kg: Stated
    net_mass_kg: Stated
    #: Supplementary quantity and its unit (UN/ECE Rec. 20), when declared.
    quantity: Stated
    unit: Stated
    #: The item price (WCO DE 4/14, CUSDEC MOA+146) and its currency.
    value: Stated
    currency: Stated


@dataclass(frozen=True, slots=True)
class Authorisation:
    """An authorisation the declaration relies on and who holds it (WCO DE 3/39)."""

    category: str
    holder: str
    where: str


@dataclass(frozen=True, slots=True)
class StatedDeclaration:
    """A declaration as its message states it; ``syntax`` names the message (for errors)."""

    syntax: str
    #: The declarant's reference (LRN, WCO DE 2/5; CUSDEC BGM 1004).
    reference: Stated
    #: The declaration type: IM, EX or CO (WCO DE 1/1; CUSDEC BGM 1001 qualifier).
    type_code: Stated
    declarant: Stated
    importer: Stated
    exporter: Stated
    #: Where the goods are presented: the Dostyk post (WCO DE 5/23; CUSDEC LOC+14).
    location: Stated
    #: The railcars, trailers or containers carrying the goods (WCO DE 7/10; CUSDEC EQD).
    equipment: tuple[Stated, ...]
    #: National currency per unit of the invoice currency, when declared (WCO DE 4/15).
    exchange_rate: Stated
    items: tuple[StatedItem, ...]
    authorisations: tuple[Authorisation, ...] = ()
    #: Problems a reader found that make the declaration rejected rather than unreadable.
    breaches: tuple[str, ...] = field(default=())


def decimal_or_none(text: str | None) -> Decimal | None:
    """A decimal written in a message, or None when it is not one."""
    if text is None:
        return None
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        return None
    return value if value.is_finite() else None
