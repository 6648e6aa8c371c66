"""Accounts and signing in: the use cases beneath the web app's authentication.

Creating an account, changing its password or its state, and issuing or revoking an API token
are records under the ledger, so ``dostyk ledger verify`` finds an account or a password hash
changed behind Dostyk's back (an administrator giving himself another officer's sign-in, say).
The ledger keeps only the SHA-256 of each record's canonical bytes, never the record, so the
argon2id hash it covers is not shown by any proof; and the hash is salted, so the digest tells
nothing about the password. Sessions and sign-in attempts are operational: they change on every
request or sign-in and are neither logged nor exported.

Secrets (passwords, session cookies, token secrets) are never stored: a password as its argon2id
hash, a session or token secret as its SHA-256, which is enough for a random 256-bit secret.
Argon2 is run outside every transaction, so a sign-in does not hold the store's write lock for
the tens of milliseconds a check takes.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Engine

from dostyk.domain.accounts import (
    ATTEMPT_TEXT_MAX,
    OFFICER_ROLES,
    Account,
    ApiToken,
    AttemptOutcome,
    Credential,
    LoginAttempt,
    Role,
    Session,
    check_holder,
    check_password,
    check_username,
    generate_password,
    normalise_username,
)
from dostyk.domain.bounds import LINE_FORBIDDEN, REMARK_MAX, check_text
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.parties import PartyRole
from dostyk.services.actors import national_day
from dostyk.services.errors import Conflict, NotFound, UseCaseError
from dostyk.services.passwords import hash_password, needs_rehash, spend_a_check, verify_password
from dostyk.services.scope import Scope, account_scope
from dostyk.store import repositories as r
from dostyk.store import tables as t
from dostyk.store.unit_of_work import UnitOfWork

__all__ = [
    "MESSAGE",
    "AuthenticationFailed",
    "DemoAccount",
    "Scope",
    "Throttled",
    "account_scope",
    "add_account",
    "authenticate",
    "close_session",
    "demo_accounts",
    "disable_account",
    "enable_account",
    "get_account",
    "issue_token",
    "list_accounts",
    "list_tokens",
    "open_session",
    "resolve_session",
    "resolve_token",
    "revoke_token",
    "set_password",
]

log = logging.getLogger(__name__)

#: The one answer to a failed sign-in, whatever failed: it tells no one which usernames exist.
MESSAGE = "wrong username or password"
#: Failures of one username, or from one client, allowed within :data:`THROTTLE_WINDOW`.
THROTTLE_FAILURES = 9
THROTTLE_WINDOW = timedelta(seconds=60)
#: A session's last request is written at most this often, not on every request.
SLIDE_EVERY = timedelta(minutes=1)
#: The longest secret a session or token lookup hashes: anything longer is no secret of ours.
SECRET_MAX = 256


class AuthenticationFailed(UseCaseError):
    """Unknown username, wrong password or disabled account: one message for all three."""

    def __init__(self) -> None:
        super().__init__(MESSAGE)


class Throttled(UseCaseError):
    """Too many failed sign-ins of this username or from this client in the last minute."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after_seconds} seconds")
        self.retry_after_seconds = retry_after_seconds


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _username(text: str) -> str:
    if not isinstance(text, str):
        raise InvariantViolation("username", f"{text!r} is not a username")
    return check_username("username", normalise_username(text))


def _existing(uow: UnitOfWork, username: str) -> Account:
    account = uow.accounts.get(_username(username))
    if account is None:
        raise NotFound("account", username)
    return account


# --- accounts ----------------------------------------------------------------------------------


def add_account(
    engine: Engine,
    username: str,
    role: Role,
    *,
    officer_id: str | None = None,
    party_id: str | None = None,
    display_name: str,
    password: str,
    actor: str,
    at: datetime,
) -> Account:
    """A new account with its password; refused if the username is taken, the officer or
    party unknown, or the role does not fit them (see :func:`check_holder`)."""
    name = _username(username)
    try:
        chosen = Role(role)
    except ValueError:
        roles = ", ".join(Role)
        raise InvariantViolation("role", f"{role!r} is not a role ({roles})") from None
    account = Account(
        username=name,
        role=chosen,
        display_name=display_name,
        officer_id=officer_id,
        party_id=party_id,
        disabled=False,
        created_at=at,
    )
    check_password(password, name)
    password_hash = hash_password(password)
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        if uow.accounts.get(name) is not None:
            raise Conflict(f"an account {name} exists already")
        officer = party = None
        if officer_id is not None:
            officer = uow.officers.get(officer_id)
            if officer is None:
                raise NotFound("officer", officer_id)
        if party_id is not None:
            party = uow.parties.get(party_id)
            if party is None:
                raise NotFound("party", party_id)
        check_holder(account.role, officer, party)
        uow.accounts.add(account)
        uow.credentials.add(Credential(name, password_hash, at))
    return account


