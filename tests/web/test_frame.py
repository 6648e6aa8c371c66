"""The web app's frame: signing in and out, CSRF, problem details, reach, and the route table."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from dostyk.web.policy import POLICY
from tests.services import world as w
from tests.web.app_world import PASSWORD, attempt_sign_in, csrf, sign_in
from tests.web.route_table import api_routes


def test_a_person_signs_in_sees_his_account_and_signs_out(client: TestClient) -> None:
    sign_in(client, "supervisor")
    page = client.get("/me")
    assert page.status_code == 200
    assert "supervisor of the test world" in page.text
    assert "shift supervisor" in page.text
    twin = client.get("/me", headers={"Accept": "application/json"}).json()
    assert twin == client.get("/api/v1/me").json()
    assert twin["officer_id"] == "SS-DST1"
    assert twin["scope"]["posts"] == ["DST"]
    token = csrf(client)
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    client.cookies.clear()
    assert client.get("/api/v1/me").status_code == 401


def test_the_session_cookie_is_httponly_and_samesite_lax(client: TestClient) -> None:
    done = attempt_sign_in(client, "broker", PASSWORD)
    cookie = next(h for h in done.headers.get_list("set-cookie") if h.startswith("dostyk_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie


def test_unknown_user_and_wrong_password_get_the_same_answer(client: TestClient) -> None:
    answers = []
    for username, password in (("broker", "not the password at all"), ("nobody", PASSWORD)):
        answer = attempt_sign_in(client, username, password)
        assert answer.status_code == 401
        answers.append(re.search(r'role="alert">([^<]*)<', answer.text).group(1))  # type: ignore[union-attr]
    assert answers[0] == answers[1] == "The username or the password is wrong."


def test_the_sign_in_form_needs_its_own_token(client: TestClient) -> None:
    answer = client.post("/login", data={"username": "broker", "password": PASSWORD})
    assert answer.status_code == 403
    assert "security token" in answer.text


def test_signing_in_never_redirects_off_the_site(client: TestClient) -> None:
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "me"):
        done = attempt_sign_in(client, "broker", PASSWORD, next=target)
        assert done.headers["location"] == "/", target


def test_a_change_with_a_session_cookie_needs_the_csrf_token(client: TestClient) -> None:
    sign_in(client, "broker")
    refused = client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403
    assert client.get("/api/v1/me").status_code == 200  # still signed in
    wrong = client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert wrong.status_code == 403
    by_header = client.post(
        "/logout", headers={"X-CSRF-Token": csrf(client)}, follow_redirects=False
    )
    assert by_header.status_code == 303


def test_signed_out_the_api_answers_401_problem_details_and_pages_the_sign_in_form(
    client: TestClient,
) -> None:
    api = client.get("/api/v1/me")
    assert api.status_code == 401
    assert api.headers["content-type"] == "application/problem+json"
    assert api.headers["www-authenticate"].startswith("Bearer")
    body = api.json()
    assert body["status"] == 401 and body["type"] == "/problems/unauthorised"
    page = client.get("/me")
    assert page.status_code == 401
    assert 'action="/login"' in page.text
    assert 'name="next" value="/me"' in page.text


def test_errors_name_the_field_as_problem_details(client: TestClient) -> None:
    sign_in(client, "broker")
    bad = client.get("/api/v1/declarations/" + "x" * 41)
    assert bad.status_code == 422
    body = bad.json()
    assert body["errors"][0]["field"] == "declaration_id"
    missing = client.get("/api/v1/no/such/thing")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_a_broker_sees_his_declarations_and_not_another_brokers(
    client: TestClient, web_engine: Engine
) -> None:
    flow = w.Flow(web_engine)
    flow.lodge(w.lodging(1))
    sign_in(client, "broker")
    mine = client.get("/api/v1/declarations/D1")
    assert mine.status_code == 200
    assert mine.json()["declaration"]["declarant_id"] == "BRK1"
    assert client.get("/declarations/D1").status_code == 200
    client.cookies.clear()
    sign_in(client, "other-broker")
    theirs = client.get("/api/v1/declarations/D1")
    assert theirs.status_code == 404
    assert theirs.json()["detail"] == client.get("/api/v1/declarations/D999").json()[
        "detail"
    ].replace("D999", "D1")


def test_an_officer_sees_his_posts_declarations_only(
    client: TestClient, web_engine: Engine
) -> None:
    w.Flow(web_engine).lodge(w.lodging(1))
    sign_in(client, "officer")
    assert client.get("/api/v1/declarations/D1").status_code == 200
    client.cookies.clear()
    sign_in(client, "khorgos-chief")
    assert client.get("/api/v1/declarations/D1").status_code == 404


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/login", "/api/v1/me", "/docs", "/static/swagger-init.js"):
        headers = client.get(path).headers
        assert "default-src 'self'" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff", path


def test_the_api_docs_load_nothing_from_elsewhere(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert sources and all(s.startswith("/") for s in sources), sources
    for source in sources:
        assert client.get(source).status_code == 200, source
    schema = client.get("/openapi.json").json()
    assert "Problem" in schema["components"]["schemas"]
    assert "/api/v1/me" in schema["paths"]


def test_plotly_is_served_from_the_installed_package(client: TestClient) -> None:
    script = client.get("/static/plotly.min.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert len(script.content) > 1_000_000


def test_a_body_over_the_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    answer = client.post(
        "/login", content=b"x" * 10, headers={"Content-Length": str(64 * 1024 * 1024)}
    )
    assert answer.status_code == 413


def test_every_route_names_one_action_of_the_policy_table(client: TestClient) -> None:
    routes = list(api_routes(client.app))  # type: ignore[arg-type]
    assert any(r.path == "/api/v1/declarations/{declaration_id}" for r in routes), (
        "the table holds the routes of every included router"
    )
    unguarded = [
        (route.path, sorted(route.methods), route.actions)
        for route in routes
        if len(route.actions) != 1 or route.actions[0] not in POLICY
    ]
    assert unguarded == []


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "{{ 7*7 }}"])
def test_text_from_the_store_is_shown_as_typed(
    client: TestClient, web_engine: Engine, text: str
) -> None:
    from dataclasses import replace

    lodged = w.lodging(1)
    goods = (replace(lodged.items[0], description=f"Toys {text}"),)
    w.Flow(web_engine).lodge(replace(lodged, items=goods))
    sign_in(client, "broker")
    page = client.get("/declarations/D1").text
    assert "<script>alert(1)</script>" not in page
    if text.startswith("<"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    elif text.startswith("{{"):
        assert "{{ 7*7 }}" in page and "49" not in page.split("Toys", 1)[1][:20]
