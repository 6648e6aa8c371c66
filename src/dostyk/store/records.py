"""Which domain type each table holds, and the conversion between rows and domain objects.

Columns are named exactly as the fields of the domain type they store; the few values that are
collections in the domain (a party's roles, an assessment's criteria) are '|'-joined text in the
store. Building the domain object runs its invariants, so nothing reaches the store unchecked.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Table

from dostyk.domain.accounts import Account, ApiToken, Credential, LoginAttempt, Session
from dostyk.domain.alarms import AdjudicationStep, Alarm, AlarmFinding
from dostyk.domain.anomalies import Anomaly
from dostyk.domain.cases import IntegrityCase
from dostyk.domain.conflicts import ConflictExclusion, ConflictOfInterest
from dostyk.domain.conveyances import Conveyance, Crossing
from dostyk.domain.declarations import Declaration, DeclarationItem, DeclarationUnit
from dostyk.domain.discrepancies import Discrepancy
from dostyk.domain.events import StatusChange
from dostyk.domain.inspections import Finding, Inspection
from dostyk.domain.manifests import Manifest, ManifestLine
from dostyk.domain.monitors import PortalMonitor, StoredOccupancy
from dostyk.domain.officers import Officer, Posting
from dostyk.domain.overrides import Override
from dostyk.domain.parties import Party, PartyRole, format_roles, parse_roles
from dostyk.domain.partner_trade import PartnerExport
from dostyk.domain.payments import Payment
from dostyk.domain.ports import Post
from dostyk.domain.queues import QueueException
from dostyk.domain.reviews import FindingReview
from dostyk.domain.risk import (
    Activation,
    RiskAssessment,
    RiskDecision,
    StoredModel,
    StoredRuleProfile,
)
from dostyk.domain.shifts import DutyShift
from dostyk.domain.tariff import DutyLine, TariffRate
from dostyk.store import risk_tables as rt
from dostyk.store import tables as t
from dostyk.store.compiled import generate, tuple_of

DOMAIN_TYPES: dict[str, type[Any]] = {
    t.posts.name: Post,
    t.officers.name: Officer,
    t.officer_postings.name: Posting,
    t.parties.name: Party,
    t.conveyances.name: Conveyance,
    t.crossings.name: Crossing,
    t.manifests.name: Manifest,
    t.manifest_lines.name: ManifestLine,
    t.declarations.name: Declaration,
    t.declaration_items.name: DeclarationItem,
    t.declaration_units.name: DeclarationUnit,
    t.status_changes.name: StatusChange,
    t.risk_assessments.name: RiskAssessment,
    t.inspections.name: Inspection,
    t.findings.name: Finding,
    t.finding_reviews.name: FindingReview,
    t.overrides.name: Override,
    t.duty_lines.name: DutyLine,
    t.payments.name: Payment,
    t.tariff_rates.name: TariffRate,
    t.duty_shifts.name: DutyShift,
    t.discrepancies.name: Discrepancy,
    t.queue_exceptions.name: QueueException,
    t.anomalies.name: Anomaly,
    t.conflicts_of_interest.name: ConflictOfInterest,
    t.conflict_exclusions.name: ConflictExclusion,
    t.integrity_cases.name: IntegrityCase,
    t.partner_exports.name: PartnerExport,
    t.accounts.name: Account,
    t.account_credentials.name: Credential,
    t.api_tokens.name: ApiToken,
    t.web_sessions.name: Session,
    t.login_attempts.name: LoginAttempt,
    # selectivity
    rt.risk_decisions.name: RiskDecision,
    rt.rule_profiles.name: StoredRuleProfile,
    rt.risk_models.name: StoredModel,
    rt.risk_activations.name: Activation,
    # Radiation portal monitoring.
    t.portal_monitors.name: PortalMonitor,
    t.occupancies.name: StoredOccupancy,
    t.radiation_alarms.name: Alarm,
    t.alarm_findings.name: AlarmFinding,
    t.adjudication_steps.name: AdjudicationStep,
}
#: The domain types of fields that are collections in the domain and '|'-joined text in the
#: store. Decided by a field's type, never its name: a name means different things in different
#: tables (an assessment's ``explanation`` is a tuple of lines, an alarm finding's is one text).
JOINED_TEXT: Any = tuple[str, ...]
ROLES: Any = frozenset[PartyRole]


def _strip_optional(hint: Any) -> Any:
    """``T`` for ``T | None``; any other hint unchanged."""
    if isinstance(hint, types.UnionType):
        rest = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return hint


def is_joined(hint: Any) -> bool:
    """True when a field of this type is a tuple of text in the domain, '|'-joined in the store."""
    return bool(_strip_optional(hint) == JOINED_TEXT)


def _split(text: str | None) -> tuple[str, ...]:
    return () if text is None else tuple(part for part in text.split("|") if part)


def _join(values: Sequence[str]) -> str | None:
    """An empty list is stored as NULL, as the empty string is read back from a package."""
    return "|".join(values) or None


def _identity(value: Any) -> Any:
    return value


def _enum_of(hint: Any) -> type[StrEnum] | None:
    """The StrEnum in ``E`` or ``E | None``."""
    candidates = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, StrEnum):
            return candidate
    return None


@dataclass(frozen=True)
class RecordType:
    """How rows of one table become domain objects and back."""

    table: Table
    domain: type[Any]
    to_field: tuple[Callable[[Any], Any], ...]
    to_column: tuple[Callable[[Any], Any], ...]
    field_names: tuple[str, ...]
    #: For each field of the domain type, in its declaration order: the column index holding
    #: it and the conversion it needs (None when the stored value is already the field's).
    build_plan: tuple[tuple[int, Callable[[Any], Any] | None], ...]
    #: Builds the domain object from a row read back from the store (see :func:`_stored_builder`).
    from_store: Callable[[Sequence[Any]], Any] = dataclasses.field(compare=False, repr=False)
    #: Gives a record's values in column order, enums as their text (see :meth:`to_row`).
    _to_row: Callable[[Any], tuple[Any, ...]] = dataclasses.field(compare=False, repr=False)

    @classmethod
    def of(cls, table: Table) -> RecordType:
        domain = DOMAIN_TYPES[table.name]
        hints = typing.get_type_hints(domain)
        fields = {f.name for f in dataclasses.fields(domain)}
        names = tuple(c.name for c in table.columns)
        if set(names) != fields:
            raise TypeError(f"{table.name} columns {names} do not match {domain.__name__} fields")
        to_field: list[Callable[[Any], Any]] = []
        to_column: list[Callable[[Any], Any]] = []
        for name in names:
            hint = hints[name]
            enum = _enum_of(hint)
            if _strip_optional(hint) == ROLES:
                to_field.append(parse_roles)
                to_column.append(format_roles)
            elif is_joined(hint):
                to_field.append(_split)
                to_column.append(_join)
            elif enum is not None:
                to_field.append(_member_of(enum))
                to_column.append(_identity)
            else:
                to_field.append(_identity)
                to_column.append(_identity)
        plan = tuple(
            (
                names.index(f.name),
                None
                if to_field[names.index(f.name)] is _identity
                else to_field[names.index(f.name)],
            )
            for f in dataclasses.fields(domain)
        )
        return cls(
            table,
            domain,
            tuple(to_field),
            tuple(to_column),
            names,
            plan,
            _stored_builder(domain, plan),
            _row_builder(names, to_column),
        )

    def to_domain(self, row: Sequence[Any]) -> Any:
        """Build the domain object from values in column order, running its invariants."""
        return self.domain(
            *[row[i] if convert is None else convert(row[i]) for i, convert in self.build_plan]
        )

    def to_row(self, record: Any) -> tuple[Any, ...]:
        """Values in column order, enums as their text."""
        return self._to_row(record)

    def key_of(self, row: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(row[i] for i in self.key_positions)

    @functools.cached_property
    def key_positions(self) -> tuple[int, ...]:
        """Found once: every unit of work's repositories ask, and walking a table's columns
        costs more than the lookup."""
        return tuple(i for i, c in enumerate(self.table.columns) if c.primary_key)


def _stored_builder(
    domain: type[Any], plan: tuple[tuple[int, Callable[[Any], Any] | None], ...]
) -> Callable[[Sequence[Any]], Any]:
    """A function building ``domain`` from a stored row by ``plan``, without its invariants.

    Every row in the store passed the domain's invariants when it was written (a use case or
    an import built the object first), and the ledger detects any change made to it since; a
    use case reads tens of rows back for each one it writes, so checking them again on every
    read was a fifth of a lifecycle. The checks stay on every path that takes input
    (:meth:`RecordType.to_domain`). The domain types' ``__post_init__`` only check, never
    normalise, so the object is the same either way (tests/store/test_records.py). A type
    without slots is built through its constructor.
    """
    names = [f.name for f in dataclasses.fields(domain)]
    slots: list[Any] = [getattr(domain, name, None) for name in names]
    if not all(isinstance(slot, types.MemberDescriptorType) for slot in slots):
        return lambda row: domain(
            *[row[i] if convert is None else convert(row[i]) for i, convert in plan]
        )
    scope: dict[str, Any] = {"new": object.__new__, "domain": domain}
    body = ["record = new(domain)"]
    for position, (slot, (index, convert)) in enumerate(zip(slots, plan, strict=True)):
        scope[f"set{position}"] = slot.__set__
        value = f"row[{index}]"
        if convert is not None:
            scope[f"convert{position}"] = convert
            value = f"convert{position}({value})"
        body.append(f"set{position}(record, {value})")
    body.append("return record")
    build: Callable[[Sequence[Any]], Any] = generate("build", "row", body, scope)
    return build


def _row_builder(
    field_names: Sequence[str], to_column: Sequence[Callable[[Any], Any]]
) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving a record's values in column order, each converted for its column
    (None stays None)."""
    scope: dict[str, Any] = {}
    values = []
    for position, (name, convert) in enumerate(zip(field_names, to_column, strict=True)):
        if convert is _identity:
            values.append(f"record.{name}")
        else:
            scope[f"convert{position}"] = convert
            values.append(
                f"None if (v{position} := record.{name}) is None "
                f"else convert{position}(v{position})"
            )
    row: Callable[[Any], tuple[Any, ...]] = generate(
        "row", "record", [f"return {tuple_of(values)}"], scope
    )
    return row


def _member_of(enum: type[StrEnum]) -> Callable[[Any], Any]:
    """The enum member a stored value names (None stays None): a dictionary's lookup, where
    calling the enum costs five times as much and a use case reads thousands of them; a value
    no member has is refused by the enum itself."""
    members: dict[Any, Any] = {member.value: member for member in enum}
    members[None] = None

    def member(value: Any) -> Any:
        try:
            return members[value]
        except (KeyError, TypeError):
            return enum(value)

    return member


RECORD_TYPES: dict[str, RecordType] = {
    table.name: RecordType.of(table)
    for table in (*t.TABLES, *t.ACCOUNT_TABLES, *t.OPERATIONAL_TABLES)
}
