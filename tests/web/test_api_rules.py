"""The API's promises: idempotent lodgement, every reason given, fields named, reach kept."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from tests.web.api_calls import CROSSING, Api, declaration_document


def test_the_same_document_again_answers_200_with_the_declaration_first_lodged(
    client: TestClient,
) -> None:
    api = Api.on(client, "broker")
    first = api.post("broker", "/declarations", declaration_document(1))
    assert first.status_code == 201
    assert first.headers["location"] == "/api/v1/declarations/D-API-1"
    again = api.post("broker", "/declarations", declaration_document(1))
    assert again.status_code == 200
    assert again.json()["new"] is False
    assert again.json()["declaration"] == first.json()["declaration"]
    changed = declaration_document(1)
    changed["items"][0]["customs_value"] = "1.00"
    refused = api.post("broker", "/declarations", changed)
    assert refused.status_code == 422
    assert "REF-API-1 is taken by declaration D-API-1" in refused.json()["errors"][0]["detail"]
    page = api.get("broker", "/declarations").json()
    assert [d["declaration_id"] for d in page["declarations"]] == ["D-API-1"]


def test_a_rejected_lodgement_is_recorded_and_answered_422_with_every_reason(
    client: TestClient,
) -> None:
    api = Api.on(client, "broker", "officer")
    assert api.post("officer", "/crossings", CROSSING).status_code == 201
    empty = declaration_document(3)
    empty["units"] = ["X-TR9-1"]
    answer = api.post("broker", "/declarations", empty)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"] == "/problems/rejected" and body["accepted"] is False
    assert any("crossed empty" in reason for reason in body["reasons"])
    assert [e["detail"] for e in body["errors"]] == body["reasons"]
    recorded = api.get("broker", "/declarations/D-API-3/status").json()
    assert recorded["status"] == "rejected"


def test_every_error_in_a_document_is_named_by_its_json_path(client: TestClient) -> None:
    api = Api.on(client, "broker")
    bad = declaration_document(1, lodged_at="2025-03-01T00:00:00Z")
    bad["items"][0]["customs_value"] = "180000.005"
    bad["items"][0]["colour"] = "red"
    answer = api.post("broker", "/declarations", bad)
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields == {"declaration.lodged_at", "items[0].customs_value", "items[0].colour"}
    broken = api.post("broker", "/declarations", text='{"declaration": ')
    assert broken.status_code == 422
    assert broken.json()["errors"][0]["detail"].startswith("not JSON")
    assert api.get("broker", "/declarations", limit=0).json()["errors"][0]["field"] == "limit"
    assert api.get("broker", "/declarations", cursor="!!").status_code == 422
    nothing = api.get("broker", "/declarations")
    assert nothing.json() == {"declarations": [], "next_cursor": None}


def test_pages_of_declarations_follow_their_cursor(client: TestClient) -> None:
    api = Api.on(client, "broker", "officer")
    for n in (1, 2, 3):
        assert api.post("broker", "/declarations", declaration_document(n)).status_code == 201
    first = api.get("officer", "/declarations", limit=2, post="DST").json()
    assert [d["declaration_id"] for d in first["declarations"]] == ["D-API-1", "D-API-2"]
    rest = api.get("officer", "/declarations", limit=2, cursor=first["next_cursor"]).json()
    assert [d["declaration_id"] for d in rest["declarations"]] == ["D-API-3"]
    assert rest["next_cursor"] is None
    accepted = api.get("officer", "/declarations", status="accepted").json()
    assert len(accepted["declarations"]) == 3
    later = api.get("officer", "/declarations", **{"from": "2030-01-01T00:00:00Z"}).json()
    assert later["declarations"] == []


def test_reach_another_brokers_declaration_is_404_and_another_posts_queue_403(
    client: TestClient,
) -> None:
    api = Api.on(client, "broker", "other-broker", "officer", "khorgos-chief")
    assert api.post("broker", "/declarations", declaration_document(1)).status_code == 201
    for path in ("", "/status", "/history", "/channel", "/queue-position", "/duties", "/proof"):
        theirs = api.get("other-broker", f"/declarations/D-API-1{path}")
        assert theirs.status_code == 404, path
    assert api.get("other-broker", "/declarations").json()["declarations"] == []
    assert api.post("other-broker", "/declarations/D-API-1/cancellation").status_code == 404
    assert api.get("officer", "/posts/DST/queues").status_code == 200
    assert api.get("officer", "/posts/KHR/queues").status_code == 403
    assert api.get("khorgos-chief", "/posts/DST/queues").status_code == 403
    assert api.post("khorgos-chief", "/declarations/D-API-1/assessment").status_code == 404
    assert api.get("broker", "/posts/DST/queues").status_code == 403
    assert api.post("officer", "/declarations", declaration_document(2)).status_code == 403
    cancelled = api.post("broker", "/declarations/D-API-1/cancellation", {"reason": "sold"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"


def test_a_token_scoped_to_a_party_reads_only_that_partys_declarations(
    client: TestClient,
) -> None:
    from tests.web.api_calls import token

    engine = client.app.state.engine  # type: ignore[attr-defined]
    api = Api.on(client, "broker")
    api.tokens["brk1-system"] = token(engine, "broker", party_id="BRK1")
    api.tokens["brk2-system"] = token(engine, "other-broker", party_id="BRK2")
    assert api.post("brk1-system", "/declarations", declaration_document(1)).status_code == 201
    assert api.get("brk1-system", "/declarations/D-API-1").status_code == 200
    assert api.get("brk2-system", "/declarations/D-API-1").status_code == 404
    lodged_for_other = api.post(
        "brk2-system", "/declarations", declaration_document(2)
    )  # a declarant lodges for himself
    assert lodged_for_other.status_code == 403
    assert json.loads(lodged_for_other.text)["type"] == "/problems/forbidden"
