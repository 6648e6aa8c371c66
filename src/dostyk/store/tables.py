"""The operational store's tables, the single definition from which everything else is derived.

Each column carries its documentation (``comment``) and, where it holds a code list, the list
(``info["enum"]``). The data package's Table Schemas, docs/data-package.md and the Alembic
migrations are all generated from or checked against these definitions, so the database, the
interchange format and its documentation cannot drift apart.

Amounts are exact decimals (NUMERIC); masses are kilograms as doubles, since a weighbridge's
resolution is tens of kilograms; times are UTC.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

from dostyk.domain.accounts import AttemptOutcome, Role
from dostyk.domain.alarms import AlarmStatus, Disposition, StepKind
from dostyk.domain.anomalies import Control
from dostyk.domain.cases import CaseOutcome, SubjectKind
from dostyk.domain.conflicts import ConflictKind, ExclusionAction
from dostyk.domain.conveyances import ConveyanceKind, Direction
from dostyk.domain.declarations import Channel, DeclarationKind, DeclarationStatus
from dostyk.domain.discrepancies import DiscrepancyKind
from dostyk.domain.inspections import FindingKind
from dostyk.domain.manifests import ManifestKind
from dostyk.domain.occupancies import RadiationKind, SourceVerdict
from dostyk.domain.officers import Rank
from dostyk.domain.overrides import OverrideDecision
from dostyk.domain.ports import RpmFunder, TransportMode
from dostyk.domain.queues import QueueKind
from dostyk.domain.reviews import ReviewKind, ReviewOutcome
from dostyk.store.types import ExactDecimal, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

DESCRIPTIONS = {
    "posts": "Border crossing points. `dostyk init` loads the country's 112.",
    "officers": "Customs officers and their chain of command.",
    "officer_postings": "Which post an officer served at, from when to when.",
    "parties": "Importers, exporters, declarants (brokers) and carriers.",
    "conveyances": "Physical units: trains, railcars, trucks, trailers, vessels, aircraft.",
    "crossings": "One unit passing one post in one direction, weighed where a scale exists; "
    "railcars and trailers point to their train's or truck's crossing.",
    "manifests": "The carrier's cargo report or rail waybill for a train's or truck's crossing.",
    "manifest_lines": "Consignments on a manifest, each in the unit that carries it.",
    "declarations": "Import, export and transit declarations, with their current status.",
    "declaration_items": "Goods items of a declaration.",
    "declaration_units": "The crossings of the railcars, trucks or trailers whose cargo a "
    "declaration covers.",
    "status_changes": "Every step of a declaration's lifecycle: who, when, why.",
    "risk_assessments": "Selectivity decisions: channel, score and the criteria that fired.",
    "inspections": "Inspections, the random draw that chose the inspector, and reassignments.",
    "findings": "What an inspection found.",
    "finding_reviews": "Later reviews of a finished inspection's result: the declarant's appeal "
    "or a post-clearance audit, decided by a second officer; upheld or reversed.",
    "overrides": "Channel overrides: requested with a reason, decided by a second officer.",
    "duty_lines": "Duty and VAT assessed per item, in national currency.",
    "payments": "Payments received against a declaration.",
    "tariff_rates": "Ad valorem duty and VAT rates by commodity code prefix, over time.",
    "duty_shifts": "Who is on duty at a post, from when to when.",
    "discrepancies": "What reconciling crossings and manifests with declarations found.",
    "queue_exceptions": "Declarations served out of turn, with the officer's reason.",
    "accounts": "Who may sign in, in which role, for which officer or party.",
    "account_credentials": "Each account's password as its argon2id hash.",
    "api_tokens": "Systems' credentials: the SHA-256 of each token's secret, its account and "
    "the party or post it is narrowed to.",
    "web_sessions": "Signed-in browsers: the SHA-256 of each session cookie's secret.",
    "login_attempts": "Every attempt to sign in, for throttling and investigation.",
    "ledger_entries": "The tamper-evident log: one entry per change of a record.",
    "ledger_nodes": "Hashes of the log's perfect Merkle subtrees, for proofs.",
    "ledger_heads": "Signed tree heads.",
    "usual_values": "Running histogram of released items' value per net kg, per HS subheading "
    "(derived from the records; rebuilt and compared by `dostyk ledger verify`).",
    # --- integrity: anomalies of imported history, conflicts of interest, cases ----------------
    "anomalies": "Records of an imported history that break one of Dostyk's controls, each "
    "with the control it breaks; found by `dostyk import`, kept as evidence.",
    "conflicts_of_interest": "Relationships between officers and parties declared to the "
    "integrity unit: kin, financial, former employer.",
    "conflict_exclusions": "Officers kept out of a random draw or an override decision by a "
    "declared conflict of interest.",
    "integrity_cases": "The integrity unit's cases: a subject, the officer working it and the "
    "outcome.",
    "release_tallies": "Running counts of released declarations per importer, declarant, post, "
    "HS subheading and origin (derived from the records; checked by `dostyk ledger verify`).",
}

Money = ExactDecimal(18, 2)
Rate = ExactDecimal(9, 4)
Quantity = ExactDecimal(18, 3)
ExchangeRate = ExactDecimal(18, 6)
Instant = UtcDateTime()


def column(
    name: str,
    type_: TypeEngine[Any] | type[TypeEngine[Any]],
    doc: str,
    *,
    primary_key: bool = False,
    nullable: bool = False,
    references: str | None = None,
    enum: type[StrEnum] | None = None,
) -> Column[Any]:
    """A documented column; an ``enum`` becomes a CHECK constraint and a Table Schema enum."""
    args: list[Any] = []
    if references is not None:
        # Checked at commit, so a bulk load may insert a row before the row it refers to in the
        # same table (a railcar's crossing before its train's). Declared INITIALLY DEFERRED
        # rather than switched per transaction: SQLite's defer_foreign_keys pragma expires every
        # prepared statement of the connection, so each use case would compile all of its
        # statements afresh.
        args.append(ForeignKey(references, deferrable=True, initially="DEFERRED"))
    info: dict[str, Any] = {}
    if enum is not None:
        info["enum"] = [member.value for member in enum]
    return Column(
        name,
        type_,
        *args,
        primary_key=primary_key,
        nullable=nullable and not primary_key,
        comment=doc,
        info=info,
    )


def table(name: str, *items: Any, info_extra: dict[str, Any] | None = None) -> Table:
    """A table whose code-list columns are guarded by CHECK constraints in the database too.

    Its description (``info["description"]``) is :data:`DESCRIPTIONS`' entry.
    """
    checks = []
    for item in items:
        if isinstance(item, Column) and "enum" in item.info:
            quoted = ", ".join(f"'{value}'" for value in item.info["enum"])
            checks.append(CheckConstraint(f"{item.name} IN ({quoted})", name=f"{item.name}_valid"))
    info = {"description": DESCRIPTIONS[name], **(info_extra or {})}
    return Table(name, metadata, *items, *checks, info=info)


posts = table(
    "posts",
    column("code", String(12), "Post code, unique in the country", primary_key=True),
    column("name", String(120), "Name of the border crossing point"),
    column("mode", String(16), "Mode of transport the post serves", enum=TransportMode),
    column(
        "neighbour_country",
        String(2),
        "ISO 3166-1 alpha-2 code of the country across the border; empty for airports",
        nullable=True,
    ),
    column("region", String(80), "Region (oblast) or city of significance it lies in"),
    column("latitude", Double, "WGS 84 latitude, decimal degrees"),
    column("longitude", Double, "WGS 84 longitude, decimal degrees"),
    column("rpm_lanes", Integer, "Lanes equipped with radiation portal monitors"),
    column(
        "rpm_funder", String(16), "Who funded the portal monitors", nullable=True, enum=RpmFunder
    ),
    column(
        "electronic_since",
        Date,
        "Date the electronic customs system went live at the post",
        nullable=True,
    ),
    column("model_only", Boolean, "True when the post exists only in the model network"),
    column("note", Text, "Free-text facts about the post", nullable=True),
)

officers = table(
    "officers",
    column("officer_id", String(24), "Service number", primary_key=True),
    column("name", String(120), "Full name"),
    column("rank", String(24), "Rank", enum=Rank),
    column(
        "supervisor_id",
        String(24),
        "Service number of the officer's direct superior",
        nullable=True,
        references="officers.officer_id",
    ),
)

officer_postings = table(
    "officer_postings",
    column(
        "officer_id",
        String(24),
        "Service number",
        primary_key=True,
        references="officers.officer_id",
    ),
    column("start_date", Date, "First day of the posting", primary_key=True),
    column("post_code", String(12), "Post served", references="posts.code"),
    column("end_date", Date, "Last day of the posting; empty while it lasts", nullable=True),
    Index(None, "post_code", "start_date"),
)

parties = table(
    "parties",
    column("party_id", String(40), "Party identifier", primary_key=True),
    column("name", String(200), "Registered name"),
    column("tax_id", String(32), "Tax identifier: the 12-digit BIN/IIN for Kazakh parties"),
    column("country", String(2), "ISO 3166-1 alpha-2 country of registration"),
    column(
        "roles",
        String(64),
        "Roles joined by '|': importer, exporter, declarant, carrier",
    ),
)

conveyances = table(
    "conveyances",
    column("conveyance_id", String(40), "Conveyance identifier", primary_key=True),
    column("kind", String(16), "Kind of conveyance unit", enum=ConveyanceKind),
    column("registration", String(40), "Railcar number, plate or train number"),
    column("country", String(2), "ISO 3166-1 alpha-2 country of registration"),
    column(
        "carrier_id",
        String(40),
        "Carrier operating the unit",
        nullable=True,
        references="parties.party_id",
    ),
    column("tare_mass_kg", Double, "Empty mass in kilograms", nullable=True),
)

crossings = table(
    "crossings",
    column("crossing_id", String(40), "Crossing identifier", primary_key=True),
    column("post_code", String(12), "Post crossed", references="posts.code"),
    column(
        "conveyance_id",
        String(40),
        "Unit that crossed",
        references="conveyances.conveyance_id",
    ),
    column("direction", String(3), "Into or out of the country", enum=Direction),
    column("crossed_at", Instant, "Time of crossing, UTC"),
    column("laden", Boolean, "True when the unit carried cargo"),
    column(
        "gross_mass_kg",
        Double,
        "Mass measured on the track scale or weighbridge, kilograms",
        nullable=True,
    ),
    column(
        "part_of",
        String(40),
        "The train's or truck's crossing this unit crossed with",
        nullable=True,
        references="crossings.crossing_id",
    ),
    Index(None, "post_code", "crossed_at"),
    Index(None, "conveyance_id", "crossed_at"),
    Index(None, "part_of"),
)

manifests = table(
    "manifests",
    column("manifest_id", String(40), "Manifest identifier", primary_key=True),
    column("kind", String(16), "Rail waybill or road cargo report", enum=ManifestKind),
    column("post_code", String(12), "Post where it was presented", references="posts.code"),
    column(
        "crossing_id",
        String(40),
        "The train's or truck's crossing it describes",
        references="crossings.crossing_id",
    ),
    column("carrier_id", String(40), "Carrier who wrote it", references="parties.party_id"),
    column("reference", String(64), "Carrier's waybill or report number"),
    column("issued_at", Instant, "Time it was issued, UTC"),
    Index(None, "crossing_id"),
)

manifest_lines = table(
    "manifest_lines",
    column(
        "manifest_id",
        String(40),
        "Manifest",
        primary_key=True,
        references="manifests.manifest_id",
    ),
    column("line_no", Integer, "Line number from 1", primary_key=True),
    column("hs_code", String(10), "HS code as the carrier gives it, 4 to 10 digits"),
    column("description", Text, "Goods as described by the carrier"),
    column("packages", Integer, "Number of packages"),
    column("gross_mass_kg", Double, "Gross mass, kilograms"),
    column(
        "unit_crossing_id",
        String(40),
        "Crossing of the railcar or trailer that carries the line",
        nullable=True,
        references="crossings.crossing_id",
    ),
    column(
        "consignee_id",
        String(40),
        "Consignee",
        nullable=True,
        references="parties.party_id",
    ),
)

declarations = table(
    "declarations",
    column("declaration_id", String(40), "Declaration identifier", primary_key=True),
    column("kind", String(8), "Customs procedure", enum=DeclarationKind),
    column("post_code", String(12), "Post where it is lodged", references="posts.code"),
    column("declarant_id", String(40), "Declarant or broker", references="parties.party_id"),
    column("reference", String(64), "Declarant's own reference, unique per declarant"),
    column("lodged_at", Instant, "Time of lodgement, UTC"),
    column("status", String(20), "Current status in the lifecycle", enum=DeclarationStatus),
    column("importer_id", String(40), "Importer", nullable=True, references="parties.party_id"),
    column("exporter_id", String(40), "Exporter", nullable=True, references="parties.party_id"),
    column(
        "manifest_id",
        String(40),
        "Manifest whose lines it declares",
        nullable=True,
        references="manifests.manifest_id",
    ),
    column("channel", String(8), "Channel chosen by risk assessment", nullable=True, enum=Channel),
    UniqueConstraint("declarant_id", "reference"),
    Index(None, "post_code", "lodged_at"),
    Index(None, "status", "post_code"),
    Index(None, "importer_id", "status"),
    Index(None, "manifest_id"),
    Index(None, "declarant_id", "lodged_at"),
    Index(None, "importer_id", "lodged_at"),
    Index(None, "exporter_id", "lodged_at"),
)

declaration_items = table(
    "declaration_items",
    column(
        "declaration_id",
        String(40),
        "Declaration",
        primary_key=True,
        references="declarations.declaration_id",
    ),
    column("item_no", Integer, "Item number from 1", primary_key=True),
    column("commodity_code", String(10), "10-digit national code; first 6 digits HS 2022"),
    column("description", Text, "Description of the goods"),
    column("origin", String(2), "ISO 3166-1 alpha-2 country of origin"),
    column("quantity", Quantity, "Quantity in the supplementary unit"),
    column("unit", String(3), "UN/ECE Rec. 20 unit of the quantity"),
    column("gross_mass_kg", Double, "Gross mass, kilograms"),
    column("net_mass_kg", Double, "Net mass, kilograms; at most the gross mass"),
    column("customs_value", Money, "Customs value in the item's currency"),
    column("currency", String(3), "ISO 4217 currency of the customs value"),
    column("exchange_rate", ExchangeRate, "National currency per unit of the currency"),
    column(
        "manifest_line_no",
        Integer,
        "Line of the declaration's manifest this item declares",
        nullable=True,
    ),
    Index(None, "commodity_code"),
)

declaration_units = table(
    "declaration_units",
    column(
        "declaration_id",
        String(40),
        "Declaration",
        primary_key=True,
        references="declarations.declaration_id",
    ),
    column(
        "crossing_id",
        String(40),
        "Crossing of a unit whose cargo it covers",
        primary_key=True,
        references="crossings.crossing_id",
    ),
    Index(None, "crossing_id"),
)

status_changes = table(
    "status_changes",
    column(
        "declaration_id",
        String(40),
        "Declaration",
        primary_key=True,
        references="declarations.declaration_id",
    ),
    column("seq", Integer, "Step number from 1", primary_key=True),
    column(
        "from_status",
        String(20),
        "Status before; empty for lodgement",
        nullable=True,
        enum=DeclarationStatus,
    ),
    column("to_status", String(20), "Status after", enum=DeclarationStatus),
    column("at", Instant, "Time of the step, UTC"),
    column("actor", String(40), "Officer's service number or party identifier"),
    column("reason", Text, "Why, where the step needs a reason", nullable=True),
)

risk_assessments = table(
    "risk_assessments",
    column("assessment_id", String(40), "Assessment identifier", primary_key=True),
    column(
        "declaration_id",
        String(40),
        "Declaration assessed",
        references="declarations.declaration_id",
    ),
    column("assessed_at", Instant, "Time of assessment, UTC"),
    column("channel", String(8), "Channel chosen", enum=Channel),
    column("score", Double, "Estimated probability of a finding, 0 to 1"),
    column("criteria", Text, "Criteria that fired, joined by '|'; empty when none", nullable=True),
    column("selector", String(64), "Rule profile or model version that decided"),
    Index(None, "declaration_id"),
)

inspections = table(
    "inspections",
    column("inspection_id", String(40), "Inspection identifier", primary_key=True),
    column(
        "declaration_id",
        String(40),
        "Declaration inspected",
        references="declarations.declaration_id",
    ),
    column("inspector_id", String(24), "Inspector", references="officers.officer_id"),
    column("assigned_at", Instant, "Time of assignment, UTC"),
    column("draw", Text, "Record of the random draw that chose the inspector"),
    column("started_at", Instant, "Start of the inspection, UTC", nullable=True),
    column("ended_at", Instant, "End of the inspection, UTC", nullable=True),
    column(
        "reassigned_from",
        String(24),
        "Inspector first drawn, when a supervisor reassigned",
        nullable=True,
        references="officers.officer_id",
    ),
    column(
        "reassigned_by",
        String(24),
        "Supervisor who reassigned",
        nullable=True,
        references="officers.officer_id",
    ),
    column("reassign_reason", Text, "Supervisor's written reason", nullable=True),
    Index(None, "declaration_id"),
    # An inspector's queue: his unstarted inspections (started_at IS NULL), oldest first, found
    # without reading the thousands he has done.
    Index(None, "inspector_id", "started_at", "assigned_at"),
)

findings = table(
    "findings",
    column(
        "inspection_id",
        String(40),
        "Inspection",
        primary_key=True,
        references="inspections.inspection_id",
    ),
    column("finding_no", Integer, "Finding number from 1", primary_key=True),
    column("kind", String(24), "What was found", enum=FindingKind),
    column("description", Text, "What the inspector recorded"),
    column("extra_duty", Money, "Additional duty proposed, national currency"),
    column("seized", Boolean, "True when goods were seized"),
    column("item_no", Integer, "Declaration item concerned", nullable=True),
)
# An imported finding with no kind is one the old system did not classify (see columns_of).
findings.c.kind.info["missing"] = FindingKind.UNRECORDED.value

finding_reviews = table(
    "finding_reviews",
    column("review_id", String(40), "Review identifier", primary_key=True),
    column(
        "inspection_id",
        String(40),
        "Inspection whose result is reviewed",
        references="inspections.inspection_id",
    ),
    column(
        "declaration_id",
        String(40),
        "Declaration inspected",
        references="declarations.declaration_id",
    ),
    column("kind", String(8), "The declarant's appeal or a post-clearance audit", enum=ReviewKind),
    column("outcome", String(16), "Upheld, or reversed and which way", enum=ReviewOutcome),
    column("reason", Text, "The reviewer's written reason"),
    column("reviewed_by", String(24), "Deciding officer", references="officers.officer_id"),
    column("reviewed_at", Instant, "Time of the decision, UTC"),
    column(
        "finding_no",
        Integer,
        "Finding reviewed; empty for the inspection's result as a whole",
        nullable=True,
    ),
    column(
        "duty_amount",
        Money,
        "Duty the review adds (fraud missed) or remits (no basis), national currency",
    ),
    Index(None, "inspection_id"),
    Index(None, "declaration_id"),
)
# The finding reviewed is one the inspection made; with no finding named the review is of the
# whole result, so there is no foreign key (a Table Schema refuses one with an empty part): the
# use case and the import check it, and loads and extracts take findings first.
finding_reviews.add_is_dependent_on(findings)

overrides = table(
    "overrides",
    column("override_id", String(40), "Override identifier", primary_key=True),
    column(
        "declaration_id",
        String(40),
        "Declaration",
        references="declarations.declaration_id",
    ),
    column("from_channel", String(8), "Channel before", enum=Channel),
    column("to_channel", String(8), "Channel requested", enum=Channel),
    column("reason", Text, "Requester's written reason"),
    column("requested_by", String(24), "Requesting officer", references="officers.officer_id"),
    column("requested_at", Instant, "Time of request, UTC"),
    column("decision", String(8), "Decision", enum=OverrideDecision),
    column(
        "decided_by",
        String(24),
        "Approving or refusing officer",
        nullable=True,
        references="officers.officer_id",
    ),
    column("decided_at", Instant, "Time of decision, UTC", nullable=True),
    Index(None, "declaration_id"),
    Index(None, "requested_by"),
)

duty_lines = table(
    "duty_lines",
    column(
        "declaration_id",
        String(40),
        "Declaration",
        primary_key=True,
        references="declarations.declaration_id",
    ),
    column("item_no", Integer, "Item", primary_key=True),
    column("customs_value", Money, "Customs value in national currency"),
    column("duty_rate", Rate, "Ad valorem duty rate, percent"),
    column("duty", Money, "Import duty, national currency"),
    column("vat_rate", Rate, "VAT rate, percent"),
    column("vat", Money, "VAT on value plus duty, national currency"),
)

payments = table(
    "payments",
    column("payment_id", String(40), "Payment identifier", primary_key=True),
    column(
        "declaration_id",
        String(40),
        "Declaration paid for",
        references="declarations.declaration_id",
    ),
    column("amount", Money, "Amount, national currency"),
    column("paid_at", Instant, "Time of payment, UTC"),
    column("reference", String(64), "Bank or treasury reference"),
    Index(None, "declaration_id"),
)

tariff_rates = table(
    "tariff_rates",
    column("code_prefix", String(10), "Commodity code prefix, 2 to 10 digits", primary_key=True),
    column("valid_from", Date, "First day the rate applies", primary_key=True),
    column("duty_rate", Rate, "Ad valorem duty rate, percent"),
    column("vat_rate", Rate, "VAT rate, percent"),
    column("note", Text, "Source or remark", nullable=True),
)

duty_shifts = table(
    "duty_shifts",
    column("shift_id", String(40), "Shift identifier", primary_key=True),
    column("officer_id", String(24), "Officer on duty", references="officers.officer_id"),
    column("post_code", String(12), "Post", references="posts.code"),
    column("starts_at", Instant, "Start of the shift, UTC"),
    column("ends_at", Instant, "End of the shift, UTC"),
    # Who is on duty at a moment: the shifts of the post that end after it (the current ones
    # and the few published ahead), however long the post's roster history.
    Index(None, "post_code", "ends_at"),
)

discrepancies = table(
    "discrepancies",
    column("discrepancy_id", String(40), "Discrepancy identifier", primary_key=True),
    column("post_code", String(12), "Post", references="posts.code"),
    column("kind", String(32), "What does not match", enum=DiscrepancyKind),
    column("detail", Text, "What was compared and found"),
    column("found_at", Instant, "Time of the reconciliation, UTC"),
    column("found_by", String(40), "Officer or process that reconciled"),
    column(
        "crossing_id",
        String(40),
        "Unit's crossing concerned",
        nullable=True,
        references="crossings.crossing_id",
    ),
    column(
        "manifest_id",
        String(40),
        "Manifest concerned",
        nullable=True,
        references="manifests.manifest_id",
    ),
    column("line_no", Integer, "Manifest line concerned", nullable=True),
    column(
        "declaration_id",
        String(40),
        "Declaration concerned",
        nullable=True,
        references="declarations.declaration_id",
    ),
    Index(None, "post_code", "found_at"),
)

queue_exceptions = table(
    "queue_exceptions",
    column("exception_id", String(40), "Exception identifier", primary_key=True),
    column("post_code", String(12), "Post", references="posts.code"),
    column("queue", String(16), "Queue served out of turn", enum=QueueKind),
    column("channel", String(8), "Channel of the queue", enum=Channel),
    column(
        "declaration_id",
        String(40),
        "Declaration served out of turn",
        references="declarations.declaration_id",
    ),
    column("overtaken", Integer, "How many declarations ahead of it were passed"),
    column(
        "first_overtaken_id",
        String(40),
        "The first of those it passed",
        references="declarations.declaration_id",
    ),
    column("reason", Text, "The officer's written reason"),
    column("officer_id", String(24), "Officer who served it", references="officers.officer_id"),
    column("at", Instant, "Time, UTC"),
    Index(None, "officer_id", "at"),
)

# Accounts are records under the ledger, so a changed role or a password hash replaced behind
# Dostyk's back is found by `dostyk ledger verify`; they are the store's own access control, not
# customs data, so no data package carries them (and no hash ever leaves the store in one).
accounts = table(
    "accounts",
    column("username", String(40), "Username, in lower case", primary_key=True),
    column("role", String(24), "Role", enum=Role),
    column("display_name", String(200), "Name shown for the account"),
    column(
        "officer_id",
        String(24),
        "Service number of the officer it belongs to",
        nullable=True,
        references="officers.officer_id",
    ),
    column(
        "party_id",
        String(40),
        "Party (broker or trader) it belongs to",
        nullable=True,
        references="parties.party_id",
    ),
    column("disabled", Boolean, "True while the account may not sign in"),
    column("created_at", Instant, "Time of creation, UTC"),
    column("disabled_reason", Text, "Why it was disabled", nullable=True),
    Index(None, "officer_id"),
    Index(None, "party_id"),
    info_extra={"accounts": True},
)

account_credentials = table(
    "account_credentials",
    column(
        "username",
        String(40),
        "Account",
        primary_key=True,
        references="accounts.username",
    ),
    column("password_hash", String(256), "argon2id hash of the password, with its parameters"),
    column("set_at", Instant, "Time the password was set or last rehashed, UTC"),
    info_extra={"accounts": True},
)

api_tokens = table(
    "api_tokens",
    column("token_id", String(40), "Token identifier, shown in listings", primary_key=True),
    column("username", String(40), "Account the token acts as", references="accounts.username"),
    column("label", String(120), "What the token is for"),
    column(
        "party_id",
        String(40),
        "Party the token is narrowed to",
        nullable=True,
        references="parties.party_id",
    ),
    column(
        "post_code",
        String(12),
        "Post the token is narrowed to",
        nullable=True,
        references="posts.code",
    ),
    column("created_at", Instant, "Time of issue, UTC"),
    column("expires_at", Instant, "Time it stops working, UTC; empty if never", nullable=True),
    column("revoked_at", Instant, "Time it was revoked, UTC", nullable=True),
    column("secret_hash", String(64), "SHA-256 of the token's secret, hex"),
    UniqueConstraint("secret_hash"),
    Index(None, "username"),
    info_extra={"accounts": True},
)

# Sessions and attempts are operational: they change on every sign-in, say nothing a record
# needs to prove, and are neither logged in the ledger nor exported.
web_sessions = table(
    "web_sessions",
    column(
        "session_id", String(64), "SHA-256 of the session cookie's secret, hex", primary_key=True
    ),
    column("username", String(40), "Account signed in", references="accounts.username"),
    column("created_at", Instant, "Time of sign-in, UTC"),
    column("last_seen_at", Instant, "Time of the last request, to the minute, UTC"),
    column("expires_at", Instant, "Time the session ends however busy, UTC"),
    column("idle_seconds", Integer, "Seconds without a request after which it ends"),
    column("csrf_token", String(64), "Secret every form of the session carries back"),
    column(
        "closed_at",
        Instant,
        "Time it was closed (signed out, disabled, password changed)",
        nullable=True,
    ),
    # Closing an account's open sessions reads only those not yet expired.
    Index(None, "username", "expires_at"),
    info_extra={"operational": True},
)

login_attempts = table(
    "login_attempts",
    column("attempt_id", String(40), "Attempt identifier", primary_key=True),
    column("username", String(64), "Username tried, in lower case (cut to 64 characters)"),
    column("client", String(64), "Client address or name (cut to 64 characters)"),
    column("at", Instant, "Time of the attempt, UTC"),
    column("outcome", String(16), "What came of it", enum=AttemptOutcome),
    # Throttling counts one username's or one client's failures in the last minute: a range of
    # one of these indexes, whatever the length of the history.
    Index(None, "username", "outcome", "at"),
    Index(None, "client", "outcome", "at"),
    info_extra={"operational": True},
)

Hash = LargeBinary(32)

ledger_entries = table(
    "ledger_entries",
    column("seq", BigInteger, "Position in the log from 0 (the leaf index)", primary_key=True),
    column("table_name", String(40), "Table of the record"),
    column("record_key", Text, "The record's key as canonical JSON"),
    column("operation", String(8), "insert, update or delete"),
    column("record_hash", Hash, "SHA-256 of the record's canonical bytes"),
    column("recorded_at", Instant, "Time of the change, UTC"),
    column("actor", String(40), "Who made the change"),
    Index(None, "table_name", "record_key"),
    info_extra={"ledger": True},
)

ledger_nodes = table(
    "ledger_nodes",
    column("level", Integer, "Height of the perfect subtree (0: a leaf)", primary_key=True),
    column("idx", BigInteger, "Index of the subtree at its level", primary_key=True),
    column("hash", Hash, "Merkle hash of the subtree"),
    info_extra={"ledger": True},
)

ledger_heads = table(
    "ledger_heads",
    column("tree_size", BigInteger, "Entries covered", primary_key=True),
    column("root_hash", Hash, "Merkle root over those entries"),
    column("timestamp_ms", BigInteger, "Signing time, ms since the epoch, UTC"),
    column("key_id", Hash, "SHA-256 of the signing public key"),
    column("signature", LargeBinary(64), "Ed25519 signature over the head"),
    info_extra={"ledger": True},
)

# --- integrity: anomalies of imported history, conflicts of interest, cases ---------------------
# Records like the others (exported, imported, logged in the ledger); see dostyk.domain.anomalies,
# dostyk.domain.conflicts and dostyk.domain.cases.
anomalies = table(
    "anomalies",
    column(
        "record_table",
        String(32),
        "Table of the record that breaks the control: overrides, inspections, declarations "
        "or duty_shifts",
        primary_key=True,
    ),
    column(
        "record_key",
        String(120),
        "Key of that record; a key of several columns is joined by '|'",
        primary_key=True,
    ),
    column("control", String(32), "The control the record breaks", primary_key=True, enum=Control),
    column("at", Instant, "When the breach happened, UTC"),
    column("detail", Text, "What breaks the control, in words"),
    column(
        "declaration_id",
        String(40),
        "Declaration concerned",
        nullable=True,
        references="declarations.declaration_id",
    ),
    column(
        "officer_id",
        String(24),
        "Officer who acted",
        nullable=True,
        references="officers.officer_id",
    ),
    column("post_code", String(12), "Post", nullable=True, references="posts.code"),
    Index(None, "officer_id"),
    Index(None, "declaration_id"),
)

conflicts_of_interest = table(
    "conflicts_of_interest",
    column("conflict_id", String(40), "Conflict identifier", primary_key=True),
    column("officer_id", String(24), "Officer", references="officers.officer_id"),
    column("party_id", String(40), "Party he is related to", references="parties.party_id"),
    column("kind", String(16), "Kind of relationship", enum=ConflictKind),
    column("note", Text, "What the relationship is"),
    column("declared_at", Instant, "When it was declared, UTC"),
    column("declared_by", String(40), "Integrity officer who recorded it"),
    column("withdrawn_at", Instant, "When it was withdrawn, UTC", nullable=True),
    column("withdrawn_by", String(40), "Integrity officer who withdrew it", nullable=True),
    # The live path asks "which of these officers are conflicted with these parties?": by party.
    Index(None, "party_id", "officer_id"),
    Index(None, "officer_id"),
)

conflict_exclusions = table(
    "conflict_exclusions",
    column("exclusion_id", String(40), "Exclusion identifier", primary_key=True),
    column(
        "conflict_id",
        String(40),
        "The declared conflict",
        references="conflicts_of_interest.conflict_id",
    ),
    column("officer_id", String(24), "Officer kept out", references="officers.officer_id"),
    column("party_id", String(40), "Party of the declaration he is related to"),
    column(
        "declaration_id",
        String(40),
        "Declaration",
        references="declarations.declaration_id",
    ),
    column("action", String(24), "What he was kept out of", enum=ExclusionAction),
    column("subject_id", String(40), "The inspection drawn or reviewed, or the override decided"),
    column("at", Instant, "When, UTC"),
    Index(None, "officer_id"),
)

integrity_cases = table(
    "integrity_cases",
    column("case_id", String(40), "Case identifier", primary_key=True),
    column("subject_kind", String(16), "Kind of subject", enum=SubjectKind),
    column("subject_id", String(40), "Officer's service number, party identifier or post code"),
    column("reason", Text, "Why the case was opened"),
    column("opened_at", Instant, "When it was opened, UTC"),
    column("opened_by", String(40), "Who opened it"),
    column("assigned_to", String(40), "Integrity officer working it", nullable=True),
    column("assigned_at", Instant, "When it was assigned, UTC", nullable=True),
    column("outcome", String(16), "Outcome", nullable=True, enum=CaseOutcome),
    column("outcome_note", Text, "What the case established", nullable=True),
    column("closed_at", Instant, "When the outcome was recorded, UTC", nullable=True),
    column("closed_by", String(40), "Who recorded the outcome", nullable=True),
    Index(None, "subject_kind", "subject_id"),
)

# --- mirror analysis: what trading partners report they exported here ----------------------
# Reference data like the tariff (imported with the package, logged in the ledger); see
# dostyk.domain.partner_trade and docs/integrity.md, "Mirror analysis".
DESCRIPTIONS["partner_exports"] = (
    "Exports to this country as the exporting country reports them (UN Comtrade mirror "
    "data): FOB value in US dollars, net mass and quantity per HS subheading and month."
)

partner_exports = table(
    "partner_exports",
    column(
        "reporter",
        String(2),
        "ISO 3166-1 alpha-2 code of the exporting country that reports the figure",
        primary_key=True,
    ),
    column(
        "partner",
        String(2),
        "ISO 3166-1 alpha-2 code of the destination it reports: this country",
        primary_key=True,
    ),
    column(
        "hs6", String(6), "HS subheading, six digits, as the reporter gives it", primary_key=True
    ),
    column("month", String(7), "Month of the export, YYYY-MM", primary_key=True),
    column("fob_usd", Money, "Value free on board at the reporter's border, US dollars"),
    column("source", String(200), "Where the figure comes from: database, release, download"),
    column("net_mass_kg", Double, "Net mass, kilograms; empty when not reported", nullable=True),
    column(
        "quantity", Quantity, "Quantity in the unit below; empty when not reported", nullable=True
    ),
    column("unit", String(3), "UN/ECE Rec. 20 unit of the quantity", nullable=True),
)

# Running statistics that use cases consult instead of reading history. They are derived from the
# records in the same transaction as the release that changes them, so they are neither records
# (exported, imported, logged) nor evidence: `dostyk ledger verify` rebuilds them from the records
# and names any row that differs (see dostyk.store.running).
usual_values = table(
    "usual_values",
    column("hs6", String(6), "HS subheading", primary_key=True),
    column(
        "bucket", Integer, "Value per net kg bucket: floor(16 log2(value per kg))", primary_key=True
    ),
    column("released_items", BigInteger, "Released items whose value per kg falls in the bucket"),
    info_extra={"derived": True},
)

release_tallies = table(
    "release_tallies",
    column("dimension", String(16), "importer, declarant, post, hs6 or origin", primary_key=True),
    column(
        "subject",
        String(40),
        "The importer's or declarant's id, post code, subheading or country",
        primary_key=True,
    ),
    column("released", BigInteger, "Released declarations (for hs6 and origin: with such an item)"),
    info_extra={"derived": True},
)

# --- radiation: portal monitors, occupancies, alarms and their adjudication ------------------
# An occupancy's counts are canonical text (dostyk.domain.slices: dtype, shape and the
# compressed bytes in base64), so the row is what the ledger hashes and the package carries.
DESCRIPTIONS.update(
    {
        "portal_monitors": "Radiation portal monitors, one per equipped lane of a post.",
        "occupancies": "One vehicle or railcar passing a portal monitor: its 0.1 s slices of "
        "gamma and neutron counts, the background before and after, speed and faults.",
        "radiation_alarms": "An occupancy's alarm, the result that raised it, and where its "
        "adjudication stands; an open or escalated alarm holds its crossing's goods.",
        "alarm_findings": "Every algorithm's result on an alarmed occupancy.",
        "adjudication_steps": "Each step of an alarm's adjudication: operator, time, outcome.",
    }
)

portal_monitors = table(
    "portal_monitors",
    column("monitor_id", String(40), "Monitor identifier", primary_key=True),
    column("post_code", String(12), "Post", references="posts.code"),
    column("lane", Integer, "Lane number at the post, from 1"),
    column("mode", String(16), "Road or rail lane", enum=TransportMode),
    column("description", Text, "Make, model, panels", nullable=True),
    UniqueConstraint("post_code", "lane"),
)

occupancies = table(
    "occupancies",
    column("occupancy_id", String(40), "Occupancy identifier", primary_key=True),
    column("monitor_id", String(40), "Monitor passed", references="portal_monitors.monitor_id"),
    column("post_code", String(12), "Post", references="posts.code"),
    column("started_at", Instant, "Start of the occupancy, UTC"),
    column("ended_at", Instant, "End of the occupancy, UTC"),
    column("slices", Integer, "Number of time slices"),
    column("slice_seconds", Double, "Length of a slice, seconds (0.1 for most monitors)"),
    column("windows", Text, "Gamma energy windows in keV, 'start-end' joined by '|'"),
    column("gamma_panels", Text, "Gamma detector names, joined by '|'"),
    column("neutron_panels", Text, "Neutron detector names, joined by '|'; empty when none"),
    column("gamma_counts", Text, "Gamma counts (slices x panels x windows) as canonical text"),
    column("neutron_counts", Text, "Neutron counts (slices x panels) as canonical text"),
    column("background_before_gamma", Text, "Background gamma totals (panels x windows)"),
    column("background_before_neutron", Text, "Background neutron totals (panels)"),
    column("background_before_seconds", Double, "Live time of the background before, seconds"),
    column(
        "crossing_id",
        String(40),
        "Crossing of the unit that passed, once known",
        nullable=True,
        references="crossings.crossing_id",
    ),
    column("conveyance_ref", String(40), "Plate or number the monitor read", nullable=True),
    column("speed_kmh", Double, "Speed through the monitor, km/h", nullable=True),
    column("faults", Text, "Faults reported, JSON [code, severity, text] rows", nullable=True),
    column("background_after_gamma", Text, "Background gamma totals after", nullable=True),
    column("background_after_neutron", Text, "Background neutron totals after", nullable=True),
    column("background_after_seconds", Double, "Live time of the background after", nullable=True),
    column("source", Text, "Where the data came from: file name or simulation", nullable=True),
    Index(None, "crossing_id"),
    Index(None, "monitor_id", "started_at"),
)

# A monitor without neutron panels names none: empty text, which a CSV cell cannot tell from a
# missing value, so an empty cell reads as empty text (see columns_of).
occupancies.c.neutron_panels.info["missing"] = ""

radiation_alarms = table(
    "radiation_alarms",
    column("alarm_id", String(40), "Alarm identifier", primary_key=True),
    column(
        "occupancy_id", String(40), "Occupancy that alarmed", references="occupancies.occupancy_id"
    ),
    column("post_code", String(12), "Post", references="posts.code"),
    column("monitor_id", String(40), "Monitor", references="portal_monitors.monitor_id"),
    column("raised_at", Instant, "Time the alarm was raised, UTC"),
    column("kind", String(8), "Gamma or neutron", enum=RadiationKind),
    column("algorithm", String(40), "Algorithm whose result raised it (the strongest)"),
    column("statistic", Double, "That algorithm's statistic"),
    column("threshold", Double, "The threshold it reached"),
    column("status", String(12), "Where the adjudication stands", enum=AlarmStatus),
    column(
        "crossing_id",
        String(40),
        "Crossing held by the alarm",
        nullable=True,
        references="crossings.crossing_id",
    ),
    column("verdict", String(16), "What the energy windows say", nullable=True, enum=SourceVerdict),
    column("closed_at", Instant, "Time the alarm was cleared or found innocent", nullable=True),
    # The release guard: does any crossing of a declaration have a holding alarm? One range of
    # this index per crossing, whatever the number of alarms ever raised.
    Index(None, "crossing_id", "status"),
    # A post's open alarms, newest first, without reading its closed history.
    Index(None, "post_code", "status", "raised_at"),
    Index(None, "occupancy_id"),
)

alarm_findings = table(
    "alarm_findings",
    column(
        "alarm_id",
        String(40),
        "Alarm",
        primary_key=True,
        references="radiation_alarms.alarm_id",
    ),
    column("algorithm", String(40), "Algorithm", primary_key=True),
    column("kind", String(8), "Gamma or neutron", enum=RadiationKind),
    column("alarm", Boolean, "True when this algorithm alarmed"),
    column("statistic", Double, "Its statistic"),
    column("threshold", Double, "Its threshold"),
    column("explanation", Text, "What it found, in words"),
    column(
        "verdict", String(16), "NORM or man-made, when it looks", nullable=True, enum=SourceVerdict
    ),
    column("peak_slice", Integer, "Slice of the largest excess", nullable=True),
)

adjudication_steps = table(
    "adjudication_steps",
    column(
        "alarm_id",
        String(40),
        "Alarm",
        primary_key=True,
        references="radiation_alarms.alarm_id",
    ),
    column("seq", Integer, "Step number from 1", primary_key=True),
    column("kind", String(16), "Step", enum=StepKind),
    column("operator_id", String(24), "Radiation operator", references="officers.officer_id"),
    column("at", Instant, "Time of the step, UTC"),
    column("confirmed", Boolean, "Second pass: did it alarm again", nullable=True),
    column("location", Text, "Where on the vehicle the source is", nullable=True),
    column("nuclides", String(200), "Nuclides identified, joined by '|'", nullable=True),
    column("spectrum", Text, "The identifier's spectrum as canonical text", nullable=True),
    column(
        "disposition",
        String(16),
        "Why the alarm is innocent",
        nullable=True,
        enum=Disposition,
    ),
    column("note", Text, "The operator's words", nullable=True),
)

# The selectivity tables live in a module of their own (risk decisions, profiles, models).
from dostyk.store import risk_tables  # noqa: E402

#: The records' tables, in an order that respects their foreign keys (loads go forward); the
#: ledger's own tables are kept apart, since they are the evidence about the records, and so are
#: the derived statistics.
TABLES: tuple[Table, ...] = tuple(
    t
    for t in metadata.sorted_tables
    if not any(t.info.get(kind) for kind in ("ledger", "derived", "accounts", "operational"))
)
#: The accounts' tables: logged in the ledger like the records, but never exported.
ACCOUNT_TABLES: tuple[Table, ...] = (accounts, account_credentials, api_tokens)
#: Every table whose rows the ledger logs (and `dostyk ledger verify` checks).
LOGGED_TABLES: tuple[Table, ...] = TABLES + ACCOUNT_TABLES
#: Sessions and sign-in attempts: neither logged nor exported.
OPERATIONAL_TABLES: tuple[Table, ...] = (web_sessions, login_attempts)
DERIVED_TABLES: tuple[Table, ...] = (
    usual_values,
    release_tallies,
    risk_tables.outcome_tallies,
)
LEDGER_TABLES: tuple[Table, ...] = (ledger_entries, ledger_nodes, ledger_heads)
