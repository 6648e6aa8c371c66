"""Selectivity: which channel a declaration goes to, decided by measured risk and by chance.

A :class:`Selector` looks at a :class:`SelectionContext` — the declaration, its items, the
weighed units and what the store knows of the importer and of the goods' usual values — and
returns a :class:`Selection`: a channel, a score, and the criteria that decided, so that every
decision can be reviewed later. Three kinds plug in: declarative rule profiles (versioned, so an
assessment names the rules it applied), a learned model (elsewhere), and a random share that
keeps the selection unpredictable and the training data unbiased. :class:`CombinedSelector`
takes the most severe channel of several.

The random share is drawn from the ledger (:mod:`dostyk.services.draws`): its criterion records
the ledger size, e.g. ``random:red@size=123``, so anyone can recompute the draw with
:meth:`RandomShare.recheck` and see that no red was quietly turned green.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine

from dostyk.domain.conveyances import Conveyance, ConveyanceKind, Crossing
from dostyk.domain.declarations import Channel, Declaration, DeclarationItem, DeclarationStatus
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.ports import Post
from dostyk.domain.risk import RiskAssessment
from dostyk.services.actors import staff
from dostyk.services.draws import LedgerSeed, ledger_seed, uniform
from dostyk.services.ids import make_id
from dostyk.services.masses import MassBalance, mass_balances
from dostyk.services.steps import check_move, load_for_move, move
from dostyk.store import running
from dostyk.store.running import UnitValue
from dostyk.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class SelectionContext:
    """Everything a selector may look at; built by :func:`assess_risk` from the store."""

    declaration: Declaration
    items: tuple[DeclarationItem, ...]
    units: tuple[Crossing, ...]
    #: The units' conveyances (kind, tare) by id.
    conveyances: Mapping[str, Conveyance]
    #: The declaration's units weighed against their tare and everything declared on them.
    mass: MassBalance | None
    post: Post
    #: The importer's earlier declarations released by customs; None when no importer is named.
    importer_released: int | None
    #: Usual value per kg of the items' subheadings, from released declarations (a running
    #: histogram's median, see :mod:`dostyk.store.running`).
    unit_values: Mapping[str, UnitValue]
    seed: LedgerSeed


@dataclass(frozen=True, slots=True)
class Selection:
    channel: Channel
    #: Estimated probability of a finding; 0 when no model took part.
    score: float
    criteria: tuple[str, ...]
    #: The profile or model version that decided.
    selector: str

    def __post_init__(self) -> None:
        if any("|" in criterion for criterion in self.criteria):
            raise InvariantViolation("criteria", "a criterion cannot contain '|'")


class Selector(Protocol):
    @property
    def name(self) -> str: ...

    def assess(self, context: SelectionContext) -> Selection: ...


def most_severe(channels: list[Channel]) -> Channel:
    return max(channels, key=lambda channel: channel.severity, default=Channel.GREEN)


# --- rule profiles -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """A named predicate and the channel it sends a declaration to when it holds."""

    name: str
    channel: Channel
    holds: Callable[[SelectionContext], bool]
    description: str


@dataclass(frozen=True)
class RuleProfile:
    """A versioned set of rules; the channel is the most severe of those that hold."""

    version: str
    rules: tuple[Rule, ...]

    @property
    def name(self) -> str:
        return self.version

    def assess(self, context: SelectionContext) -> Selection:
        fired = [rule for rule in self.rules if rule.holds(context)]
        return Selection(
            most_severe([rule.channel for rule in fired]),
            0.0,
            tuple(f"rule:{rule.name}" for rule in fired),
            self.version,
        )


#: Chapters whose duty rates (sugar, cocoa, preparations, beverages, tobacco, apparel, footwear)
#: make misclassification and undervaluation pay best.
HIGH_DUTY_CHAPTERS = frozenset({"17", "18", "20", "21", "22", "24", "62", "64"})
#: Declared at less than this share of the subheading's median value per kg.
UNDERVALUE_SHARE = 0.3
#: Released items a median needs before it is trusted.
MIN_UNIT_VALUES = 5
#: Most cargo a unit of each kind can carry, kilograms.
CAPACITY_KG = {
    ConveyanceKind.RAILCAR: 72_000.0,
    ConveyanceKind.TRUCK: 40_000.0,
    ConveyanceKind.TRAILER: 40_000.0,
}
#: Less than this per unit is not a load anybody moves by rail or truck.
MIN_LOAD_KG = 50.0


def _high_duty(context: SelectionContext) -> bool:
    return any(item.commodity_code[:2] in HIGH_DUTY_CHAPTERS for item in context.items)


def _undervalued(context: SelectionContext) -> bool:
    for item in context.items:
        usual = context.unit_values.get(item.hs6)
        if usual is None or usual.count < MIN_UNIT_VALUES:
            continue
        if float(item.value_national) / item.net_mass_kg < UNDERVALUE_SHARE * usual.median:
            return True
    return False


def _mass_excess(context: SelectionContext) -> bool:
    return context.mass is not None and context.mass.exceeds()


def _new_importer(context: SelectionContext) -> bool:
    return context.importer_released == 0


def _origin_not_cn(context: SelectionContext) -> bool:
    if context.post.neighbour_country != "CN":
        return False
    return any(item.origin != "CN" for item in context.items)


def _implausible_load(context: SelectionContext) -> bool:
    if not context.units:
        return False
    per_unit = sum(item.gross_mass_kg for item in context.items) / len(context.units)
    if per_unit < MIN_LOAD_KG:
        return True
    capacities = [
        CAPACITY_KG.get(context.conveyances[u.conveyance_id].kind)
        for u in context.units
        if u.conveyance_id in context.conveyances
    ]
    known = [c for c in capacities if c is not None]
    return bool(known) and per_unit > max(known)


def rules_v1() -> RuleProfile:
    """The first rule profile, "rules:v1"."""
    return RuleProfile(
        "rules:v1",
        (
            Rule(
                "high-duty-chapter",
                Channel.YELLOW,
                _high_duty,
                "an item in a high-duty HS chapter",
            ),
            Rule(
                "undervalued",
                Channel.RED,
                _undervalued,
                f"an item's value per kg below {UNDERVALUE_SHARE:.0%} of its subheading's median",
            ),
            Rule(
                "mass-excess",
                Channel.RED,
                _mass_excess,
                "the units weigh more than their tare and declared cargo by over 5 %",
            ),
            Rule(
                "new-importer",
                Channel.YELLOW,
                _new_importer,
                "the importer has no released declaration yet",
            ),
            Rule(
                "origin-not-cn",
                Channel.YELLOW,
                _origin_not_cn,
                "goods of another origin entering from China",
            ),
            Rule(
                "implausible-load",
                Channel.YELLOW,
                _implausible_load,
                "declared gross mass per unit beyond what the unit carries, or next to nothing",
            ),
        ),
    )


# --- the random share --------------------------------------------------------------------------


def random_draw(root: bytes, declaration_id: str) -> float:
    """The declaration's number in [0, 1): SHA-256 of the ledger root and its id."""
    return uniform(root, declaration_id)


