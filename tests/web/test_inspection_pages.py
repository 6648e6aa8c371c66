"""The inspector's pages: his own inspections only, starting in turn, findings, and overrides."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel
from tests.services import world as w
from tests.web.app_world import csrf, sign_in
from tests.web.inspection_world import INSPECTOR, OTHER_INSPECTOR, assessed, drawn

JSON = {"Accept": "application/json"}


def test_an_inspector_sees_only_the_inspections_drawn_for_him(
    client: TestClient, web_engine: Engine
) -> None:
    flow = w.Flow(web_engine)
    mine = drawn(flow, 1)
    theirs = drawn(flow, 2, inspector=OTHER_INSPECTOR)
    sign_in(client, "inspector")

    listing = client.get("/api/v1/inspections").json()
    assert listing["inspector_id"] == INSPECTOR
    assert [i["inspection_id"] for i in listing["inspections"]] == [mine.inspection_id]
    only = listing["inspections"][0]
    assert only["state"] == "waiting"
    assert only["declaration"]["declaration_id"] == "D1"
    assert only["declaration"]["channel"] == "red"
    assert client.get("/inspections", headers=JSON).json() == listing

    page = client.get("/inspections")
    assert page.status_code == 200
    assert mine.inspection_id in page.text
    assert theirs.inspection_id not in page.text
    other = client.get(f"/inspections/{theirs.inspection_id}")
    assert other.status_code == 404
    assert client.get(f"/api/v1/inspections/{theirs.inspection_id}").status_code == 404


def test_the_inspectors_pages_are_for_inspectors(client: TestClient) -> None:
    sign_in(client, "officer")
    assert client.get("/inspections").status_code == 403
    assert client.get("/api/v1/inspections").status_code == 403


def test_an_inspector_starts_records_several_findings_and_finishes(
    client: TestClient, web_engine: Engine
) -> None:
    inspection = drawn(w.Flow(web_engine), 1)
    sign_in(client, "inspector")
    token = csrf(client)
    path = f"/inspections/{inspection.inspection_id}"

    started = client.post(f"{path}/start", data={"csrf_token": token}, follow_redirects=False)
    assert started.status_code == 303
    assert started.headers["location"] == path
    form = client.get(path)
    assert 'id="findings-form"' in form.text
    assert "finding-3-description" in form.text  # three blank rows
    assert "finding-6-description" in client.get(f"{path}?rows=6").text

    done = client.post(
        f"{path}/finish",
        data={
            "csrf_token": token,
            "finding-1-kind": "undervaluation",
            "finding-1-item_no": "1",
            "finding-1-description": "invoice shows USD 31,000, declared 20,000",
            "finding-1-extra_duty": "1,250,000.50",
            "finding-3-kind": "undeclared_goods",
            "finding-3-description": "40 cartons of phones behind the toys",
            "finding-3-seized": "yes",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/declarations/D1"
    record = client.get("/api/v1/declarations/D1").json()
    assert record["declaration"]["status"] == "inspected"
    findings = record["inspections"][0]["findings"]
    assert [(f["finding_no"], f["kind"], f["seized"]) for f in findings] == [
        (1, "undervaluation", False),
        (2, "undeclared_goods", True),
    ]
    assert findings[0]["extra_duty"] == "1250000.50"
    assert findings[0]["item_no"] == 1
    assert client.get("/api/v1/inspections").json()["inspections"] == []


def test_a_findings_row_at_fault_is_named_and_nothing_is_recorded(
    client: TestClient, web_engine: Engine
) -> None:
    flow = w.Flow(web_engine)
    inspection = flow.start(drawn(flow, 1))
    sign_in(client, "inspector")
    answer = client.post(
        f"/inspections/{inspection.inspection_id}/finish",
        data={
            "csrf_token": csrf(client),
            "finding-1-kind": "misclassification",
            "finding-1-description": "plastic, not toys",
            "finding-2-kind": "seized goods",
            "finding-2-extra_duty": "12.345",
        },
        headers=JSON,
    )
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields == {"findings[2].kind", "findings[2].extra_duty"}
    record = client.get("/api/v1/declarations/D1").json()
    assert record["declaration"]["status"] == "under_inspection"
    assert record["inspections"][0]["findings"] == []


def test_the_clis_findings_document_can_be_uploaded(client: TestClient, web_engine: Engine) -> None:
    flow = w.Flow(web_engine)
    inspection = flow.start(drawn(flow, 1))
    sign_in(client, "inspector")
    document = {
        "findings": [
            {
                "finding_no": 1,
                "kind": "mass_discrepancy",
                "description": "weighed 43 t gross, declared 40 t",
                "extra_duty": "90000.00",
                "seized": False,
                "item_no": 1,
            }
        ]
    }
    done = client.post(
        f"/inspections/{inspection.inspection_id}/finish",
        data={"csrf_token": csrf(client)},
        files={"document": ("findings.json", json.dumps(document), "application/json")},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    findings = client.get("/api/v1/declarations/D1").json()["inspections"][0]["findings"]
    assert [(f["kind"], f["extra_duty"]) for f in findings] == [("mass_discrepancy", "90000.00")]


def test_a_broken_findings_document_is_refused_naming_its_path(
    client: TestClient, web_engine: Engine
) -> None:
    flow = w.Flow(web_engine)
    inspection = flow.start(drawn(flow, 1))
    sign_in(client, "inspector")
    broken = {"findings": [{"finding_no": 1, "kind": "bribery", "description": "x"}]}
    answer = client.post(
        f"/api/v1/inspections/{inspection.inspection_id}/finish",
        content=json.dumps(broken),
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf(client)},
    )
    assert answer.status_code == 422
    assert any(e["field"].startswith("findings[0].kind") for e in answer.json()["errors"])


def test_starting_out_of_turn_needs_a_reason_and_is_recorded(
    client: TestClient, web_engine: Engine
) -> None:
    flow = w.Flow(web_engine)
    older = drawn(flow, 1)
    younger = drawn(flow, 2)
    sign_in(client, "inspector")
    headers = {"X-CSRF-Token": csrf(client)}
    path = f"/api/v1/inspections/{younger.inspection_id}/start"

    refused = client.post(path, json={}, headers=headers)
    assert refused.status_code == 409
    assert older.declaration_id in refused.json()["detail"]
    started = client.post(path, json={"reason": "perishable fruit, cold chain"}, headers=headers)
    assert started.status_code == 200, started.text
    exception = started.json()["queue_exception"]
    assert exception["first_overtaken_id"] == older.declaration_id
    assert exception["reason"] == "perishable fruit, cold chain"


def test_another_inspectors_inspection_cannot_be_started(
    client: TestClient, web_engine: Engine
) -> None:
    theirs = drawn(w.Flow(web_engine), 1, inspector=OTHER_INSPECTOR)
    sign_in(client, "inspector")
    answer = client.post(
        f"/api/v1/inspections/{theirs.inspection_id}/start",
        json={},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert answer.status_code == 404


def test_an_inspector_requests_an_override_with_his_reason(
    client: TestClient, web_engine: Engine
) -> None:
    inspection = drawn(w.Flow(web_engine), 1)
    sign_in(client, "inspector")
    assert 'id="override-form"' in client.get(f"/inspections/{inspection.inspection_id}").text
    asked = client.post(
        "/declarations/D1/overrides",
        data={
            "csrf_token": csrf(client),
            "to_channel": "yellow",
            "reason": "documents alone settle it",
        },
        follow_redirects=False,
    )
    assert asked.status_code == 303
    overrides = client.get("/api/v1/declarations/D1").json()["overrides"]
    assert [(o["to_channel"], o["requested_by"], o["decision"]) for o in overrides] == [
        ("yellow", INSPECTOR, "pending")
    ]
    second = client.post(
        "/api/v1/declarations/D1/overrides",
        json={"to_channel": "green", "reason": "why"},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert second.status_code == 409
    assert "one request at a time" in second.json()["detail"]


def test_an_override_needs_a_written_reason(client: TestClient, web_engine: Engine) -> None:
    assessed(web_engine, 1, Channel.RED)
    sign_in(client, "officer")
    answer = client.post(
        "/api/v1/declarations/D1/overrides",
        json={"to_channel": "green", "reason": "why"},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert answer.status_code == 422
    assert "written reason" in json.dumps(answer.json())


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/inspections/I-D1-1/start", {}),
        ("/inspections/I-D1-1/finish", {"finding-1-kind": "undervaluation"}),
        ("/declarations/D1/overrides", {"to_channel": "green", "reason": "a long reason"}),
    ],
)
def test_every_inspector_form_needs_its_csrf_token(
    client: TestClient, web_engine: Engine, path: str, form: dict[str, str]
) -> None:
    drawn(w.Flow(web_engine), 1)
    sign_in(client, "inspector")
    answer = client.post(path, data=form, follow_redirects=False)
    assert answer.status_code == 403
    assert "security token" in answer.text
    assert client.get("/api/v1/declarations/D1").json()["declaration"]["status"] == "assessed"


def test_a_findings_hostile_text_is_shown_escaped(client: TestClient, web_engine: Engine) -> None:
    flow = w.Flow(web_engine)
    inspection = flow.start(drawn(flow, 1))
    sign_in(client, "inspector")
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    done = client.post(
        f"/inspections/{inspection.inspection_id}/finish",
        data={
            "csrf_token": csrf(client),
            "finding-1-kind": "misclassification",
            "finding-1-description": hostile,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get("/declarations/D1").text
    assert hostile not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
