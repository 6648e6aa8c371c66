"""A declaration's whole life through the REST API only, green and red, on both back ends."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from dostyk.services.ledger import ensure_signing_key
from tests.web.api_calls import CROSSING, Api, add_inspector_one, declaration_document

STAFF = ("broker", "officer", "inspector", "inspector-1", "supervisor")


def _api(client: TestClient) -> Api:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    add_inspector_one(engine)
    return Api.on(client, *STAFF)


def _override(api: Api, declaration_id: str, to: str) -> None:
    asked = api.post(
        "inspector",
        f"/declarations/{declaration_id}/overrides",
        {"to_channel": to, "reason": "Anonymous tip about the load of this railcar"},
    )
    assert asked.status_code == 201, asked.text
    override = asked.json()
    assert override["decision"] == "pending" and override["requested_by"] == "IN-DST2"
    decided = api.post(
        "supervisor",
        f"/supervision/overrides/{override['override_id']}/decision",
        {"decision": "approve"},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["decision"] == "approved"
    channel = api.get("broker", f"/declarations/{declaration_id}/channel").json()
    assert channel["channel"] == to
    assert [o["override_id"] for o in channel["overrides"]] == [override["override_id"]]


def _pay_and_release(api: Api, declaration_id: str) -> Decimal:
    duties = api.post("officer", f"/declarations/{declaration_id}/duties")
    assert duties.status_code == 200, duties.text
    total = duties.json()["total"]
    assert api.get("broker", f"/declarations/{declaration_id}/duties").json() == duties.json()
    paid = api.post(
        "broker",
        f"/declarations/{declaration_id}/payments",
        {"amount": total, "reference": f"KZ-TRS-{declaration_id}"},
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["amount"] == total
    position = api.get("broker", f"/declarations/{declaration_id}/queue-position").json()
    assert (position["queue"], position["position"], position["ahead"]) == ("release", 1, 0)
    released = api.post("supervisor", f"/declarations/{declaration_id}/release")
    assert released.status_code == 200, released.text
    assert released.json()["declaration"]["status"] == "released"
    assert released.json()["queue_exception"] is None
    return Decimal(total)


def test_a_red_lifecycle_through_the_api_on_both_back_ends(pg_client: TestClient) -> None:
    api = _api(pg_client)
    registered = api.post("officer", "/crossings", CROSSING)
    assert registered.status_code == 201, registered.text
    assert registered.json()["conveyances_added"] == ["TR9", "RC9"]
    lodged = api.post("broker", "/declarations", declaration_document(2))
    assert lodged.status_code == 201, lodged.text
    assert lodged.json()["accepted"] and lodged.json()["reasons"] == []
    assessed = api.post("officer", "/declarations/D-API-2/assessment")
    assert assessed.status_code == 200, assessed.text
    first = assessed.json()["channel"]
    _override(api, "D-API-2", "yellow" if first == "red" else "red")
    drawn = api.post("officer", "/declarations/D-API-2/inspections")
    assert drawn.status_code == 200, drawn.text
    inspection = drawn.json()
    other = "IN-DST2" if inspection["inspector_id"] == "IN-DST1" else "IN-DST1"
    handed = api.post(
        "supervisor",
        f"/supervision/inspections/{inspection['inspection_id']}/reassignment",
        {"to": other, "reason": "The drawn inspector is at the weighbridge all morning"},
    )
    assert handed.status_code == 200, handed.text
    assert handed.json()["reassigned_from"] == inspection["inspector_id"]
    inspector = "inspector" if other == "IN-DST2" else "inspector-1"
    path = f"/inspections/{inspection['inspection_id']}"
    assert api.post(inspector, f"{path}/start", {}).status_code == 200
    findings = {
        "findings": [
            {
                "finding_no": 1,
                "kind": "undervaluation",
                "description": "Invoice in the railcar shows USD 25,000",
                "extra_duty": "250000.00",
                "item_no": 1,
            }
        ]
    }
    finished = api.post(inspector, f"{path}/finish", findings)
    assert finished.status_code == 200, finished.text
    assert finished.json()["findings"][0]["extra_duty"] == "250000.00"
    assert finished.json()["findings"][0]["seized"] is False
    total = _pay_and_release(api, "D-API-2")
    assert total > Decimal("250000.00")
    steps = api.get("broker", "/declarations/D-API-2/history").json()["status_changes"]
    assert [s["to_status"] for s in steps] == [
        "lodged",
        "accepted",
        "assessed",
        "assessed",  # the approved override, a step that names it
        "under_inspection",
        "inspected",
        "duties_assessed",
        "paid",
        "released",
    ]
    status = api.get("broker", "/declarations/D-API-2/status").json()
    assert status["status"] == "released" and status["since"] == steps[-1]["at"]
    reconciled = api.post("officer", "/crossings/X-TR9/reconciliation")
    assert reconciled.status_code == 200, reconciled.text
    assert reconciled.json()["movement_crossing_id"] == "X-TR9"


def test_a_green_lifecycle_and_the_ledger_proves_it(client: TestClient) -> None:
    api = _api(client)
    ensure_signing_key(client.app.state.settings.key_dir)  # type: ignore[attr-defined]
    before = api.get("broker", "/ledger").json()["tree_head"]
    assert api.post("broker", "/declarations", declaration_document(1)).status_code == 201
    assessed = api.post("supervisor", "/declarations/D-API-1/assessment").json()
    if assessed["channel"] != "green":
        _override(api, "D-API-1", "green")
    _pay_and_release(api, "D-API-1")
    record = api.get("broker", "/declarations/D-API-1").json()
    assert record["declaration"]["status"] == "released"
    assert record["payments"][0]["reference"] == "KZ-TRS-D-API-1"
    proof = api.get("broker", "/declarations/D-API-1/proof")
    assert proof.status_code == 200, proof.text
    assert proof.json()["entry"]["table"] == "declarations"
    after = api.get("broker", "/ledger").json()["tree_head"]
    assert after["tree_size"] > before["tree_size"]
    consistency = api.get(
        "broker", "/ledger/consistency", old=before["tree_size"], new=after["tree_size"]
    )
    assert consistency.status_code == 200, consistency.text
    assert api.get("broker", "/ledger/consistency", old=5, new=4).status_code == 422