def list_accounts(engine: Engine) -> list[Account]:
    with engine.connect() as connection:
        return r.Accounts(connection).all()


def get_account(engine: Engine, username: str) -> Account | None:
    try:
        name = _username(username)
    except InvariantViolation:
        return None
    with engine.connect() as connection:
        return r.Accounts(connection).get(name)


def disable_account(
    engine: Engine, username: str, *, reason: str, actor: str, at: datetime
) -> Account:
    """The account may no longer sign in, and its open sessions end now; its tokens stop
    resolving while it stays disabled."""
    check_text("reason", reason, REMARK_MAX, prose=True)
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        account = _existing(uow, username)
        if account.disabled:
            raise Conflict(f"the account {account.username} is disabled already")
        changed = replace(account, disabled=True, disabled_reason=reason)
        uow.accounts.replace(changed)
        uow.web_sessions.close_all_of(account.username, at)
    return changed


def enable_account(engine: Engine, username: str, *, actor: str, at: datetime) -> Account:
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        account = _existing(uow, username)
        if not account.disabled:
            raise Conflict(f"the account {account.username} is not disabled")
        changed = replace(account, disabled=False, disabled_reason=None)
        uow.accounts.replace(changed)
    return changed


def set_password(engine: Engine, username: str, password: str, *, actor: str, at: datetime) -> None:
    """A new password; every session of the account ends, so a stolen one stops working."""
    name = _username(username)
    check_password(password, name)
    password_hash = hash_password(password)
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        _existing(uow, name)
        uow.credentials.replace(Credential(name, password_hash, at))
        uow.web_sessions.close_all_of(name, at)


# --- signing in --------------------------------------------------------------------------------


def _attempt_text(text: str) -> str:
    """What the log of attempts keeps of a typed name or a client: its first characters, with
    any character no text may hold replaced, so that hostile input is kept, not refused."""
    return LINE_FORBIDDEN.sub("\ufffd", text[:ATTEMPT_TEXT_MAX])


def _retry_after(failures: list[datetime], at: datetime) -> int | None:
    """Seconds until fewer than the allowed failures lie in the window; None if they do now."""
    if len(failures) < THROTTLE_FAILURES:
        return None
    free = failures[THROTTLE_FAILURES - 1] + THROTTLE_WINDOW - at
    return max(1, math.ceil(free.total_seconds()))


