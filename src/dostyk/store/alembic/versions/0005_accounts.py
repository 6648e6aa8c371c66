"""accounts, their passwords and API tokens; web sessions and sign-in attempts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 13:20:00.000000

Accounts, credentials and tokens are records under the ledger (a store that had none logs
nothing new here); sessions and sign-in attempts are operational. The attempts are indexed by
username and by client with their outcome and time, so counting the last minute's failures reads
only that minute's rows however long the history grows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dostyk.store.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant(name: str, comment: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(
        name, dostyk.store.types.UtcDateTime(timezone=True), nullable=nullable, comment=comment
    )


def _reference(column: str, table: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}"],
        name=op.f(f"fk_{table}_{column}_{target.split('.')[0]}"),
        initially="DEFERRED",
        deferrable=True,
    )


ROLES = (
    "broker",
    "trader",
    "post_officer",
    "inspector",
    "radiation_operator",
    "shift_supervisor",
    "post_chief",
    "regional_chief",
    "risk_analyst",
    "integrity_unit",
    "programme_manager",
    "administrator",
)
OUTCOMES = ("succeeded", "wrong_password", "unknown_account", "disabled", "throttled")


def _one_of(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column(
            "username", sa.String(length=40), nullable=False, comment="Username, in lower case"
        ),
        sa.Column("role", sa.String(length=24), nullable=False, comment="Role"),
        sa.Column(
            "display_name",
            sa.String(length=200),
            nullable=False,
            comment="Name shown for the account",
        ),
        sa.Column(
            "officer_id",
            sa.String(length=24),
            nullable=True,
            comment="Service number of the officer it belongs to",
        ),
        sa.Column(
            "party_id",
            sa.String(length=40),
            nullable=True,
            comment="Party (broker or trader) it belongs to",
        ),
        sa.Column(
            "disabled",
            sa.Boolean(),
            nullable=False,
            comment="True while the account may not sign in",
        ),
        _instant("created_at", "Time of creation, UTC"),
        sa.Column("disabled_reason", sa.Text(), nullable=True, comment="Why it was disabled"),
        sa.CheckConstraint(_one_of("role", ROLES), name=op.f("ck_accounts_role_valid")),
        _reference("officer_id", "accounts", "officers.officer_id"),
        _reference("party_id", "accounts", "parties.party_id"),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_accounts")),
    )
    op.create_index(op.f("ix_accounts_officer_id"), "accounts", ["officer_id"], unique=False)
    op.create_index(op.f("ix_accounts_party_id"), "accounts", ["party_id"], unique=False)
    op.create_table(
        "account_credentials",
        sa.Column("username", sa.String(length=40), nullable=False, comment="Account"),
        sa.Column(
            "password_hash",
            sa.String(length=256),
            nullable=False,
            comment="argon2id hash of the password, with its parameters",
        ),
        _instant("set_at", "Time the password was set or last rehashed, UTC"),
        _reference("username", "account_credentials", "accounts.username"),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_account_credentials")),
    )
    op.create_table(
        "api_tokens",
        sa.Column(
            "token_id",
            sa.String(length=40),
            nullable=False,
            comment="Token identifier, shown in listings",
        ),
        sa.Column(
            "username", sa.String(length=40), nullable=False, comment="Account the token acts as"
        ),
        sa.Column("label", sa.String(length=120), nullable=False, comment="What the token is for"),
        sa.Column(
            "party_id",
            sa.String(length=40),
            nullable=True,
            comment="Party the token is narrowed to",
        ),
        sa.Column(
            "post_code",
            sa.String(length=12),
            nullable=True,
            comment="Post the token is narrowed to",
        ),
        _instant("created_at", "Time of issue, UTC"),
        _instant("expires_at", "Time it stops working, UTC; empty if never", nullable=True),
        _instant("revoked_at", "Time it was revoked, UTC", nullable=True),
        sa.Column(
            "secret_hash",
            sa.String(length=64),
            nullable=False,
            comment="SHA-256 of the token's secret, hex",
        ),
        _reference("party_id", "api_tokens", "parties.party_id"),
        _reference("post_code", "api_tokens", "posts.code"),
        _reference("username", "api_tokens", "accounts.username"),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_tokens_secret_hash")),
    )
    op.create_index(op.f("ix_api_tokens_username"), "api_tokens", ["username"], unique=False)
    op.create_table(
        "web_sessions",
        sa.Column(
            "session_id",
            sa.String(length=64),
            nullable=False,
            comment="SHA-256 of the session cookie's secret, hex",
        ),
        sa.Column("username", sa.String(length=40), nullable=False, comment="Account signed in"),
        _instant("created_at", "Time of sign-in, UTC"),
        _instant("last_seen_at", "Time of the last request, to the minute, UTC"),
        _instant("expires_at", "Time the session ends however busy, UTC"),
        sa.Column(
            "idle_seconds",
            sa.Integer(),
            nullable=False,
            comment="Seconds without a request after which it ends",
        ),
        sa.Column(
            "csrf_token",
            sa.String(length=64),
            nullable=False,
            comment="Secret every form of the session carries back",
        ),
        _instant(
            "closed_at",
            "Time it was closed (signed out, disabled, password changed)",
            nullable=True,
        ),
        _reference("username", "web_sessions", "accounts.username"),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_web_sessions")),
    )
    op.create_index(
        op.f("ix_web_sessions_username_expires_at"),
        "web_sessions",
        ["username", "expires_at"],
        unique=False,
    )
    op.create_table(
        "login_attempts",
        sa.Column("attempt_id", sa.String(length=40), nullable=False, comment="Attempt identifier"),
        sa.Column(
            "username",
            sa.String(length=64),
            nullable=False,
            comment="Username tried, in lower case (cut to 64 characters)",
        ),
        sa.Column(
            "client",
            sa.String(length=64),
            nullable=False,
            comment="Client address or name (cut to 64 characters)",
        ),
        _instant("at", "Time of the attempt, UTC"),
        sa.Column("outcome", sa.String(length=16), nullable=False, comment="What came of it"),
        sa.CheckConstraint(
            _one_of("outcome", OUTCOMES), name=op.f("ck_login_attempts_outcome_valid")
        ),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_login_attempts")),
    )
    op.create_index(
        op.f("ix_login_attempts_client_outcome_at"),
        "login_attempts",
        ["client", "outcome", "at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_login_attempts_username_outcome_at"),
        "login_attempts",
        ["username", "outcome", "at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("login_attempts")
    op.drop_table("web_sessions")
    op.drop_table("api_tokens")
    op.drop_table("account_credentials")
    op.drop_table("accounts")
