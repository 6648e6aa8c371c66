"""``dostyk users``: accounts, passwords and tokens from the host's command line."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Invoke
from tests.cli.hostile_text import ARGUMENT_PIECES, hidden

PASSWORD = "correct horse battery staple\n"


def test_add_list_disable_enable_and_passwd(dostyk: Invoke) -> None:
    added = dostyk(
        "users",
        "add",
        "Dana",
        "--role",
        "broker",
        "--party",
        "BRK000",
        "--password-stdin",
        input=PASSWORD,
    )
    assert added.exit_code == 0, added.output
    assert "Added dana (broker)." in added.output
    listed = json.loads(dostyk("users", "list", "--json").output)
    assert listed == [
        {
            "username": "dana",
            "role": "broker",
            "display_name": "Broker 1 LLP",
            "officer_id": None,
            "party_id": "BRK000",
            "disabled": False,
            "disabled_reason": None,
            "created_at": listed[0]["created_at"],
        }
    ]
    assert "argon2" not in dostyk("users", "list").output
    assert dostyk("users", "disable", "dana", "--reason", "left the firm").exit_code == 0
    assert "disabled: left the firm" in dostyk("users", "list").output
    again = dostyk("users", "disable", "dana", "--reason", "twice")
    assert again.exit_code == 1 and "disabled already" in again.output
    assert dostyk("users", "enable", "dana").exit_code == 0
    changed = dostyk("users", "passwd", "dana", "--generate")
    assert changed.exit_code == 0 and "Password (shown once): " in changed.output


def test_refusals_name_the_field_and_usage_errors_exit_2(dostyk: Invoke) -> None:
    short = dostyk(
        "users",
        "add",
        "dana",
        "--role",
        "broker",
        "--party",
        "BRK000",
        "--password-stdin",
        input="short\n",
    )
    assert short.exit_code == 1 and "password: is 5 characters long" in short.output
    officer = dostyk(
        "users", "add", "x1", "--role", "shift_supervisor", "--officer", "IN-DST1", "--generate"
    )
    assert (
        officer.exit_code == 1 and "officer_id: a shift_supervisor account needs" in officer.output
    )
    assert dostyk("users", "add", "x2", "--role", "czar", "--generate").exit_code == 2
    both = dostyk(
        "users",
        "add",
        "x3",
        "--role",
        "broker",
        "--party",
        "BRK000",
        "--generate",
        "--password-stdin",
    )
    assert both.exit_code == 2
    assert dostyk("users", "passwd", "nobody", "--generate").exit_code == 1
    assert json.loads(dostyk("users", "list", "--json").output) == []


def test_prompted_passwords_must_match(dostyk: Invoke) -> None:
    differ = dostyk(
        "users",
        "add",
        "dana",
        "--role",
        "broker",
        "--party",
        "BRK000",
        input="correct horse battery\nsomething else entirely\n",
    )
    assert differ.exit_code == 1 and "differ" in differ.output
    same = dostyk(
        "users",
        "add",
        "dana",
        "--role",
        "broker",
        "--party",
        "BRK000",
        input="correct horse battery\ncorrect horse battery\n",
    )
    assert same.exit_code == 0, same.output
    assert "correct horse battery" not in same.output


def test_tokens_are_issued_listed_and_revoked_with_the_secret_shown_once(dostyk: Invoke) -> None:
    dostyk("users", "add", "dana", "--role", "broker", "--party", "BRK000", "--generate")
    issued = dostyk("users", "token", "issue", "dana", "--label", "broker system", "--post", "DST")
    assert issued.exit_code == 0, issued.output
    secret = issued.output.split("Secret (shown once): ")[1].strip()
    listed = dostyk("users", "token", "list", "--json")
    tokens = json.loads(listed.output)
    assert secret not in listed.output and tokens[0]["post_code"] == "DST"
    assert dostyk("users", "token", "revoke", tokens[0]["token_id"]).exit_code == 0
    assert json.loads(dostyk("users", "token", "list", "--json").output)[0]["revoked_at"]
    bad = dostyk("users", "token", "issue", "dana", "--label", "x", "--expires", "tomorrow")
    assert bad.exit_code == 2


@pytest.mark.parametrize("piece", ARGUMENT_PIECES)
def test_hostile_usernames_are_refused_and_names_shown_literally(
    dostyk: Invoke, piece: str
) -> None:
    refused = dostyk(
        "users", "add", f"d{piece}x", "--role", "broker", "--party", "BRK000", "--generate"
    )
    if refused.exit_code == 0:  # only letters and digits pass as usernames
        assert piece.isalnum()
    else:
        assert refused.exit_code == 1 and "username" in refused.output
        assert not hidden(refused.output.replace("\n", ""))
    name = f"Name {piece} [bold]x[/] end"
    made = dostyk(
        "users",
        "add",
        "named",
        "--role",
        "broker",
        "--party",
        "BRK000",
        "--name",
        name,
        "--generate",
    )
    listed = dostyk("users", "list")
    assert not hidden(listed.output)
    if made.exit_code == 0:
        assert "[bold]x[/]" in listed.output
    else:
        assert made.exit_code == 1 and "display_name" in made.output