def authenticate(
    engine: Engine, username: str, password: str, *, client: str, at: datetime
) -> Account:
    """The account whose username and password these are, or :class:`AuthenticationFailed`.

    Every attempt is recorded. A username or client with :data:`THROTTLE_FAILURES` failures in
    the last minute is :class:`Throttled` before any password is checked. The password is
    checked even for an unknown username or a disabled account, so the time taken tells
    nothing; only the log of attempts tells a disabled account apart. A hash made with older
    argon2 parameters is replaced at a good sign-in.

    Two transactions: the first checks the throttle and records the attempt as failed (so
    concurrent guesses count against each other before any is checked), the second, after a
    good password, marks it succeeded.
    """
    typed = _attempt_text(normalise_username(username) if isinstance(username, str) else "")
    where = _attempt_text(client if isinstance(client, str) else "")
    attempt_id = secrets.token_hex(12)
    since = at - THROTTLE_WINDOW
    with UnitOfWork(engine, at=at) as uow:
        attempts = uow.login_attempts
        wait = _retry_after(
            attempts.recent_failures("username", typed, since, THROTTLE_FAILURES), at
        ) or _retry_after(attempts.recent_failures("client", where, since, THROTTLE_FAILURES), at)
        if wait is not None:
            attempts.add(LoginAttempt(attempt_id, typed, where, at, AttemptOutcome.THROTTLED))
            throttled: Throttled | None = Throttled(wait)
        else:
            throttled = None
            account = uow.accounts.get(typed) if _is_username(typed) else None
            credential = uow.credentials.get(typed) if account is not None else None
            if account is None or credential is None:
                outcome = AttemptOutcome.UNKNOWN_ACCOUNT
            elif account.disabled:
                outcome = AttemptOutcome.DISABLED
            else:
                outcome = AttemptOutcome.WRONG_PASSWORD
            attempts.add(LoginAttempt(attempt_id, typed, where, at, outcome))
    if throttled is not None:
        log.warning("sign-in throttled: username %r, client %r", typed, where)
        raise throttled
    if credential is None:
        spend_a_check(password if isinstance(password, str) else "")
        log.info("sign-in failed: no account %r (client %r)", typed, where)
        raise AuthenticationFailed()
    assert account is not None
    good = isinstance(password, str) and verify_password(credential.password_hash, password)
    if outcome is AttemptOutcome.DISABLED:
        log.warning("sign-in refused: account %r is disabled (client %r)", typed, where)
        raise AuthenticationFailed()
    if not good:
        log.info("sign-in failed: wrong password for %r (client %r)", typed, where)
        raise AuthenticationFailed()
    with UnitOfWork(engine, actor=account.username, at=at) as uow:
        uow.login_attempts.set_outcome(attempt_id, AttemptOutcome.SUCCEEDED)
        if needs_rehash(credential.password_hash):
            uow.credentials.replace(Credential(account.username, hash_password(password), at))
    return account


def _is_username(text: str) -> bool:
    try:
        check_username("username", text)
    except InvariantViolation:
        return False
    return True


# --- sessions ----------------------------------------------------------------------------------


def open_session(
    engine: Engine,
    username: str,
    *,
    at: datetime,
    idle: timedelta = timedelta(hours=8),
    absolute: timedelta = timedelta(hours=12),
) -> tuple[str, Session]:
    """A new session for an enabled account: the cookie's secret (shown once) and the session.

    It ends after ``idle`` without a request or ``absolute`` after it opened, whichever is first.
    """
    if idle <= timedelta(0) or absolute <= timedelta(0):
        raise InvariantViolation("idle", "a session's timeouts must be positive")
    token = secrets.token_urlsafe(32)
    with UnitOfWork(engine, at=at) as uow:
        account = _existing(uow, username)
        if account.disabled:
            raise Conflict(f"the account {account.username} is disabled")
        session = Session(
            session_id=_digest(token),
            username=account.username,
            created_at=at,
            last_seen_at=at,
            expires_at=at + absolute,
            idle_seconds=int(idle.total_seconds()),
            csrf_token=secrets.token_urlsafe(32),
        )
        uow.web_sessions.add(session)
    return token, session


def resolve_session(engine: Engine, token: str, *, at: datetime) -> tuple[Account, Session] | None:
    """The account and session a cookie's secret opens, or None: unknown, expired, closed, or
    its account disabled. The last request's time is written at most once a minute."""
    if not isinstance(token, str) or not token or len(token) > SECRET_MAX:
        return None
    session_id = _digest(token)
    with engine.connect() as connection:
        session = r.WebSessions(connection).get(session_id)
        if session is None or not session.open_at(at):
            return None
        account = r.Accounts(connection).get(session.username)
    if account is None or account.disabled:
        return None
    if at - session.last_seen_at >= SLIDE_EVERY:
        with UnitOfWork(engine, at=at) as uow:
            uow.web_sessions.touch(session_id, at)
        session = replace(session, last_seen_at=at)
    return account, session


def close_session(engine: Engine, token: str, *, at: datetime) -> None:
    """Sign out: the session stops resolving. Closing an unknown or closed session does nothing."""
    if not isinstance(token, str) or not token or len(token) > SECRET_MAX:
        return
    with UnitOfWork(engine, at=at) as uow:
        uow.web_sessions.close(_digest(token), at)


# --- API tokens --------------------------------------------------------------------------------


