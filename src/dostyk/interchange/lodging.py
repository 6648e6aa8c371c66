"""A stated declaration (WCO XML or CUSDEC) made into Dostyk's declaration, and lodged.

The declaration is lodged through the same use case as the JSON document
(:func:`dostyk.services.declarations.lodge`), so the same rules decide it. What a standard message
cannot say in Dostyk's terms is settled here, once for both syntaxes:

- the declaration's id is made from the declarant and his reference, as the web form makes it,
  so the same message sent twice is the same lodgement (idempotent on the reference);
- the post is where the goods are presented (WCO DE 5/23, CUSDEC LOC+14), unless the entrance
  names it (``dostyk interchange import --post``);
- the units are the railcars, trucks or trailers the message names as transport equipment
  (WCO DE 7/10, CUSDEC EQD): each is the latest crossing of that conveyance into the post in the
  :data:`LOOKBACK` before lodgement, found with one query on the (conveyance, time) index;
- an item's value is its price (WCO DE 4/14, CUSDEC MOA+146) at the declared exchange rate
  (WCO DE 4/15) or, failing that, the rate of the day customs publishes (``rates``).

A message that cannot be made into a declaration is refused with
:class:`~dostyk.interchange.json_documents.DocumentRejected`, every problem located in the
message; nothing is written. One that can is lodged, and recorded as rejected when it breaks a
rule, its reasons naming the data element as an officer would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Engine

from dostyk.domain.conveyances import Crossing
from dostyk.domain.declarations import (
    Declaration,
    DeclarationItem,
    DeclarationKind,
    DeclarationStatus,
    DeclarationUnit,
)
from dostyk.domain.errors import InvariantViolation
from dostyk.interchange.json_documents import DeclarationDocument, DocumentError, DocumentRejected
from dostyk.interchange.stated import Stated, StatedDeclaration, StatedItem, decimal_or_none
from dostyk.services.declarations import Lodgement, lodge
from dostyk.services.ids import make_id
from dostyk.store.unit_of_work import UnitOfWork

#: The national currency: customs values are converted into it, duties are paid in it.
NATIONAL_CURRENCY = "KZT"
#: How long before lodgement a unit named by its number may have crossed in.
LOOKBACK = timedelta(days=30)
#: Declaration types (the first two letters of WCO DE 1/1) and what Dostyk makes of them.
KINDS = {"IM": DeclarationKind.IMPORT, "EX": DeclarationKind.EXPORT}
#: Authorisations that only the trader using them can hold (WCO DE 3/39): a comprehensive
#: guarantee (CGU) and the deferment of payment (DPO) secure the duties of this declaration.
HOLDER_MUST_BE_NAMED = {"CGU": "comprehensive guarantee", "DPO": "deferment of payment"}


@dataclass(frozen=True, slots=True)
class Options:
    """What the entrance settles that the message does not: a post, the day's rates."""

    post: str | None = None
    rates: Mapping[str, Decimal] = field(default_factory=dict)


#: No post named by the entrance, no published rates.
DEFAULT_OPTIONS = Options()


@dataclass(frozen=True, slots=True)
class Prepared:
    """The declaration document made of a message, and the rules the message itself breaks."""

    document: DeclarationDocument
    breaches: tuple[str, ...]


class _Errors:
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[DocumentError] = []

    def add(self, where: str, message: str) -> None:
        self.found.append(DocumentError(self.file, where, message))

    def need(self, stated: Stated, what: str) -> str | None:
        if not stated.given:
            self.add(stated.where, f"required: {what}")
            return None
        assert stated.value is not None
        return stated.value.strip()


