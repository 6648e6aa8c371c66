"""integrity: anomalies of imported history, conflicts of interest and their exclusions, cases

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 16:00:00.000000

Four new tables of records (logged in the ledger like the others; a store that had none logs
nothing new here), and the finding kind ``unrecorded`` for imported findings whose kind the old
system did not keep. The register of conflicts is indexed by party and officer, so the random
draw asks it about one declaration's parties without reading the register.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dostyk.store.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "'undeclared_goods', 'misclassification', 'undervaluation', 'quantity_discrepancy', "
    "'mass_discrepancy', 'prohibited_goods'"
)
TABLES = ("conflict_exclusions", "anomalies", "conflicts_of_interest", "integrity_cases")


def _finding_kinds(kinds: str) -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_findings_kind_valid"), type_="check")
        batch_op.create_check_constraint("kind_valid", f"kind IN ({kinds})")


def upgrade() -> None:
    _finding_kinds(f"{KINDS}, 'unrecorded'")
    op.create_table(
        "integrity_cases",
        sa.Column("case_id", sa.String(length=40), nullable=False, comment="Case identifier"),
        sa.Column("subject_kind", sa.String(length=16), nullable=False, comment="Kind of subject"),
        sa.Column(
            "subject_id",
            sa.String(length=40),
            nullable=False,
            comment="Officer's service number, party identifier or post code",
        ),
        sa.Column("reason", sa.Text(), nullable=False, comment="Why the case was opened"),
        sa.Column(
            "opened_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="When it was opened, UTC",
        ),
        sa.Column("opened_by", sa.String(length=40), nullable=False, comment="Who opened it"),
        sa.Column(
            "assigned_to",
            sa.String(length=40),
            nullable=True,
            comment="Integrity officer working it",
        ),
        sa.Column(
            "assigned_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=True,
            comment="When it was assigned, UTC",
        ),
        sa.Column("outcome", sa.String(length=16), nullable=True, comment="Outcome"),
        sa.Column("outcome_note", sa.Text(), nullable=True, comment="What the case established"),
        sa.Column(
            "closed_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=True,
            comment="When the outcome was recorded, UTC",
        ),
        sa.Column(
            "closed_by", sa.String(length=40), nullable=True, comment="Who recorded the outcome"
        ),
        sa.CheckConstraint(
            "outcome IN ('substantiated', 'unsubstantiated', 'referred')",
            name=op.f("ck_integrity_cases_outcome_valid"),
        ),
        sa.CheckConstraint(
            "subject_kind IN ('inspector', 'supervisor', 'broker', 'importer', 'post')",
            name=op.f("ck_integrity_cases_subject_kind_valid"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_integrity_cases")),
    )
    with op.batch_alter_table("integrity_cases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_integrity_cases_subject_kind_subject_id"),
            ["subject_kind", "subject_id"],
            unique=False,
        )

    op.create_table(
        "conflicts_of_interest",
        sa.Column(
            "conflict_id", sa.String(length=40), nullable=False, comment="Conflict identifier"
        ),
        sa.Column("officer_id", sa.String(length=24), nullable=False, comment="Officer"),
        sa.Column(
            "party_id", sa.String(length=40), nullable=False, comment="Party he is related to"
        ),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="Kind of relationship"),
        sa.Column("note", sa.Text(), nullable=False, comment="What the relationship is"),
        sa.Column(
            "declared_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="When it was declared, UTC",
        ),
        sa.Column(
            "declared_by",
            sa.String(length=40),
            nullable=False,
            comment="Integrity officer who recorded it",
        ),
        sa.Column(
            "withdrawn_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=True,
            comment="When it was withdrawn, UTC",
        ),
        sa.Column(
            "withdrawn_by",
            sa.String(length=40),
            nullable=True,
            comment="Integrity officer who withdrew it",
        ),
        sa.CheckConstraint(
            "kind IN ('kin', 'financial', 'former_employer')",
            name=op.f("ck_conflicts_of_interest_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.officer_id"],
            name=op.f("fk_conflicts_of_interest_officer_id_officers"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["parties.party_id"],
            name=op.f("fk_conflicts_of_interest_party_id_parties"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("conflict_id", name=op.f("pk_conflicts_of_interest")),
    )
    with op.batch_alter_table("conflicts_of_interest", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conflicts_of_interest_officer_id"), ["officer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_conflicts_of_interest_party_id_officer_id"),
            ["party_id", "officer_id"],
            unique=False,
        )

    op.create_table(
        "anomalies",
        sa.Column(
            "record_table",
            sa.String(length=32),
            nullable=False,
            comment="Table of the record that breaks the control: overrides, inspections, declarations or duty_shifts",
        ),
        sa.Column(
            "record_key",
            sa.String(length=120),
            nullable=False,
            comment="Key of that record; a key of several columns is joined by '|'",
        ),
        sa.Column(
            "control", sa.String(length=32), nullable=False, comment="The control the record breaks"
        ),
        sa.Column(
            "at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="When the breach happened, UTC",
        ),
        sa.Column("detail", sa.Text(), nullable=False, comment="What breaks the control, in words"),
        sa.Column(
            "declaration_id", sa.String(length=40), nullable=True, comment="Declaration concerned"
        ),
        sa.Column("officer_id", sa.String(length=24), nullable=True, comment="Officer who acted"),
        sa.Column("post_code", sa.String(length=12), nullable=True, comment="Post"),
        sa.CheckConstraint(
            "control IN ('override_outside_chain', 'green_inspected', 'released_before_payment', 'released_without_steps', 'inspector_other_post', 'inspector_off_roster', 'shift_outside_posting')",
            name=op.f("ck_anomalies_control_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.declaration_id"],
            name=op.f("fk_anomalies_declaration_id_declarations"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.officer_id"],
            name=op.f("fk_anomalies_officer_id_officers"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["post_code"],
            ["posts.code"],
            name=op.f("fk_anomalies_post_code_posts"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("record_table", "record_key", "control", name=op.f("pk_anomalies")),
    )
    with op.batch_alter_table("anomalies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_anomalies_declaration_id"), ["declaration_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_anomalies_officer_id"), ["officer_id"], unique=False)

    op.create_table(
        "conflict_exclusions",
        sa.Column(
            "exclusion_id", sa.String(length=40), nullable=False, comment="Exclusion identifier"
        ),
        sa.Column(
            "conflict_id", sa.String(length=40), nullable=False, comment="The declared conflict"
        ),
        sa.Column("officer_id", sa.String(length=24), nullable=False, comment="Officer kept out"),
        sa.Column(
            "party_id",
            sa.String(length=40),
            nullable=False,
            comment="Party of the declaration he is related to",
        ),
        sa.Column("declaration_id", sa.String(length=40), nullable=False, comment="Declaration"),
        sa.Column(
            "action", sa.String(length=24), nullable=False, comment="What he was kept out of"
        ),
        sa.Column(
            "subject_id",
            sa.String(length=40),
            nullable=False,
            comment="The inspection drawn or the override decided",
        ),
        sa.Column(
            "at", dostyk.store.types.UtcDateTime(timezone=True), nullable=False, comment="When, UTC"
        ),
        sa.CheckConstraint(
            "action IN ('draw', 'override_decision')",
            name=op.f("ck_conflict_exclusions_action_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["conflict_id"],
            ["conflicts_of_interest.conflict_id"],
            name=op.f("fk_conflict_exclusions_conflict_id_conflicts_of_interest"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.declaration_id"],
            name=op.f("fk_conflict_exclusions_declaration_id_declarations"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.officer_id"],
            name=op.f("fk_conflict_exclusions_officer_id_officers"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("exclusion_id", name=op.f("pk_conflict_exclusions")),
    )
    with op.batch_alter_table("conflict_exclusions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conflict_exclusions_officer_id"), ["officer_id"], unique=False
        )


def downgrade() -> None:
    for name in TABLES:
        op.drop_table(name)
    _finding_kinds(KINDS)
