"""``dostyk users``: the accounts that sign in to the web app and its API.

These are host-side commands, run by whoever administers the store: their actor is ``--as``
(default ``system``), recorded in the ledger beside every change. A password is read twice from
the terminal with nothing echoed, from the first line of standard input (``--password-stdin``,
for scripts), or generated (``--generate``) and printed once; a token's secret is printed once
when it is issued. Neither is stored, so neither can be shown again.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from dostyk.cli import terminal
from dostyk.cli.acting import AsJson, instant, moment, refusals, refuse
from dostyk.cli.context import open_store

if TYPE_CHECKING:
    from dostyk.domain.accounts import Account, ApiToken

app = typer.Typer(
    help="Accounts of the web app and its API: add, list, disable, passwords, tokens.",
    no_args_is_help=True,
)
tokens = typer.Typer(
    help="API tokens for other systems: issue, list, revoke.", no_args_is_help=True
)
app.add_typer(tokens, name="token")


class RoleChoice(StrEnum):
    """The roles, as the option takes them (the domain's Role is loaded on use only)."""

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


Username = Annotated[str, typer.Argument(metavar="USERNAME", help="The account's username.")]
Actor = Annotated[
    str,
    typer.Option("--as", metavar="ACTOR", help="Who makes the change, for the ledger."),
]
PasswordStdin = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
]
Generate = Annotated[
    bool, typer.Option("--generate", help="Generate a password and print it once.")
]


def _password(username: str, from_stdin: bool, generate: bool) -> tuple[str, bool]:
    """The new password, and whether it was generated (and so is to be printed)."""
    import sys

    from dostyk.domain.accounts import generate_password

    if from_stdin and generate:
        raise terminal.bad_parameter("--generate", "cannot be given with --password-stdin")
    if generate:
        return generate_password(username), True
    if from_stdin:
        line = sys.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r"), False
    first: str = typer.prompt(f"Password for {terminal.visible(username)}", hide_input=True)
    second: str = typer.prompt("The same password again", hide_input=True)
    if first != second:
        terminal.error("{}", "the two passwords differ; nothing was written")
        raise typer.Exit(1)
    return first, False


def _optional_instant(text: str | None, option: str) -> object:
    from dostyk.store.canonical import decode_instant

    if text is None:
        return None
    try:
        return decode_instant(text)
    except ValueError as error:
        raise terminal.bad_parameter(option, "{}", error) from None


@app.command()
def add(
    username: Username,
    role: Annotated[RoleChoice, typer.Option("--role", help="The account's role.")],
    officer: Annotated[
        str | None, typer.Option("--officer", metavar="ID", help="Officer's service number.")
    ] = None,
    party: Annotated[
        str | None, typer.Option("--party", metavar="ID", help="Party (broker or trader).")
    ] = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name", metavar="NAME", help="Name shown; default: the officer's or party's."
        ),
    ] = None,
    password_stdin: PasswordStdin = False,
    generate: Generate = False,
    actor: Actor = "system",
) -> None:
    """Add an account for an officer or a party; its password is asked for twice."""
    from dostyk.domain.accounts import Role
    from dostyk.services.accounts import add_account

    engine = open_store()
    display = name if name is not None else _holder_name(engine, officer, party, username)
    password, generated = _password(username, password_stdin, generate)
    with refusals():
        account = add_account(
            engine,
            username,
            Role(role.value),
            officer_id=officer,
            party_id=party,
            display_name=display,
            password=password,
            actor=actor,
            at=moment(None),
        )
    terminal.say("Added {} ({}).", account.username, account.role.value)
    if generated:
        terminal.say("Password (shown once): {}", password)


def _holder_name(engine: object, officer: str | None, party: str | None, username: str) -> str:
    from sqlalchemy import Engine

    from dostyk.store.unit_of_work import UnitOfWork

    assert isinstance(engine, Engine)
    with UnitOfWork(engine) as uow:
        if officer is not None and (found := uow.officers.get(officer)) is not None:
            return str(found.name)
        if party is not None and (holder := uow.parties.get(party)) is not None:
            return str(holder.name)
    return username


@app.command("list")
def list_(as_json: AsJson = False) -> None:
    """List the accounts (never a password or its hash)."""
    from dostyk.services.accounts import list_accounts

    found = list_accounts(open_store())
    if as_json:
        terminal.echo_json([_account_json(a) for a in found])
        return
    table = terminal.table("username", "role", "name", "officer", "party", "state", "created")
    for account in found:
        table.add_row(
            account.username,
            account.role.value,
            account.display_name,
            account.officer_id or "",
            account.party_id or "",
            f"disabled: {account.disabled_reason}" if account.disabled else "enabled",
            instant(account.created_at),
        )
    table.show()


