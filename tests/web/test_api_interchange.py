"""The standards API: a broker's system posts WCO XML and EDIFACT, and reads the responses."""

from __future__ import annotations

from dataclasses import replace

from defusedxml.ElementTree import fromstring
from fastapi.testclient import TestClient
from httpx import Response

from dostyk.interchange.edifact.cusdec import build_cusdec
from dostyk.interchange.json_documents import DeclarationDocument
from tests.interchange.wco_world import SAMPLES
from tests.services.world import lodging
from tests.web.api_calls import Api

R = "{urn:wco:datamodel:WCO:RES-DMS:2}"


def wco_for_brk1(railcar: str = "RC5") -> bytes:
    """TT_IM001d as BRK1 would send it at Dostyk: its traders, post, railcar and tenge."""
    text = (SAMPLES / "TT_IM001d.xml").read_text(encoding="utf-8")
    for old, new in (
        ("GB603202734852", "BRK1"),
        ("GB553202734852", "IMP1"),
        ("WLALONBTW", "DST"),
        ("AD12345", railcar),
        ('currencyID="GBP"', 'currencyID="KZT"'),
    ):
        text = text.replace(old, new)
    return text.encode("utf-8")


def post(api: Api, who: str, path: str, body: bytes, media: str) -> Response:
    headers = {**api.headers(who), "Content-Type": media}
    answer: Response = api.client.post(f"/api/v1/interchange{path}", content=body, headers=headers)
    return answer


def codes(body: bytes) -> list[str | None]:
    return [e.text for e in fromstring(body).iter(f"{R}FunctionCode")]


def test_a_broker_lodges_wco_xml_and_reads_the_responses(client: TestClient) -> None:
    api = Api.on(client, "broker", "officer", "other-broker")
    first = post(api, "broker", "/wco", wco_for_brk1(), "application/xml")
    assert first.status_code == 201, first.text
    assert first.headers["content-type"].startswith("application/xml")
    assert codes(first.content) == ["02", "01"]
    again = post(api, "broker", "/wco", wco_for_brk1(), "application/xml")
    assert again.status_code == 200 and codes(again.content) == ["02", "01"]
    location = first.headers["location"]
    declaration_id = location.split("/")[-2]
    assert declaration_id == "D-BRK1-TT_IM01d_v1.6_230322_1"
    wco = api.client.get(location, headers=api.headers("officer"))
    assert wco.status_code == 200 and codes(wco.content) == ["02", "01"]
    edifact = api.client.get(location, params={"format": "cusres"}, headers=api.headers("broker"))
    assert edifact.status_code == 200 and "BGM+962:::DMSACC" in edifact.text
    other = api.client.get(location, headers=api.headers("other-broker"))
    assert other.status_code == 404


def test_a_broker_cannot_lodge_in_anothers_name(client: TestClient) -> None:
    api = Api.on(client, "other-broker")
    answer = post(api, "other-broker", "/wco", wco_for_brk1(), "application/xml")
    assert answer.status_code == 403
    assert "a declarant lodges for himself" in answer.json()["detail"]


def test_unreadable_xml_is_answered_with_its_place(client: TestClient) -> None:
    api = Api.on(client, "broker")
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "bbbbbbbb">]><a>&b;</a>'
    answer = post(api, "broker", "/wco", bomb, "application/xml")
    assert answer.status_code == 422
    assert "document type declaration" in answer.text
    broken = post(api, "broker", "/wco", wco_for_brk1()[:-40], "application/xml")
    assert broken.status_code == 422 and "not well-formed XML" in broken.text


def test_a_broker_lodges_cusdec(client: TestClient) -> None:
    api = Api.on(client, "broker")
    lodged = lodging(6, manifest_id=None)
    items = tuple(replace(i, manifest_line_no=None) for i in lodged.items)
    text = build_cusdec(DeclarationDocument(lodged.declaration, items, lodged.units), ["RC6"])
    answer = post(api, "broker", "/edifact", text.encode(), "text/plain")
    assert answer.status_code == 201, answer.text
    [message] = answer.json()["messages"]
    assert message["status"] == "accepted" and message["declaration_id"] == "D-BRK1-REF-0006"
    no_uns = text.replace("UNS+D'\n", "").replace("UNT+17+1", "UNT+16+1")
    wrong = post(api, "broker", "/edifact", no_uns.encode(), "text/plain")
    assert wrong.status_code == 422
    [error] = wrong.json()["errors"]
    assert error == {
        "field": "segment 10 (CST)",
        "detail": "CUSDEC: mandatory UNS is missing in CUSDEC; found CST",
    }
