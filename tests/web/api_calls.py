"""Calling the REST API as systems do: a bearer token per account, and the app's clock moved on.

Each step of a lifecycle is taken a minute after the one before, as at a real post, by the
account whose job it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from dostyk.domain.accounts import Role
from dostyk.services import accounts
from tests.web.app_world import NOW, PASSWORD


@dataclass
class Clock:
    """The app's clock, moved on a minute per step."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def tick(self, minutes: int = 1) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now


def token(
    engine: Engine, username: str, *, party_id: str | None = None, post_code: str | None = None
) -> str:
    secret, _ = accounts.issue_token(
        engine,
        username,
        label=f"{username}'s system",
        party_id=party_id,
        post_code=post_code,
        actor="system",
        at=NOW,
    )
    return secret


def add_inspector_one(engine: Engine) -> None:
    """IN-DST1 as an inspector's account, so that either inspector drawn can work."""
    accounts.add_account(
        engine,
        "inspector-1",
        Role.INSPECTOR,
        officer_id="IN-DST1",
        display_name="IN-DST1 of the test world",
        password=PASSWORD,
        actor="system",
        at=NOW - timedelta(days=1),
    )


@dataclass
class Api:
    """The API on one client, each call as one account (by its bearer token)."""

    client: TestClient
    clock: Clock = field(default_factory=Clock)
    tokens: dict[str, str] = field(default_factory=dict)

    @classmethod
    def on(cls, client: TestClient, *usernames: str) -> Api:
        engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
        clock = Clock()
        client.app.state.clock = clock  # type: ignore[attr-defined]
        return cls(client, clock, {name: token(engine, name) for name in usernames})

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def get(self, who: str, path: str, **params: Any) -> Response:
        answer: Response = self.client.get(
            f"/api/v1{path}", params=params, headers=self.headers(who)
        )
        return answer

    def post(self, who: str, path: str, body: Any = None, *, text: str | None = None) -> Response:
        self.clock.tick()
        headers = {**self.headers(who), "Content-Type": "application/json"}
        content = text if text is not None else ("" if body is None else json.dumps(body))
        answer: Response = self.client.post(f"/api/v1{path}", content=content, headers=headers)
        return answer


def declaration_document(n: int, **changes: Any) -> dict[str, Any]:
    """Toys for IMP1 in railcar n of the world's train, line n of its waybill."""
    head = {
        "declaration_id": f"D-API-{n}",
        "kind": "import",
        "post_code": "DST",
        "declarant_id": "BRK1",
        "reference": f"REF-API-{n}",
        "importer_id": "IMP1",
        "exporter_id": "EXP1",
        "manifest_id": "M1",
    }
    item = {
        "item_no": 1,
        "commodity_code": "9503000000",
        "description": "Toys: plastic construction sets",
        "origin": "CN",
        "quantity": "38000",
        "unit": "KGM",
        "gross_mass_kg": 40000.0,
        "net_mass_kg": 38000.0,
        "customs_value": "20000.00",
        "currency": "USD",
        "exchange_rate": "500",
        "manifest_line_no": n,
    }
    return {"declaration": {**head, **changes}, "items": [item], "units": [f"X-RC{n}"]}


CROSSING = {
    "movement": {
        "crossing_id": "X-TR9",
        "post_code": "DST",
        "conveyance_id": "TR9",
        "direction": "in",
        "crossed_at": "2025-03-01T03:30:00Z",
        "laden": True,
    },
    "units": [
        {"crossing_id": "X-TR9-1", "conveyance_id": "RC9", "laden": False, "gross_mass_kg": 23600.0}
    ],
    "conveyances": [
        {"conveyance_id": "TR9", "kind": "train", "registration": "2TE10U-0909", "country": "KZ"},
        {
            "conveyance_id": "RC9",
            "kind": "railcar",
            "registration": "50000009",
            "country": "KZ",
            "carrier_id": "KTZ",
            "tare_mass_kg": 23500.0,
        },
    ],
}