def issue_token(
    engine: Engine,
    username: str,
    *,
    label: str,
    party_id: str | None = None,
    post_code: str | None = None,
    expires_at: datetime | None = None,
    actor: str,
    at: datetime,
) -> tuple[str, ApiToken]:
    """A token acting as the account, narrowed to ``party_id`` or ``post_code`` if given: its
    secret (shown once, never stored) and the token."""
    secret = secrets.token_urlsafe(32)
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        account = _existing(uow, username)
        if account.disabled:
            raise Conflict(f"the account {account.username} is disabled")
        token = ApiToken(
            token_id=f"tok-{secrets.token_hex(8)}",
            username=account.username,
            label=label,
            party_id=party_id,
            post_code=post_code,
            created_at=at,
            expires_at=expires_at,
            revoked_at=None,
            secret_hash=_digest(secret),
        )
        if party_id is not None:
            if account.party_id is not None and party_id != account.party_id:
                raise InvariantViolation(
                    "party_id",
                    f"{account.username} acts for {account.party_id}; a token of his cannot act "
                    f"for {party_id}",
                )
            if uow.parties.get(party_id) is None:
                raise NotFound("party", party_id)
        if post_code is not None and uow.posts.get(post_code) is None:
            raise NotFound("post", post_code)
        uow.api_tokens.add(token)
    return secret, token


def resolve_token(engine: Engine, secret: str, *, at: datetime) -> tuple[Account, ApiToken] | None:
    """The account and token a secret is, or None: unknown, revoked, expired, or its account
    disabled."""
    if not isinstance(secret, str) or not secret or len(secret) > SECRET_MAX:
        return None
    with engine.connect() as connection:
        token = r.ApiTokens(connection).by_secret_hash(_digest(secret))
        if token is None or not token.valid_at(at):
            return None
        account = r.Accounts(connection).get(token.username)
    if account is None or account.disabled:
        return None
    return account, token


def revoke_token(engine: Engine, token_id: str, *, actor: str, at: datetime) -> ApiToken:
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        token = uow.api_tokens.get(token_id)
        if token is None:
            raise NotFound("token", token_id)
        if token.revoked_at is not None:
            raise Conflict(f"the token {token_id} is revoked already")
        revoked = replace(token, revoked_at=at)
        uow.api_tokens.replace(revoked)
    return revoked


def list_tokens(engine: Engine, username: str | None = None) -> list[ApiToken]:
    with engine.connect() as connection:
        tokens = r.ApiTokens(connection)
        if username is None:
            return tokens.all()
        return tokens.of_account(_username(username))


# --- the demo ----------------------------------------------------------------------------------

#: The post the demo's accounts work at: the rail crossing the simulation centres on.
DEMO_POST = "DST"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    password: str
    purpose: str


def demo_accounts(engine: Engine, *, at: datetime) -> list[DemoAccount]:
    """One ready account per role the store has someone for, with a password made now.

    Made for a simulated store: a broker with declarations at DST, officers posted at DST on
    the day of ``at`` by rank, an HQ officer's analysts, and a programme manager and an
    administrator (no officer). Running it again keeps the accounts and gives each a new
    password (the old ones are not kept anywhere, so cannot be shown again), enabling any that
    was disabled.
    """
    wanted = _demo_holders(engine, at)
    made = []
    for username, role, officer_id, party_id, name, purpose in wanted:
        password = generate_password(username, 12)
        existing = get_account(engine, username)
        if existing is None:
            add_account(
                engine,
                username,
                role,
                officer_id=officer_id,
                party_id=party_id,
                display_name=name,
                password=password,
                actor="system",
                at=at,
            )
        else:
            if existing.disabled:
                enable_account(engine, username, actor="system", at=at)
            set_password(engine, username, password, actor="system", at=at)
            if officer_id and existing.officer_id and existing.officer_id != officer_id:
                # The account keeps the officer it was made for; say who that is.
                purpose = purpose.replace(officer_id, existing.officer_id, 1)
        made.append(DemoAccount(username, role, password, purpose))
    return made


