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

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, Protocol

from sqlalchemy import Engine

from dostyk.domain.conveyances import Conveyance, Crossing
from dostyk.domain.declarations import Channel, Declaration, DeclarationItem, DeclarationStatus
from dostyk.domain.errors import InvariantViolation
from dostyk.domain.ports import Post
from dostyk.domain.risk import RiskAssessment, RiskDecision
from dostyk.domain.rule_profiles import Profile, read_profile
from dostyk.reference import default_rule_profile
from dostyk.services.actors import staff
from dostyk.services.draws import LedgerSeed, ledger_seed, uniform
from dostyk.services.ids import make_id
from dostyk.services.masses import MassBalance, mass_balances
from dostyk.services.steps import check_move, load_for_move, move
from dostyk.store import outcomes, running
from dostyk.store.outcomes import History
from dostyk.store.repositories import Repository
from dostyk.store.risk_tables import risk_decisions
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
    #: The running outcome histories of the declaration's importer, declarant, seller, codes,
    #: origins, routes and post (:mod:`dostyk.store.outcomes`), by (dimension, subject).
    histories: Mapping[tuple[str, str], History] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Selection:
    channel: Channel
    #: Estimated probability of a finding; 0 when no model took part.
    score: float
    criteria: tuple[str, ...]
    #: The profile or model version that decided.
    selector: str
    #: Each rule that fired as ``profile/rule@version``.
    rule_versions: tuple[str, ...] = ()
    #: The share of declarations a random draw sends to inspection (0 for rules and models).
    random_share: float = 0.0
    #: The chance this declaration had of being inspected under the selectors that decided.
    probability: float | None = None
    model_version: str | None = None
    model_score: float | None = None
    expected_revenue: float | None = None
    explanation: tuple[str, ...] = ()
    #: Ranks declarations the rules picked (the weights of the rules that fired).
    weight: float = 0.0

    @property
    def selection_probability(self) -> float:
        if self.probability is not None:
            return self.probability
        if self.random_share > 0:
            return self.random_share
        return 0.0 if self.channel is Channel.GREEN else 1.0

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


class ProfileSelector:
    """A rule profile (:mod:`dostyk.domain.rule_profiles`) deciding: the most severe channel of
    the rules that hold on the day of lodgement, each recorded with its version."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile

    @property
    def name(self) -> str:
        return self.profile.version

    @property
    def rules(self) -> tuple[Any, ...]:
        return self.profile.rules

    def assess(self, context: SelectionContext) -> Selection:
        declaration_facts, item_facts = facts_of(context)
        fired = self.profile.fire(declaration_facts, item_facts, context.declaration.lodged_at)
        return Selection(
            fired.channel,
            0.0,
            tuple(f"rule:{rule.name}" for rule in fired.rules),
            self.profile.version,
            rule_versions=fired.versions,
            weight=fired.weight,
        )


@cache
def default_profile() -> Profile:
    """The profile shipped in the package, "rules:v1" (``reference/data/rules-v1.yaml``)."""
    return read_profile(default_rule_profile(), "rules-v1.yaml")


def rules_v1() -> ProfileSelector:
    """The default profile shipped in the package, "rules:v1"."""
    return ProfileSelector(default_profile())


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
        return Selection(
            channel,
            0.0,
            (self.criterion(channel, context.seed.size),),
            self.name,
            random_share=self.yellow + self.red,
        )

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
        share = min(1.0, sum(s.random_share for s in selections))
        picked = any(s.random_share == 0 and s.channel is not Channel.GREEN for s in selections)
        model = next((s for s in selections if s.model_version is not None), None)
        return Selection(
            most_severe([s.channel for s in selections]),
            max(s.score for s in selections),
            tuple(c for s in selections for c in s.criteria),
            self.name,
            rule_versions=tuple(v for s in selections for v in s.rule_versions),
            random_share=share,
            probability=1.0 if picked else share,
            model_version=model.model_version if model else None,
            model_score=model.model_score if model else None,
            expected_revenue=model.expected_revenue if model else None,
            explanation=model.explanation if model else (),
            weight=sum(s.weight for s in selections),
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
        Repository[RiskDecision](uow.connection, uow.ledger, risk_decisions).add(
            RiskDecision(
                assessment_id=assessment.assessment_id,
                random_share=selection.random_share,
                selection_probability=selection.selection_probability,
                rule_versions=selection.rule_versions,
                model_version=selection.model_version,
                model_score=selection.model_score,
                expected_revenue=selection.expected_revenue,
                explanation=selection.explanation,
            )
        )
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
        histories=outcomes.histories(
            uow.connection,
            outcomes.subjects_of(
                declaration.declarant_id,
                declaration.post_code,
                declaration.importer_id,
                declaration.exporter_id,
                [(item.commodity_code, item.origin) for item in items],
            ),
        ),
    )


def facts_of(context: SelectionContext) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The facts a rule's condition may name (:mod:`dostyk.domain.conditions`), from the context."""
    from dostyk.services.risk_facts import facts_of as build

    return build(context)


__all__ = ["UnitValue"]
