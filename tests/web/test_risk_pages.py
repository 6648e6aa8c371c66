"""The risk analyst's page and its JSON twin, its charts, who may see it, and the explanation of
a declaration's channel shown to officers but not to its broker."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel
from dostyk.services import risk_admin
from dostyk.services.selectivity import assess_risk
from tests.services import world as w
from tests.web.app_world import sign_in

JSON = {"accept": "application/json"}


def traffic(engine: Engine) -> None:
    """D1 red by a rule and inspected with nothing found; D2 assessed by the active selector."""
    flow = w.Flow(engine)
    flow.to_payment(w.lodging(1), Channel.RED)
    flow.lodge(w.lodging(2))
    assess_risk(
        engine, "D2", risk_admin.active_selector(engine, None), actor="system", at=flow.tick()
    )


def charts(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="risk-charts">(.*?)</script>', html, re.S
    )
    assert found, "the page carries its charts as JSON"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_the_analyst_sees_profiles_models_and_channels_with_a_json_twin(
    client: TestClient, web_engine: Engine
) -> None:
    traffic(web_engine)
    sign_in(client, "analyst")
    page = client.get("/risk")
    assert page.status_code == 200
    assert '<strong id="active-rules">rules:v1</strong>' in page.text
    assert '<a href="/risk" aria-current="page">Risk</a>' in page.text
    twin = client.get("/risk", headers=JSON)
    api = client.get("/api/v1/risk")
    assert twin.status_code == api.status_code == 200
    assert twin.json() == api.json()
    data = api.json()
    assert data["active"] == {"rules": "rules:v1", "model": None}
    assert [p["version"] for p in data["profiles"]] == ["rules:v1"]
    assert data["channels"]["red"]["inspected"] == 1
    assert data["channels"]["red"]["hit_rate"] == 0.0
    figures = charts(page.text)["figures"]
    assert [f["element"] for f in figures] == ["risk-channels", "risk-revenue", "risk-weeks"]
    assert figures == data["charts"]


def test_the_page_is_for_the_risk_analyst_and_a_post_is_checked(client: TestClient) -> None:
    sign_in(client, "broker")
    assert client.get("/api/v1/risk").status_code == 403
    sign_in(client, "analyst")
    assert client.get("/api/v1/risk?post=DST").json()["post"] == "DST"
    assert client.get("/api/v1/risk?post=dst").status_code == 422


def test_officers_see_why_a_declaration_was_selected_its_broker_does_not(
    client: TestClient, web_engine: Engine
) -> None:
    traffic(web_engine)
    sign_in(client, "officer")
    record = client.get("/api/v1/declarations/D2").json()
    [decision] = record["risk_decisions"]
    assert decision["rule_versions"]
    assert all(v.startswith("rules:v1/") for v in decision["rule_versions"])
    page = client.get("/declarations/D2")
    assert "Why it was selected" in page.text and decision["rule_versions"][0] in page.text
    sign_in(client, "broker")
    seen = client.get("/api/v1/declarations/D2")
    assert seen.status_code == 200
    assert "risk_decisions" not in seen.json()
    broker_page = client.get("/declarations/D2")
    assert broker_page.status_code == 200
    assert "Why it was selected" not in broker_page.text