def _demo_holders(
    engine: Engine, at: datetime
) -> list[tuple[str, Role, str | None, str | None, str, str]]:
    from sqlalchemy import func, select

    day = national_day(at)
    holders: list[tuple[str, Role, str | None, str | None, str, str]] = []
    with engine.connect() as connection:
        d = t.declarations.c
        busiest = (
            select(d.declarant_id)
            .where(d.post_code == DEMO_POST)
            .group_by(d.declarant_id)
            .order_by(func.count().desc(), d.declarant_id)
            .limit(1)
        )
        broker_id = connection.execute(busiest).scalar()
        importer_id = connection.execute(
            select(d.importer_id)
            .where(d.post_code == DEMO_POST, d.importer_id.is_not(None))
            .group_by(d.importer_id)
            .order_by(func.count().desc(), d.importer_id)
            .limit(1)
        ).scalar()
        parties = r.Parties(connection)
        broker = parties.get(broker_id) if broker_id is not None else None
        if broker is not None and broker.has_role(PartyRole.DECLARANT):
            holders.append(
                (
                    "demo-broker",
                    Role.BROKER,
                    None,
                    broker.party_id,
                    broker.name,
                    f"broker {broker.party_id}: lodges and pays at {DEMO_POST}",
                )
            )
        importer = parties.get(importer_id) if importer_id is not None else None
        if importer is not None:
            holders.append(
                (
                    "demo-trader",
                    Role.TRADER,
                    None,
                    importer.party_id,
                    importer.name,
                    f"trader {importer.party_id}: follows his declarations at {DEMO_POST}",
                )
            )
        officers = r.Officers(connection)
        posted = [p.officer_id for p in r.Postings(connection).serving_at(DEMO_POST, day)]
        by_rank: dict[str, list[str]] = {}
        found = officers.many(posted)
        for officer_id in sorted(found):
            by_rank.setdefault(found[officer_id].rank.value, []).append(officer_id)
        hq = [o.officer_id for o in officers.all() if o.rank.value == "hq"]
        i = t.inspections.c
        busy = connection.execute(
            select(i.inspector_id)
            .join(t.declarations, t.declarations.c.declaration_id == i.declaration_id)
            .where(d.post_code == DEMO_POST, i.ended_at.is_(None))
            .where(d.status.in_(("assessed", "under_inspection")))
            .group_by(i.inspector_id)
            .order_by(func.count().desc(), i.inspector_id)
        ).scalars()
        open_work = [officer_id for officer_id in busy if officer_id in found]
    inspectors = by_rank.get("inspector", [])
    # The demo's inspector is one with inspections still open, so that his page has work on it.
    inspectors = open_work[:1] + [o for o in inspectors if o not in open_work[:1]]
    roles = [
        (Role.POST_OFFICER, inspectors[1:2] or inspectors[:1], "registers crossings"),
        (Role.INSPECTOR, inspectors[:1], "records inspections' findings"),
        (Role.RADIATION_OPERATOR, inspectors[2:3] or inspectors[:1], "resolves portal alarms"),
        (Role.SHIFT_SUPERVISOR, by_rank.get("shift_supervisor", []), "decides overrides"),
        (Role.POST_CHIEF, by_rank.get("post_chief", []), "runs the post"),
        (Role.REGIONAL_CHIEF, by_rank.get("regional_chief", []), "oversees the region"),
    ]
    for role, candidates, purpose in roles:
        if candidates:
            officer_id = candidates[0]
            holders.append(
                (
                    f"demo-{role.value.replace('_', '-')}",
                    role,
                    officer_id,
                    None,
                    found[officer_id].name,
                    f"{officer_id} at {DEMO_POST}: {purpose}",
                )
            )
    if hq:
        for role in (Role.RISK_ANALYST, Role.INTEGRITY_UNIT):
            assert OFFICER_ROLES[role].value == "hq"
            holders.append(
                (
                    f"demo-{role.value.replace('_', '-')}",
                    role,
                    hq[0],
                    None,
                    f"{role.value.replace('_', ' ').capitalize()} (HQ)",
                    f"{hq[0]} at HQ",
                )
            )
    holders.append(
        (
            "demo-programme-manager",
            Role.PROGRAMME_MANAGER,
            None,
            None,
            "Programme manager (HQ)",
            "reads the per-post site reports and charts",
        )
    )
    holders.append(
        ("demo-administrator", Role.ADMINISTRATOR, None, None, "Administrator", "manages accounts")
    )
    return holders