@dataclass(frozen=True)
class RandomShare:
    """Send a fixed share of declarations to yellow and red, whatever their risk."""

    yellow: float = 0.05
    red: float = 0.02

    def __post_init__(self) -> None:
        if self.yellow < 0 or self.red < 0 or self.yellow + self.red > 1:
            raise ValueError("the shares are fractions adding up to at most 1")

    @property
    def name(self) -> str:
        return f"random:y{self.yellow:g}/r{self.red:g}"

    def channel_for(self, draw: float) -> Channel:
        if draw < self.red:
            return Channel.RED
        if draw < self.red + self.yellow:
            return Channel.YELLOW
        return Channel.GREEN

    def assess(self, context: SelectionContext) -> Selection:
        draw = random_draw(context.seed.root, context.declaration.declaration_id)
        channel = self.channel_for(draw)
        return Selection(channel, 0.0, (self.criterion(channel, context.seed.size),), self.name)

    @staticmethod
    def criterion(channel: Channel, size: int) -> str:
        return f"random:{channel}@size={size}"

    def recheck(self, criterion: str, declaration_id: str, root_at_size: bytes) -> bool:
        """Whether ``criterion`` is what this share draws for the declaration from that root.

        The size in the criterion says which root to fetch (``dostyk.ledger.store.root_at``,
        or a signed head of that size).
        """
        size = criterion_size(criterion)
        if size is None:
            return False
        channel = self.channel_for(random_draw(root_at_size, declaration_id))
        return criterion == self.criterion(channel, size)


