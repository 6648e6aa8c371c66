"""discrepancies of declared cargo the units' weighed mass does not bear out

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 05:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = "'undeclared_unit', 'undeclared_manifest_line', 'mass_excess', 'empty_not_empty'"
AFTER = f"{BEFORE}, 'mass_shortfall', 'unweighed_cargo'"


def _kinds(kinds: str) -> None:
    with op.batch_alter_table("discrepancies", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_discrepancies_kind_valid"), type_="check")
        batch_op.create_check_constraint("kind_valid", f"kind IN ({kinds})")


def upgrade() -> None:
    _kinds(AFTER)


def downgrade() -> None:
    _kinds(BEFORE)
