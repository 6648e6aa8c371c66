"""partner-reported exports, for mirror analysis

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:00:00.000000

One new table of records: what a trading partner reports it exported to this country, per HS
subheading and month (UN Comtrade mirror data), FOB in US dollars with net mass and quantity.
Reference data under the ledger like the tariff; a store that holds none logs nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dostyk.store.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "partner_exports",
        sa.Column(
            "reporter",
            sa.String(length=2),
            nullable=False,
            comment="ISO 3166-1 alpha-2 code of the exporting country that reports the figure",
        ),
        sa.Column(
            "partner",
            sa.String(length=2),
            nullable=False,
            comment="ISO 3166-1 alpha-2 code of the destination it reports: this country",
        ),
        sa.Column(
            "hs6",
            sa.String(length=6),
            nullable=False,
            comment="HS subheading, six digits, as the reporter gives it",
        ),
        sa.Column(
            "month", sa.String(length=7), nullable=False, comment="Month of the export, YYYY-MM"
        ),
        sa.Column(
            "fob_usd",
            dostyk.store.types.ExactDecimal(precision=18, scale=2),
            nullable=False,
            comment="Value free on board at the reporter's border, US dollars",
        ),
        sa.Column(
            "source",
            sa.String(length=200),
            nullable=False,
            comment="Where the figure comes from: database, release, download",
        ),
        sa.Column(
            "net_mass_kg",
            sa.Double(),
            nullable=True,
            comment="Net mass, kilograms; empty when not reported",
        ),
        sa.Column(
            "quantity",
            dostyk.store.types.ExactDecimal(precision=18, scale=3),
            nullable=True,
            comment="Quantity in the unit below; empty when not reported",
        ),
        sa.Column(
            "unit",
            sa.String(length=3),
            nullable=True,
            comment="UN/ECE Rec. 20 unit of the quantity",
        ),
        sa.PrimaryKeyConstraint(
            "reporter", "partner", "hs6", "month", name=op.f("pk_partner_exports")
        ),
        info={
            "description": "Exports to this country as the exporting country reports them (UN "
            "Comtrade mirror data): FOB value in US dollars, net mass and quantity per HS "
            "subheading and month."
        },
    )


def downgrade() -> None:
    op.drop_table("partner_exports")
