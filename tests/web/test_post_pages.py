"""The post officer's pages: today's arrivals, registering crossings, the queues, discrepancies."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel
from dostyk.services.queue_view import read_queues
from tests.services import world as w
from tests.web.app_world import NOW, csrf, sign_in
from tests.web.inspection_world import drawn

JSON = {"Accept": "application/json"}

TRAIN: dict[str, Any] = {
    "movement": {
        "crossing_id": "X-TR9",
        "post_code": "DST",
        "conveyance_id": "TR9",
        "direction": "in",
        "crossed_at": "2025-03-01T03:30:00Z",
        "laden": True,
    },
    "units": [
        {
            "crossing_id": "X-TR9-1",
            "conveyance_id": "RC91",
            "laden": True,
            "gross_mass_kg": 63550.0,
        },
        {
            "crossing_id": "X-TR9-2",
            "conveyance_id": "RC92",
            "laden": False,
            "gross_mass_kg": 23600.0,
        },
    ],
    "conveyances": [
        {
            "conveyance_id": "TR9",
            "kind": "train",
            "registration": "2TE10U-9",
            "country": "KZ",
            "carrier_id": "KTZ",
        },
        {
            "conveyance_id": "RC91",
            "kind": "railcar",
            "registration": "50000091",
            "country": "KZ",
            "carrier_id": "KTZ",
            "tare_mass_kg": 23500.0,
        },
        {
            "conveyance_id": "RC92",
            "kind": "railcar",
            "registration": "50000092",
            "country": "KZ",
            "carrier_id": "KTZ",
            "tare_mass_kg": 23500.0,
        },
    ],
}


def arrivals(client: TestClient) -> dict[str, Any]:
    found: dict[str, Any] = client.get("/api/v1/posts/DST/arrivals").json()
    assert client.get("/posts/DST/arrivals", headers=JSON).json() == found
    return found


def test_an_officer_starts_on_the_arrivals_of_his_post(client: TestClient) -> None:
    sign_in(client, "officer")
    start = client.get("/", follow_redirects=False)
    assert start.headers["location"] == "/post"
    assert client.get("/post", follow_redirects=False).headers["location"] == "/posts/DST/arrivals"
    found = arrivals(client)
    [train] = found["movements"]
    assert (train["crossing_id"], train["kind"], train["direction"]) == ("X-TR1", "train", "in")
    assert [u["crossing_id"] for u in train["units"]] == [f"X-RC{n}" for n in range(1, 7)]
    assert all(u["laden"] and u["gross_mass_kg"] == 63_500.0 for u in train["units"])
    assert train["units"][0]["kind"] == "railcar" and train["units"][0]["tare_mass_kg"] == 23_500.0
    page = client.get("/posts/DST/arrivals").text
    assert "X-RC6" in page and 'id="truck-form"' in page and 'id="crossing-upload"' in page


def test_an_officer_registers_a_train_from_its_document(client: TestClient) -> None:
    sign_in(client, "officer")
    done = client.post(
        "/posts/DST/crossings",
        data={"csrf_token": csrf(client)},
        files={"document": ("train.json", json.dumps(TRAIN), "application/json")},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/posts/DST/arrivals"
    train = next(m for m in arrivals(client)["movements"] if m["crossing_id"] == "X-TR9")
    assert [(u["crossing_id"], u["laden"]) for u in train["units"]] == [
        ("X-TR9-1", True),
        ("X-TR9-2", False),
    ]


def test_an_officer_registers_a_new_truck_from_the_form(client: TestClient) -> None:
    sign_in(client, "officer")
    token = csrf(client)
    truck = {
        "csrf_token": token,
        "crossing_id": "X-TK1",
        "conveyance_id": "TK1",
        "direction": "out",
        "laden": "no",
        "gross_mass_kg": "14200",
        "registration": "777ABC02",
        "country": "KZ",
        "tare_mass_kg": "14000",
    }
    done = client.post("/posts/DST/crossings", data=truck, follow_redirects=False)
    assert done.status_code == 303, done.text
    moved = next(m for m in arrivals(client)["movements"] if m["crossing_id"] == "X-TK1")
    assert (moved["kind"], moved["direction"], moved["laden"]) == ("truck", "out", False)
    assert moved["crossed_at"] == "2025-03-01T04:00:00Z"  # blank: the moment of registering
    mistyped = client.post(
        "/posts/DST/crossings",
        data={**truck, "crossing_id": "X-TK2", "gross_mass_kg": "14 t"},
        headers=JSON,
    )
    assert mistyped.status_code == 422
    assert [e["field"] for e in mistyped.json()["errors"]] == ["movement.gross_mass_kg"]


def test_the_queues_page_shows_what_queue_show_shows(
    client: TestClient, web_engine: Engine
) -> None:
    flow = w.Flow(web_engine)
    drawn(flow, 1)
    w.Flow(web_engine, flow.now).to_payment(w.lodging(2), Channel.GREEN)
    sign_in(client, "officer")
    twin = client.get("/posts/DST/queues", headers=JSON).json()
    assert twin == read_queues(web_engine, "DST", None, NOW).to_json()
    assert twin == client.get("/api/v1/posts/DST/queues").json()
    assert [r["declaration_id"] for r in twin["inspections"]] == ["D1"]
    assert [r["declaration_id"] for r in twin["releases"]] == ["D2"]
    page = client.get("/posts/DST/queues").text
    assert 'id="inspections-waiting"' in page and 'id="releases"' in page


def test_reconcile_now_finds_the_undeclared_railcars(client: TestClient) -> None:
    sign_in(client, "officer")
    before = client.get("/api/v1/posts/DST/discrepancies").json()
    assert before["discrepancies"] == []
    done = client.post(
        "/posts/DST/reconciliation", data={"csrf_token": csrf(client)}, follow_redirects=False
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/posts/DST/discrepancies"
    found = client.get("/api/v1/posts/DST/discrepancies").json()
    assert client.get("/posts/DST/discrepancies", headers=JSON).json() == found
    kinds = sorted((d["kind"], d["crossing_id"]) for d in found["discrepancies"])
    assert ("undeclared_unit", "X-RC1") in kinds
    assert len([k for k, _ in kinds if k == "undeclared_unit"]) == 6
    client.post("/posts/DST/reconciliation", data={"csrf_token": csrf(client)})
    again = client.get("/api/v1/posts/DST/discrepancies").json()
    assert again == found  # found again, not added twice
    assert "Reconcile now" in client.get("/posts/DST/discrepancies").text


def test_another_posts_pages_are_refused(client: TestClient) -> None:
    sign_in(client, "officer")
    token = csrf(client)
    for path in ("/posts/KHR/arrivals", "/posts/KHR/queues", "/posts/KHR/discrepancies"):
        assert client.get(path).status_code == 403, path
    assert client.get("/api/v1/posts/KHR/arrivals").status_code == 403
    assert client.get("/api/v1/posts/KHR/discrepancies").status_code == 403
    assert client.get("/api/v1/posts/KHR/queues").status_code == 403
    registered = client.post(
        "/posts/KHR/crossings",
        data={"csrf_token": token, "crossing_id": "X-K", "conveyance_id": "TR1", "direction": "in"},
    )
    assert registered.status_code == 403
    reconciled = client.post("/posts/KHR/reconciliation", data={"csrf_token": token})
    assert reconciled.status_code == 403


def test_a_document_for_another_post_is_refused(client: TestClient) -> None:
    sign_in(client, "officer")
    elsewhere = {**TRAIN, "movement": {**TRAIN["movement"], "post_code": "KHR"}}
    refused = client.post(
        "/posts/DST/crossings",
        data={"csrf_token": csrf(client)},
        files={"document": ("train.json", json.dumps(elsewhere), "application/json")},
        headers=JSON,
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "movement.post_code"


def test_every_post_form_needs_its_csrf_token(client: TestClient) -> None:
    sign_in(client, "officer")
    for path in ("/posts/DST/crossings", "/posts/DST/reconciliation"):
        refused = client.post(path, data={"crossing_id": "X"}, follow_redirects=False)
        assert refused.status_code == 403, path
        assert "security token" in refused.text


def test_a_broker_has_no_post_pages(client: TestClient) -> None:
    sign_in(client, "broker")
    assert client.get("/posts/DST/arrivals").status_code == 403
    assert client.get("/post").status_code == 403
