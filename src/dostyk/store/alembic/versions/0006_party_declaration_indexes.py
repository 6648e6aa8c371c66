"""indexes for a party's declarations, newest first

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 14:30:00.000000

A broker's list of his declarations reads them newest first, a page at a time, for each role
he may hold on them (declarant, importer, exporter): one index per role, by lodgement time, so
a page reads only its own rows however long the party's history grows.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = ("declarant_id", "importer_id", "exporter_id")


def upgrade() -> None:
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        for role in ROLES:
            batch_op.create_index(
                batch_op.f(f"ix_declarations_{role}_lodged_at"), [role, "lodged_at"], unique=False
            )


def downgrade() -> None:
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        for role in reversed(ROLES):
            batch_op.drop_index(batch_op.f(f"ix_declarations_{role}_lodged_at"))
