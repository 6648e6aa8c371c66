"""Signing in and out, and the start page of each role.

Signing in checks the password (argon2id) through :mod:`dostyk.services.accounts`, which also
throttles guessing: the tenth wrong password for a username, or from one client, within a minute
is answered 429 with the seconds to wait. The same message answers an unknown username, a wrong
password and a disabled account, so the form does not tell which accounts exist.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from dostyk.web.policy import Grant, allow
from dostyk.web.principals import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    check_login_csrf,
    new_login_token,
    now,
)
from dostyk.web.templating import page, render

pages = APIRouter(tags=["session"])
api = APIRouter(prefix="/api/v1", tags=["session"])
routers = [pages, api]

#: Where each role starts; a capability registers its role's page with :func:`start_page`.
START_PAGES: dict[str, str] = {}


def start_page(role: str, path: str) -> None:
    START_PAGES[role] = path


def sign_in_page(
    request: Request, message: str = "", *, status: int = 200, next_path: str = "/"
) -> Response:
    token = new_login_token()
    response = render(
        request,
        "sign_in.html",
        {"message": message, "login_token": token, "next_path": _local(next_path)},
        status=status,
    )
    response.set_cookie(
        LOGIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict", secure=_secure(request)
    )
    return response


@pages.get("/login", include_in_schema=False)
def sign_in_form(
    request: Request, grant: Annotated[Grant, allow("session.start")], next: str = "/"
) -> Response:
    return sign_in_page(request, next_path=next)


@pages.post("/login", include_in_schema=False)
async def sign_in(
    request: Request,
    grant: Annotated[Grant, allow("session.start")],
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=2048)],
    login_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    from dostyk.services import accounts

    await check_login_csrf(request, login_token)
    engine = request.app.state.engine
    client = request.client.host if request.client else "unknown"
    at = now(request)
    try:
        account = accounts.authenticate(engine, username, password, client=client, at=at)
    except accounts.Throttled as throttled:
        wait = str(max(1, int(throttled.retry_after_seconds)))
        response = sign_in_page(
            request, f"Too many attempts: wait {wait} seconds and try again.", status=429
        )
        response.headers["Retry-After"] = wait
        return response
    except accounts.AuthenticationFailed:
        return sign_in_page(
            request, "The username or the password is wrong.", status=401, next_path=next
        )
    secret, session = accounts.open_session(engine, account.username, at=at)
    response = RedirectResponse(_local(next), status_code=303)
    lifetime = int((session.expires_at - at).total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=lifetime,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


@pages.post("/logout", include_in_schema=False)
def sign_out(request: Request, grant: Annotated[Grant, allow("session.end")]) -> Response:
    from dostyk.services import accounts

    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.close_session(request.app.state.engine, cookie, at=now(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@pages.get("/", include_in_schema=False)
def home(request: Request, grant: Annotated[Grant, allow("home.read")]) -> Response:
    """Each role's start page; the account page for a role that has none yet."""
    target = START_PAGES.get(grant.caller.account.role.value, "/me")
    return RedirectResponse(target, status_code=303)


def _me(grant: Grant) -> dict[str, Any]:
    principal = grant.caller
    account = principal.account
    scope = principal.scope
    return {
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role.value,
        "officer_id": account.officer_id,
        "party_id": account.party_id,
        "scope": {
            "posts": None if scope.posts is None else sorted(scope.posts),
            "region": scope.region,
            "parties": sorted(scope.parties),
            "in_words": principal.reach_text,
        },
        "signed_in_with": "token" if principal.token is not None else "session",
    }


@pages.get("/me", include_in_schema=False)
def me_page(request: Request, grant: Annotated[Grant, allow("home.read")]) -> Response:
    return page(request, "me.html", _me(grant))


@api.get("/me", summary="The caller's account and what it reaches today")
def me(grant: Annotated[Grant, allow("home.read")]) -> dict[str, Any]:
    return _me(grant)


def _local(path: str) -> str:
    """Only a path on this site may follow signing in (no open redirect)."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        return "/"
    if "\\" in path or any(ord(ch) < 32 for ch in path):
        return "/"
    return path


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"
