"""The radiation operator's pages and API: alarms by lane, an alarm's counts and steps, the
adjudication through the form, and the post officer's list of conveyances held."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel
from tests.services import world as w
from tests.web.app_world import csrf, sign_in
from tests.web.radiation_world import DST_ALARM, dostyk_alarm, khorgos_alarm

JSON = {"accept": "application/json"}


def charts(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="radiation-charts">(.*?)</script>', html, re.S
    )
    assert found, "the alarm's page carries its chart as JSON"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def held_declaration(engine: Engine) -> str:
    """D1, paid for the goods of railcar 1 of the train the alarm is on."""
    return w.Flow(engine).to_payment(w.lodging(1), Channel.GREEN)


def test_the_operator_sees_the_open_alarm_on_its_lane(
    client: TestClient, web_engine: Engine
) -> None:
    dostyk_alarm(web_engine)
    sign_in(client, "radiation")
    assert client.get("/", follow_redirects=False).headers["location"] == "/radiation"
    assert client.get("/radiation", follow_redirects=False).headers["location"] == (
        "/posts/DST/radiation"
    )
    page = client.get("/posts/DST/radiation")
    assert page.status_code == 200
    assert f'<a href="/radiation/alarms/{DST_ALARM}">{DST_ALARM}</a>' in page.text
    twin = client.get("/api/v1/posts/DST/radiation").json()
    assert client.get("/posts/DST/radiation", headers=JSON).json() == twin
    lanes = {lane["monitor_id"]: lane for lane in twin["lanes"]}
    assert [a["alarm_id"] for a in lanes["RPM-DST-1"]["open_alarms"]] == [DST_ALARM]
    assert lanes["RPM-DST-2"]["open_alarms"] == []
    assert twin["history"] == []


def test_the_alarm_page_draws_the_counts_per_panel(client: TestClient, web_engine: Engine) -> None:
    dostyk_alarm(web_engine)
    sign_in(client, "radiation")
    page = client.get(f"/radiation/alarms/{DST_ALARM}")
    assert page.status_code == 200
    assert '<script src="/static/plotly.min.js" defer></script>' in page.text
    figure = charts(page.text)["figures"][0]
    record = client.get(f"/api/v1/radiation/alarms/{DST_ALARM}").json()
    gross = record["occupancy"]["gross_counts"]
    assert [t["name"] for t in figure["data"]] == [
        "gamma G1",
        "gamma G2",
        "gamma G3",
        "gamma G4",
        "neutrons (all tubes)",
    ]
    assert figure["data"][0]["y"] == gross[0]
    # The source passes the middle of the occupancy: the counts peak there, well above the ends.
    assert max(gross[0][25:35]) > 2 * max(gross[0][:5])
    assert {f["algorithm"] for f in record["findings"]} == {
        "gross-count",
        "energy-window",
        "sprt",
        "neutron",
    }
    assert record["conveyance_id"] == "TR1"
    assert 'id="step-form"' in page.text


def test_the_operator_adjudicates_through_the_form_and_the_goods_go(
    client: TestClient, web_engine: Engine
) -> None:
    dostyk_alarm(web_engine)
    held = held_declaration(web_engine)
    sign_in(client, "officer")
    listing = client.get("/api/v1/posts/DST/held").json()
    assert [(h["alarm_id"], h["conveyance_id"]) for h in listing["held"]] == [(DST_ALARM, "TR1")]
    assert listing["held"][0]["declarations"] == [held]
    assert f'<a href="/declarations/{held}">{held}</a>' in client.get("/posts/DST/held").text
    # A post officer reads, but does not adjudicate.
    refused = client.post(
        f"/api/v1/radiation/alarms/{DST_ALARM}/steps",
        json={"kind": "second_pass", "confirmed": True},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert refused.status_code == 403

    client.cookies.clear()
    sign_in(client, "radiation")
    token = csrf(client)
    steps = [
        {"kind": "second_pass", "confirmed": "yes"},
        {"kind": "locate", "location": "third railcar, left side"},
        {"kind": "identify", "nuclides": "K-40, Th-232"},
        {"kind": "innocent", "disposition": "norm", "note": "ceramic tiles as declared"},
    ]
    out_of_order = client.post(
        f"/api/v1/radiation/alarms/{DST_ALARM}/steps",
        json={"kind": "identify", "nuclides": ["Cs-137"]},
        headers={"X-CSRF-Token": token},
    )
    assert out_of_order.status_code == 409
    assert (
        "a second pass through the monitor must confirm the alarm first"
        in (out_of_order.json()["detail"])
    )
    for step in steps:
        done = client.post(
            f"/radiation/alarms/{DST_ALARM}/steps",
            data={"csrf_token": token, **step},
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
    record = client.get(f"/api/v1/radiation/alarms/{DST_ALARM}").json()
    assert record["status"] == "innocent"
    assert [s["kind"] for s in record["steps"]] == [s["kind"] for s in steps]
    assert record["steps"][2]["nuclides"] == ["K-40", "Th-232"]
    assert record["steps"][3]["operator_id"] == w.NIGHT_INSPECTOR.officer_id
    board = client.get("/api/v1/posts/DST/radiation").json()
    assert [a["alarm_id"] for a in board["history"]] == [DST_ALARM]
    assert board["held"] == []
    assert 'id="step-form"' not in client.get(f"/radiation/alarms/{DST_ALARM}").text


def test_a_form_without_its_token_is_refused(client: TestClient, web_engine: Engine) -> None:
    dostyk_alarm(web_engine)
    sign_in(client, "radiation")
    refused = client.post(
        f"/radiation/alarms/{DST_ALARM}/steps", data={"kind": "second_pass", "confirmed": "yes"}
    )
    assert refused.status_code == 403
    assert client.get(f"/api/v1/radiation/alarms/{DST_ALARM}").json()["steps"] == []


def test_another_posts_alarms_are_out_of_reach(client: TestClient, web_engine: Engine) -> None:
    w_alarm = khorgos_alarm(web_engine, crossing_id=None)
    sign_in(client, "radiation")
    assert client.get(f"/api/v1/radiation/alarms/{w_alarm}").status_code == 403
    assert client.get("/api/v1/posts/KHR/radiation").status_code == 403
