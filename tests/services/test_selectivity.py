"""Selectivity: rules that can be reviewed, a random share anyone can re-draw."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel, DeclarationStatus
from dostyk.domain.lifecycle import IllegalTransition
from dostyk.domain.risk import RiskAssessment
from dostyk.ledger.store import root_at
from dostyk.services.errors import NotAuthorised
from dostyk.services.selectivity import (
    CombinedSelector,
    RandomShare,
    assess_risk,
    criterion_size,
    default_selector,
    random_draw,
    rules_v1,
)
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import T0, Fixed, Flow, Lodging, item, lodging, read_declaration


def criteria(engine: Engine, lodged: Lodging, *, history: int = 1) -> tuple[str, ...]:
    """The rules v1 criteria for a declaration, after ``history`` releases of its importer."""
    flow = Flow(engine)
    for n in range(100, 100 + history):
        flow.to_payment(
            lodging(n, railcars=[6], items=[item(f"D{n}", manifest_line_no=None)]), Channel.GREEN
        )
        flow.release(f"D{n}")
    assert flow.lodge(lodged).accepted
    return assess_risk(
        engine, lodged.declaration_id, rules_v1(), actor="system", at=flow.tick()
    ).criteria


def test_a_plain_declaration_of_a_known_importer_raises_no_rule(lite: Engine) -> None:
    assert criteria(lite, lodging(1)) == ()
    assert read_declaration(lite, "D1").channel is Channel.GREEN


def test_a_new_importer_goes_to_yellow(lite: Engine) -> None:
    assert criteria(lite, lodging(1), history=0) == ("rule:new-importer",)
    assert read_declaration(lite, "D1").channel is Channel.YELLOW


def test_high_duty_goods_and_third_country_origins_go_to_yellow(lite: Engine) -> None:
    beer = item("D1", commodity_code="2203000000", description="Beer", origin="DE")
    assert criteria(lite, lodging(1, items=[beer])) == (
        "rule:high-duty-chapter",
        "rule:origin-not-cn",
    )
    assert read_declaration(lite, "D1").channel is Channel.YELLOW


def test_railcars_heavier_than_declared_go_to_red(lite: Engine) -> None:
    # Railcar 1 weighs its tare plus 40 t; 30 t are declared.
    light = item("D1", gross_mass_kg=30_000.0, net_mass_kg=28_500.0, quantity=Decimal(28_500))
    assert criteria(lite, lodging(1, items=[light])) == ("rule:mass-excess",)
    assert read_declaration(lite, "D1").channel is Channel.RED


def test_loads_no_railcar_carries_go_to_yellow(lite: Engine) -> None:
    heavy = item("D1", gross_mass_kg=90_000.0, net_mass_kg=88_000.0, quantity=Decimal(88_000))
    assert criteria(lite, lodging(1, items=[heavy])) == ("rule:implausible-load",)


def test_values_far_below_the_usual_go_to_red(world: Engine) -> None:
    # Five released declarations of toys at 263 tenge per kg set the usual value.
    with UnitOfWork(world, actor="setup", at=T0) as uow:
        for n in range(50, 55):
            history = replace(
                lodging(n).declaration, status=DeclarationStatus.RELEASED, channel=Channel.GREEN
            )
            uow.declarations.add(history)
            uow.items.add(item(history.declaration_id, manifest_line_no=None))
    cheap = item("D1", customs_value=Decimal("1500.00"))
    # (They also give the importer his history.)
    assert criteria(world, lodging(1, items=[cheap]), history=0) == ("rule:undervalued",)
    assert read_declaration(world, "D1").channel is Channel.RED


def test_the_random_share_is_reproducible_and_has_its_proportions() -> None:
    share = RandomShare(yellow=0.05, red=0.02)
    root = bytes(range(32))
    draws = [random_draw(root, f"D{n}") for n in range(4000)]
    assert draws == [random_draw(root, f"D{n}") for n in range(4000)]
    counts = Counter(share.channel_for(d) for d in draws)
    assert 0.015 < counts[Channel.RED] / 4000 < 0.03
    assert 0.04 < counts[Channel.YELLOW] / 4000 < 0.065
    assert share.name == "random:y0.05/r0.02"
    with pytest.raises(ValueError):
        RandomShare(yellow=0.9, red=0.2)


def test_a_random_draw_is_recorded_so_anyone_can_recheck_it(world: Engine) -> None:
    flow = Flow(world)
    flow.lodge(lodging(1))
    assessment = assess_risk(world, "D1", default_selector(), actor="system", at=flow.tick())
    assert assessment.selector == "rules:v1+random:y0.05/r0.02"
    [drawn] = [c for c in assessment.criteria if c.startswith("random:")]
    size = criterion_size(drawn)
    assert size is not None
    with world.connect() as connection:
        root = root_at(connection, size)
    assert RandomShare().recheck(drawn, "D1", root)
    # A draw claimed for another declaration, or another channel, does not check out.
    always_red = RandomShare(yellow=0.0, red=1.0)
    assert always_red.recheck(f"random:red@size={size}", "D1", root)
    assert not always_red.recheck(f"random:green@size={size}", "D1", root)
    assert not always_red.recheck("rule:new-importer", "D1", root)


def test_the_combined_selector_takes_the_most_severe_channel(lite: Engine) -> None:
    flow = Flow(lite)
    flow.lodge(lodging(1))
    combined = CombinedSelector(Fixed(Channel.YELLOW), Fixed(Channel.RED, "fixed:red"))
    assessment = assess_risk(lite, "D1", combined, actor="SS-DST1", at=flow.tick())
    assert assessment == RiskAssessment(
        "A-D1-1",
        "D1",
        flow.now,
        Channel.RED,
        0.0,
        ("fixed:yellow", "fixed:red"),
        "fixed:test+fixed:red",
    )
    with UnitOfWork(lite) as uow:
        assert uow.assessments.of("D1") == [assessment]


def test_only_customs_assesses_and_only_once(lite: Engine) -> None:
    flow = Flow(lite)
    flow.lodge(lodging(1))
    with pytest.raises(NotAuthorised, match="only an officer may assess risk; BRK1"):
        assess_risk(lite, "D1", Fixed(Channel.GREEN), actor="BRK1", at=flow.tick())
    flow.assess("D1", Channel.GREEN)
    with pytest.raises(IllegalTransition, match="from assessed to assessed"):
        flow.assess("D1", Channel.GREEN)
    at = T0 + timedelta(hours=1)
    with pytest.raises(IllegalTransition):
        assess_risk(lite, "D1", Fixed(Channel.RED), actor="system", at=at)
