"""radiation portal monitors, occupancies, alarms and adjudication

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-02 15:50:50.072160

Portal monitors per lane, their occupancies (the counts arrays as canonical text, see
dostyk.domain.slices), the alarms they raise with every algorithm's result, and each step of an
alarm's adjudication. Records under the ledger; a store without radiation data logs nothing new.
The alarms are indexed by crossing and status (the release guard reads one range per crossing)
and by post, status and time (a post's open alarms without its closed history).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dostyk.store.types

revision: str = "0010"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_monitors",
        sa.Column("monitor_id", sa.String(length=40), nullable=False, comment="Monitor identifier"),
        sa.Column("post_code", sa.String(length=12), nullable=False, comment="Post"),
        sa.Column("lane", sa.Integer(), nullable=False, comment="Lane number at the post, from 1"),
        sa.Column("mode", sa.String(length=16), nullable=False, comment="Road or rail lane"),
        sa.Column("description", sa.Text(), nullable=True, comment="Make, model, panels"),
        sa.CheckConstraint(
            "mode IN ('rail', 'road', 'air', 'sea', 'pedestrian')",
            name=op.f("ck_portal_monitors_mode_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["post_code"],
            ["posts.code"],
            name=op.f("fk_portal_monitors_post_code_posts"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("monitor_id", name=op.f("pk_portal_monitors")),
        sa.UniqueConstraint("post_code", "lane", name=op.f("uq_portal_monitors_post_code_lane")),
        info={"description": "Radiation portal monitors, one per equipped lane of a post."},
    )
    op.create_table(
        "occupancies",
        sa.Column(
            "occupancy_id", sa.String(length=40), nullable=False, comment="Occupancy identifier"
        ),
        sa.Column("monitor_id", sa.String(length=40), nullable=False, comment="Monitor passed"),
        sa.Column("post_code", sa.String(length=12), nullable=False, comment="Post"),
        sa.Column(
            "started_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Start of the occupancy, UTC",
        ),
        sa.Column(
            "ended_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="End of the occupancy, UTC",
        ),
        sa.Column("slices", sa.Integer(), nullable=False, comment="Number of time slices"),
        sa.Column(
            "slice_seconds",
            sa.Double(),
            nullable=False,
            comment="Length of a slice, seconds (0.1 for most monitors)",
        ),
        sa.Column(
            "windows",
            sa.Text(),
            nullable=False,
            comment="Gamma energy windows in keV, 'start-end' joined by '|'",
        ),
        sa.Column(
            "gamma_panels", sa.Text(), nullable=False, comment="Gamma detector names, joined by '|'"
        ),
        sa.Column(
            "neutron_panels",
            sa.Text(),
            nullable=False,
            comment="Neutron detector names, joined by '|'; empty when none",
        ),
        sa.Column(
            "gamma_counts",
            sa.Text(),
            nullable=False,
            comment="Gamma counts (slices x panels x windows) as canonical text",
        ),
        sa.Column(
            "neutron_counts",
            sa.Text(),
            nullable=False,
            comment="Neutron counts (slices x panels) as canonical text",
        ),
        sa.Column(
            "background_before_gamma",
            sa.Text(),
            nullable=False,
            comment="Background gamma totals (panels x windows)",
        ),
        sa.Column(
            "background_before_neutron",
            sa.Text(),
            nullable=False,
            comment="Background neutron totals (panels)",
        ),
        sa.Column(
            "background_before_seconds",
            sa.Double(),
            nullable=False,
            comment="Live time of the background before, seconds",
        ),
        sa.Column(
            "crossing_id",
            sa.String(length=40),
            nullable=True,
            comment="Crossing of the unit that passed, once known",
        ),
        sa.Column(
            "conveyance_ref",
            sa.String(length=40),
            nullable=True,
            comment="Plate or number the monitor read",
        ),
        sa.Column(
            "speed_kmh", sa.Double(), nullable=True, comment="Speed through the monitor, km/h"
        ),
        sa.Column(
            "faults",
            sa.Text(),
            nullable=True,
            comment="Faults reported, JSON [code, severity, text] rows",
        ),
        sa.Column(
            "background_after_gamma",
            sa.Text(),
            nullable=True,
            comment="Background gamma totals after",
        ),
        sa.Column(
            "background_after_neutron",
            sa.Text(),
            nullable=True,
            comment="Background neutron totals after",
        ),
        sa.Column(
            "background_after_seconds",
            sa.Double(),
            nullable=True,
            comment="Live time of the background after",
        ),
        sa.Column(
            "source",
            sa.Text(),
            nullable=True,
            comment="Where the data came from: file name or simulation",
        ),
        sa.ForeignKeyConstraint(
            ["crossing_id"],
            ["crossings.crossing_id"],
            name=op.f("fk_occupancies_crossing_id_crossings"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["monitor_id"],
            ["portal_monitors.monitor_id"],
            name=op.f("fk_occupancies_monitor_id_portal_monitors"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["post_code"],
            ["posts.code"],
            name=op.f("fk_occupancies_post_code_posts"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("occupancy_id", name=op.f("pk_occupancies")),
        info={
            "description": "One vehicle or railcar passing a portal monitor: its 0.1 s slices of gamma and neutron counts, the background before and after, speed and faults."
        },
    )
    with op.batch_alter_table("occupancies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_occupancies_crossing_id"), ["crossing_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_occupancies_monitor_id_started_at"),
            ["monitor_id", "started_at"],
            unique=False,
        )

    op.create_table(
        "radiation_alarms",
        sa.Column("alarm_id", sa.String(length=40), nullable=False, comment="Alarm identifier"),
        sa.Column(
            "occupancy_id", sa.String(length=40), nullable=False, comment="Occupancy that alarmed"
        ),
        sa.Column("post_code", sa.String(length=12), nullable=False, comment="Post"),
        sa.Column("monitor_id", sa.String(length=40), nullable=False, comment="Monitor"),
        sa.Column(
            "raised_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Time the alarm was raised, UTC",
        ),
        sa.Column("kind", sa.String(length=8), nullable=False, comment="Gamma or neutron"),
        sa.Column(
            "algorithm",
            sa.String(length=40),
            nullable=False,
            comment="Algorithm whose result raised it (the strongest)",
        ),
        sa.Column("statistic", sa.Double(), nullable=False, comment="That algorithm's statistic"),
        sa.Column("threshold", sa.Double(), nullable=False, comment="The threshold it reached"),
        sa.Column(
            "status", sa.String(length=12), nullable=False, comment="Where the adjudication stands"
        ),
        sa.Column(
            "crossing_id", sa.String(length=40), nullable=True, comment="Crossing held by the alarm"
        ),
        sa.Column(
            "verdict", sa.String(length=16), nullable=True, comment="What the energy windows say"
        ),
        sa.Column(
            "closed_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=True,
            comment="Time the alarm was cleared or found innocent",
        ),
        sa.CheckConstraint(
            "kind IN ('gamma', 'neutron')", name=op.f("ck_radiation_alarms_kind_valid")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'escalated', 'cleared', 'innocent')",
            name=op.f("ck_radiation_alarms_status_valid"),
        ),
        sa.CheckConstraint(
            "verdict IN ('norm', 'man-made', 'undetermined')",
            name=op.f("ck_radiation_alarms_verdict_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["crossing_id"],
            ["crossings.crossing_id"],
            name=op.f("fk_radiation_alarms_crossing_id_crossings"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["monitor_id"],
            ["portal_monitors.monitor_id"],
            name=op.f("fk_radiation_alarms_monitor_id_portal_monitors"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["occupancy_id"],
            ["occupancies.occupancy_id"],
            name=op.f("fk_radiation_alarms_occupancy_id_occupancies"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["post_code"],
            ["posts.code"],
            name=op.f("fk_radiation_alarms_post_code_posts"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("alarm_id", name=op.f("pk_radiation_alarms")),
        info={
            "description": "An occupancy's alarm, the result that raised it, and where its adjudication stands; an open or escalated alarm holds its crossing's goods."
        },
    )
    with op.batch_alter_table("radiation_alarms", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_radiation_alarms_crossing_id_status"),
            ["crossing_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_radiation_alarms_occupancy_id"), ["occupancy_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_radiation_alarms_post_code_status_raised_at"),
            ["post_code", "status", "raised_at"],
            unique=False,
        )

    op.create_table(
        "adjudication_steps",
        sa.Column("alarm_id", sa.String(length=40), nullable=False, comment="Alarm"),
        sa.Column("seq", sa.Integer(), nullable=False, comment="Step number from 1"),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="Step"),
        sa.Column(
            "operator_id", sa.String(length=24), nullable=False, comment="Radiation operator"
        ),
        sa.Column(
            "at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Time of the step, UTC",
        ),
        sa.Column(
            "confirmed", sa.Boolean(), nullable=True, comment="Second pass: did it alarm again"
        ),
        sa.Column(
            "location", sa.Text(), nullable=True, comment="Where on the vehicle the source is"
        ),
        sa.Column(
            "nuclides",
            sa.String(length=200),
            nullable=True,
            comment="Nuclides identified, joined by '|'",
        ),
        sa.Column(
            "spectrum",
            sa.Text(),
            nullable=True,
            comment="The identifier's spectrum as canonical text",
        ),
        sa.Column(
            "disposition", sa.String(length=16), nullable=True, comment="Why the alarm is innocent"
        ),
        sa.Column("note", sa.Text(), nullable=True, comment="The operator's words"),
        sa.CheckConstraint(
            "disposition IN ('norm', 'medical', 'legal_shipment')",
            name=op.f("ck_adjudication_steps_disposition_valid"),
        ),
        sa.CheckConstraint(
            "kind IN ('second_pass', 'locate', 'identify', 'innocent', 'escalate')",
            name=op.f("ck_adjudication_steps_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["alarm_id"],
            ["radiation_alarms.alarm_id"],
            name=op.f("fk_adjudication_steps_alarm_id_radiation_alarms"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["officers.officer_id"],
            name=op.f("fk_adjudication_steps_operator_id_officers"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("alarm_id", "seq", name=op.f("pk_adjudication_steps")),
        info={"description": "Each step of an alarm's adjudication: operator, time, outcome."},
    )
    op.create_table(
        "alarm_findings",
        sa.Column("alarm_id", sa.String(length=40), nullable=False, comment="Alarm"),
        sa.Column("algorithm", sa.String(length=40), nullable=False, comment="Algorithm"),
        sa.Column("kind", sa.String(length=8), nullable=False, comment="Gamma or neutron"),
        sa.Column(
            "alarm", sa.Boolean(), nullable=False, comment="True when this algorithm alarmed"
        ),
        sa.Column("statistic", sa.Double(), nullable=False, comment="Its statistic"),
        sa.Column("threshold", sa.Double(), nullable=False, comment="Its threshold"),
        sa.Column("explanation", sa.Text(), nullable=False, comment="What it found, in words"),
        sa.Column(
            "verdict",
            sa.String(length=16),
            nullable=True,
            comment="NORM or man-made, when it looks",
        ),
        sa.Column("peak_slice", sa.Integer(), nullable=True, comment="Slice of the largest excess"),
        sa.CheckConstraint(
            "kind IN ('gamma', 'neutron')", name=op.f("ck_alarm_findings_kind_valid")
        ),
        sa.CheckConstraint(
            "verdict IN ('norm', 'man-made', 'undetermined')",
            name=op.f("ck_alarm_findings_verdict_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["alarm_id"],
            ["radiation_alarms.alarm_id"],
            name=op.f("fk_alarm_findings_alarm_id_radiation_alarms"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("alarm_id", "algorithm", name=op.f("pk_alarm_findings")),
        info={"description": "Every algorithm's result on an alarmed occupancy."},
    )


def downgrade() -> None:
    op.drop_table("alarm_findings")
    op.drop_table("adjudication_steps")
    with op.batch_alter_table("radiation_alarms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_radiation_alarms_post_code_status_raised_at"))
        batch_op.drop_index(batch_op.f("ix_radiation_alarms_occupancy_id"))
        batch_op.drop_index(batch_op.f("ix_radiation_alarms_crossing_id_status"))

    op.drop_table("radiation_alarms")
    with op.batch_alter_table("occupancies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_occupancies_monitor_id_started_at"))
        batch_op.drop_index(batch_op.f("ix_occupancies_crossing_id"))

    op.drop_table("occupancies")
    op.drop_table("portal_monitors")
