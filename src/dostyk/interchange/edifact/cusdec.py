"""CUSDEC (D.96B subset): read into the stated form, lodged like a WCO or JSON declaration.

=========================  =====================================================================
Dostyk                     CUSDEC segment, element (component)
=========================  =====================================================================
declaration type           BGM 1 (4): IM or EX; BGM 1 (1) is 929, goods declaration
reference (LRN)            BGM 2
post                       LOC+14 (place of goods), 2
declarant/importer/...     SG4 NAD+DT / NAD+IM / NAD+EX, 2 (1)
units                      SG7 EQD+RR|TE|CN, 2 (1): the railcar's, trailer's or truck's number
exchange rate              CUX 3: national currency per unit of the invoice currency
(header ends)              UNS+D
item number                SG29 CST 1
commodity code             SG29 CST 2 (1): ten digits
description                SG29 FTX+AAA, 4 (components joined)
origin                     SG29 LOC+27, 2
gross, net mass (kg)       SG29 MEA+WT+AAB / MEA+WT+AAA, 3 (2); 3 (1) is KGM
quantity, unit             SG29 QTY+47, 1 (2) and 1 (3)
item price, currency       SG29 MOA+146, 1 (2) and 1 (3)
=========================  =====================================================================
"""

from __future__ import annotations

from collections.abc import Sequence

from dostyk.interchange.edifact.diagrams import CUSDEC
from dostyk.interchange.edifact.envelope import Message
from dostyk.interchange.edifact.segments import Segment, write
from dostyk.interchange.edifact.structure import Node, match
from dostyk.interchange.json_documents import DeclarationDocument, DocumentError, DocumentRejected
from dostyk.interchange.stated import Stated, StatedDeclaration, StatedItem

PARTY_ROLES = {"DT": "declarant", "IM": "importer", "EX": "exporter"}
EQUIPMENT = frozenset({"RR", "TE", "CN", "TRL"})


def _value(segment: Segment | None, element: int, component: int, missing: str) -> Stated:
    if segment is None:
        return Stated(None, missing)
    value = segment.at(element, component)
    return Stated(value or None, segment.place(element, component))


def _qualified(segments: Sequence[Segment], qualifier: str, element: int = 1) -> Segment | None:
    return next((s for s in segments if s.at(element) == qualifier), None)


def read_cusdec(message: Message, file: str) -> StatedDeclaration:
    """A CUSDEC message as a stated declaration; DocumentRejected if its structure is wrong."""
    tree = match(message.segments, CUSDEC, file)
    bgm = tree.first("BGM")
    assert bgm is not None  # mandatory in the diagram
    if bgm.at(1) != "929":
        problem = f"document name {bgm.at(1)!r} is not 929 (goods declaration)"
        raise DocumentRejected([DocumentError(file, bgm.place(1, 1), problem)])
    parties: dict[str, Segment] = {}
    for group in tree.subgroups("SG4 (NAD)"):
        nad = group.opening
        if nad.at(1) not in PARTY_ROLES:
            known = ", ".join(f"{q} ({r})" for q, r in PARTY_ROLES.items())
            problem = f"party qualifier {nad.at(1)!r} is not one of {known}"
            raise DocumentRejected([DocumentError(file, nad.place(1), problem)])
        parties.setdefault(nad.at(1), nad)
    equipment = []
    for group in tree.subgroups("SG7 (EQD)"):
        eqd = group.opening
        if eqd.at(1) not in EQUIPMENT:
            problem = (
                f"equipment qualifier {eqd.at(1)!r} is not one of {', '.join(sorted(EQUIPMENT))}"
            )
            raise DocumentRejected([DocumentError(file, eqd.place(1), problem)])
        equipment.append(_value(eqd, 2, 1, eqd.where))
    unt = tree.first("UNT")
    assert unt is not None
    header_end = f"before {unt.where}"
    place = _qualified(tree.all("LOC"), "14")
    cux = tree.first("CUX")
    return StatedDeclaration(
        syntax="CUSDEC",
        reference=_value(bgm, 2, 1, bgm.where),
        type_code=_value(bgm, 1, 4, bgm.where),
        declarant=_value(parties.get("DT"), 2, 1, f"NAD+DT {header_end}"),
        importer=_value(parties.get("IM"), 2, 1, f"NAD+IM {header_end}"),
        exporter=_value(parties.get("EX"), 2, 1, f"NAD+EX {header_end}"),
        location=_value(place, 2, 1, f"LOC+14 {header_end}"),
        equipment=tuple(equipment),
        exchange_rate=_value(cux, 3, 1, f"CUX {header_end}"),
        items=tuple(_item(group) for group in tree.subgroups("SG29 (CST)")),
    )


