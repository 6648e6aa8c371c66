"""finding reviews: the declarant's appeal and post-clearance audit of an inspection's result

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 10:00:00.000000

One new table of records (logged in the ledger like the others; a store that had none logs
nothing new here), indexed by inspection and by declaration, and a third thing a declared
conflict of interest keeps an officer out of: ``review_decision``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dostyk.store.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIONS = "'draw', 'override_decision'"
SUBJECT_BEFORE = "The inspection drawn or the override decided"
SUBJECT_AFTER = "The inspection drawn or reviewed, or the override decided"


def _exclusion_actions(actions: str, comment: str, before: str) -> None:
    with op.batch_alter_table("conflict_exclusions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_conflict_exclusions_action_valid"), type_="check")
        batch_op.create_check_constraint("action_valid", f"action IN ({actions})")
        batch_op.alter_column(
            "subject_id",
            existing_type=sa.String(length=40),
            existing_nullable=False,
            comment=comment,
            existing_comment=before,
        )


def upgrade() -> None:
    op.create_table(
        "finding_reviews",
        sa.Column("review_id", sa.String(length=40), nullable=False, comment="Review identifier"),
        sa.Column(
            "inspection_id",
            sa.String(length=40),
            nullable=False,
            comment="Inspection whose result is reviewed",
        ),
        sa.Column(
            "declaration_id", sa.String(length=40), nullable=False, comment="Declaration inspected"
        ),
        sa.Column(
            "kind",
            sa.String(length=8),
            nullable=False,
            comment="The declarant's appeal or a post-clearance audit",
        ),
        sa.Column(
            "outcome",
            sa.String(length=16),
            nullable=False,
            comment="Upheld, or reversed and which way",
        ),
        sa.Column("reason", sa.Text(), nullable=False, comment="The reviewer's written reason"),
        sa.Column("reviewed_by", sa.String(length=24), nullable=False, comment="Deciding officer"),
        sa.Column(
            "reviewed_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Time of the decision, UTC",
        ),
        sa.Column(
            "finding_no",
            sa.Integer(),
            nullable=True,
            comment="Finding reviewed; empty for the inspection's result as a whole",
        ),
        sa.Column(
            "duty_amount",
            dostyk.store.types.ExactDecimal(precision=18, scale=2),
            nullable=False,
            comment="Duty the review adds (fraud missed) or remits (no basis), national currency",
        ),
        sa.CheckConstraint(
            "kind IN ('appeal', 'audit')", name=op.f("ck_finding_reviews_kind_valid")
        ),
        sa.CheckConstraint(
            "outcome IN ('upheld', 'no_basis', 'fraud_missed')",
            name=op.f("ck_finding_reviews_outcome_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.declaration_id"],
            name=op.f("fk_finding_reviews_declaration_id_declarations"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.inspection_id"],
            name=op.f("fk_finding_reviews_inspection_id_inspections"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"],
            ["officers.officer_id"],
            name=op.f("fk_finding_reviews_reviewed_by_officers"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_finding_reviews")),
    )
    with op.batch_alter_table("finding_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_finding_reviews_inspection_id"), ["inspection_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_finding_reviews_declaration_id"), ["declaration_id"], unique=False
        )
    _exclusion_actions(f"{ACTIONS}, 'review_decision'", SUBJECT_AFTER, SUBJECT_BEFORE)


def downgrade() -> None:
    _exclusion_actions(ACTIONS, SUBJECT_BEFORE, SUBJECT_AFTER)
    op.drop_table("finding_reviews")