def _account_json(account: Account) -> dict[str, object]:
    return {
        "username": account.username,
        "role": account.role.value,
        "display_name": account.display_name,
        "officer_id": account.officer_id,
        "party_id": account.party_id,
        "disabled": account.disabled,
        "disabled_reason": account.disabled_reason,
        "created_at": instant(account.created_at),
    }


@app.command()
def disable(
    username: Username,
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="Why.")],
    actor: Actor = "system",
) -> None:
    """Disable an account: it cannot sign in, its sessions end and its tokens stop working."""
    from dostyk.services.accounts import disable_account

    with refusals():
        account = disable_account(
            open_store(), username, reason=reason, actor=actor, at=moment(None)
        )
    terminal.say("Disabled {}.", account.username)


@app.command()
def enable(username: Username, actor: Actor = "system") -> None:
    """Enable a disabled account again."""
    from dostyk.services.accounts import enable_account

    with refusals():
        account = enable_account(open_store(), username, actor=actor, at=moment(None))
    terminal.say("Enabled {}.", account.username)


@app.command()
def passwd(
    username: Username,
    password_stdin: PasswordStdin = False,
    generate: Generate = False,
    actor: Actor = "system",
) -> None:
    """Set an account's password; its open sessions end."""
    from dostyk.services.accounts import get_account, set_password

    engine = open_store()
    if get_account(engine, username) is None:
        raise refuse(f"no account {username}; nothing was written")
    password, generated = _password(username, password_stdin, generate)
    with refusals():
        set_password(engine, username, password, actor=actor, at=moment(None))
    terminal.say("Password of {} changed; its sessions have ended.", username.lower())
    if generated:
        terminal.say("Password (shown once): {}", password)


@tokens.command("issue")
def issue(
    username: Username,
    label: Annotated[str, typer.Option("--label", metavar="L", help="What the token is for.")],
    party: Annotated[
        str | None, typer.Option("--party", metavar="P", help="Narrow it to one party.")
    ] = None,
    post: Annotated[
        str | None, typer.Option("--post", metavar="CODE", help="Narrow it to one post.")
    ] = None,
    expires: Annotated[
        str | None,
        typer.Option("--expires", metavar="ISO", help="When it stops working (ISO 8601)."),
    ] = None,
    actor: Actor = "system",
) -> None:
    """Issue an API token acting as the account; its secret is printed once."""
    from datetime import datetime

    from dostyk.services.accounts import issue_token

    ends = _optional_instant(expires, "--expires")
    assert ends is None or isinstance(ends, datetime)
    with refusals():
        secret, token = issue_token(
            open_store(),
            username,
            label=label,
            party_id=party,
            post_code=post,
            expires_at=ends,
            actor=actor,
            at=moment(None),
        )
    terminal.say("Issued {} for {}.", token.token_id, token.username)
    terminal.say("Secret (shown once): {}", secret)


@tokens.command("list")
def list_tokens_(
    username: Annotated[
        str | None, typer.Argument(metavar="[USERNAME]", help="Only this account's tokens.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """List API tokens (never their secrets)."""
    from dostyk.services.accounts import list_tokens

    with refusals(writes=False):
        found = list_tokens(open_store(), username)
    if as_json:
        terminal.echo_json([_token_json(t) for t in found])
        return
    table = terminal.table(
        "token", "username", "label", "party", "post", "issued", "expires", "revoked"
    )
    for token in found:
        table.add_row(
            token.token_id,
            token.username,
            token.label,
            token.party_id or "",
            token.post_code or "",
            instant(token.created_at),
            instant(token.expires_at),
            instant(token.revoked_at),
        )
    table.show()


def _token_json(token: ApiToken) -> dict[str, object]:
    return {
        "token_id": token.token_id,
        "username": token.username,
        "label": token.label,
        "party_id": token.party_id,
        "post_code": token.post_code,
        "created_at": instant(token.created_at),
        "expires_at": instant(token.expires_at) or None,
        "revoked_at": instant(token.revoked_at) or None,
    }


@tokens.command("revoke")
def revoke(
    token_id: Annotated[str, typer.Argument(metavar="TOKEN_ID", help="The token's identifier.")],
    actor: Actor = "system",
) -> None:
    """Revoke an API token: it stops working at once."""
    from dostyk.services.accounts import revoke_token

    with refusals():
        token = revoke_token(open_store(), token_id, actor=actor, at=moment(None))
    terminal.say("Revoked {}.", token.token_id)


@app.command()
def demo() -> None:
    """Create one ready account per role on a simulated store, with fresh passwords, and print
    them. Run again, it gives the same accounts new passwords."""
    from dostyk.services.accounts import demo_accounts

    with refusals():
        made = demo_accounts(open_store(), at=moment(None))
    table = terminal.table("username", "role", "password", "for")
    for account in made:
        table.add_row(account.username, account.role.value, account.password, account.purpose)
    table.show()
