"""Lodging and cancelling declarations; validation on lodgement.

Lodgement is idempotent on the declarant's own reference, so a broker whose connection dropped
can send again without clearing the same goods twice. Validation runs in the same transaction
and reports every problem at once: a broker who learns of one error per attempt makes many
attempts, and each attempt is an occasion to "help" him.

Two kinds of problem are told apart. A declaration naming records that do not exist (a post,
party, manifest or crossing), or values the store cannot keep exactly, cannot be recorded at
all: it is refused with :class:`ValidationFailed` and nothing is written. A declaration that can
be recorded but breaks the rules is recorded as *rejected*, its step listing every reason, so
that the attempt itself is on the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Engine

from dostyk import reference
from dostyk.domain.conveyances import Conveyance, Crossing
from dostyk.domain.declarations import (
    Declaration,
    DeclarationItem,
    DeclarationKind,
    DeclarationStatus,
    DeclarationUnit,
)
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.events import StatusChange
from dostyk.domain.lifecycle import lodgement
from dostyk.domain.manifests import Manifest
from dostyk.domain.parties import Party, PartyRole
from dostyk.domain.spelling import utc_text
from dostyk.services.actors import SYSTEM, national_day
from dostyk.services.errors import NotAuthorised, ValidationFailed
from dostyk.services.ids import MAX_ID
from dostyk.services.masses import DEAD
from dostyk.services.steps import load_for_move, move
from dostyk.store.unit_of_work import UnitOfWork

#: Masses per unit of quantity, for the units whose quantity is itself a mass.
MASS_UNITS = {"KGM": 1.0, "TNE": 1000.0, "GRM": 0.001}
#: How far a quantity in a mass unit may stray from the declared net mass.
MASS_QUANTITY_TOLERANCE = 0.02
#: Decimal places the store keeps exactly.
PLACES = {"customs_value": 2, "quantity": 3, "exchange_rate": 6}
#: Separates the reasons of a rejection in its recorded step.
REASON_SEPARATOR = "\n"


@dataclass(frozen=True, slots=True)
class Lodgement:
    """The declaration as stored, and why it was rejected (empty when accepted)."""

    declaration: Declaration
    reasons: tuple[str, ...]
    #: False when the reference had been lodged before and this was a repeat.
    new: bool

    @property
    def accepted(self) -> bool:
        return not self.reasons


def lodge(
    engine: Engine,
    declaration: Declaration,
    items: Sequence[DeclarationItem],
    units: Sequence[DeclarationUnit],
    *,
    actor: str,
    at: datetime,
    breaches: Sequence[str] = (),
) -> Lodgement:
    """Lodge and validate a declaration: accepted when valid, rejected with every reason if not.

    The declarant lodges for himself: ``actor`` must be ``declaration.declarant_id``. The time
    of lodgement is ``at``, whatever the declaration says, so nobody can lodge in the past to
    stand earlier in a queue. ``breaches`` are rules the document itself was found to break
    where it was read (a standard message's own rules, such as who may hold an authorisation):
    they are reasons of the rejection like the store's.
    """
    if actor != declaration.declarant_id or actor == SYSTEM:
        raise NotAuthorised(
            f"{actor} cannot lodge declaration {declaration.reference} in the name of "
            f"{declaration.declarant_id}: a declarant lodges for himself"
        )
    declaration = replace(declaration, lodged_at=at)
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        existing: Declaration | None = uow.declarations.by_reference(
            declaration.declarant_id, declaration.reference
        )
        if existing is not None:
            return _repeat(uow, existing, declaration, items, units)
        known = _Known.read(uow, declaration, units)
        unrecordable = _unrecordable(uow, known, declaration, items, units)
        if unrecordable:
            raise ValidationFailed(unrecordable, subject=f"declaration {declaration.reference}")
        reasons = [*breaches, *_rule_breaches(uow, known, declaration, items, units, at)]
        first = lodgement(declaration, actor=actor)
        uow.declarations.add(declaration)
        uow.items.add_many(items)
        uow.units.add_many(units)
        uow.status_changes.add(first)
        # Moved as the store gives it back (its time in UTC), so that a batch can hand the
        # moved declaration on to its next use case instead of that one reading it (see move).
        as_stored = declaration.in_utc()
        uow.loaded_for_move(as_stored)
        outcome = DeclarationStatus.REJECTED if reasons else DeclarationStatus.ACCEPTED
        stored = move(
            uow,
            as_stored,
            outcome,
            actor=SYSTEM,
            at=at,
            reason=REASON_SEPARATOR.join(reasons) or None,
            previous=first,
        )
    lodged = declaration.at_status(stored.status, stored.channel)  # in the caller's time zone
    return Lodgement(lodged, tuple(reasons), new=True)


def cancel(
    engine: Engine, declaration_id: str, *, actor: str, at: datetime, reason: str | None = None
) -> Declaration:
    """The declarant withdraws his declaration; refused once it is released or final."""
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        declaration, last = load_for_move(uow, declaration_id)
        return move(
            uow,
            declaration,
            DeclarationStatus.CANCELLED,
            actor=actor,
            at=at,
            reason=reason,
            previous=last,
        )


def rejection_reasons(change: StatusChange) -> tuple[str, ...]:
    """The reasons a rejection step lists."""
    if change.to_status is not DeclarationStatus.REJECTED or not change.reason:
        return ()
    return tuple(change.reason.split(REASON_SEPARATOR))


def _repeat(
    uow: UnitOfWork,
    existing: Declaration,
    declaration: Declaration,
    items: Sequence[DeclarationItem],
    units: Sequence[DeclarationUnit],
) -> Lodgement:
    """The same lodgement again gets the same answer; a different one under the same reference
    is refused, since the reference is the declarant's promise that it is one declaration."""
    stored_items: list[DeclarationItem] = uow.items.of(existing.declaration_id)
    stored_units: list[DeclarationUnit] = uow.units.of(existing.declaration_id)
    if _content(existing, stored_items, stored_units) != _content(declaration, items, units):
        raise ValidationFailed(
            [
                f"reference {declaration.reference} is taken by declaration "
                f"{existing.declaration_id}, lodged {utc_text(existing.lodged_at)} with "
                "different content; lodge a new declaration under a new reference"
            ],
            subject=f"declaration {declaration.reference}",
        )
    steps: list[StatusChange] = uow.status_changes.of(existing.declaration_id)
    reasons = next((rejection_reasons(s) for s in steps if s.seq == 2), ())
    return Lodgement(existing, reasons, new=False)


def _content(
    declaration: Declaration,
    items: Sequence[DeclarationItem],
    units: Sequence[DeclarationUnit],
) -> tuple[object, ...]:
    """What a declarant declares: everything but the identifiers, times and status customs set."""
    head = (
        declaration.kind,
        declaration.post_code,
        declaration.importer_id,
        declaration.exporter_id,
        declaration.manifest_id,
    )
    lines = sorted(
        (
            tuple(getattr(item, f.name) for f in fields(item) if f.name != "declaration_id")
            for item in items
        ),
        key=lambda line: line[0],
    )
    return head, tuple(lines), frozenset(unit.crossing_id for unit in units)


@dataclass(frozen=True, slots=True)
class _Known:
    """What the store holds of the records a new declaration names, read once for every check:
    one query per kind of record, however many parties and units it names."""

    post_exists: bool
    parties: dict[str, Party]
    manifest: Manifest | None
    #: The units' crossings that exist, each with its conveyance (None if unregistered).
    units: dict[str, tuple[Crossing, Conveyance | None]]

    @classmethod
    def read(
        cls, uow: UnitOfWork, declaration: Declaration, units: Sequence[DeclarationUnit]
    ) -> _Known:
        manifest_id = declaration.manifest_id
        return cls(
            post_exists=uow.posts.get(declaration.post_code) is not None,
            parties=uow.parties.many(party_id for _, party_id in _named_parties(declaration)),
            manifest=None if manifest_id is None else uow.manifests.get(manifest_id),
            units=uow.crossings.with_conveyances(unit.crossing_id for unit in units),
        )


def _unrecordable(
    uow: UnitOfWork,
    known: _Known,
    declaration: Declaration,
    items: Sequence[DeclarationItem],
    units: Sequence[DeclarationUnit],
) -> list[str]:
    """What stops the declaration from being recorded at all."""
    reasons: list[str] = []
    subject = declaration.declaration_id
    if len(subject) > MAX_ID:
        reasons.append(f"declaration id {subject} is longer than {MAX_ID} characters")
    elif uow.declarations.get(subject) is not None:
        reasons.append(f"declaration id {subject} is taken")
    if declaration.status is not DeclarationStatus.LODGED or declaration.channel is not None:
        reasons.append("a new declaration has status lodged and no channel")
    if not known.post_exists:
        reasons.append(f"no post {declaration.post_code}")
    for role, party_id in _named_parties(declaration):
        if party_id not in known.parties:
            reasons.append(f"no party {party_id} (named as {role})")
    if declaration.manifest_id is not None and known.manifest is None:
        reasons.append(f"no manifest {declaration.manifest_id}")
    for item in items:
        reasons += _unrecordable_item(declaration, item)
    numbers = [item.item_no for item in items]
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        reasons.append(f"item {number} appears more than once")
    crossing_ids = [unit.crossing_id for unit in units]
    for crossing_id in sorted({c for c in crossing_ids if crossing_ids.count(c) > 1}):
        reasons.append(f"unit {crossing_id} appears more than once")
    for unit in units:
        if unit.declaration_id != subject:
            reasons.append(f"unit {unit.crossing_id} belongs to {unit.declaration_id}")
        if unit.crossing_id not in known.units:
            reasons.append(f"no crossing {unit.crossing_id}")
    return reasons


def _named_parties(declaration: Declaration) -> list[tuple[PartyRole, str]]:
    named = [(PartyRole.DECLARANT, declaration.declarant_id)]
    if declaration.importer_id is not None:
        named.append((PartyRole.IMPORTER, declaration.importer_id))
    if declaration.exporter_id is not None:
        named.append((PartyRole.EXPORTER, declaration.exporter_id))
    return named


def _unrecordable_item(declaration: Declaration, item: DeclarationItem) -> list[str]:
    reasons: list[str] = []
    where = f"item {item.item_no}"
    if item.declaration_id != declaration.declaration_id:
        reasons.append(f"{where} belongs to {item.declaration_id}")
    if len(item.commodity_code) > 10:
        reasons.append(f"{where}: commodity code {item.commodity_code} has more than 10 digits")
    for field, places in PLACES.items():
        value: Decimal = getattr(item, field)
        if value != value.quantize(Decimal(1).scaleb(-places)):
            reasons.append(f"{where}: {field} {value} has more than {places} decimal places")
    return reasons


def _rule_breaches(
    uow: UnitOfWork,
    known: _Known,
    declaration: Declaration,
    items: Sequence[DeclarationItem],
    units: Sequence[DeclarationUnit],
    at: datetime,
) -> list[str]:
    """Every rule the recordable declaration breaks."""
    reasons = _party_roles(known, declaration)
    reasons += _items(declaration, items)
    reasons += _tariff(uow, declaration, items)
    reasons += _units(known, declaration, units, at)
    reasons += _manifest_lines(uow, known, declaration, items)
    return reasons


def _party_roles(known: _Known, declaration: Declaration) -> list[str]:
    reasons = []
    for role, party_id in _named_parties(declaration):
        party = known.parties.get(party_id)
        if party is not None and not party.has_role(role):
            reasons.append(f"party {party_id} is not registered as {role}")
    return reasons


def _items(declaration: Declaration, items: Sequence[DeclarationItem]) -> list[str]:
    if not items:
        return ["a declaration declares at least one goods item"]
    reasons = []
    numbers = sorted(item.item_no for item in items)
    if numbers != list(range(1, len(items) + 1)):
        reasons.append(f"items are numbered 1 to {len(items)} without gaps, not {numbers}")
    nomenclature = reference.nomenclature()
    for item in sorted(items, key=lambda i: i.item_no):
        where = f"item {item.item_no}"
        try:
            item.check_against(nomenclature)
        except InvariantViolation as error:
            reasons.append(f"{where}: {error.message}")
        if item.customs_value == 0:
            reasons.append(f"{where}: a customs value of zero declares goods as worthless")
        factor = MASS_UNITS.get(item.unit)
        if factor is not None:
            mass = float(item.quantity) * factor
            if abs(mass - item.net_mass_kg) > MASS_QUANTITY_TOLERANCE * item.net_mass_kg:
                reasons.append(
                    f"{where}: quantity {item.quantity} {item.unit} is {mass:,.1f} kg, but the "
                    f"net mass is {item.net_mass_kg:,.1f} kg"
                )
    return reasons


def _tariff(
    uow: UnitOfWork, declaration: Declaration, items: Sequence[DeclarationItem]
) -> list[str]:
    """Imports pay duty: every item needs a rate in force on the day of lodgement."""
    if declaration.kind is not DeclarationKind.IMPORT:
        return []
    tariff = uow.tariff_rates.current()
    day = national_day(declaration.lodged_at)
    reasons = []
    for item in sorted(items, key=lambda i: i.item_no):
        try:
            tariff.rate_for(item.commodity_code, day)
        except InvariantViolation as error:
            reasons.append(f"item {item.item_no}: {error.message}")
    return reasons


def _units(
    known: _Known,
    declaration: Declaration,
    units: Sequence[DeclarationUnit],
    at: datetime,
) -> list[str]:
    if not units:
        return ["a declaration names the railcars, trucks or trailers whose cargo it covers"]
    reasons = []
    expected = declaration.kind.unit_direction
    for crossing_id in sorted(known.units):
        crossing, vehicle = known.units[crossing_id]
        where = f"unit {crossing_id}"
        if crossing.post_code != declaration.post_code:
            reasons.append(
                f"{where} crossed at {crossing.post_code}, not at {declaration.post_code} "
                "where the declaration is lodged"
            )
        if crossing.direction != expected:
            reasons.append(
                f"{where} crossed {crossing.direction}; {declaration.kind} declarations cover "
                f"units that crossed {expected}"
            )
        if not crossing.laden:
            reasons.append(f"{where} crossed empty")
        if crossing.crossed_at > at:
            reasons.append(f"{where} has not crossed yet")
        if vehicle is not None and not vehicle.kind.carries_cargo:
            reasons.append(f"{where} is a {vehicle.kind}, which carries no cargo of its own")
    return reasons


def _manifest_lines(
    uow: UnitOfWork, known: _Known, declaration: Declaration, items: Sequence[DeclarationItem]
) -> list[str]:
    claimed = sorted(
        (item.item_no, item.manifest_line_no) for item in items if item.manifest_line_no
    )
    if declaration.manifest_id is None:
        return [
            f"item {item_no} claims manifest line {line_no}, but the declaration names no manifest"
            for item_no, line_no in claimed
        ]
    manifest = known.manifest
    if manifest is None:
        return []  # reported as unrecordable
    reasons = []
    if manifest.post_code != declaration.post_code:
        reasons.append(
            f"manifest {manifest.manifest_id} was presented at {manifest.post_code}, not at "
            f"{declaration.post_code}"
        )
    lines = uow.manifest_lines.numbers(manifest.manifest_id)
    taken = _lines_taken(uow, manifest.manifest_id)
    line_numbers = [line_no for _, line_no in claimed]
    for item_no, line_no in claimed:
        where = f"item {item_no}"
        if line_no not in lines:
            reasons.append(f"{where}: manifest {manifest.manifest_id} has no line {line_no}")
        elif line_no in taken:
            reasons.append(
                f"{where}: line {line_no} of manifest {manifest.manifest_id} is already "
                f"declared on {taken[line_no]}"
            )
        if line_numbers.count(line_no) > 1:
            reasons.append(f"{where}: line {line_no} is claimed by more than one item")
    return reasons


def _lines_taken(uow: UnitOfWork, manifest_id: str) -> dict[int, str]:
    """Manifest lines already declared on live declarations, and by which (the first by
    declaration id, should two claim one)."""
    taken: dict[int, str] = {}
    for line_no, declaration_id in uow.items.lines_claimed(manifest_id, excluding=DEAD):
        taken.setdefault(line_no, declaration_id)
    return taken
