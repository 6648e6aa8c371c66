"""The services' test world with an account for each role, and the app on it at a fixed moment.

The world (tests/services/world.py) is a day at Dostyk (DST) in March 2025: a train with its
railcars, brokers, an importer, officers of every rank with their postings and shifts. The app's
clock is set inside that day so that postings and shifts are in force.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine

from dostyk.config import Settings
from dostyk.domain.accounts import Role
from dostyk.services import accounts
from dostyk.web.app import create_app
from tests.services import world as w

#: The app's "now": the day shift at Dostyk is on.
NOW = w.DAY_STARTS + timedelta(hours=3)
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Login:
    username: str
    role: Role
    officer_id: str | None = None
    party_id: str | None = None


#: One account per role the world can hold, with the post or party it belongs to.
LOGINS = {
    "broker": Login("broker", Role.BROKER, party_id=w.BROKER.party_id),
    "other-broker": Login("other-broker", Role.BROKER, party_id=w.OTHER_BROKER.party_id),
    "officer": Login("officer", Role.POST_OFFICER, officer_id="IN-DST1"),
    "inspector": Login("inspector", Role.INSPECTOR, officer_id="IN-DST2"),
    "supervisor": Login("supervisor", Role.SHIFT_SUPERVISOR, officer_id=w.SUPERVISOR.officer_id),
    "chief": Login("chief", Role.POST_CHIEF, officer_id=w.POST_CHIEF.officer_id),
    "khorgos-chief": Login("khorgos-chief", Role.POST_CHIEF, officer_id=w.KHORGOS_CHIEF.officer_id),
    "regional": Login("regional", Role.REGIONAL_CHIEF, officer_id=w.REGIONAL_CHIEF.officer_id),
    "manager": Login("manager", Role.PROGRAMME_MANAGER),
    "analyst": Login("analyst", Role.RISK_ANALYST, officer_id=w.HQ.officer_id),
    "integrity": Login("integrity", Role.INTEGRITY_UNIT, officer_id=w.HQ.officer_id),
    "administrator": Login("administrator", Role.ADMINISTRATOR),
    "radiation": Login(
        "radiation", Role.RADIATION_OPERATOR, officer_id=w.NIGHT_INSPECTOR.officer_id
    ),
    "trader": Login("trader", Role.TRADER, party_id=w.IMPORTER.party_id),
}


def add_accounts(engine: Engine) -> None:
    for login in LOGINS.values():
        accounts.add_account(
            engine,
            login.username,
            login.role,
            officer_id=login.officer_id,
            party_id=login.party_id,
            display_name=f"{login.username} of the test world",
            password=PASSWORD,
            actor="system",
            at=NOW - timedelta(days=1),
        )


@contextmanager
def client_on(engine: Engine, home: Path, now: datetime = NOW) -> Iterator[TestClient]:
    app = create_app(
        Settings(home=home, database_url=str(engine.url)), engine=engine, clock=lambda: now
    )
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        yield client


def attempt_sign_in(
    client: TestClient, username: str, password: str = PASSWORD, next: str | None = None
) -> Response:
    """Post the sign-in form with the token it was served with, as a browser does; no checks."""
    form = client.get("/login")
    data = {"username": username, "password": password}
    data["login_token"] = form.cookies.get("dostyk_signin") or client.cookies.get("dostyk_signin")
    if next is not None:
        data["next"] = next
    answer: Response = client.post("/login", data=data, follow_redirects=False)
    return answer


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    """Sign in through the form; fails the test if it does not work."""
    done = attempt_sign_in(client, username, password, next="/me")
    assert done.status_code == 303, done.text
    assert client.cookies.get("dostyk_session")


def csrf(client: TestClient) -> str:
    """The session's CSRF token, read from the page's meta tag as scripts read it."""
    import re

    page = client.get("/me")
    found = re.search(r'<meta name="csrf-token" content="([^"]*)"', page.text)
    assert found and found.group(1), "a signed-in page carries the CSRF token"
    return found.group(1)
