"""Accounts: who may sign in to Dostyk, in which role, and for whom they act.

An account belongs either to an officer (his service number) or to a party (a broker or a
trader), never to both: what an account may see and do follows from the role and from the
officer's postings or the party, so the rules below keep those consistent with each other. A
programme manager may be a donor's, who is no officer; an administrator may be either.

Usernames are identifiers kept in lower case, so ``Dana`` and ``dana`` are one account: two
accounts a signed-in person could confuse are refused at creation rather than told apart later.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from dostyk.domain.bounds import NAME_MAX, REMARK_MAX, Checks, is_identifier
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.officers import Officer, Rank
from dostyk.domain.parties import Party, PartyRole

#: The longest username: the store's key columns and the ledger's actor column.
USERNAME_MAX = 40
#: Passwords: long enough that a guessed one is unlikely, short enough to hash cheaply.
PASSWORD_MIN = 12
PASSWORD_MAX = 1024
#: A token's or label's length as the store keeps it.
LABEL_MAX = 120


class Role(StrEnum):
    BROKER = "broker"
    TRADER = "trader"
    POST_OFFICER = "post_officer"
    INSPECTOR = "inspector"
    RADIATION_OPERATOR = "radiation_operator"
    SHIFT_SUPERVISOR = "shift_supervisor"
    POST_CHIEF = "post_chief"
    REGIONAL_CHIEF = "regional_chief"
    RISK_ANALYST = "risk_analyst"
    INTEGRITY_UNIT = "integrity_unit"
    PROGRAMME_MANAGER = "programme_manager"
    ADMINISTRATOR = "administrator"


#: Roles held for a party: they need a party and no officer.
PARTY_ROLES = frozenset({Role.BROKER, Role.TRADER})
#: Roles held by an officer, each with the lowest rank that may hold it; they need an officer.
OFFICER_ROLES: dict[Role, Rank] = {
    Role.POST_OFFICER: Rank.INSPECTOR,
    Role.INSPECTOR: Rank.INSPECTOR,
    Role.RADIATION_OPERATOR: Rank.INSPECTOR,
    Role.SHIFT_SUPERVISOR: Rank.SHIFT_SUPERVISOR,
    Role.POST_CHIEF: Rank.POST_CHIEF,
    Role.REGIONAL_CHIEF: Rank.REGIONAL_CHIEF,
    Role.RISK_ANALYST: Rank.HQ,
    Role.INTEGRITY_UNIT: Rank.HQ,
}
#: Officer roles that work at posts: their scope is where the officer is posted that day.
POST_ROLES = frozenset(
    {
        Role.POST_OFFICER,
        Role.INSPECTOR,
        Role.RADIATION_OPERATOR,
        Role.SHIFT_SUPERVISOR,
        Role.POST_CHIEF,
    }
)
#: Roles that may have an officer or none (a donor's programme manager has none).
OPTIONAL_OFFICER_ROLES = frozenset({Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR})


def normalise_username(text: str) -> str:
    """The username as the store keys it: lower case (usernames are case-insensitive)."""
    return text.lower()


def check_username(field_name: str, value: str) -> str:
    if not is_identifier(value, USERNAME_MAX):
        if isinstance(value, str) and len(value) > USERNAME_MAX:
            raise InvariantViolation(field_name, f"is longer than {USERNAME_MAX} characters")
        raise InvariantViolation(
            field_name,
            f"{value!r} is not a username: a letter or digit, then letters, digits, '.', '_' "
            "or '-'",
        )
    if value != value.lower():
        raise InvariantViolation(field_name, f"{value!r} is not in lower case")
    return value


def check_password(password: str, username: str) -> None:
    """A password Dostyk accepts: 12 to 1024 characters, not containing the username."""
    if not isinstance(password, str):
        raise InvariantViolation("password", "must be text")
    if len(password) < PASSWORD_MIN:
        raise InvariantViolation(
            "password", f"is {len(password)} characters long; at least {PASSWORD_MIN} are needed"
        )
    if len(password) > PASSWORD_MAX:
        raise InvariantViolation(
            "password", f"is {len(password):,} characters long; at most {PASSWORD_MAX:,} are kept"
        )
    if "\x00" in password:
        raise InvariantViolation("password", "holds a NUL character")
    if username and username.lower() in password.lower():
        raise InvariantViolation("password", "contains the username")


def generate_password(username: str, length: int = 18) -> str:
    """A random password that :func:`check_password` accepts for ``username``.

    A short username (``x1``) turns up in a random string now and then; a generated password
    must never be the one refused, so such a draw is thrown away and drawn again.
    """
    while True:
        password = secrets.token_urlsafe(length)
        if not username or username.lower() not in password.lower():
            return password


@dataclass(frozen=True, slots=True)
class Account:
    """A person's (or a system's) sign-in to Dostyk. The password's hash is kept apart
    (:class:`Credential`), so an account can be shown, listed and logged without it."""

    username: str
    role: Role
    display_name: str
    officer_id: str | None
    party_id: str | None
    disabled: bool
    created_at: datetime
    #: Why the account was disabled; None while it is enabled.
    disabled_reason: str | None = None

    def __post_init__(self) -> None:
        checks = Checks()
        checks.check(check_username, "username", self.username)
        if not isinstance(self.role, Role):
            checks.add("role", f"{self.role!r} is not a role")
        checks.text("display_name", self.display_name, NAME_MAX)
        if self.officer_id is not None:
            checks.identifier("officer_id", self.officer_id, 24)
        if self.party_id is not None:
            checks.identifier("party_id", self.party_id)
        checks.instant("created_at", self.created_at)
        if self.disabled_reason is not None:
            checks.text("disabled_reason", self.disabled_reason, REMARK_MAX, prose=True)
        if self.disabled and self.disabled_reason is None:
            checks.add("disabled_reason", "a disabled account needs the reason")
        if not self.disabled and self.disabled_reason is not None:
            checks.add("disabled_reason", "an enabled account has no reason for being disabled")
        if isinstance(self.role, Role):
            for violation in shape_violations(self.role, self.officer_id, self.party_id):
                checks.found.append(violation)
        checks.done()

    @property
    def actor(self) -> str:
        """Who the account acts as in the records: the officer, else the username."""
        return self.officer_id if self.officer_id is not None else self.username


def shape_violations(
    role: Role, officer_id: str | None, party_id: str | None
) -> list[InvariantViolation]:
    """What the role requires of the account's officer and party, without looking them up."""
    found = []
    if role in PARTY_ROLES:
        if party_id is None:
            found.append(InvariantViolation("party_id", f"a {role} account needs a party"))
        if officer_id is not None:
            found.append(InvariantViolation("officer_id", f"a {role} account has no officer"))
    else:
        if party_id is not None:
            found.append(InvariantViolation("party_id", f"a {role} account has no party"))
        if role in OFFICER_ROLES and officer_id is None:
            found.append(InvariantViolation("officer_id", f"a {role} account needs an officer"))
    return found


