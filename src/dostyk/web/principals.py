"""Who is calling: a person signed in with a session cookie, or a system with an API token.

A person signs in with his password and gets a session cookie (HttpOnly, SameSite=Lax, Secure
under HTTPS) whose secret the store keeps only hashed; a system sends ``Authorization: Bearer
<token>``, a token issued with ``dostyk users token issue`` and likewise kept only hashed. Both
resolve to an account and its scope (the posts and parties it reaches on the day), looked up once
per request.

A cookie is sent by the browser on its own, so every form or script that changes something with
one must also carry the session's CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``); a bearer token is never sent on its own, so it needs none. The sign-in form,
which has no session yet, is guarded the same way by a token in a short-lived cookie of its own
(double submit).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from dostyk.domain.accounts import Account, ApiToken, Session
from dostyk.services.accounts import Scope
from dostyk.web.problems import forbidden

SESSION_COOKIE = "dostyk_session"
LOGIN_COOKIE = "dostyk_signin"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of one request: his account, what it reaches today, and how he came in."""

    account: Account
    scope: Scope
    session: Session | None = None
    token: ApiToken | None = None

    @property
    def actor(self) -> str:
        """Who acts in the use cases: the officer's service number or the party's id."""
        return self.account.officer_id or self.account.party_id or self.account.username

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token if self.session is not None else ""

    @property
    def reach_text(self) -> str:
        """The scope in words, for the page header and for refusals."""
        scope = self.scope
        if self.account.party_id is not None:
            return f"declarations of {', '.join(sorted(scope.parties)) or 'no party'}"
        if scope.posts is None:
            return "every post"
        if scope.region is not None:
            return f"the posts of {scope.region}"
        if not scope.posts:
            return "no post today"
        return ", ".join(sorted(scope.posts))


def now(request: Request) -> datetime:
    """The app's clock: the present, or the moment a demo or a test set."""
    clock = request.app.state.clock
    moment: datetime = clock()
    return moment


def principal_of(request: Request) -> Principal | None:
    """The caller, resolved once per request (None when nobody signed in)."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    found = _resolve(request)
    request.state.principal = found
    return found


def _resolve(request: Request) -> Principal | None:
    from dostyk.services import accounts

    engine = request.app.state.engine
    at = now(request)
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return None
        resolved = accounts.resolve_token(engine, secret.strip(), at=at)
        if resolved is None:
            return None
        account, token = resolved
        return Principal(
            account, accounts.account_scope(engine, account, at, token=token), None, token
        )
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    found = accounts.resolve_session(engine, cookie, at=at)
    if found is None:
        return None
    account, session = found
    return Principal(account, accounts.account_scope(engine, account, at), session, None)


async def check_csrf(request: Request, principal: Principal) -> None:
    """A change made with a session cookie must carry that session's CSRF token."""
    if request.method in SAFE_METHODS or principal.session is None:
        return
    sent = request.headers.get(CSRF_HEADER) or await _form_token(request)
    if not sent or not hmac.compare_digest(sent, principal.session.csrf_token):
        raise forbidden("the form's security token is missing or stale: reload the page and retry")


async def check_login_csrf(request: Request, sent: str | None) -> None:
    """The sign-in form's own token matches the cookie it was served with."""
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise forbidden("the sign-in form's security token is missing or stale: reload the page")


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


async def _form_token(request: Request) -> str | None:
    kind = request.headers.get("content-type", "")
    if not kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None