def _item(group: Node) -> StatedItem:
    cst = group.opening
    missing = f"in the goods item opened by {cst.where}"
    text = _qualified(group.all("FTX"), "AAA")
    description = Stated(None, f"FTX+AAA {missing}")
    if text is not None:
        joined = "".join(text.elements[3]) if len(text.elements) > 3 else ""
        description = Stated(joined or None, text.place(4))
    gross = _qualified(group.all("MEA"), "AAB", 2)
    net = _qualified(group.all("MEA"), "AAA", 2)
    quantity = _qualified(group.all("QTY"), "47")
    price = _qualified(group.all("MOA"), "146")
    return StatedItem(
        where=cst.where,
        number=_value(cst, 1, 1, cst.where),
        commodity_code=(_value(cst, 2, 1, cst.where),),
        code_where=cst.place(2, 1),
        description=description,
        origin=_value(_qualified(group.all("LOC"), "27"), 2, 1, f"LOC+27 {missing}"),
        gross_mass_kg=_value(gross, 3, 2, f"MEA+WT+AAB {missing}"),
        net_mass_kg=_value(net, 3, 2, f"MEA+WT+AAA {missing}"),
        quantity=_value(quantity, 1, 2, f"QTY+47 {missing}"),
        unit=_value(quantity, 1, 3, f"QTY+47 {missing}"),
        value=_value(price, 1, 2, f"MOA+146 {missing}"),
        currency=_value(price, 1, 3, f"MOA+146 {missing}"),
    )


def build_cusdec(
    document: DeclarationDocument, equipment: Sequence[str], *, reference: str = "1"
) -> str:
    """The CUSDEC interchange declaring ``document``, its units named by ``equipment`` numbers."""
    d = document.declaration
    kind = "IM" if d.kind.value == "import" else "EX"
    body: list[tuple[str, Sequence[Sequence[str] | str]]] = [
        ("UNH", [reference, ["CUSDEC", "D", "96B", "UN"]]),
        ("BGM", [["929", "", "", kind], d.reference, "9"]),
        ("LOC", ["14", d.post_code]),
    ]
    for qualifier, party in (("DT", d.declarant_id), ("IM", d.importer_id), ("EX", d.exporter_id)):
        if party is not None:
            body.append(("NAD", [qualifier, party]))
    body += [("EQD", ["RR", number]) for number in equipment]
    rates = {(item.currency, item.exchange_rate) for item in document.items}
    foreign = sorted((c, r) for c, r in rates if r != 1)
    if foreign:
        currency, rate = foreign[0]
        body.append(("CUX", [["2", currency], ["3", "KZT"], f"{rate:f}"]))
    body.append(("UNS", ["D"]))
    for item in sorted(document.items, key=lambda i: i.item_no):
        body += [
            ("CST", [str(item.item_no), item.commodity_code]),
            ("FTX", ["AAA", "", "", _chunks(item.description)]),
            ("LOC", ["27", item.origin]),
            ("MEA", ["WT", "AAB", ["KGM", _number(item.gross_mass_kg)]]),
            ("MEA", ["WT", "AAA", ["KGM", _number(item.net_mass_kg)]]),
            ("QTY", [["47", f"{item.quantity:f}", item.unit]]),
            ("MOA", [["146", f"{item.customs_value:f}", item.currency]]),
        ]
    body.append(("UNT", [str(len(body) + 1), reference]))
    return write(_envelope(body, "CUSDEC"))


def _chunks(text: str, size: int = 512) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _number(value: float) -> str:
    return repr(float(value))


def _envelope(
    body: list[tuple[str, Sequence[Sequence[str] | str]]], control: str
) -> list[tuple[str, Sequence[Sequence[str] | str]]]:
    return [
        ("UNB", [["UNOW", "4"], "SENDER", "DOSTYK", ["240301", "0800"], control]),
        *body,
        ("UNZ", ["1", control]),
    ]
