"""indexes for an importer's and a manifest's declarations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 06:51:17.526047
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_declarations_importer_id_status"),
            ["importer_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_declarations_manifest_id"), ["manifest_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declarations_manifest_id"))
        batch_op.drop_index(batch_op.f("ix_declarations_importer_id_status"))
