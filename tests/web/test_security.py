"""The web app under attack: forged forms, hostile text, stolen or stale credentials, guessing.

What the frame's tests show of signing in (the sign-in form's own token, the same answer for an
unknown user and a wrong password, no redirect off the site, the session cookie's flags) is not
repeated here; these are the attacks on the rest of the app.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from dostyk.domain.declarations import Channel
from dostyk.services import accounts, assignment
from dostyk.services.accounts import THROTTLE_FAILURES
from dostyk.web.principals import SAFE_METHODS
from tests.services import world as w
from tests.web.app_world import NOW, PASSWORD, attempt_sign_in, client_on, sign_in
from tests.web.inspection_world import INSPECTOR, drawn
from tests.web.route_table import api_routes

HOSTILE_SCRIPT = "<script>alert('dostyk')</script>"
HOSTILE_SQL = "'; DROP TABLE declarations; --"


def _token(engine: Engine, username: str, **narrowing: object) -> str:
    secret, _ = accounts.issue_token(
        engine,
        username,
        label="security test",
        actor="system",
        at=NOW - timedelta(hours=1),
        **narrowing,  # type: ignore[arg-type]
    )
    return secret


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_form_posted_without_its_csrf_token_changes_nothing(
    client: TestClient, web_engine: Engine
) -> None:
    inspection = drawn(w.Flow(web_engine), 1, INSPECTOR)
    sign_in(client, "inspector")
    url = f"/inspections/{inspection.inspection_id}/start"
    for forged in ({}, {"csrf_token": "forged"}):
        refused = client.post(url, data=forged, follow_redirects=False)
        assert refused.status_code == 403, forged
        assert "security token" in refused.text
    twin = client.get(f"/api/v1/inspections/{inspection.inspection_id}").json()
    assert twin["inspection"]["state"] == "waiting"


def test_a_script_in_a_description_is_shown_escaped_on_every_page(
    client: TestClient, web_engine: Engine
) -> None:
    flow = w.Flow(web_engine)
    lodged = w.lodging(1)
    goods = (replace(lodged.items[0], description=f"Toys {HOSTILE_SCRIPT}"),)
    flow.lodge(replace(lodged, items=goods))
    flow.assess("D1", Channel.RED)
    inspection = flow.assign("D1")
    if inspection.inspector_id != INSPECTOR:
        inspection = assignment.reassign(
            web_engine,
            inspection.inspection_id,
            INSPECTOR,
            actor=w.SUPERVISOR.officer_id,
            at=flow.tick(),
            reason="the drawn inspector is at the other track",
        )
    values = {"declaration_id": "D1", "inspection_id": inspection.inspection_id}
    pages = [
        route.path_format.format(**{name: values[name] for name in route.path_parameters})
        for route in api_routes(client.app)  # type: ignore[arg-type]
        if "GET" in route.methods
        and not route.path.startswith(("/api/", "/static/"))
        and set(route.path_parameters) <= set(values)
    ]
    shown = 0
    for username in ("broker", "officer", "inspector", "supervisor"):
        client.cookies.clear()
        sign_in(client, username)
        for path in pages:
            answer = client.get(path, follow_redirects=False)
            assert HOSTILE_SCRIPT not in answer.text, (username, path)
            shown += "&lt;script&gt;alert(&#39;dostyk&#39;)&lt;/script&gt;" in answer.text
    assert shown >= 3, "the description is shown, escaped, on the declaration's pages"


def test_sql_in_a_field_is_stored_as_text(client: TestClient, web_engine: Engine) -> None:
    lodged = w.lodging(1, reference=HOSTILE_SQL)
    goods = (replace(lodged.items[0], description=HOSTILE_SQL),)
    w.Flow(web_engine).lodge(replace(lodged, items=goods))
    record = client.get("/api/v1/declarations/D1", headers=_bearer(_token(web_engine, "broker")))
    assert record.status_code == 200
    assert record.json()["declaration"]["reference"] == HOSTILE_SQL
    assert record.json()["items"][0]["description"] == HOSTILE_SQL
    with web_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM declarations")).scalar_one() == 1


def test_a_disabled_account_cannot_sign_in_and_its_session_and_tokens_stop(
    client: TestClient, web_engine: Engine
) -> None:
    secret = _token(web_engine, "broker")
    sign_in(client, "broker")
    assert client.get("/api/v1/me").status_code == 200
    accounts.disable_account(
        web_engine, "broker", reason="left the brokerage", actor="admin", at=NOW
    )
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=_bearer(secret)).status_code == 401
    client.cookies.clear()
    answer = attempt_sign_in(client, "broker", PASSWORD)
    assert answer.status_code == 401
    assert "The username or the password is wrong." in answer.text
    assert "dostyk_session" not in answer.cookies


def test_the_tenth_wrong_password_in_a_minute_is_throttled(client: TestClient) -> None:
    def attempt(password: str) -> int:
        answer = attempt_sign_in(client, "officer", password)
        if answer.status_code == 429:
            assert int(answer.headers["retry-after"]) >= 1
            assert "Too many attempts" in answer.text
        status: int = answer.status_code
        return status

    answers = [attempt(f"wrong guess {n}") for n in range(THROTTLE_FAILURES)]
    assert answers == [401] * THROTTLE_FAILURES
    assert attempt("still guessing") == 429
    assert attempt(PASSWORD) == 429, "the right password waits too: guessing must not pay"


def test_a_brokers_token_reads_his_declarations_and_no_one_elses(
    client: TestClient, web_engine: Engine
) -> None:
    w.Flow(web_engine).lodge(w.lodging(1))
    mine = _bearer(_token(web_engine, "broker"))
    theirs = _bearer(_token(web_engine, "other-broker"))
    assert client.get("/api/v1/declarations/D1", headers=mine).status_code == 200
    assert client.get("/api/v1/declarations/D1/proof", headers=mine).status_code == 200
    for path in ("/api/v1/declarations/D1", "/api/v1/declarations/D1/proof"):
        refused = client.get(path, headers=theirs)
        assert refused.status_code == 404, path
        assert refused.json()["detail"] == "no declaration D1"


def test_a_token_narrowed_to_a_post_or_a_party_reaches_no_further(
    client: TestClient, web_engine: Engine
) -> None:
    w.Flow(web_engine).lodge(w.lodging(1))
    national = _bearer(_token(web_engine, "analyst"))
    at_khorgos = _bearer(_token(web_engine, "analyst", post_code="KHR"))
    assert client.get("/api/v1/declarations/D1", headers=national).status_code == 200
    assert client.get("/api/v1/declarations/D1", headers=at_khorgos).status_code == 404
    me = client.get("/api/v1/me", headers=at_khorgos).json()
    assert me["scope"]["posts"] == ["KHR"] and me["signed_in_with"] == "token"
    own_party = _bearer(_token(web_engine, "broker", party_id="BRK1"))
    assert client.get("/api/v1/declarations/D1", headers=own_party).status_code == 200
    with pytest.raises(Exception, match="cannot act for BRK2"):
        _token(web_engine, "broker", party_id="BRK2")


def test_an_expired_or_revoked_token_is_answered_401(
    client: TestClient, web_engine: Engine
) -> None:
    expired = _token(web_engine, "officer", expires_at=NOW - timedelta(minutes=1))
    revoked_secret, revoked = accounts.issue_token(
        web_engine, "officer", label="lost laptop", actor="system", at=NOW - timedelta(hours=1)
    )
    accounts.revoke_token(web_engine, revoked.token_id, actor="admin", at=NOW)
    for secret in (expired, revoked_secret, "not-a-token", "x" * 10_000):
        answer = client.get("/api/v1/me", headers=_bearer(secret))
        assert answer.status_code == 401, secret[:20]
        assert answer.headers["content-type"] == "application/problem+json"
    assert (
        client.get("/api/v1/me", headers={"Authorization": "Basic b2ZmaWNlcjp4"}).status_code == 401
    )


@pytest.mark.parametrize(
    "path",
    ["/login", "/me", "/api/v1/me", "/no/such/page", "/api/v1/no/such", "/static/dostyk.css"],
)
def test_every_answer_forbids_framing_sniffing_and_foreign_scripts(
    client: TestClient, path: str
) -> None:
    headers = client.get(path).headers
    policy = headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert (
        "frame-ancestors 'none'" in policy
        and "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    )
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"


def test_under_https_the_cookies_are_secure_and_all_httponly(
    web_engine: Engine, tmp_path: Path
) -> None:
    with client_on(web_engine, tmp_path) as client:
        client.base_url = client.base_url.copy_with(scheme="https")
        form = client.get("/login")
        signin = form.headers["set-cookie"]
        assert "HttpOnly" in signin and "Secure" in signin and "samesite=strict" in signin.lower()
        done = client.post(
            "/login",
            data={
                "username": "broker",
                "password": PASSWORD,
                "login_token": form.cookies["dostyk_signin"],
            },
            follow_redirects=False,
        )
        session = next(
            h for h in done.headers.get_list("set-cookie") if h.startswith("dostyk_session=")
        )
        assert "HttpOnly" in session and "Secure" in session and "samesite=lax" in session.lower()


def test_no_unsafe_route_is_reached_by_a_get(client: TestClient) -> None:
    """A change is never made by a link or an image (which a browser sends across sites):
    every route that changes something takes an unsafe method only."""
    for route in api_routes(client.app):  # type: ignore[arg-type]
        changes = route.methods - SAFE_METHODS
        assert not (changes and route.methods & SAFE_METHODS), route.path
