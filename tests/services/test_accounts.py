"""Accounts, signing in, sessions, tokens and scope, on both back ends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from dostyk.domain.accounts import Account, AttemptOutcome, Role
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.officers import Posting
from dostyk.ledger.verification import verify_store
from dostyk.services import accounts as a
from dostyk.services.errors import Conflict, NotFound
from dostyk.services.ledger import ensure_signing_key, sign_head
from dostyk.services.passwords import hash_password
from dostyk.store import tables as t
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import T0

PASSWORD = "correct horse battery staple"


def broker(engine: Engine, username: str = "dana") -> None:
    a.add_account(
        engine,
        username,
        Role.BROKER,
        party_id="BRK1",
        display_name="Dana of Broker One",
        password=PASSWORD,
        actor="system",
        at=T0,
    )


def inspector(engine: Engine, username: str = "insp") -> None:
    a.add_account(
        engine,
        username,
        Role.INSPECTOR,
        officer_id="IN-DST1",
        display_name="Dana Omarova",
        password=PASSWORD,
        actor="system",
        at=T0,
    )


def sign_in(engine: Engine, password: str, *, seconds: int, username: str = "dana") -> Account:
    return a.authenticate(
        engine, username, password, client="10.0.0.7", at=T0 + timedelta(seconds=seconds)
    )


def test_an_account_signs_in_with_its_password_stored_as_argon2id(world: Engine) -> None:
    broker(world, "Dana")
    account = sign_in(world, PASSWORD, seconds=1, username="DANA")
    assert (account.username, account.role, account.party_id) == ("dana", Role.BROKER, "BRK1")
    with world.connect() as connection:
        stored = connection.execute(select(t.account_credentials.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_unknown_user_wrong_password_and_disabled_account_fail_alike(world: Engine) -> None:
    broker(world)
    broker(world, "olga")
    a.disable_account(world, "olga", reason="left the firm", actor="system", at=T0)
    messages = []
    for n, (username, password) in enumerate(
        [("dana", "wrong password here"), ("nobody", PASSWORD), ("olga", PASSWORD)]
    ):
        with pytest.raises(a.AuthenticationFailed) as failed:
            sign_in(world, password, seconds=n, username=username)
        messages.append(str(failed.value))
    assert messages == [a.MESSAGE] * 3
    with world.connect() as connection:
        outcomes = connection.execute(
            select(t.login_attempts.c.username, t.login_attempts.c.outcome).order_by(
                t.login_attempts.c.at
            )
        ).all()
    assert outcomes == [  # only the log tells them apart
        ("dana", AttemptOutcome.WRONG_PASSWORD),
        ("nobody", AttemptOutcome.UNKNOWN_ACCOUNT),
        ("olga", AttemptOutcome.DISABLED),
    ]


def test_the_tenth_wrong_password_in_a_minute_is_throttled(world: Engine) -> None:
    broker(world)
    for n in range(9):
        with pytest.raises(a.AuthenticationFailed):
            sign_in(world, f"wrong password {n}", seconds=n)
    with pytest.raises(a.Throttled) as throttled:
        sign_in(world, PASSWORD, seconds=10)  # even the right one: nothing is checked
    assert throttled.value.retry_after_seconds == 50
    # From another client the username is throttled too; a minute after the ninth failure
    # the right password works.
    with pytest.raises(a.Throttled):
        a.authenticate(world, "dana", PASSWORD, client="10.9.9.9", at=T0 + timedelta(seconds=20))
    assert sign_in(world, PASSWORD, seconds=69).username == "dana"


def test_one_client_guessing_many_usernames_is_throttled(world: Engine) -> None:
    broker(world)
    for n in range(9):
        with pytest.raises(a.AuthenticationFailed):
            sign_in(world, PASSWORD, seconds=n, username=f"guess{n}")
    with pytest.raises(a.Throttled):
        sign_in(world, PASSWORD, seconds=9)
    assert a.authenticate(world, "dana", PASSWORD, client="elsewhere", at=T0 + timedelta(9))


def test_a_disabled_account_cannot_sign_in_and_its_sessions_stop(world: Engine) -> None:
    broker(world)
    token, _ = a.open_session(world, "dana", at=T0)
    assert a.resolve_session(world, token, at=T0 + timedelta(minutes=5)) is not None
    a.disable_account(world, "dana", reason="suspected of sharing his sign-in", actor="x", at=T0)
    assert a.resolve_session(world, token, at=T0 + timedelta(minutes=6)) is None
    with pytest.raises(a.AuthenticationFailed):
        sign_in(world, PASSWORD, seconds=400)
    a.enable_account(world, "dana", actor="x", at=T0 + timedelta(minutes=7))
    assert a.resolve_session(world, token, at=T0 + timedelta(minutes=8)) is None  # it stays shut
    assert sign_in(world, PASSWORD, seconds=500).username == "dana"


def test_sessions_end_when_idle_at_their_deadline_and_at_sign_out(world: Engine) -> None:
    broker(world)
    token, session = a.open_session(
        world, "dana", at=T0, idle=timedelta(minutes=30), absolute=timedelta(hours=2)
    )
    assert token not in session.session_id and len(session.csrf_token) >= 32
    with world.connect() as connection:
        stored = connection.execute(select(t.web_sessions.c.session_id)).scalar_one()
    assert stored != token
    assert a.resolve_session(world, "not-the-token", at=T0) is None
    # Requests every 20 minutes keep it open past the idle timeout, not past the deadline.
    for minutes in (20, 40, 60, 80, 100):
        assert a.resolve_session(world, token, at=T0 + timedelta(minutes=minutes)) is not None
    assert a.resolve_session(world, token, at=T0 + timedelta(minutes=120)) is None
    other, _ = a.open_session(world, "dana", at=T0, idle=timedelta(minutes=30))
    assert a.resolve_session(world, other, at=T0 + timedelta(minutes=31)) is None
    third, _ = a.open_session(world, "dana", at=T0)
    a.close_session(world, third, at=T0 + timedelta(minutes=1))
    assert a.resolve_session(world, third, at=T0 + timedelta(minutes=2)) is None


def test_the_last_request_is_written_at_most_once_a_minute(world: Engine) -> None:
    broker(world)
    token, _ = a.open_session(world, "dana", at=T0)
    seen = a.resolve_session(world, token, at=T0 + timedelta(seconds=30))
    assert seen is not None and seen[1].last_seen_at == T0
    seen = a.resolve_session(world, token, at=T0 + timedelta(seconds=90))
    assert seen is not None and seen[1].last_seen_at == T0 + timedelta(seconds=90)
    with world.connect() as connection:
        stored = connection.execute(select(t.web_sessions.c.last_seen_at)).scalar_one()
    assert stored == T0 + timedelta(seconds=90)


def test_a_new_password_ends_every_session_and_replaces_the_old(world: Engine) -> None:
    broker(world)
    token, _ = a.open_session(world, "dana", at=T0)
    new = "a quite different passphrase"
    a.set_password(world, "dana", new, actor="system", at=T0 + timedelta(minutes=1))
    assert a.resolve_session(world, token, at=T0 + timedelta(minutes=2)) is None
    with pytest.raises(a.AuthenticationFailed):
        sign_in(world, PASSWORD, seconds=180)
    assert sign_in(world, new, seconds=181).username == "dana"


@pytest.mark.parametrize(
    ("password", "field_message"),
    [("short", "at least 12"), ("x" * 1025, "at most 1,024"), ("my name is DANA ok", "username")],
)
def test_passwords_outside_the_rules_are_refused(
    world: Engine, password: str, field_message: str
) -> None:
    with pytest.raises(InvariantViolation) as refused:
        a.add_account(
            world,
            "dana",
            Role.BROKER,
            party_id="BRK1",
            display_name="Dana",
            password=password,
            actor="system",
            at=T0,
        )
    assert refused.value.field == "password" and field_message in refused.value.message
    assert a.list_accounts(world) == []


def test_accounts_must_fit_their_officer_or_party(world: Engine) -> None:
    def add(role: Role, **holder: str) -> None:
        a.add_account(
            world, "someone", role, display_name="X", password=PASSWORD, actor="s", at=T0, **holder
        )

    refusals = [
        (Role.BROKER, {"party_id": "IMP1"}, "party_id", "not a declarant"),
        (Role.BROKER, {"officer_id": "IN-DST1"}, "party_id", "needs a party"),
        (Role.SHIFT_SUPERVISOR, {"officer_id": "IN-DST1"}, "officer_id", "rank shift_supervisor"),
        (Role.POST_CHIEF, {"officer_id": "SS-DST1"}, "officer_id", "rank post_chief"),
        (Role.RISK_ANALYST, {"officer_id": "RC-0001"}, "officer_id", "rank hq"),
        (Role.INSPECTOR, {}, "officer_id", "needs an officer"),
    ]
    for role, holder, field, message in refusals:
        with pytest.raises(InvariantViolation) as refused:
            add(role, **holder)
        assert (refused.value.field, message in refused.value.message) == (field, True), role
    with pytest.raises(NotFound):
        add(Role.INSPECTOR, officer_id="IN-NOPE")
    add(Role.SHIFT_SUPERVISOR, officer_id="PC-DST1")  # a post chief may supervise a shift
    with pytest.raises(Conflict):
        add(Role.PROGRAMME_MANAGER)  # "someone" is taken, in any case
    a.add_account(
        world,
        "Donor-PM",
        Role.PROGRAMME_MANAGER,
        display_name="Donor",
        password=PASSWORD,
        actor="s",
        at=T0,
    )
    assert [x.username for x in a.list_accounts(world)] == ["donor-pm", "someone"]


def test_tokens_resolve_by_their_secret_until_revoked_or_expired(world: Engine) -> None:
    broker(world)
    secret, token = a.issue_token(
        world,
        "dana",
        label="broker's system",
        post_code="DST",
        expires_at=T0 + timedelta(days=30),
        actor="system",
        at=T0,
    )
    assert a.resolve_token(world, secret, at=T0 + timedelta(days=1)) == (
        a.get_account(world, "dana"),
        token,
    )
    assert a.resolve_token(world, token.secret_hash, at=T0) is None  # the hash opens nothing
    assert a.resolve_token(world, token.token_id, at=T0) is None
    assert a.resolve_token(world, secret, at=T0 + timedelta(days=30)) is None  # expired
    with world.connect() as connection:
        stored = connection.execute(select(t.api_tokens.c.secret_hash)).scalar_one()
    assert secret not in stored
    a.revoke_token(world, token.token_id, actor="system", at=T0 + timedelta(days=2))
    assert a.resolve_token(world, secret, at=T0 + timedelta(days=3)) is None
    assert a.list_tokens(world, "dana")[0].revoked_at == T0 + timedelta(days=2)
    with pytest.raises(InvariantViolation) as refused:
        a.issue_token(world, "dana", label="x", party_id="BRK2", actor="system", at=T0)
    assert refused.value.field == "party_id"


def test_scope_follows_postings_on_the_day(world: Engine) -> None:
    inspector(world)
    a.add_account(
        world,
        "rc",
        Role.REGIONAL_CHIEF,
        officer_id="RC-0001",
        display_name="RC",
        password=PASSWORD,
        actor="s",
        at=T0,
    )
    a.add_account(
        world,
        "hq",
        Role.INTEGRITY_UNIT,
        officer_id="HQ-0001",
        display_name="HQ",
        password=PASSWORD,
        actor="s",
        at=T0,
    )
    broker(world)
    with UnitOfWork(world, at=T0) as uow:  # the inspector moves to Khorgos in April
        old = uow.postings.get("IN-DST1", date(2024, 1, 1))
        assert old is not None
        uow.postings.replace(Posting("IN-DST1", "DST", old.start_date, date(2025, 3, 31)))
        uow.postings.add(Posting("IN-DST1", "KHR", date(2025, 4, 1)))
        uow.postings.add(Posting("RC-0001", "DST", date(2024, 1, 1)))
    account = a.get_account(world, "insp")
    assert account is not None
    march = a.account_scope(world, account, T0)
    april = a.account_scope(world, account, T0 + timedelta(days=31))
    assert march.posts == frozenset({"DST"}) and april.posts == frozenset({"KHR"})
    # Postings are the country's days: 19:30 UTC on 31 March is already 1 April there.
    evening = datetime(2025, 3, 31, 18, 30, tzinfo=UTC)
    assert a.account_scope(world, account, evening).posts == frozenset({"DST"})
    assert a.account_scope(world, account, evening + timedelta(hours=1)).posts == frozenset({"KHR"})
    rc = a.get_account(world, "rc")
    assert rc is not None
    regional = a.account_scope(world, rc, T0)
    assert regional.region is not None and {"DST", "KHR"} <= (regional.posts or set())
    hq = a.get_account(world, "hq")
    assert hq is not None and a.account_scope(world, hq, T0).national
    dana = a.get_account(world, "dana")
    assert dana is not None
    scope = a.account_scope(world, dana, T0)
    assert scope.parties == {"BRK1"} and scope.covers_parties(None, "BRK1")
    assert not scope.covers_parties("BRK2", "IMP1")
    _, token = a.issue_token(world, "insp", label="x", post_code="KHR", actor="s", at=T0)
    assert a.account_scope(world, account, T0, token).posts == frozenset()  # narrows, never widens


def test_ledger_verify_passes_with_accounts_and_finds_a_replaced_hash(
    world: Engine, tmp_path: Path
) -> None:
    broker(world)
    a.set_password(world, "dana", "another long passphrase", actor="system", at=T0)
    a.issue_token(world, "dana", label="system", actor="system", at=T0)
    a.open_session(world, "dana", at=T0)
    with pytest.raises(a.AuthenticationFailed):
        sign_in(world, "wrong password!!", seconds=1)
    key, _ = ensure_signing_key(tmp_path / "keys")
    sign_head(world, key)
    assert verify_store(world, key.public).findings == []
    forged = hash_password("the intruder's password")
    with world.begin() as connection:
        connection.execute(update(t.account_credentials).values(password_hash=forged))
    findings = verify_store(world, key.public).findings
    assert [f.where for f in findings] == ['account_credentials ["dana"]']


def test_demo_accounts_are_made_once_and_sign_in(world: Engine) -> None:
    made = a.demo_accounts(world, at=T0)
    roles = {m.role for m in made}
    assert {
        Role.INSPECTOR,
        Role.POST_OFFICER,
        Role.SHIFT_SUPERVISOR,
        Role.PROGRAMME_MANAGER,
    } <= roles
    again = a.demo_accounts(world, at=T0 + timedelta(minutes=1))
    assert [m.username for m in again] == [m.username for m in made]
    for n, demo in enumerate(again):
        account = a.authenticate(
            world, demo.username, demo.password, client=f"c{n}", at=T0 + timedelta(minutes=2)
        )
        assert account.role == demo.role
