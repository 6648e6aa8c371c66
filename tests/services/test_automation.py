"""The system's own steps after an accepted lodgement: risk, then duties or an inspector."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from dostyk.domain.declarations import Channel, DeclarationStatus
from dostyk.services.automation import after_lodgement
from dostyk.services.payments import duties_due
from dostyk.services.selectivity import default_selector
from tests.services.world import DAY_SHIFT, T0, Fixed, Flow, history, lodging, read_declaration

INSPECTORS_ON_DAY_SHIFT = {"IN-DST1", "IN-DST2"}


def test_a_green_declaration_has_its_duties_assessed_by_the_system(world: Engine) -> None:
    flow = Flow(world)
    assert flow.lodge(lodging(1)).accepted
    done = after_lodgement(world, "D1", at=flow.tick(), selector=Fixed(Channel.GREEN))
    assert done.channel is Channel.GREEN
    assert done.duties is not None and done.inspection is None and done.waiting is None
    assert done.duties.total == duties_due(world, "D1").total > 0
    assert read_declaration(world, "D1").status is DeclarationStatus.DUTIES_ASSESSED
    steps = history(world, "D1")
    assert [(s.to_status, s.actor) for s in steps[-2:]] == [
        (DeclarationStatus.ASSESSED, "system"),
        (DeclarationStatus.DUTIES_ASSESSED, "system"),
    ]


def test_a_red_declaration_gets_an_inspector_drawn_among_those_on_duty(world: Engine) -> None:
    flow = Flow(world)
    assert flow.lodge(lodging(1)).accepted
    done = after_lodgement(world, "D1", at=flow.tick(), selector=Fixed(Channel.RED))
    assert done.channel is Channel.RED and done.duties is None and done.waiting is None
    assert done.inspection is not None
    assert done.inspection.inspector_id in INSPECTORS_ON_DAY_SHIFT & set(DAY_SHIFT)
    assert read_declaration(world, "D1").status is DeclarationStatus.ASSESSED


def test_with_nobody_on_duty_a_yellow_declaration_waits_and_says_why(world: Engine) -> None:
    after_night = T0 + timedelta(days=1)  # 08:00 on 2 March: the night shift ended at 06:00
    flow = Flow(world, after_night)
    assert flow.lodge(lodging(1)).accepted
    done = after_lodgement(world, "D1", at=flow.tick(), selector=Fixed(Channel.YELLOW))
    assert done.channel is Channel.YELLOW and done.inspection is None and done.duties is None
    assert done.waiting is not None and "no inspector is on duty at DST" in done.waiting
    declaration = read_declaration(world, "D1")
    assert declaration.status is DeclarationStatus.ASSESSED
    assert declaration.channel is Channel.YELLOW


def test_the_default_selector_decides_when_none_is_given(world: Engine) -> None:
    flow = Flow(world)
    assert flow.lodge(lodging(1)).accepted
    done = after_lodgement(world, "D1", at=flow.tick())
    assert done.assessment.selector == default_selector().name
    # A new importer: rules v1 sends it to yellow at least, so an inspector is drawn.
    assert "rule:new-importer" in done.assessment.criteria
    assert done.channel is not Channel.GREEN and done.inspection is not None
