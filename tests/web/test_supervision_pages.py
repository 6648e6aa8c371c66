"""The supervisor's pages: four eyes on overrides, reassignments with reasons, out-of-turn work."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel
from dostyk.services import overrides
from tests.services import world as w
from tests.web.app_world import NOW, csrf, sign_in
from tests.web.inspection_world import INSPECTOR, OTHER_INSPECTOR, assessed, drawn

JSON = {"Accept": "application/json"}


def requested(engine: Engine, n: int = 1, by: str = INSPECTOR, reason: str = "") -> str:
    """D<n> assessed red, with an override to green requested by ``by``; the override's id."""
    declaration_id = assessed(engine, n, Channel.RED)
    asked = overrides.request_override(
        engine,
        declaration_id,
        Channel.GREEN,
        reason or "the same importer's toys, cleared weekly",
        actor=by,
        at=NOW,
    )
    return asked.override_id


def post_of(board: dict[str, Any], code: str) -> dict[str, Any]:
    """One post's part of the supervision board."""
    found: dict[str, Any] = next(p for p in board["posts"] if p["post_code"] == code)
    return found


def test_a_supervisor_sees_an_override_with_its_reason_and_approves_it(
    client: TestClient, web_engine: Engine
) -> None:
    override_id = requested(web_engine)
    sign_in(client, "supervisor")
    assert client.get("/", follow_redirects=False).headers["location"] == "/supervision"
    page = client.get("/supervision")
    assert page.status_code == 200
    assert "the same importer&#39;s toys, cleared weekly" in page.text
    board = client.get("/api/v1/supervision").json()
    assert client.get("/supervision", headers=JSON).json() == board
    pending = post_of(board, "DST")["pending_overrides"]
    assert [(o["override_id"], o["decidable"], o["own_request"]) for o in pending] == [
        (override_id, True, False)
    ]

    done = client.post(
        f"/supervision/overrides/{override_id}/decision",
        data={"csrf_token": csrf(client), "decision": "approve"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/supervision"
    record = client.get("/api/v1/declarations/D1").json()
    assert record["declaration"]["channel"] == "green"
    assert record["overrides"][0]["decided_by"] == w.SUPERVISOR.officer_id
    last = record["status_changes"][-1]
    assert last["actor"] == w.SUPERVISOR.officer_id
    assert override_id in last["reason"]
    assert post_of(client.get("/api/v1/supervision").json(), "DST")["pending_overrides"] == []


def test_a_supervisor_refuses_and_the_channel_stays(client: TestClient, web_engine: Engine) -> None:
    override_id = requested(web_engine)
    sign_in(client, "chief")
    done = client.post(
        f"/api/v1/supervision/overrides/{override_id}/decision",
        json={"decision": "refuse"},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert done.status_code == 200, done.text
    assert done.json()["decision"] == "refused"
    assert client.get("/api/v1/declarations/D1").json()["declaration"]["channel"] == "red"


def test_nobody_approves_his_own_request(client: TestClient, web_engine: Engine) -> None:
    override_id = requested(web_engine, by=w.SUPERVISOR.officer_id)
    sign_in(client, "supervisor")
    page = client.get("/supervision")
    assert "Your own request: another superior decides it." in page.text
    refused = client.post(
        f"/supervision/overrides/{override_id}/decision",
        data={"csrf_token": csrf(client), "decision": "approve"},
    )
    assert refused.status_code == 403
    assert f"{w.SUPERVISOR.officer_id} requested override {override_id}" in refused.text
    assert "nobody decides his own request" in refused.text
    twin = client.post(
        f"/api/v1/supervision/overrides/{override_id}/decision",
        json={"decision": "approve"},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert twin.status_code == 403
    assert twin.json()["detail"].endswith("nobody decides his own request")
    assert client.get("/api/v1/declarations/D1").json()["declaration"]["channel"] == "red"


def test_a_supervisor_outside_the_requesters_chain_is_refused(
    client: TestClient, web_engine: Engine
) -> None:
    override_id = requested(web_engine, by=w.NIGHT_INSPECTOR.officer_id)
    sign_in(client, "supervisor")  # SS-DST1 is not above IN-DST3 (SS-DST2's inspector)
    pending = post_of(client.get("/api/v1/supervision").json(), "DST")["pending_overrides"]
    assert pending[0]["decidable"] is False
    refused = client.post(
        f"/api/v1/supervision/overrides/{override_id}/decision",
        json={"decision": "approve"},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert refused.status_code == 403
    assert "not in the chain of command" in refused.json()["detail"]


def test_a_supervisor_of_another_post_is_refused(client: TestClient, web_engine: Engine) -> None:
    override_id = requested(web_engine)
    sign_in(client, "khorgos-chief")
    assert client.get("/supervision?post=DST").status_code == 403
    assert client.get("/api/v1/supervision?post=DST").status_code == 403
    own = client.get("/api/v1/supervision").json()
    assert [p["post_code"] for p in own["posts"]] == ["KHR"]
    refused = client.post(
        f"/api/v1/supervision/overrides/{override_id}/decision",
        json={"decision": "approve"},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert refused.status_code == 404  # as if it did not exist, like its declaration
    assert refused.json()["detail"] == f"no override {override_id}"
    assert client.get("/api/v1/declarations/D1").status_code == 404


def test_the_supervisors_pages_are_for_supervisors(client: TestClient) -> None:
    for username in ("inspector", "officer", "broker"):
        client.cookies.clear()
        sign_in(client, username)
        assert client.get("/supervision").status_code == 403, username


def test_a_supervisor_reassigns_with_a_reason_and_the_reason_is_shown(
    client: TestClient, web_engine: Engine
) -> None:
    flow = w.Flow(web_engine)
    lodged = w.lodging(1)
    flow.lodge(lodged)
    flow.assess("D1", Channel.RED)
    inspection = flow.assign("D1")
    other = OTHER_INSPECTOR if inspection.inspector_id == INSPECTOR else INSPECTOR
    sign_in(client, "supervisor")
    board = post_of(client.get("/api/v1/supervision").json(), "DST")
    assert [i["inspection_id"] for i in board["waiting_inspections"]] == [inspection.inspection_id]
    assert board["inspectors_on_duty"] == [OTHER_INSPECTOR, INSPECTOR]
    path = f"/supervision/inspections/{inspection.inspection_id}/reassignment"

    short = client.post(
        path, data={"csrf_token": csrf(client), "to": other, "reason": "busy"}, headers=JSON
    )
    assert short.status_code == 422
    assert "written reason of 10 characters" in short.text
    done = client.post(
        path,
        data={"csrf_token": csrf(client), "to": other, "reason": "he <b>knows</b> this importer"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    board = post_of(client.get("/api/v1/supervision").json(), "DST")
    (moved,) = board["reassignments"]
    assert (moved["inspector_id"], moved["reassigned_from"], moved["reassigned_by"]) == (
        other,
        inspection.inspector_id,
        w.SUPERVISOR.officer_id,
    )
    page = client.get("/supervision").text
    assert "he &lt;b&gt;knows&lt;/b&gt; this importer" in page


def test_out_of_turn_services_show_who_made_them_and_why(
    client: TestClient, web_engine: Engine
) -> None:
    flow = w.Flow(web_engine)
    drawn(flow, 1)
    younger = drawn(flow, 2)
    flow.start(younger, reason="perishable <fruit>, cold chain")
    sign_in(client, "supervisor")
    (served,) = post_of(client.get("/api/v1/supervision").json(), "DST")["out_of_turn"]
    assert (served["declaration_id"], served["first_overtaken_id"], served["officer_id"]) == (
        "D2",
        "D1",
        INSPECTOR,
    )
    assert "perishable &lt;fruit&gt;, cold chain" in client.get("/supervision").text


def test_the_override_reason_is_shown_escaped(client: TestClient, web_engine: Engine) -> None:
    requested(web_engine, reason="<script>alert(1)</script> urgent release")
    sign_in(client, "supervisor")
    page = client.get("/supervision").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; urgent release" in page


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/supervision/overrides/O-D1-1/decision", {"decision": "approve"}),
        ("/supervision/inspections/I-D1-1/reassignment", {"to": "IN-DST1", "reason": "x" * 12}),
    ],
)
def test_every_supervisor_form_needs_its_csrf_token(
    client: TestClient, web_engine: Engine, path: str, form: dict[str, str]
) -> None:
    requested(web_engine)
    sign_in(client, "supervisor")
    answer = client.post(path, data=form, follow_redirects=False)
    assert answer.status_code == 403
    assert "security token" in answer.text
    assert client.get("/api/v1/declarations/D1").json()["overrides"][0]["decision"] == "pending"


def test_the_open_work_reads_alike_on_both_back_ends(pg_client: TestClient, world: Engine) -> None:
    flow = w.Flow(world)
    drawn(flow, 1)
    younger = drawn(flow, 2)
    flow.start(younger, reason="perishable fruit, cold chain")
    requested(world, 3)
    sign_in(pg_client, "supervisor")
    board = post_of(pg_client.get("/api/v1/supervision").json(), "DST")
    assert [o["declaration_id"] for o in board["pending_overrides"]] == ["D3"]
    assert [i["declaration"]["declaration_id"] for i in board["waiting_inspections"]] == ["D1"]
    assert [e["declaration_id"] for e in board["out_of_turn"]] == ["D2"]
    pg_client.cookies.clear()
    sign_in(pg_client, "inspector")
    mine = pg_client.get("/api/v1/inspections").json()["inspections"]
    assert [(i["declaration"]["declaration_id"], i["state"]) for i in mine] == [
        ("D1", "waiting"),
        ("D2", "in progress"),
    ]