def check_holder(role: Role, officer: Officer | None, party: Party | None) -> None:
    """The officer's rank or the party's roles fit the account's role.

    A broker's party lodges declarations, so it must be a declarant; an officer's rank must be
    at least the role's (a shift supervisor's account for a shift supervisor or above), and the
    HQ roles are held by HQ officers only.
    """
    checks = Checks()
    if role == Role.BROKER and party is not None and not party.has_role(PartyRole.DECLARANT):
        checks.add("party_id", f"{party.party_id} is not a declarant, so cannot be a broker")
    least = OFFICER_ROLES.get(role)
    if least is not None and officer is not None and officer.rank.seniority < least.seniority:
        checks.add(
            "officer_id",
            f"a {role} account needs an officer of rank {least} or above; "
            f"{officer.officer_id} is {officer.rank}",
        )
    checks.done()


@dataclass(frozen=True, slots=True)
class Credential:
    """An account's password, as its argon2id hash (``$argon2id$...``): kept in a record of its
    own so that nothing that shows an account can show the hash."""

    username: str
    password_hash: str = field(repr=False)
    set_at: datetime

    def __post_init__(self) -> None:
        checks = Checks()
        checks.check(check_username, "username", self.username)
        if not self.password_hash.startswith("$argon2id$"):
            checks.add("password_hash", "is not an argon2id hash")
        checks.instant("set_at", self.set_at)
        checks.done()


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A system's credential: it acts as its account, narrowed to one party or one post.

    Only the SHA-256 of the secret is kept (``secret_hash``); the secret is shown once, when the
    token is issued. ``token_id`` names the token for listing and revoking it.
    """

    token_id: str
    username: str
    label: str
    party_id: str | None
    post_code: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    secret_hash: str = field(repr=False)

    def __post_init__(self) -> None:
        checks = Checks()
        checks.identifier("token_id", self.token_id)
        checks.check(check_username, "username", self.username)
        checks.text("label", self.label, LABEL_MAX)
        if self.party_id is not None:
            checks.identifier("party_id", self.party_id)
        if self.post_code is not None:
            checks.identifier("post_code", self.post_code, 12)
        checks.instant("created_at", self.created_at)
        if self.expires_at is not None and not checks.failed("created_at"):
            if not isinstance(self.expires_at, datetime) or self.expires_at.tzinfo is None:
                checks.add("expires_at", "needs its time zone")
            elif self.expires_at <= self.created_at:
                checks.add("expires_at", "is not after the token's creation")
        if self.revoked_at is not None:
            checks.instant("revoked_at", self.revoked_at)
        if len(self.secret_hash) != 64 or not all(
            c in "0123456789abcdef" for c in self.secret_hash
        ):
            checks.add("secret_hash", "is not a SHA-256 in hex")
        checks.done()

    def valid_at(self, moment: datetime) -> bool:
        if self.revoked_at is not None and self.revoked_at <= moment:
            return False
        return self.expires_at is None or moment < self.expires_at


class AttemptOutcome(StrEnum):
    SUCCEEDED = "succeeded"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 (an outcome's name, not a password)
    UNKNOWN_ACCOUNT = "unknown_account"
    DISABLED = "disabled"
    THROTTLED = "throttled"


#: The outcomes that count towards throttling: each was a guess checked against a password.
#: A throttled attempt checked nothing, so it does not prolong the throttle.
FAILURES = frozenset(
    {AttemptOutcome.WRONG_PASSWORD, AttemptOutcome.UNKNOWN_ACCOUNT, AttemptOutcome.DISABLED}
)
#: How much of an attempted username and of a client's address the log of attempts keeps.
ATTEMPT_TEXT_MAX = 64


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """One try at signing in, kept for throttling and for whoever investigates a break-in.

    ``username`` is what was typed, in lower case and cut to :data:`ATTEMPT_TEXT_MAX`
    characters; it need not name an account.
    """

    attempt_id: str
    username: str
    client: str
    at: datetime
    outcome: AttemptOutcome


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in browser. ``session_id`` is the SHA-256 of the cookie's secret, so the store
    never holds what would let someone take the session over; ``csrf_token`` is the secret each
    form of the session carries back."""

    session_id: str = field(repr=False)
    username: str
    created_at: datetime
    last_seen_at: datetime
    #: The session ends here however busy it is (the absolute timeout).
    expires_at: datetime
    #: The session ends after this long without a request (the idle timeout).
    idle_seconds: int
    csrf_token: str = field(repr=False)
    closed_at: datetime | None = None

    def open_at(self, moment: datetime) -> bool:
        """Whether the session still lets its browser in at ``moment``."""
        if self.closed_at is not None and self.closed_at <= moment:
            return False
        if moment >= self.expires_at:
            return False
        return moment < self.last_seen_at + timedelta(seconds=self.idle_seconds)