def criterion_size(criterion: str) -> int | None:
    """The ledger size a random criterion was drawn at, or None if it is not one."""
    head, _, size = criterion.partition("@size=")
    if not head.startswith("random:") or not size.isdigit():
        return None
    return int(size)


class CombinedSelector:
    """Several selectors at once; the most severe channel wins, every criterion is kept."""

    def __init__(self, *selectors: Selector) -> None:
        if not selectors:
            raise ValueError("combine at least one selector")
        self.selectors: tuple[Selector, ...] = selectors

    @property
    def name(self) -> str:
        return "+".join(selector.name for selector in self.selectors)

    def assess(self, context: SelectionContext) -> Selection:
        selections = [selector.assess(context) for selector in self.selectors]
        return Selection(
            most_severe([s.channel for s in selections]),
            max(s.score for s in selections),
            tuple(c for s in selections for c in s.criteria),
            self.name,
        )


def default_selector() -> CombinedSelector:
    """Rules v1 with the random share of 5 % yellow and 2 % red."""
    return CombinedSelector(rules_v1(), RandomShare())


# --- the use case ------------------------------------------------------------------------------


def assess_risk(
    engine: Engine, declaration_id: str, selector: Selector, *, actor: str, at: datetime
) -> RiskAssessment:
    """Assess an accepted declaration and set its channel (accepted → assessed).

    Only the system or an officer runs it: the declarant has no say in his channel. The
    assessment is stored with its criteria and selector, then the declaration moves on; a green
    one waits for :func:`dostyk.services.payments.assess_duties`.
    """
    with UnitOfWork(engine, actor=actor, at=at) as uow:
        staff(uow, actor, "assess risk")
        declaration, last = load_for_move(uow, declaration_id)
        check_move(declaration, DeclarationStatus.ASSESSED, actor=actor, channel=Channel.GREEN)
        selection = selector.assess(selection_context(uow, declaration))
        number = len(uow.assessments.of(declaration_id)) + 1
        assessment = RiskAssessment(
            assessment_id=make_id("A", declaration_id, number),
            declaration_id=declaration_id,
            assessed_at=at,
            channel=selection.channel,
            score=selection.score,
            criteria=selection.criteria,
            selector=selection.selector,
        )
        uow.assessments.add(assessment)
        move(
            uow,
            declaration,
            DeclarationStatus.ASSESSED,
            actor=actor,
            at=at,
            channel=selection.channel,
            previous=last,
        )
    return assessment


def selection_context(uow: UnitOfWork, declaration: Declaration) -> SelectionContext:
    """What the store knows that bears on the declaration's risk."""
    items: list[DeclarationItem] = uow.items.of(declaration.declaration_id)
    crossing_ids = [unit.crossing_id for unit in uow.units.of(declaration.declaration_id)]
    units = uow.crossings.with_conveyances(crossing_ids)
    crossings = {crossing_id: crossing for crossing_id, (crossing, _) in units.items()}
    conveyances = {v.conveyance_id: v for _, v in units.values() if v is not None}
    balances = mass_balances(uow, crossing_ids, known=units)
    post: Post | None = uow.posts.get(declaration.post_code)
    assert post is not None, "a stored declaration's post exists"
    importer_released = (
        None
        if declaration.importer_id is None
        else running.released(uow.connection, running.IMPORTER, declaration.importer_id)
    )
    return SelectionContext(
        declaration=declaration,
        items=tuple(items),
        units=tuple(crossings[c] for c in sorted(crossings)),
        conveyances=conveyances,
        mass=balances[0] if len(balances) == 1 else None,
        post=post,
        importer_released=importer_released,
        unit_values=running.usual_values(uow.connection, {item.hs6 for item in items}),
        seed=ledger_seed(uow.connection),
    )


__all__ = ["UnitValue"]
