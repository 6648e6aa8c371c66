"""foreign keys checked at commit; running statistics of released declarations

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 05:40:00.000000

Foreign keys become DEFERRABLE INITIALLY DEFERRED, so no transaction has to switch them to
deferred (on SQLite that pragma expires every prepared statement of the connection). On SQLite
the change is made in the stored schema text, the procedure SQLite's documentation gives for
changing constraints that leave the file's format as it is
(https://www.sqlite.org/lang_altertable.html#otheralter); on PostgreSQL with ALTER CONSTRAINT.

The running statistics are created and filled from the records already stored, and the duty
shifts are indexed by their end and inspections by inspector and start, so that finding who is
on duty and an inspector's queue read the current shifts and the waiting inspections only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMMEDIATE = "DEFERRABLE INITIALLY IMMEDIATE"
DEFERRED = "DEFERRABLE INITIALLY DEFERRED"


def _set_deferral(old: str, new: str) -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        version = connection.exec_driver_sql("PRAGMA schema_version").scalar_one()
        connection.exec_driver_sql("PRAGMA writable_schema=ON")
        connection.exec_driver_sql(
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table'", (old, new)
        )
        connection.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
        connection.exec_driver_sql("PRAGMA writable_schema=OFF")
        return
    initially = new.rsplit(" ", 1)[1]
    rows = connection.exec_driver_sql(
        "SELECT conrelid::regclass::text, conname FROM pg_constraint "
        "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace"
    ).all()
    for table_name, name in rows:
        op.execute(
            f'ALTER TABLE {table_name} ALTER CONSTRAINT "{name}" DEFERRABLE INITIALLY {initially}'
        )


def upgrade() -> None:
    _set_deferral(IMMEDIATE, DEFERRED)
    op.create_table(
        "usual_values",
        sa.Column("hs6", sa.String(length=6), nullable=False, comment="HS subheading"),
        sa.Column(
            "bucket",
            sa.Integer(),
            nullable=False,
            comment="Value per net kg bucket: floor(16 log2(value per kg))",
        ),
        sa.Column(
            "released_items",
            sa.BigInteger(),
            nullable=False,
            comment="Released items whose value per kg falls in the bucket",
        ),
        sa.PrimaryKeyConstraint("hs6", "bucket", name=op.f("pk_usual_values")),
    )
    op.create_table(
        "release_tallies",
        sa.Column(
            "dimension",
            sa.String(length=16),
            nullable=False,
            comment="importer, declarant, post, hs6 or origin",
        ),
        sa.Column(
            "subject",
            sa.String(length=40),
            nullable=False,
            comment="The importer's or declarant's id, post code, subheading or country",
        ),
        sa.Column(
            "released",
            sa.BigInteger(),
            nullable=False,
            comment="Released declarations (for hs6 and origin: with such an item)",
        ),
        sa.PrimaryKeyConstraint("dimension", "subject", name=op.f("pk_release_tallies")),
    )
    with op.batch_alter_table("duty_shifts", schema=None) as batch_op:
        batch_op.drop_index("ix_duty_shifts_post_code_starts_at")
        batch_op.create_index(
            batch_op.f("ix_duty_shifts_post_code_ends_at"), ["post_code", "ends_at"], unique=False
        )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index("ix_inspections_inspector_id_assigned_at")
        batch_op.create_index(
            batch_op.f("ix_inspections_inspector_id_started_at_assigned_at"),
            ["inspector_id", "started_at", "assigned_at"],
            unique=False,
        )
    from dostyk.store import running

    running.rebuild(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index("ix_inspections_inspector_id_started_at_assigned_at")
        batch_op.create_index(
            "ix_inspections_inspector_id_assigned_at", ["inspector_id", "assigned_at"], unique=False
        )
    with op.batch_alter_table("duty_shifts", schema=None) as batch_op:
        batch_op.drop_index("ix_duty_shifts_post_code_ends_at")
        batch_op.create_index(
            "ix_duty_shifts_post_code_starts_at", ["post_code", "starts_at"], unique=False
        )
    op.drop_table("release_tallies")
    op.drop_table("usual_values")
    _set_deferral(DEFERRED, IMMEDIATE)
