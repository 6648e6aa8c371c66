"""The rules of accounts, tokens and sessions, without a store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dostyk.domain.accounts import (
    Account,
    ApiToken,
    Role,
    Session,
    check_holder,
    check_password,
    generate_password,
)
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.officers import Officer, Rank
from dostyk.domain.parties import Party, PartyRole

AT = datetime(2025, 3, 1, 8, tzinfo=UTC)


def account(**changes: object) -> Account:
    fields: dict[str, object] = {
        "username": "dana",
        "role": Role.BROKER,
        "display_name": "Dana",
        "officer_id": None,
        "party_id": "BRK1",
        "disabled": False,
        "created_at": AT,
    }
    return Account(**(fields | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "username", ["Dana", "-dana", "dana smith", "dana\x00", "d" * 41, "dаna\u202e", ""]
)
def test_hostile_or_malformed_usernames_are_refused(username: str) -> None:
    with pytest.raises(InvariantViolation) as refused:
        account(username=username)
    assert refused.value.field == "username"


def test_display_names_hold_no_control_characters() -> None:
    assert account(display_name="<script>alert(1)</script> [bold]x[/]").display_name
    for name in ("a\x1b[31mred", "line\nbreak", "rtl\u202eoverride", " "):
        with pytest.raises(InvariantViolation) as refused:
            account(display_name=name)
        assert refused.value.field == "display_name"


def test_party_roles_need_a_party_and_no_officer() -> None:
    with pytest.raises(InvariantViolation) as refused:
        account(party_id=None, officer_id="IN-DST1")
    assert {v.field for v in refused.value.violations} == {"party_id", "officer_id"}
    with pytest.raises(InvariantViolation):
        account(role=Role.INSPECTOR, party_id=None)
    assert account(role=Role.ADMINISTRATOR, party_id=None).officer_id is None


def test_a_disabled_account_carries_its_reason() -> None:
    with pytest.raises(InvariantViolation):
        account(disabled=True)
    with pytest.raises(InvariantViolation):
        account(disabled_reason="why")
    assert account(disabled=True, disabled_reason="left").disabled


def test_ranks_and_roles() -> None:
    inspector = Officer("IN-1", "A", Rank.INSPECTOR)
    chief = Officer("PC-1", "B", Rank.POST_CHIEF)
    hq = Officer("HQ-1", "C", Rank.HQ)
    check_holder(Role.RADIATION_OPERATOR, inspector, None)
    check_holder(Role.SHIFT_SUPERVISOR, chief, None)
    check_holder(Role.INTEGRITY_UNIT, hq, None)
    for role, officer in [
        (Role.SHIFT_SUPERVISOR, inspector),
        (Role.REGIONAL_CHIEF, chief),
        (Role.RISK_ANALYST, chief),
    ]:
        with pytest.raises(InvariantViolation):
            check_holder(role, officer, None)
    importer = Party("IMP1", "I", "123456789012", "KZ", frozenset({PartyRole.IMPORTER}))
    with pytest.raises(InvariantViolation):
        check_holder(Role.BROKER, None, importer)
    check_holder(Role.TRADER, None, importer)


def test_password_rules() -> None:
    check_password("x" * 12, "dana")
    check_password("x" * 1024, "dana")
    for password in ("x" * 11, "x" * 1025, "I am Dana, hello"):
        with pytest.raises(InvariantViolation):
            check_password(password, "dana")


def test_a_generated_password_is_always_one_the_rules_accept() -> None:
    # A one-letter username turns up in about half of all random 24-character strings.
    for _ in range(200):
        check_password(generate_password("a"), "a")


def test_secrets_never_appear_in_a_record_s_repr() -> None:
    token = ApiToken("tok-1", "dana", "l", None, None, AT, None, None, "ab" * 32)
    session = Session("cd" * 32, "dana", AT, AT, AT + timedelta(hours=1), 60, "csrf-secret")
    assert "ab" * 32 not in repr(token)
    assert "cd" * 32 not in repr(session) and "csrf-secret" not in repr(session)


def test_a_session_ends_at_its_idle_or_absolute_timeout() -> None:
    session = Session("cd" * 32, "dana", AT, AT, AT + timedelta(hours=1), 600, "c")
    assert session.open_at(AT + timedelta(seconds=599))
    assert not session.open_at(AT + timedelta(seconds=600))
    assert not session.open_at(AT + timedelta(hours=2))
