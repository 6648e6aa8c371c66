"""A WCO DEC-DMS declaration read into the neutral stated form.

The data elements read (numbers as in the WCO Data Model / the EU's customs code annex):

====================  ===================================================================
Dostyk                WCO Data Model (path under Declaration)
====================  ===================================================================
reference             FunctionalReferenceID (DE 2/5, the LRN)
kind                  TypeCode, first two letters (DE 1/1): IM import, EX export
declarant             Declarant/ID (DE 3/18)
importer              GoodsShipment/Importer/ID (DE 3/16)
exporter              Exporter/ID or GoodsShipment/Exporter/ID (DE 3/2)
post                  GoodsShipment/Consignment/GoodsLocation/Name (DE 5/23)
units                 GoodsShipment/Consignment/TransportEquipment/ID (DE 7/10)
exchange rate         CurrencyExchange/RateNumeric (DE 4/15)
authorisations        AuthorisationHolder/ID and CategoryCode (DE 3/39)
item number           GovernmentAgencyGoodsItem/SequenceNumeric (DE 1/6)
commodity code        Commodity/Classification: TSP or GN (DE 6/14) then TRC (DE 6/15)
description           Commodity/Description (DE 6/8)
origin                Origin/CountryCode (DE 5/15)
gross, net mass       Commodity/GoodsMeasure/GrossMassMeasure (DE 6/5), NetNetWeightMeasure
                      (DE 6/1); the quantity is the net mass in kilograms
price, currency       Commodity/InvoiceLine/ItemChargeAmount and its currencyID (DE 4/14)
====================  ===================================================================
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from dostyk.interchange.json_documents import DocumentError, DocumentRejected
from dostyk.interchange.stated import Authorisation, Stated, StatedDeclaration, StatedItem
from dostyk.interchange.wco.safe_xml import DECLARATION_NS, METADATA_NS, parse, unwrap, validate

D = f"{{{DECLARATION_NS}}}"
#: Classification types, in the order their digits make the commodity code.
CODE_PARTS = (("TSP", "GN"), ("TRC",))


def read_wco_declaration(data: bytes | str, file: str) -> StatedDeclaration:
    """Parse safely, validate against the declaration schema, and read the declaration."""
    root = unwrap(parse(data, file), file)
    if root.tag != f"{{{METADATA_NS}}}MetaData":
        name = root.tag.split("}", 1)[-1]
        problem = f"the root element is {name}, not the WCO MetaData of a declaration (DEC-DMS)"
        raise DocumentRejected([DocumentError(file, name, problem)])
    validate(root, "declaration", file)
    declaration = root.find(f"{D}Declaration")
    if declaration is None:
        raise DocumentRejected([DocumentError(file, "MetaData", "holds no Declaration")])
    return _declaration(declaration)


def _text(element: Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip()


def _at(parent: Element, path: str, where: str, note: str) -> Stated:
    """The text at ``path`` under ``parent``, located as ``where/path (note)``."""
    found = parent.find("/".join(f"{D}{step}" for step in path.split("/")))
    return Stated(_text(found), f"{where}/{path} ({note})")


def _declaration(d: Element) -> StatedDeclaration:
    here = "Declaration"
    shipment = d.find(f"{D}GoodsShipment")
    ship = f"{here}/GoodsShipment"
    exporter = _at(d, "Exporter/ID", here, "DE 3/2")
    if not exporter.given and shipment is not None:
        exporter = _at(shipment, "Exporter/ID", ship, "DE 3/2")
    missing_shipment = Stated(None, f"{ship} (the goods shipment)")
    equipment: list[Stated] = []
    items: list[StatedItem] = []
    if shipment is not None:
        consignment = shipment.find(f"{D}Consignment")
        if consignment is not None:
            for index, unit in enumerate(consignment.findall(f"{D}TransportEquipment"), 1):
                where = f"{ship}/Consignment/TransportEquipment[{index}]/ID (DE 7/10)"
                equipment.append(Stated(_text(unit.find(f"{D}ID")), where))
        for index, item in enumerate(shipment.findall(f"{D}GovernmentAgencyGoodsItem"), 1):
            items.append(_item(item, f"{ship}/GovernmentAgencyGoodsItem[{index}]"))
    authorisations = []
    for index, holder in enumerate(d.findall(f"{D}AuthorisationHolder"), 1):
        holder_id, category = _text(holder.find(f"{D}ID")), _text(holder.find(f"{D}CategoryCode"))
        if holder_id and category:
            where = f"{here}/AuthorisationHolder[{index}] (DE 3/39)"
            authorisations.append(Authorisation(category, holder_id, where))
    return StatedDeclaration(
        syntax="WCO DEC-DMS",
        reference=_at(d, "FunctionalReferenceID", here, "DE 2/5"),
        type_code=_at(d, "TypeCode", here, "DE 1/1"),
        declarant=_at(d, "Declarant/ID", here, "DE 3/18"),
        importer=(
            _at(shipment, "Importer/ID", ship, "DE 3/16")
            if shipment is not None
            else missing_shipment
        ),
        exporter=exporter,
        location=(
            _at(shipment, "Consignment/GoodsLocation/Name", ship, "DE 5/23")
            if shipment is not None
            else missing_shipment
        ),
        equipment=tuple(equipment),
        exchange_rate=_at(d, "CurrencyExchange/RateNumeric", here, "DE 4/15"),
        items=tuple(items),
        authorisations=tuple(authorisations),
    )


def _item(item: Element, where: str) -> StatedItem:
    commodity = item.find(f"{D}Commodity")
    parts: list[Stated] = []
    price = Stated(None, f"{where}/Commodity/InvoiceLine/ItemChargeAmount (DE 4/14)")
    currency = Stated(None, f"{price.where[:-1]}, currencyID)")
    if commodity is not None:
        classifications = commodity.findall(f"{D}Classification")
        for kinds in CODE_PARTS:
            for index, classification in enumerate(classifications, 1):
                if _text(classification.find(f"{D}IdentificationTypeCode")) in kinds:
                    note = "DE 6/14" if "TSP" in kinds else "DE 6/15"
                    path = f"{where}/Commodity/Classification[{index}]/ID ({note})"
                    parts.append(Stated(_text(classification.find(f"{D}ID")), path))
                    break
        amount = commodity.find(f"{D}InvoiceLine/{D}ItemChargeAmount")
        if amount is not None:
            price = Stated(_text(amount), price.where)
            currency = Stated(amount.get("currencyID"), currency.where)
    base = item if commodity is None else commodity
    base_path = where if commodity is None else f"{where}/Commodity"
    return StatedItem(
        where=where,
        number=_at(item, "SequenceNumeric", where, "DE 1/6"),
        commodity_code=tuple(parts),
        code_where=f"{where}/Commodity/Classification (DE 6/14)",
        description=_at(base, "Description", base_path, "DE 6/8"),
        origin=_at(item, "Origin/CountryCode", where, "DE 5/15"),
        gross_mass_kg=_at(base, "GoodsMeasure/GrossMassMeasure", base_path, "DE 6/5"),
        net_mass_kg=_at(base, "GoodsMeasure/NetNetWeightMeasure", base_path, "DE 6/1"),
        quantity=Stated(None, f"{base_path}/GoodsMeasure/TariffQuantity (DE 6/2)"),
        unit=Stated(None, f"{base_path}/GoodsMeasure/TariffQuantity (DE 6/2)"),
        value=price,
        currency=currency,
    )
