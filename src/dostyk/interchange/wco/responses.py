"""WCO RES-DMS responses written from a declaration's history, each validated before it leaves.

The document is the WCO MetaData envelope (namespace ``urn:wco:datamodel:WCO:DocumentMetaData-
DMS:2``) holding one or more ``Response`` elements (``urn:wco:datamodel:WCO:RES-DMS:2``), in the
order of the history. What each carries:

- every response: FunctionCode, its own FunctionalReferenceID (stable per step), IssueDateTime
  (format 304, UTC), and Declaration/ID (Dostyk's id) with FunctionalReferenceID (the
  declarant's reference, when it fits the schema's 35 characters) and VersionID 1;
- rejected (03): one Error per reason, with the reason as Description, and RejectionDateTime;
- accepted (01): AcceptanceDateTime;
- documents requested (06) and control (05): AdditionalInformation naming the channel;
- duties (13): per goods item, DutyTaxFee for duty (A00) and VAT (B00) with rate, base and amount
  in national currency;
- cleared (09), cancelled (10, with the reason), control result (07), received (02).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement, tostring

from dostyk.interchange.answers import Answer, Response
from dostyk.interchange.lodging import NATIONAL_CURRENCY
from dostyk.interchange.wco.safe_xml import METADATA_NS, RESPONSE_NS, validate

#: The longest text the schema allows in an error's description or a statement.
TEXT_MAX = 512
REFERENCE_MAX = 35
M = f"{{{METADATA_NS}}}"
R = f"{{{RESPONSE_NS}}}"
#: Date-time strings are in the data set's namespace, not the response's.
DS = "{urn:wco:datamodel:WCO:Response_DS:DMS:2}"


def wco_responses(responses: Sequence[Response]) -> bytes:
    """The MetaData document with every response, validated against the notification schema."""
    root = Element(f"{M}MetaData")
    for tag, text in (
        ("WCODataModelVersionCode", "3.6"),
        ("WCOTypeName", "RES"),
        ("ResponsibleCountryCode", "KZ"),
        ("ResponsibleAgencyName", "Dostyk"),
    ):
        SubElement(root, f"{M}{tag}").text = text
    for response in responses:
        root.append(_response(response))
    validate(root, "notification", "response")
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _stamp(parent: Element, tag: str, at: datetime) -> None:
    holder = SubElement(parent, f"{R}{tag}")
    text = SubElement(holder, f"{DS}DateTimeString", formatCode="304")
    text.text = at.astimezone(UTC).strftime("%Y%m%d%H%M%SZ")


def _text(parent: Element, tag: str, value: str) -> Element:
    child = SubElement(parent, f"{R}{tag}")
    child.text = value
    return child


def _amount(parent: Element, tag: str, value: Decimal) -> None:
    child = SubElement(parent, f"{R}{tag}", currencyID=NATIONAL_CURRENCY)
    child.text = f"{value:.2f}"


def _response(response: Response) -> Element:
    answer = response.answer
    r = Element(f"{R}Response")
    _text(r, "FunctionCode", answer.function_code)
    _text(r, "FunctionalReferenceID", response.reference)
    _stamp(r, "IssueDateTime", response.at)
    if answer in (Answer.DOCUMENTS, Answer.CONTROL):
        info = SubElement(r, f"{R}AdditionalInformation")
        what = "documents are to be presented" if answer is Answer.DOCUMENTS else "goods held"
        channel = response.channel.value if response.channel else ""
        _text(info, "StatementDescription", f"{channel} channel: {what}"[:TEXT_MAX])
    if answer is Answer.CANCELLED and response.reasons:
        info = SubElement(r, f"{R}AdditionalInformation")
        _text(info, "StatementDescription", response.reasons[0][:TEXT_MAX])
    for number, reason in enumerate(response.reasons if answer is Answer.REJECTED else (), 1):
        error = SubElement(r, f"{R}Error")
        _text(error, "Description", reason[:TEXT_MAX])
        _text(error, "ValidationCode", f"DST{number:05d}")
    d = SubElement(r, f"{R}Declaration")
    if answer is Answer.ACCEPTED:
        _stamp(d, "AcceptanceDateTime", response.at)
    if answer is Answer.CANCELLED:
        _stamp(d, "CancellationDateTime", response.at)
    declaration = response.declaration
    if len(declaration.reference) <= REFERENCE_MAX:
        _text(d, "FunctionalReferenceID", declaration.reference)
    _text(d, "ID", declaration.declaration_id)
    if answer is Answer.REJECTED:
        _stamp(d, "RejectionDateTime", response.at)
    _text(d, "VersionID", "1")
    if answer is Answer.DUTIES and response.duty_lines:
        shipment = SubElement(d, f"{R}GoodsShipment")
        for line in response.duty_lines:
            item = SubElement(shipment, f"{R}GovernmentAgencyGoodsItem")
            _text(item, "SequenceNumeric", str(line.item_no))
            commodity = SubElement(item, f"{R}Commodity")
            base = line.customs_value
            for code, rate, due, taxed in (
                ("A00", line.duty_rate, line.duty, base),
                ("B00", line.vat_rate, line.vat, base + line.duty),
            ):
                fee = SubElement(commodity, f"{R}DutyTaxFee")
                _amount(fee, "AdValoremTaxBaseAmount", taxed)
                _text(fee, "TaxRateNumeric", f"{rate:f}")
                _text(fee, "TypeCode", code)
                payment = SubElement(fee, f"{R}Payment")
                _amount(payment, "TaxAssessedAmount", due)
                _amount(payment, "PaymentAmount", due)
    return r
