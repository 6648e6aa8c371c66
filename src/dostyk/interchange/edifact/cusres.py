"""CUSRES (D.96B subset): customs' responses to a declaration, one message per response.

=========================  =====================================================================
Response                   CUSRES segment, element (component)
=========================  =====================================================================
kind                       BGM 1 (1) 962 and 1 (4) the response's name (DMSACC, DMSREJ, ...);
                           BGM 2 its own reference; BGM 3 the WCO function code (01, 03, ...)
issued at                  DTM+182, 1 (2) as CCYYMMDDHHMMSS (format 204), UTC
declaration                SG1 RFF+ABE, 1 (2): Dostyk's id; RFF+ABO, 1 (2): the declarant's
                           reference
reason of a rejection      SG4 ERP+1, ERC+DST00001 (numbered), FTX+AAO, 4 (text in components)
note (channel, cancel)     FTX+AAI, 4
duties per item            SG9 CST 1 (item number), SG10 TAX+7 2 (1) A00 duty / B00 VAT,
                           5 (4) the rate; MOA+161 1 (2) the amount, 1 (3) the currency
=========================  =====================================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from dostyk.interchange.answers import Answer, Response
from dostyk.interchange.edifact.cusdec import _chunks
from dostyk.interchange.edifact.diagrams import CUSRES
from dostyk.interchange.edifact.envelope import Message
from dostyk.interchange.edifact.segments import write
from dostyk.interchange.edifact.structure import match
from dostyk.interchange.lodging import NATIONAL_CURRENCY

Body = list[tuple[str, Sequence[Sequence[str] | str]]]


def _note(response: Response) -> str | None:
    if response.answer is Answer.DOCUMENTS:
        return f"{response.channel} channel: documents are to be presented"
    if response.answer is Answer.CONTROL:
        return f"{response.channel} channel: goods held"
    if response.answer is Answer.CANCELLED and response.reasons:
        return response.reasons[0]
    return None


def _message(response: Response, number: int) -> Body:
    d = response.declaration
    reference = str(number)
    answer = response.answer
    body: Body = [
        ("UNH", [reference, ["CUSRES", "D", "96B", "UN"]]),
        ("BGM", [["962", "", "", answer.value], response.reference, answer.function_code]),
        ("DTM", [["182", response.at.astimezone(UTC).strftime("%Y%m%d%H%M%S"), "204"]]),
    ]
    note = _note(response)
    if note is not None:
        body.append(("FTX", ["AAI", "", "", _chunks(note)]))
    body.append(("RFF", [["ABE", d.declaration_id]]))
    body.append(("RFF", [["ABO", d.reference]]))
    if answer is Answer.REJECTED:
        for index, reason in enumerate(response.reasons, 1):
            body += [
                ("ERP", ["1"]),
                ("ERC", [f"DST{index:05d}"]),
                ("FTX", ["AAO", "", "", _chunks(reason)]),
            ]
    for line in response.duty_lines:
        body.append(("CST", [str(line.item_no)]))
        for code, rate, due in (
            ("A00", line.duty_rate, line.duty),
            ("B00", line.vat_rate, line.vat),
        ):
            body.append(("TAX", ["7", code, "", "", ["", "", "", f"{rate:f}"]]))
            body.append(("MOA", [["161", f"{due:.2f}", NATIONAL_CURRENCY]]))
    body.append(("UNT", [str(len(body) + 1), reference]))
    return body


def cusres(responses: Sequence[Response]) -> str:
    """One interchange with a CUSRES message per response, oldest first."""
    control = responses[0].reference[:14] if responses else "0"
    body: Body = [("UNB", [["UNOW", "4"], "DOSTYK", "DECLARANT", ["000101", "0000"], control])]
    for number, response in enumerate(responses, 1):
        body += _message(response, number)
    body.append(("UNZ", [str(len(responses)), control]))
    return write(body)


@dataclass(frozen=True, slots=True)
class ReadResponse:
    """A CUSRES message as read back (what a declarant's system takes from it)."""

    answer: str
    function_code: str
    reference: str
    at: datetime
    declaration_id: str
    declarant_reference: str
    reasons: tuple[str, ...]
    note: str | None
    #: (item number, tax type, rate, amount) per TAX.
    taxes: tuple[tuple[int, str, Decimal, Decimal], ...]


def read_cusres(message: Message, file: str) -> ReadResponse:
    tree = match(message.segments, CUSRES, file)
    bgm = tree.first("BGM")
    dtm = tree.first("DTM")
    assert bgm is not None
    refs = {g.opening.at(1, 1): g.opening.at(1, 2) for g in tree.subgroups("SG1 (RFF)")}
    reasons = tuple(
        "".join(ftx.elements[3]) for g in tree.subgroups("SG4 (ERP)") for ftx in g.all("FTX")
    )
    note = next(("".join(f.elements[3]) for f in tree.all("FTX") if f.at(1) == "AAI"), None)
    taxes = []
    for group in tree.subgroups("SG9 (CST)"):
        item = int(group.opening.at(1))
        for tax in group.subgroups("SG10 (TAX)"):
            moa = tax.first("MOA")
            amount = Decimal(moa.at(1, 2)) if moa is not None else Decimal(0)
            taxes.append((item, tax.opening.at(2, 1), Decimal(tax.opening.at(5, 4)), amount))
    at = datetime.strptime(dtm.at(1, 2), "%Y%m%d%H%M%S").replace(tzinfo=UTC) if dtm else None
    assert at is not None
    return ReadResponse(
        answer=bgm.at(1, 4),
        function_code=bgm.at(3),
        reference=bgm.at(2),
        at=at,
        declaration_id=refs.get("ABE", ""),
        declarant_reference=refs.get("ABO", ""),
        reasons=reasons,
        note=note,
        taxes=tuple(taxes),
    )
