"""WCO XML refused when hostile; every kind of response validates; the parser fuzzed."""

from __future__ import annotations

from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel
from dostyk.interchange.answers import responses
from dostyk.interchange.json_documents import DocumentRejected
from dostyk.interchange.lodging import lodge_stated
from dostyk.interchange.wco.declarations import read_wco_declaration
from dostyk.interchange.wco.responses import wco_responses
from dostyk.services import declarations
from dostyk.services.declaration_record import read_declaration
from tests.interchange.test_wco_samples import shared_notification_schema
from tests.interchange.wco_world import OPTIONS, SAMPLES
from tests.services.world import T0, Flow

SAMPLE = (SAMPLES / "TT_IM001d.xml").read_bytes()

HOSTILE = {
    "billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        b"<lolz>&lol3;</lolz>"
    ),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<foo>&xxe;</foo>"
    ),
    "external DTD": b'<?xml version="1.0"?><!DOCTYPE foo SYSTEM "http://example.com/x.dtd"><foo/>',
    "parameter entity": (
        b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY % p SYSTEM "http://example.com/p">%p;]>'
        b"<foo/>"
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_is_refused_before_anything_is_resolved(name: str) -> None:
    with pytest.raises(DocumentRejected) as refused:
        read_wco_declaration(HOSTILE[name], "hostile.xml")
    [error] = refused.value.errors
    assert error.file == "hostile.xml"
    assert "document type declaration (DTD)" in error.message


def test_a_declaration_inside_an_entity_bearing_sample_is_refused_too() -> None:
    doctored = SAMPLE.replace(
        b"<md:MetaData", b'<!DOCTYPE md:MetaData [<!ENTITY x "y">]>\n<md:MetaData', 1
    )
    with pytest.raises(DocumentRejected, match="document type declaration"):
        read_wco_declaration(doctored, "s.xml")


def test_a_schema_error_names_the_element() -> None:
    broken = SAMPLE.replace(
        b"<GoodsItemQuantity>3</GoodsItemQuantity>", b"<GoodsItemQuantity>x</GoodsItemQuantity>"
    )
    assert broken != SAMPLE
    with pytest.raises(DocumentRejected) as refused:
        read_wco_declaration(broken, "s.xml")
    assert refused.value.errors[0].path == "/MetaData/Declaration/GoodsItemQuantity"
    assert refused.value.errors[0].message.startswith("schema: ")


def test_every_kind_of_response_validates(uk: Engine) -> None:
    """A red declaration inspected, assessed, paid, released; a yellow one cancelled."""
    flow = Flow(uk, T0)
    stated = read_wco_declaration(SAMPLE, "s.xml")
    assert stated.declarant.value is not None
    declarant = stated.declarant.value
    lodged = lodge_stated(
        uk, stated, file="s.xml", actor=declarant, at=flow.tick(), options=OPTIONS
    )
    red = lodged.declaration.declaration_id
    flow.assess(red, Channel.RED)
    flow.inspect(red)
    duties = flow.duties(red)
    from dostyk.services import payments

    payments.record_payment(uk, red, duties.total, "KZ-TRS-1", actor=declarant, at=flow.tick())
    flow.release(red)
    answers = responses(read_declaration(uk, red))
    assert [a.answer.value for a in answers] == [
        "DMSRCV",
        "DMSACC",
        "DMSCTL",
        "DMSRES",
        "DMSTAX",
        "DMSCLE",
    ]
    body = wco_responses(answers)
    shared_notification_schema().validate(fromstring(body))
    tax = fromstring(body).findall("{urn:wco:datamodel:WCO:RES-DMS:2}Response")[4]
    amounts = [e.text for e in tax.iter("{urn:wco:datamodel:WCO:RES-DMS:2}TaxAssessedAmount")]
    assert amounts == [f"{v:.2f}" for line in duties.lines for v in (line.duty, line.vat)]

    other = read_wco_declaration((SAMPLES / "TT_IM016a.xml").read_bytes(), "TT_IM016a.xml")
    assert other.declarant.value is not None
    second = lodge_stated(
        uk, other, file="b.xml", actor=other.declarant.value, at=flow.tick(), options=OPTIONS
    ).declaration.declaration_id
    flow.assess(second, Channel.YELLOW)
    declarations.cancel(
        uk, second, actor=other.declarant.value, at=flow.tick(), reason="Sent in error"
    )
    answers = responses(read_declaration(uk, second))
    assert [a.answer.value for a in answers] == ["DMSRCV", "DMSACC", "DMSDOC", "DMSINV"]
    shared_notification_schema().validate(fromstring(wco_responses(answers)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(SAMPLE)), st.binary(max_size=40))
def test_wco_parser_fuzz_only_refuses_cleanly(cut: int, junk: bytes) -> None:
    mutated = SAMPLE[:cut] + junk + SAMPLE[cut + len(junk) :]
    try:
        read_wco_declaration(mutated, "f.xml")
    except DocumentRejected as refused:
        assert refused.errors and all(e.file == "f.xml" for e in refused.errors)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_wco_parser_fuzz_on_any_text(text: str) -> None:
    try:
        read_wco_declaration(("<" + text).encode("utf-8", "surrogatepass"), Path("t.xml").name)
    except DocumentRejected as refused:
        assert refused.errors
