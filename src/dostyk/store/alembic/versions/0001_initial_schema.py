"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 05:08:05.633120
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import dostyk.store.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column(
            "seq",
            sa.BigInteger(),
            nullable=False,
            comment="Position in the log from 0 (the leaf index)",
        ),
        sa.Column(
            "table_name", sa.String(length=40), nullable=False, comment="Table of the record"
        ),
        sa.Column(
            "record_key", sa.Text(), nullable=False, comment="The record's key as canonical JSON"
        ),
        sa.Column(
            "operation", sa.String(length=8), nullable=False, comment="insert, update or delete"
        ),
        sa.Column(
            "record_hash",
            sa.LargeBinary(length=32),
            nullable=False,
            comment="SHA-256 of the record's canonical bytes",
        ),
        sa.Column(
            "recorded_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Time of the change, UTC",
        ),
        sa.Column("actor", sa.String(length=40), nullable=False, comment="Who made the change"),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ledger_entries")),
        info={
            "description": "The tamper-evident log: one entry per change of a record.",
            "ledger": True,
        },
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ledger_entries_table_name_record_key"),
            ["table_name", "record_key"],
            unique=False,
        )

    op.create_table(
        "ledger_heads",
        sa.Column("tree_size", sa.BigInteger(), nullable=False, comment="Entries covered"),
        sa.Column(
            "root_hash",
            sa.LargeBinary(length=32),
            nullable=False,
            comment="Merkle root over those entries",
        ),
        sa.Column(
            "timestamp_ms",
            sa.BigInteger(),
            nullable=False,
            comment="Signing time, ms since the epoch, UTC",
        ),
        sa.Column(
            "key_id",
            sa.LargeBinary(length=32),
            nullable=False,
            comment="SHA-256 of the signing public key",
        ),
        sa.Column(
            "signature",
            sa.LargeBinary(length=64),
            nullable=False,
            comment="Ed25519 signature over the head",
        ),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_ledger_heads")),
        info={"description": "Signed tree heads.", "ledger": True},
    )
    op.create_table(
        "ledger_nodes",
        sa.Column(
            "level",
            sa.Integer(),
            nullable=False,
            comment="Height of the perfect subtree (0: a leaf)",
        ),
        sa.Column(
            "idx", sa.BigInteger(), nullable=False, comment="Index of the subtree at its level"
        ),
        sa.Column(
            "hash", sa.LargeBinary(length=32), nullable=False, comment="Merkle hash of the subtree"
        ),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_ledger_nodes")),
        info={
            "description": "Hashes of the log's perfect Merkle subtrees, for proofs.",
            "ledger": True,
        },
    )
    op.create_table(
        "officers",
        sa.Column("officer_id", sa.String(length=24), nullable=False, comment="Service number"),
        sa.Column("name", sa.String(length=120), nullable=False, comment="Full name"),
        sa.Column("rank", sa.String(length=24), nullable=False, comment="Rank"),
        sa.Column(
            "supervisor_id",
            sa.String(length=24),
            nullable=True,
            comment="Service number of the officer's direct superior",
        ),
        sa.CheckConstraint(
            "rank IN ('inspector', 'shift_supervisor', 'post_chief', 'regional_chief', 'hq')",
            name=op.f("ck_officers_rank_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["supervisor_id"],
            ["officers.officer_id"],
            name=op.f("fk_officers_supervisor_id_officers"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("officer_id", name=op.f("pk_officers")),
        info={"description": "Customs officers and their chain of command."},
    )
    op.create_table(
        "parties",
        sa.Column("party_id", sa.String(length=40), nullable=False, comment="Party identifier"),
        sa.Column("name", sa.String(length=200), nullable=False, comment="Registered name"),
        sa.Column(
            "tax_id",
            sa.String(length=32),
            nullable=False,
            comment="Tax identifier: the 12-digit BIN/IIN for Kazakh parties",
        ),
        sa.Column(
            "country",
            sa.String(length=2),
            nullable=False,
            comment="ISO 3166-1 alpha-2 country of registration",
        ),
        sa.Column(
            "roles",
            sa.String(length=64),
            nullable=False,
            comment="Roles joined by '|': importer, exporter, declarant, carrier",
        ),
        sa.PrimaryKeyConstraint("party_id", name=op.f("pk_parties")),
        info={"description": "Importers, exporters, declarants (brokers) and carriers."},
    )
    op.create_table(
        "posts",
        sa.Column(
            "code", sa.String(length=12), nullable=False, comment="Post code, unique in the country"
        ),
        sa.Column(
            "name",
            sa.String(length=120),
            nullable=False,
            comment="Name of the border crossing point",
        ),
        sa.Column(
            "mode",
            sa.String(length=16),
            nullable=False,
            comment="Mode of transport the post serves",
        ),
        sa.Column(
            "neighbour_country",
            sa.String(length=2),
            nullable=True,
            comment="ISO 3166-1 alpha-2 code of the country across the border; empty for airports",
        ),
        sa.Column(
            "region",
            sa.String(length=80),
            nullable=False,
            comment="Region (oblast) or city of significance it lies in",
        ),
        sa.Column(
            "latitude", sa.Double(), nullable=False, comment="WGS 84 latitude, decimal degrees"
        ),
        sa.Column(
            "longitude", sa.Double(), nullable=False, comment="WGS 84 longitude, decimal degrees"
        ),
        sa.Column(
            "rpm_lanes",
            sa.Integer(),
            nullable=False,
            comment="Lanes equipped with radiation portal monitors",
        ),
        sa.Column(
            "rpm_funder",
            sa.String(length=16),
            nullable=True,
            comment="Who funded the portal monitors",
        ),
        sa.Column(
            "electronic_since",
            sa.Date(),
            nullable=True,
            comment="Date the electronic customs system went live at the post",
        ),
        sa.Column(
            "model_only",
            sa.Boolean(),
            nullable=False,
            comment="True when the post exists only in the model network",
        ),
        sa.Column("note", sa.Text(), nullable=True, comment="Free-text facts about the post"),
        sa.CheckConstraint(
            "mode IN ('rail', 'road', 'air', 'sea', 'pedestrian')", name=op.f("ck_posts_mode_valid")
        ),
        sa.CheckConstraint(
            "rpm_funder IN ('national', 'donor-US-DOE', 'donor-EU', 'donor-other')",
            name=op.f("ck_posts_rpm_funder_valid"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_posts")),
        info={"description": "Border crossing points. `dostyk init` loads the country's 112."},
    )
    op.create_table(
        "tariff_rates",
        sa.Column(
            "code_prefix",
            sa.String(length=10),
            nullable=False,
            comment="Commodity code prefix, 2 to 10 digits",
        ),
        sa.Column("valid_from", sa.Date(), nullable=False, comment="First day the rate applies"),
        sa.Column(
            "duty_rate",
            dostyk.store.types.ExactDecimal(precision=9, scale=4),
            nullable=False,
            comment="Ad valorem duty rate, percent",
        ),
        sa.Column(
            "vat_rate",
            dostyk.store.types.ExactDecimal(precision=9, scale=4),
            nullable=False,
            comment="VAT rate, percent",
        ),
        sa.Column("note", sa.Text(), nullable=True, comment="Source or remark"),
        sa.PrimaryKeyConstraint("code_prefix", "valid_from", name=op.f("pk_tariff_rates")),
        info={"description": "Ad valorem duty and VAT rates by commodity code prefix, over time."},
    )
    op.create_table(
        "conveyances",
        sa.Column(
            "conveyance_id", sa.String(length=40), nullable=False, comment="Conveyance identifier"
        ),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="Kind of conveyance unit"),
        sa.Column(
            "registration",
            sa.String(length=40),
            nullable=False,
            comment="Railcar number, plate or train number",
        ),
        sa.Column(
            "country",
            sa.String(length=2),
            nullable=False,
            comment="ISO 3166-1 alpha-2 country of registration",
        ),
        sa.Column(
            "carrier_id", sa.String(length=40), nullable=True, comment="Carrier operating the unit"
        ),
        sa.Column("tare_mass_kg", sa.Double(), nullable=True, comment="Empty mass in kilograms"),
        sa.CheckConstraint(
            "kind IN ('train', 'railcar', 'passenger_train', 'truck', 'trailer', 'vessel', 'aircraft')",
            name=op.f("ck_conveyances_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["carrier_id"],
            ["parties.party_id"],
            name=op.f("fk_conveyances_carrier_id_parties"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("conveyance_id", name=op.f("pk_conveyances")),
        info={
            "description": "Physical units: trains, railcars, trucks, trailers, vessels, aircraft."
        },
    )
    op.create_table(
        "duty_shifts",
        sa.Column("shift_id", sa.String(length=40), nullable=False, comment="Shift identifier"),
        sa.Column("officer_id", sa.String(length=24), nullable=False, comment="Officer on duty"),
        sa.Column("post_code", sa.String(length=12), nullable=False, comment="Post"),
        sa.Column(
            "starts_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Start of the shift, UTC",
        ),
        sa.Column(
            "ends_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="End of the shift, UTC",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.officer_id"],
            name=op.f("fk_duty_shifts_officer_id_officers"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["post_code"],
            ["posts.code"],
            name=op.f("fk_duty_shifts_post_code_posts"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("shift_id", name=op.f("pk_duty_shifts")),
        info={"description": "Who is on duty at a post, from when to when."},
    )
    with op.batch_alter_table("duty_shifts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_duty_shifts_post_code_starts_at"),
            ["post_code", "starts_at"],
            unique=False,
        )

    op.create_table(
        "officer_postings",
        sa.Column("officer_id", sa.String(length=24), nullable=False, comment="Service number"),
        sa.Column("start_date", sa.Date(), nullable=False, comment="First day of the posting"),
        sa.Column("post_code", sa.String(length=12), nullable=False, comment="Post served"),
        sa.Column(
            "end_date",
            sa.Date(),
            nullable=True,
            comment="Last day of the posting; empty while it lasts",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.officer_id"],
            name=op.f("fk_officer_postings_officer_id_officers"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["post_code"],
            ["posts.code"],
            name=op.f("fk_officer_postings_post_code_posts"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("officer_id", "start_date", name=op.f("pk_officer_postings")),
        info={"description": "Which post an officer served at, from when to when."},
    )
    with op.batch_alter_table("officer_postings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_officer_postings_post_code_start_date"),
            ["post_code", "start_date"],
            unique=False,
        )

    op.create_table(
        "crossings",
        sa.Column(
            "crossing_id", sa.String(length=40), nullable=False, comment="Crossing identifier"
        ),
        sa.Column("post_code", sa.String(length=12), nullable=False, comment="Post crossed"),
        sa.Column(
            "conveyance_id", sa.String(length=40), nullable=False, comment="Unit that crossed"
        ),
        sa.Column(
            "direction", sa.String(length=3), nullable=False, comment="Into or out of the country"
        ),
        sa.Column(
            "crossed_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Time of crossing, UTC",
        ),
        sa.Column(
            "laden", sa.Boolean(), nullable=False, comment="True when the unit carried cargo"
        ),
        sa.Column(
            "gross_mass_kg",
            sa.Double(),
            nullable=True,
            comment="Mass measured on the track scale or weighbridge, kilograms",
        ),
        sa.Column(
            "part_of",
            sa.String(length=40),
            nullable=True,
            comment="The train's or truck's crossing this unit crossed with",
        ),
        sa.CheckConstraint("direction IN ('in', 'out')", name=op.f("ck_crossings_direction_valid")),
        sa.ForeignKeyConstraint(
            ["conveyance_id"],
            ["conveyances.conveyance_id"],
            name=op.f("fk_crossings_conveyance_id_conveyances"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["part_of"],
            ["crossings.crossing_id"],
            name=op.f("fk_crossings_part_of_crossings"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["post_code"],
            ["posts.code"],
            name=op.f("fk_crossings_post_code_posts"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("crossing_id", name=op.f("pk_crossings")),
        info={
            "description": "One unit passing one post in one direction, weighed where a scale exists; railcars and trailers point to their train's or truck's crossing."
        },
    )
    with op.batch_alter_table("crossings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_crossings_conveyance_id_crossed_at"),
            ["conveyance_id", "crossed_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_crossings_part_of"), ["part_of"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_crossings_post_code_crossed_at"),
            ["post_code", "crossed_at"],
            unique=False,
        )

    op.create_table(
        "manifests",
        sa.Column(
            "manifest_id", sa.String(length=40), nullable=False, comment="Manifest identifier"
        ),
        sa.Column(
            "kind",
            sa.String(length=16),
            nullable=False,
            comment="Rail waybill or road cargo report",
        ),
        sa.Column(
            "post_code", sa.String(length=12), nullable=False, comment="Post where it was presented"
        ),
        sa.Column(
            "crossing_id",
            sa.String(length=40),
            nullable=False,
            comment="The train's or truck's crossing it describes",
        ),
        sa.Column(
            "carrier_id", sa.String(length=40), nullable=False, comment="Carrier who wrote it"
        ),
        sa.Column(
            "reference",
            sa.String(length=64),
            nullable=False,
            comment="Carrier's waybill or report number",
        ),
        sa.Column(
            "issued_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Time it was issued, UTC",
        ),
        sa.CheckConstraint(
            "kind IN ('rail_waybill', 'cargo_report')", name=op.f("ck_manifests_kind_valid")
        ),
        sa.ForeignKeyConstraint(
            ["carrier_id"],
            ["parties.party_id"],
            name=op.f("fk_manifests_carrier_id_parties"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["crossing_id"],
            ["crossings.crossing_id"],
            name=op.f("fk_manifests_crossing_id_crossings"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["post_code"],
            ["posts.code"],
            name=op.f("fk_manifests_post_code_posts"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("manifest_id", name=op.f("pk_manifests")),
        info={
            "description": "The carrier's cargo report or rail waybill for a train's or truck's crossing."
        },
    )
    with op.batch_alter_table("manifests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_manifests_crossing_id"), ["crossing_id"], unique=False)

    op.create_table(
        "declarations",
        sa.Column(
            "declaration_id", sa.String(length=40), nullable=False, comment="Declaration identifier"
        ),
        sa.Column("kind", sa.String(length=8), nullable=False, comment="Customs procedure"),
        sa.Column(
            "post_code", sa.String(length=12), nullable=False, comment="Post where it is lodged"
        ),
        sa.Column(
            "declarant_id", sa.String(length=40), nullable=False, comment="Declarant or broker"
        ),
        sa.Column(
            "reference",
            sa.String(length=64),
            nullable=False,
            comment="Declarant's own reference, unique per declarant",
        ),
        sa.Column(
            "lodged_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Time of lodgement, UTC",
        ),
        sa.Column(
            "status",
            sa.String(length=20),
            nullable=False,
            comment="Current status in the lifecycle",
        ),
        sa.Column("importer_id", sa.String(length=40), nullable=True, comment="Importer"),
        sa.Column("exporter_id", sa.String(length=40), nullable=True, comment="Exporter"),
        sa.Column(
            "manifest_id",
            sa.String(length=40),
            nullable=True,
            comment="Manifest whose lines it declares",
        ),
        sa.Column(
            "channel",
            sa.String(length=8),
            nullable=True,
            comment="Channel chosen by risk assessment",
        ),
        sa.CheckConstraint(
            "channel IN ('green', 'yellow', 'red')", name=op.f("ck_declarations_channel_valid")
        ),
        sa.CheckConstraint(
            "kind IN ('import', 'export', 'transit')", name=op.f("ck_declarations_kind_valid")
        ),
        sa.CheckConstraint(
            "status IN ('lodged', 'rejected', 'accepted', 'assessed', 'under_inspection', 'inspected', 'duties_assessed', 'paid', 'released', 'cancelled')",
            name=op.f("ck_declarations_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["declarant_id"],
            ["parties.party_id"],
            name=op.f("fk_declarations_declarant_id_parties"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["exporter_id"],
            ["parties.party_id"],
            name=op.f("fk_declarations_exporter_id_parties"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["importer_id"],
            ["parties.party_id"],
            name=op.f("fk_declarations_importer_id_parties"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["manifest_id"],
            ["manifests.manifest_id"],
            name=op.f("fk_declarations_manifest_id_manifests"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["post_code"],
            ["posts.code"],
            name=op.f("fk_declarations_post_code_posts"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("declaration_id", name=op.f("pk_declarations")),
        sa.UniqueConstraint(
            "declarant_id", "reference", name=op.f("uq_declarations_declarant_id_reference")
        ),
        info={"description": "Import, export and transit declarations, with their current status."},
    )
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_declarations_post_code_lodged_at"),
            ["post_code", "lodged_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_declarations_status_post_code"), ["status", "post_code"], unique=False
        )

    op.create_table(
        "manifest_lines",
        sa.Column("manifest_id", sa.String(length=40), nullable=False, comment="Manifest"),
        sa.Column("line_no", sa.Integer(), nullable=False, comment="Line number from 1"),
        sa.Column(
            "hs_code",
            sa.String(length=10),
            nullable=False,
            comment="HS code as the carrier gives it, 4 to 10 digits",
        ),
        sa.Column(
            "description", sa.Text(), nullable=False, comment="Goods as described by the carrier"
        ),
        sa.Column("packages", sa.Integer(), nullable=False, comment="Number of packages"),
        sa.Column("gross_mass_kg", sa.Double(), nullable=False, comment="Gross mass, kilograms"),
        sa.Column(
            "unit_crossing_id",
            sa.String(length=40),
            nullable=True,
            comment="Crossing of the railcar or trailer that carries the line",
        ),
        sa.Column("consignee_id", sa.String(length=40), nullable=True, comment="Consignee"),
        sa.ForeignKeyConstraint(
            ["consignee_id"],
            ["parties.party_id"],
            name=op.f("fk_manifest_lines_consignee_id_parties"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["manifest_id"],
            ["manifests.manifest_id"],
            name=op.f("fk_manifest_lines_manifest_id_manifests"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["unit_crossing_id"],
            ["crossings.crossing_id"],
            name=op.f("fk_manifest_lines_unit_crossing_id_crossings"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("manifest_id", "line_no", name=op.f("pk_manifest_lines")),
        info={"description": "Consignments on a manifest, each in the unit that carries it."},
    )
    op.create_table(
        "declaration_items",
        sa.Column("declaration_id", sa.String(length=40), nullable=False, comment="Declaration"),
        sa.Column("item_no", sa.Integer(), nullable=False, comment="Item number from 1"),
        sa.Column(
            "commodity_code",
            sa.String(length=10),
            nullable=False,
            comment="10-digit national code; first 6 digits HS 2022",
        ),
        sa.Column("description", sa.Text(), nullable=False, comment="Description of the goods"),
        sa.Column(
            "origin",
            sa.String(length=2),
            nullable=False,
            comment="ISO 3166-1 alpha-2 country of origin",
        ),
        sa.Column(
            "quantity",
            dostyk.store.types.ExactDecimal(precision=18, scale=3),
            nullable=False,
            comment="Quantity in the supplementary unit",
        ),
        sa.Column(
            "unit",
            sa.String(length=3),
            nullable=False,
            comment="UN/ECE Rec. 20 unit of the quantity",
        ),
        sa.Column("gross_mass_kg", sa.Double(), nullable=False, comment="Gross mass, kilograms"),
        sa.Column(
            "net_mass_kg",
            sa.Double(),
            nullable=False,
            comment="Net mass, kilograms; at most the gross mass",
        ),
        sa.Column(
            "customs_value",
            dostyk.store.types.ExactDecimal(precision=18, scale=2),
            nullable=False,
            comment="Customs value in the item's currency",
        ),
        sa.Column(
            "currency",
            sa.String(length=3),
            nullable=False,
            comment="ISO 4217 currency of the customs value",
        ),
        sa.Column(
            "exchange_rate",
            dostyk.store.types.ExactDecimal(precision=18, scale=6),
            nullable=False,
            comment="National currency per unit of the currency",
        ),
        sa.Column(
            "manifest_line_no",
            sa.Integer(),
            nullable=True,
            comment="Line of the declaration's manifest this item declares",
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.declaration_id"],
            name=op.f("fk_declaration_items_declaration_id_declarations"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("declaration_id", "item_no", name=op.f("pk_declaration_items")),
        info={"description": "Goods items of a declaration."},
    )
    with op.batch_alter_table("declaration_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_declaration_items_commodity_code"), ["commodity_code"], unique=False
        )

    op.create_table(
        "declaration_units",
        sa.Column("declaration_id", sa.String(length=40), nullable=False, comment="Declaration"),
        sa.Column(
            "crossing_id",
            sa.String(length=40),
            nullable=False,
            comment="Crossing of a unit whose cargo it covers",
        ),
        sa.ForeignKeyConstraint(
            ["crossing_id"],
            ["crossings.crossing_id"],
            name=op.f("fk_declaration_units_crossing_id_crossings"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.declaration_id"],
            name=op.f("fk_declaration_units_declaration_id_declarations"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("declaration_id", "crossing_id", name=op.f("pk_declaration_units")),
        info={
            "description": "The crossings of the railcars, trucks or trailers whose cargo a declaration covers."
        },
    )
    with op.batch_alter_table("declaration_units", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_declaration_units_crossing_id"), ["crossing_id"], unique=False
        )

    op.create_table(
        "discrepancies",
        sa.Column(
            "discrepancy_id", sa.String(length=40), nullable=False, comment="Discrepancy identifier"
        ),
        sa.Column("post_code", sa.String(length=12), nullable=False, comment="Post"),
        sa.Column("kind", sa.String(length=32), nullable=False, comment="What does not match"),
        sa.Column("detail", sa.Text(), nullable=False, comment="What was compared and found"),
        sa.Column(
            "found_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Time of the reconciliation, UTC",
        ),
        sa.Column(
            "found_by",
            sa.String(length=40),
            nullable=False,
            comment="Officer or process that reconciled",
        ),
        sa.Column(
            "crossing_id", sa.String(length=40), nullable=True, comment="Unit's crossing concerned"
        ),
        sa.Column("manifest_id", sa.String(length=40), nullable=True, comment="Manifest concerned"),
        sa.Column("line_no", sa.Integer(), nullable=True, comment="Manifest line concerned"),
        sa.Column(
            "declaration_id", sa.String(length=40), nullable=True, comment="Declaration concerned"
        ),
        sa.CheckConstraint(
            "kind IN ('undeclared_unit', 'undeclared_manifest_line', 'mass_excess', 'empty_not_empty')",
            name=op.f("ck_discrepancies_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["crossing_id"],
            ["crossings.crossing_id"],
            name=op.f("fk_discrepancies_crossing_id_crossings"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.declaration_id"],
            name=op.f("fk_discrepancies_declaration_id_declarations"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["manifest_id"],
            ["manifests.manifest_id"],
            name=op.f("fk_discrepancies_manifest_id_manifests"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["post_code"],
            ["posts.code"],
            name=op.f("fk_discrepancies_post_code_posts"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("discrepancy_id", name=op.f("pk_discrepancies")),
        info={"description": "What reconciling crossings and manifests with declarations found."},
    )
    with op.batch_alter_table("discrepancies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_discrepancies_post_code_found_at"),
            ["post_code", "found_at"],
            unique=False,
        )

    op.create_table(
        "duty_lines",
        sa.Column("declaration_id", sa.String(length=40), nullable=False, comment="Declaration"),
        sa.Column("item_no", sa.Integer(), nullable=False, comment="Item"),
        sa.Column(
            "customs_value",
            dostyk.store.types.ExactDecimal(precision=18, scale=2),
            nullable=False,
            comment="Customs value in national currency",
        ),
        sa.Column(
            "duty_rate",
            dostyk.store.types.ExactDecimal(precision=9, scale=4),
            nullable=False,
            comment="Ad valorem duty rate, percent",
        ),
        sa.Column(
            "duty",
            dostyk.store.types.ExactDecimal(precision=18, scale=2),
            nullable=False,
            comment="Import duty, national currency",
        ),
        sa.Column(
            "vat_rate",
            dostyk.store.types.ExactDecimal(precision=9, scale=4),
            nullable=False,
            comment="VAT rate, percent",
        ),
        sa.Column(
            "vat",
            dostyk.store.types.ExactDecimal(precision=18, scale=2),
            nullable=False,
            comment="VAT on value plus duty, national currency",
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.declaration_id"],
            name=op.f("fk_duty_lines_declaration_id_declarations"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("declaration_id", "item_no", name=op.f("pk_duty_lines")),
        info={"description": "Duty and VAT assessed per item, in national currency."},
    )
    op.create_table(
        "inspections",
        sa.Column(
            "inspection_id", sa.String(length=40), nullable=False, comment="Inspection identifier"
        ),
        sa.Column(
            "declaration_id", sa.String(length=40), nullable=False, comment="Declaration inspected"
        ),
        sa.Column("inspector_id", sa.String(length=24), nullable=False, comment="Inspector"),
        sa.Column(
            "assigned_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Time of assignment, UTC",
        ),
        sa.Column(
            "draw",
            sa.Text(),
            nullable=False,
            comment="Record of the random draw that chose the inspector",
        ),
        sa.Column(
            "started_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=True,
            comment="Start of the inspection, UTC",
        ),
        sa.Column(
            "ended_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=True,
            comment="End of the inspection, UTC",
        ),
        sa.Column(
            "reassigned_from",
            sa.String(length=24),
            nullable=True,
            comment="Inspector first drawn, when a supervisor reassigned",
        ),
        sa.Column(
            "reassigned_by",
            sa.String(length=24),
            nullable=True,
            comment="Supervisor who reassigned",
        ),
        sa.Column(
            "reassign_reason", sa.Text(), nullable=True, comment="Supervisor's written reason"
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.declaration_id"],
            name=op.f("fk_inspections_declaration_id_declarations"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["inspector_id"],
            ["officers.officer_id"],
            name=op.f("fk_inspections_inspector_id_officers"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["reassigned_by"],
            ["officers.officer_id"],
            name=op.f("fk_inspections_reassigned_by_officers"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["reassigned_from"],
            ["officers.officer_id"],
            name=op.f("fk_inspections_reassigned_from_officers"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("inspection_id", name=op.f("pk_inspections")),
        info={
            "description": "Inspections, the random draw that chose the inspector, and reassignments."
        },
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspections_declaration_id"), ["declaration_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inspections_inspector_id_assigned_at"),
            ["inspector_id", "assigned_at"],
            unique=False,
        )

    op.create_table(
        "overrides",
        sa.Column(
            "override_id", sa.String(length=40), nullable=False, comment="Override identifier"
        ),
        sa.Column("declaration_id", sa.String(length=40), nullable=False, comment="Declaration"),
        sa.Column("from_channel", sa.String(length=8), nullable=False, comment="Channel before"),
        sa.Column("to_channel", sa.String(length=8), nullable=False, comment="Channel requested"),
        sa.Column("reason", sa.Text(), nullable=False, comment="Requester's written reason"),
        sa.Column(
            "requested_by", sa.String(length=24), nullable=False, comment="Requesting officer"
        ),
        sa.Column(
            "requested_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Time of request, UTC",
        ),
        sa.Column("decision", sa.String(length=8), nullable=False, comment="Decision"),
        sa.Column(
            "decided_by",
            sa.String(length=24),
            nullable=True,
            comment="Approving or refusing officer",
        ),
        sa.Column(
            "decided_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=True,
            comment="Time of decision, UTC",
        ),
        sa.CheckConstraint(
            "decision IN ('pending', 'approved', 'refused')",
            name=op.f("ck_overrides_decision_valid"),
        ),
        sa.CheckConstraint(
            "from_channel IN ('green', 'yellow', 'red')",
            name=op.f("ck_overrides_from_channel_valid"),
        ),
        sa.CheckConstraint(
            "to_channel IN ('green', 'yellow', 'red')", name=op.f("ck_overrides_to_channel_valid")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["officers.officer_id"],
            name=op.f("fk_overrides_decided_by_officers"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.declaration_id"],
            name=op.f("fk_overrides_declaration_id_declarations"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["officers.officer_id"],
            name=op.f("fk_overrides_requested_by_officers"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("override_id", name=op.f("pk_overrides")),
        info={
            "description": "Channel overrides: requested with a reason, decided by a second officer."
        },
    )
    with op.batch_alter_table("overrides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_overrides_declaration_id"), ["declaration_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_overrides_requested_by"), ["requested_by"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("payment_id", sa.String(length=40), nullable=False, comment="Payment identifier"),
        sa.Column(
            "declaration_id", sa.String(length=40), nullable=False, comment="Declaration paid for"
        ),
        sa.Column(
            "amount",
            dostyk.store.types.ExactDecimal(precision=18, scale=2),
            nullable=False,
            comment="Amount, national currency",
        ),
        sa.Column(
            "paid_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Time of payment, UTC",
        ),
        sa.Column(
            "reference", sa.String(length=64), nullable=False, comment="Bank or treasury reference"
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.declaration_id"],
            name=op.f("fk_payments_declaration_id_declarations"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("payment_id", name=op.f("pk_payments")),
        info={"description": "Payments received against a declaration."},
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payments_declaration_id"), ["declaration_id"], unique=False
        )

    op.create_table(
        "queue_exceptions",
        sa.Column(
            "exception_id", sa.String(length=40), nullable=False, comment="Exception identifier"
        ),
        sa.Column("post_code", sa.String(length=12), nullable=False, comment="Post"),
        sa.Column(
            "queue", sa.String(length=16), nullable=False, comment="Queue served out of turn"
        ),
        sa.Column("channel", sa.String(length=8), nullable=False, comment="Channel of the queue"),
        sa.Column(
            "declaration_id",
            sa.String(length=40),
            nullable=False,
            comment="Declaration served out of turn",
        ),
        sa.Column(
            "overtaken",
            sa.Integer(),
            nullable=False,
            comment="How many declarations ahead of it were passed",
        ),
        sa.Column(
            "first_overtaken_id",
            sa.String(length=40),
            nullable=False,
            comment="The first of those it passed",
        ),
        sa.Column("reason", sa.Text(), nullable=False, comment="The officer's written reason"),
        sa.Column(
            "officer_id", sa.String(length=24), nullable=False, comment="Officer who served it"
        ),
        sa.Column(
            "at", dostyk.store.types.UtcDateTime(timezone=True), nullable=False, comment="Time, UTC"
        ),
        sa.CheckConstraint(
            "channel IN ('green', 'yellow', 'red')", name=op.f("ck_queue_exceptions_channel_valid")
        ),
        sa.CheckConstraint(
            "queue IN ('inspection', 'release')", name=op.f("ck_queue_exceptions_queue_valid")
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.declaration_id"],
            name=op.f("fk_queue_exceptions_declaration_id_declarations"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["first_overtaken_id"],
            ["declarations.declaration_id"],
            name=op.f("fk_queue_exceptions_first_overtaken_id_declarations"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"],
            ["officers.officer_id"],
            name=op.f("fk_queue_exceptions_officer_id_officers"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["post_code"],
            ["posts.code"],
            name=op.f("fk_queue_exceptions_post_code_posts"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("exception_id", name=op.f("pk_queue_exceptions")),
        info={"description": "Declarations served out of turn, with the officer's reason."},
    )
    with op.batch_alter_table("queue_exceptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_queue_exceptions_officer_id_at"), ["officer_id", "at"], unique=False
        )

    op.create_table(
        "risk_assessments",
        sa.Column(
            "assessment_id", sa.String(length=40), nullable=False, comment="Assessment identifier"
        ),
        sa.Column(
            "declaration_id", sa.String(length=40), nullable=False, comment="Declaration assessed"
        ),
        sa.Column(
            "assessed_at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Time of assessment, UTC",
        ),
        sa.Column("channel", sa.String(length=8), nullable=False, comment="Channel chosen"),
        sa.Column(
            "score",
            sa.Double(),
            nullable=False,
            comment="Estimated probability of a finding, 0 to 1",
        ),
        sa.Column(
            "criteria",
            sa.Text(),
            nullable=True,
            comment="Criteria that fired, joined by '|'; empty when none",
        ),
        sa.Column(
            "selector",
            sa.String(length=64),
            nullable=False,
            comment="Rule profile or model version that decided",
        ),
        sa.CheckConstraint(
            "channel IN ('green', 'yellow', 'red')", name=op.f("ck_risk_assessments_channel_valid")
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.declaration_id"],
            name=op.f("fk_risk_assessments_declaration_id_declarations"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_risk_assessments")),
        info={"description": "Selectivity decisions: channel, score and the criteria that fired."},
    )
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_assessments_declaration_id"), ["declaration_id"], unique=False
        )

    op.create_table(
        "status_changes",
        sa.Column("declaration_id", sa.String(length=40), nullable=False, comment="Declaration"),
        sa.Column("seq", sa.Integer(), nullable=False, comment="Step number from 1"),
        sa.Column(
            "from_status",
            sa.String(length=20),
            nullable=True,
            comment="Status before; empty for lodgement",
        ),
        sa.Column("to_status", sa.String(length=20), nullable=False, comment="Status after"),
        sa.Column(
            "at",
            dostyk.store.types.UtcDateTime(timezone=True),
            nullable=False,
            comment="Time of the step, UTC",
        ),
        sa.Column(
            "actor",
            sa.String(length=40),
            nullable=False,
            comment="Officer's service number or party identifier",
        ),
        sa.Column("reason", sa.Text(), nullable=True, comment="Why, where the step needs a reason"),
        sa.CheckConstraint(
            "from_status IN ('lodged', 'rejected', 'accepted', 'assessed', 'under_inspection', 'inspected', 'duties_assessed', 'paid', 'released', 'cancelled')",
            name=op.f("ck_status_changes_from_status_valid"),
        ),
        sa.CheckConstraint(
            "to_status IN ('lodged', 'rejected', 'accepted', 'assessed', 'under_inspection', 'inspected', 'duties_assessed', 'paid', 'released', 'cancelled')",
            name=op.f("ck_status_changes_to_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.declaration_id"],
            name=op.f("fk_status_changes_declaration_id_declarations"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("declaration_id", "seq", name=op.f("pk_status_changes")),
        info={"description": "Every step of a declaration's lifecycle: who, when, why."},
    )
    op.create_table(
        "findings",
        sa.Column("inspection_id", sa.String(length=40), nullable=False, comment="Inspection"),
        sa.Column("finding_no", sa.Integer(), nullable=False, comment="Finding number from 1"),
        sa.Column("kind", sa.String(length=24), nullable=False, comment="What was found"),
        sa.Column("description", sa.Text(), nullable=False, comment="What the inspector recorded"),
        sa.Column(
            "extra_duty",
            dostyk.store.types.ExactDecimal(precision=18, scale=2),
            nullable=False,
            comment="Additional duty proposed, national currency",
        ),
        sa.Column("seized", sa.Boolean(), nullable=False, comment="True when goods were seized"),
        sa.Column("item_no", sa.Integer(), nullable=True, comment="Declaration item concerned"),
        sa.CheckConstraint(
            "kind IN ('undeclared_goods', 'misclassification', 'undervaluation', 'quantity_discrepancy', 'mass_discrepancy', 'prohibited_goods')",
            name=op.f("ck_findings_kind_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.inspection_id"],
            name=op.f("fk_findings_inspection_id_inspections"),
            initially="IMMEDIATE",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("inspection_id", "finding_no", name=op.f("pk_findings")),
        info={"description": "What an inspection found."},
    )


def downgrade() -> None:
    op.drop_table("findings")
    op.drop_table("status_changes")
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_assessments_declaration_id"))

    op.drop_table("risk_assessments")
    with op.batch_alter_table("queue_exceptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_queue_exceptions_officer_id_at"))

    op.drop_table("queue_exceptions")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_declaration_id"))

    op.drop_table("payments")
    with op.batch_alter_table("overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_overrides_requested_by"))
        batch_op.drop_index(batch_op.f("ix_overrides_declaration_id"))

    op.drop_table("overrides")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_inspector_id_assigned_at"))
        batch_op.drop_index(batch_op.f("ix_inspections_declaration_id"))

    op.drop_table("inspections")
    op.drop_table("duty_lines")
    with op.batch_alter_table("discrepancies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discrepancies_post_code_found_at"))

    op.drop_table("discrepancies")
    with op.batch_alter_table("declaration_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declaration_units_crossing_id"))

    op.drop_table("declaration_units")
    with op.batch_alter_table("declaration_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declaration_items_commodity_code"))

    op.drop_table("declaration_items")
    op.drop_table("manifest_lines")
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_declarations_status_post_code"))
        batch_op.drop_index(batch_op.f("ix_declarations_post_code_lodged_at"))

    op.drop_table("declarations")
    with op.batch_alter_table("manifests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manifests_crossing_id"))

    op.drop_table("manifests")
    with op.batch_alter_table("crossings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crossings_post_code_crossed_at"))
        batch_op.drop_index(batch_op.f("ix_crossings_part_of"))
        batch_op.drop_index(batch_op.f("ix_crossings_conveyance_id_crossed_at"))

    op.drop_table("crossings")
    with op.batch_alter_table("officer_postings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officer_postings_post_code_start_date"))

    op.drop_table("officer_postings")
    with op.batch_alter_table("duty_shifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duty_shifts_post_code_starts_at"))

    op.drop_table("duty_shifts")
    op.drop_table("conveyances")
    op.drop_table("tariff_rates")
    op.drop_table("posts")
    op.drop_table("parties")
    op.drop_table("officers")
    op.drop_table("ledger_nodes")
    op.drop_table("ledger_heads")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_table_name_record_key"))

    op.drop_table("ledger_entries")