def prepare(
    engine: Engine,
    stated: StatedDeclaration,
    *,
    file: str,
    at: datetime,
    options: Options = DEFAULT_OPTIONS,
) -> Prepared:
    """The declaration document for ``stated``, lodged at ``at``; DocumentRejected if none."""
    errors = _Errors(file)
    reference = errors.need(stated.reference, "the declarant's reference (LRN)")
    kind = None
    type_code = errors.need(stated.type_code, "the declaration type")
    if type_code is not None:
        kind = KINDS.get(type_code[:2].upper())
        if kind is None:
            known = ", ".join(f"{code} ({k})" for code, k in KINDS.items())
            errors.add(
                stated.type_code.where,
                f"declaration type {type_code!r} is not one Dostyk takes: {known}",
            )
    declarant = errors.need(stated.declarant, "the declarant's identification number")
    importer = stated.importer.value.strip() if stated.importer.given else None  # type: ignore[union-attr]
    exporter = stated.exporter.value.strip() if stated.exporter.given else None  # type: ignore[union-attr]
    if kind is DeclarationKind.IMPORT and importer is None:
        errors.add(stated.importer.where, "required: the importer's identification number")
    post = options.post or errors.need(stated.location, "the location of the goods (the post)")
    declaration_id = make_id("D", declarant, reference) if declarant and reference else None
    breaches = list(stated.breaches)
    for authorisation in stated.authorisations:
        what = HOLDER_MUST_BE_NAMED.get(authorisation.category)
        if what is not None and authorisation.holder not in {declarant, importer}:
            breaches.append(
                f"DE 3/39: the holder of the {what} authorisation ({authorisation.category}), "
                f"{authorisation.holder}, is neither the importer nor the declarant"
            )
    items = [
        _item(errors, breaches, stated, item, declaration_id or "D", options)
        for item in stated.items
    ]
    units = _units(engine, errors, stated, kind, post, declaration_id, at)
    declaration: Declaration | None = None
    if not errors.found and kind is not None:
        assert declarant and reference and post and declaration_id
        try:
            declaration = Declaration(
                declaration_id,
                kind,
                post,
                declarant,
                reference,
                at,
                DeclarationStatus.LODGED,
                importer,
                exporter,
            )
        except InvariantViolation as error:
            places = {
                "reference": stated.reference.where,
                "declarant_id": stated.declarant.where,
                "importer_id": stated.importer.where,
                "exporter_id": stated.exporter.where,
                "post_code": stated.location.where,
            }
            for violation in error.violations:
                errors.add(places.get(violation.field, ""), violation.message)
    if errors.found:
        raise DocumentRejected(errors.found)
    assert declaration is not None
    built = tuple(item for item in items if item is not None)
    document = DeclarationDocument(declaration, built, tuple(units))
    return Prepared(document, tuple(breaches))


def lodge_stated(
    engine: Engine,
    stated: StatedDeclaration,
    *,
    file: str,
    actor: str,
    at: datetime,
    options: Options = DEFAULT_OPTIONS,
) -> Lodgement:
    """Prepare and lodge: the JSON document's use case, with the message's own breaches."""
    prepared = prepare(engine, stated, file=file, at=at, options=options)
    document = prepared.document
    return lodge(
        engine,
        document.declaration,
        document.items,
        document.units,
        actor=actor,
        at=at,
        breaches=prepared.breaches,
    )


def _item(
    errors: _Errors,
    breaches: list[str],
    stated: StatedDeclaration,
    item: StatedItem,
    declaration_id: str,
    options: Options,
) -> DeclarationItem | None:
    before = len(errors.found)
    number_text = errors.need(item.number, "the goods item number")
    number = None
    if number_text is not None:
        if not number_text.isdigit() or len(number_text) > 4:
            errors.add(item.number.where, f"{number_text!r} is not a goods item number")
        else:
            number = int(number_text)
    parts = [part.value.strip() for part in item.commodity_code if part.given]  # type: ignore[union-attr]
    code = "".join(parts)
    if not code:
        errors.add(item.code_where, "required: the commodity code")
    elif len(code) == 8 and code.isdigit():
        code += "00"  # a combined nomenclature code with no national subdivision
    description = errors.need(item.description, "the description of the goods")
    origin = errors.need(item.origin, "the country of origin")
    gross = _mass(errors, item.gross_mass_kg, "the gross mass")
    net = _mass(errors, item.net_mass_kg, "the net mass")
    quantity, unit = _quantity(errors, item, net)
    value, currency = Decimal("0"), NATIONAL_CURRENCY
    if item.value.given:
        value_read = decimal_or_none(item.value.value)
        if value_read is None:
            errors.add(item.value.where, f"{item.value.value!r} is not an amount")
        else:
            value = value_read
        currency = errors.need(item.currency, "the currency of the item price") or currency
    elif number is not None:
        breaches.append(
            f"item {number}: no item price (DE 4/14) is declared, so its customs value "
            "cannot be established"
        )
    rate = _rate(errors, stated, item, currency, options)
    if len(errors.found) > before:
        return None
    assert number is not None and description and origin and gross is not None and net is not None
    assert quantity is not None and unit is not None and rate is not None
    try:
        return DeclarationItem(
            declaration_id,
            number,
            code,
            description,
            origin,
            quantity,
            unit,
            gross,
            net,
            value,
            currency,
            rate,
        )
    except InvariantViolation as error:
        places = {
            "commodity_code": item.commodity_code[0].where if item.commodity_code else item.where,
            "description": item.description.where,
            "origin": item.origin.where,
            "gross_mass_kg": item.gross_mass_kg.where,
            "net_mass_kg": item.net_mass_kg.where,
            "quantity": item.quantity.where,
            "unit": item.unit.where,
            "customs_value": item.value.where,
            "currency": item.currency.where,
        }
        for violation in error.violations:
            errors.add(places.get(violation.field, item.where), violation.message)
        return None


