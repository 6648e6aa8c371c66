"""The ledger's pages: its signed head, a declaration's proof to download, consistency proofs."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel
from dostyk.ledger.heads import (
    SignedTreeHead,
    check_consistency_proof,
    check_inclusion_proof,
    verify_tree_head,
)
from dostyk.services.ledger import PUBLIC_KEY, load_public_key
from tests.services import world as w
from tests.web.app_world import sign_in
from tests.web.inspection_world import assessed, drawn

JSON = {"Accept": "application/json"}


def public_key(client: TestClient) -> bytes:
    """The log's public key from its file, as `dostyk ledger check` reads it."""
    key_dir = client.app.state.settings.key_dir  # type: ignore[attr-defined]
    return load_public_key(key_dir / PUBLIC_KEY)


def test_anyone_signed_in_sees_the_signed_head(client: TestClient, web_engine: Engine) -> None:
    assessed(web_engine, 1)
    sign_in(client, "broker")
    page = client.get("/ledger")
    assert page.status_code == 200
    twin = client.get("/api/v1/ledger").json()
    assert client.get("/ledger", headers=JSON).json() == twin
    head = SignedTreeHead.from_json_dict(twin["tree_head"])
    assert verify_tree_head(head, public_key(client))
    assert twin["public_key"] == public_key(client).hex()
    assert twin["tree_head"]["root_hash"] in page.text
    client.cookies.clear()
    assert client.get("/api/v1/ledger").status_code == 401


def test_the_downloaded_proof_of_a_declaration_verifies(
    client: TestClient, web_engine: Engine
) -> None:
    assessed(web_engine, 1)
    sign_in(client, "broker")
    page = client.get("/declarations/D1").text
    assert 'href="/declarations/D1/proof"' in page
    download = client.get("/declarations/D1/proof")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == (
        'attachment; filename="proof-declaration-D1.json"'
    )
    document = json.loads(download.content)
    check_inclusion_proof(document, public_key(client))
    assert document["entry"]["table"] == "declarations"
    assert document["entry"]["key"] == ["D1"]
    assert client.get("/api/v1/declarations/D1/proof").json() == document


def test_a_proof_is_only_for_declarations_in_reach(client: TestClient, web_engine: Engine) -> None:
    assessed(web_engine, 1)
    sign_in(client, "other-broker")
    assert client.get("/declarations/D1/proof").status_code == 404
    assert client.get("/api/v1/declarations/D1/proof").status_code == 404
    client.cookies.clear()
    sign_in(client, "khorgos-chief")
    assert client.get("/api/v1/declarations/D1/proof").status_code == 404


def test_a_consistency_proof_links_two_heads(client: TestClient, web_engine: Engine) -> None:
    flow = w.Flow(web_engine)
    drawn(flow, 1)
    sign_in(client, "supervisor")
    old = client.get("/api/v1/ledger").json()["tree_head"]["tree_size"]
    drawn(flow, 2)
    new = client.get("/api/v1/ledger").json()["tree_head"]["tree_size"]
    assert new > old
    download = client.get(f"/ledger/consistency?old={old}&new={new}")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    check_consistency_proof(json.loads(download.content), public_key(client))
    backwards = client.get(f"/api/v1/ledger/consistency?old={new}&new={old}")
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["field"] == "new"
    unknown = client.get(f"/api/v1/ledger/consistency?old={old}&new={new + 1}")
    assert unknown.status_code == 404
    assert f"no signed head of size {new + 1}" in unknown.json()["detail"]


def test_the_declaration_page_reads_its_history_in_order(
    client: TestClient, web_engine: Engine
) -> None:
    flow = w.Flow(web_engine)
    inspection = drawn(flow, 1, channel=Channel.YELLOW)
    flow.finish(flow.start(inspection))
    sign_in(client, "broker")
    page = client.get("/declarations/D1").text
    history = page[page.index('id="history"') : page.index("</ol>", page.index('id="history"'))]
    steps = re.findall(r"<li>(.*?)</li>", history, flags=re.S)
    texts = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", step)).strip() for step in steps]
    assert [t.split(": ", 1)[1].split(" by ")[0] for t in texts] == [
        "lodged",
        "lodged → accepted",
        "accepted → assessed",
        "assessed → under inspection",
        "under inspection → inspected",
    ]
    assert texts[0].endswith("by BRK1")
    assert texts[-1].endswith(f"by {inspection.inspector_id}")
    record = client.get("/api/v1/declarations/D1").json()
    assert [s["at"] for s in record["status_changes"]] == sorted(
        s["at"] for s in record["status_changes"]
    )
    assert all(s["at"] in history for s in record["status_changes"])