def _mass(errors: _Errors, stated: Stated, what: str) -> float | None:
    text = errors.need(stated, f"{what} in kilograms")
    if text is None:
        return None
    value = decimal_or_none(text)
    if value is None or value < 0:
        errors.add(stated.where, f"{text!r} is not a mass in kilograms")
        return None
    return float(value)


def _quantity(
    errors: _Errors, item: StatedItem, net: float | None
) -> tuple[Decimal | None, str | None]:
    """The supplementary quantity if declared, else the net mass in kilograms."""
    if item.quantity.given:
        value = decimal_or_none(item.quantity.value)
        if value is None:
            errors.add(item.quantity.where, f"{item.quantity.value!r} is not a quantity")
            return None, None
        unit = item.unit.value.strip() if item.unit.given else None  # type: ignore[union-attr]
        if unit is None:
            errors.add(item.unit.where, "required: the unit of the supplementary quantity")
            return None, None
        return value, unit
    if net is None:
        return None, None
    return Decimal(str(net)).quantize(Decimal("0.001")), "KGM"


def _rate(
    errors: _Errors,
    stated: StatedDeclaration,
    item: StatedItem,
    currency: str,
    options: Options,
) -> Decimal | None:
    if currency == NATIONAL_CURRENCY:
        return Decimal(1)
    if stated.exchange_rate.given:
        declared = decimal_or_none(stated.exchange_rate.value)
        if declared is None or declared <= 0:
            errors.add(stated.exchange_rate.where, f"{stated.exchange_rate.value!r} is not a rate")
            return None
        return declared
    published = options.rates.get(currency)
    if published is None:
        errors.add(
            item.currency.where,
            f"no exchange rate from {currency} to {NATIONAL_CURRENCY}: declare it "
            f"({stated.exchange_rate.where}) or invoice in {NATIONAL_CURRENCY}",
        )
    return published


def _units(
    engine: Engine,
    errors: _Errors,
    stated: StatedDeclaration,
    kind: DeclarationKind | None,
    post: str | None,
    declaration_id: str | None,
    at: datetime,
) -> list[DeclarationUnit]:
    """Each named railcar's, truck's or trailer's latest crossing into the post."""
    named = [e for e in stated.equipment if e.given]
    if not named or kind is None or post is None or declaration_id is None:
        return []  # no units: the lodgement rules reject it, with the reason
    numbers = {e.value.strip() for e in named}  # type: ignore[union-attr]
    with UnitOfWork(engine) as uow:
        crossings: list[Crossing] = uow.crossings.of_conveyances_between(numbers, at - LOOKBACK, at)
    latest: dict[str, Crossing] = {}
    for crossing in crossings:
        if crossing.post_code == post and crossing.direction == kind.unit_direction:
            latest[crossing.conveyance_id] = crossing  # ordered by time: the last one stays
    units: list[DeclarationUnit] = []
    seen: set[str] = set()
    for equipment in named:
        number = equipment.value.strip()  # type: ignore[union-attr]
        if number in seen:
            continue
        seen.add(number)
        found = latest.get(number)
        if found is None:
            errors.add(
                equipment.where,
                f"{number} has not crossed {kind.unit_direction} at {post} in the "
                f"{LOOKBACK.days} days before lodgement",
            )
            continue
        units.append(DeclarationUnit(declaration_id, found.crossing_id))
    return units
