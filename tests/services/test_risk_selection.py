"""Selectivity in the store: rule versions and selection probabilities on every assessment,
profiles loaded and activated on the ledger, and the running outcome histories."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, update

from dostyk.domain.declarations import Channel
from dostyk.domain.inspections import Finding, FindingKind
from dostyk.domain.risk import RiskDecision
from dostyk.domain.rule_profiles import ProfileError
from dostyk.services import risk_admin
from dostyk.services.errors import Conflict, NotAuthorised, NotFound
from dostyk.services.selectivity import assess_risk
from dostyk.store import outcomes
from dostyk.store.repositories import Repository
from dostyk.store.risk_tables import outcome_tallies, risk_decisions
from dostyk.store.unit_of_work import UnitOfWork
from tests.services.world import Flow, item, lodging, read_declaration

BEER_RULE = """\
profile: beer
version: rules:beer-1
rules:
  - name: beer
    version: 3
    reference: "Excise order 5"
    valid_from: 2020-01-01
    description: beer
    when: any_item(item.heading == "2203")
    channel: red
    weight: 1
"""


def decision(engine: Engine, assessment_id: str) -> RiskDecision:
    with UnitOfWork(engine) as uow:
        found = Repository[RiskDecision](uow.connection, uow.ledger, risk_decisions).get(
            assessment_id
        )
    assert found is not None
    return found


def test_an_assessment_records_the_rule_versions_that_fired_and_its_probability(
    lite: Engine,
) -> None:
    flow = Flow(lite)
    beer = item("D1", commodity_code="2203000000", description="Beer", origin="DE")
    flow.lodge(lodging(1, items=[beer]))
    selector = risk_admin.active_selector(lite, None)
    assessment = assess_risk(lite, "D1", selector, actor="system", at=flow.tick())
    assert assessment.selector == "rules:v1+random:y0.05/r0.02"
    recorded = decision(lite, assessment.assessment_id)
    assert recorded.rule_versions == (
        "rules:v1/high-duty-chapter@1",
        "rules:v1/new-importer@1",
        "rules:v1/origin-not-cn@1",
    )
    # A rule chose it: it was certain to be inspected; the random share is recorded beside.
    assert recorded.selection_probability == 1.0
    assert recorded.random_share == pytest.approx(0.07)
    assert recorded.model_version is None and recorded.explanation == ()


def test_a_declaration_no_rule_chose_had_the_random_share_as_its_chance(lite: Engine) -> None:
    flow = Flow(lite)
    flow.to_payment(
        lodging(100, railcars=[6], items=[item("D100", manifest_line_no=None)]), Channel.GREEN
    )
    flow.release("D100")
    flow.lodge(lodging(1))
    assessment = assess_risk(
        lite, "D1", risk_admin.active_selector(lite, None), actor="system", at=flow.tick()
    )
    recorded = decision(lite, assessment.assessment_id)
    assert recorded.rule_versions == ()
    assert recorded.selection_probability == pytest.approx(0.07)


def test_a_loaded_profile_decides_once_activated_and_the_change_is_on_the_ledger(
    lite: Engine,
) -> None:
    flow = Flow(lite)
    stored = risk_admin.load_profile(lite, BEER_RULE, "beer.yaml", actor="SS-DST1", at=flow.tick())
    assert (stored.version, stored.rules) == ("rules:beer-1", 1)
    with pytest.raises(Conflict, match="with the same text"):
        risk_admin.load_profile(lite, BEER_RULE, "beer.yaml", actor="SS-DST1", at=flow.tick())
    with pytest.raises(ProfileError):
        risk_admin.load_profile(lite, "profile: x\n", "x.yaml", actor="SS-DST1", at=flow.tick())
    with pytest.raises(NotFound):
        risk_admin.activate_rules(lite, "rules:nope", actor="SS-DST1", at=flow.tick())
    with pytest.raises(NotAuthorised):
        risk_admin.activate_rules(lite, "rules:beer-1", actor="BRK000", at=flow.tick())
    risk_admin.activate_rules(lite, "rules:beer-1", actor="SS-DST1", at=flow.tick())
    assert risk_admin.selectivity(lite).rules_version == "rules:beer-1"
    beer = item("D1", commodity_code="2203000000", description="Beer", origin="DE")
    flow.lodge(lodging(1, items=[beer]))
    assessment = assess_risk(
        lite, "D1", risk_admin.active_selector(lite, None), actor="system", at=flow.tick()
    )
    assert read_declaration(lite, "D1").channel is Channel.RED
    assert decision(lite, assessment.assessment_id).rule_versions == ("rules:beer-1/beer@3",)
    with lite.connect() as connection:
        logged = connection.exec_driver_sql(
            "SELECT table_name FROM ledger_entries WHERE table_name IN "
            "('rule_profiles', 'risk_activations')"
        ).all()
    assert sorted(row[0] for row in logged) == ["risk_activations", "rule_profiles"]


def test_outcome_histories_count_releases_with_their_findings_and_are_verified(
    lite: Engine,
) -> None:
    flow = Flow(lite)
    flow.lodge(lodging(1))
    flow.assess("D1", Channel.RED)
    inspection = flow.assign("D1")
    flow.finish(
        flow.start(inspection),
        [
            Finding(
                inspection.inspection_id,
                1,
                FindingKind.UNDERVALUATION,
                "Invoice is false",
                extra_duty=Decimal("1234.50"),
            )
        ],
    )
    flow.duties("D1")
    flow.pay("D1")
    flow.release("D1")
    declaration = read_declaration(lite, "D1")
    assert declaration.importer_id is not None
    with lite.connect() as connection:
        found = outcomes.histories(
            connection, [(outcomes.IMPORTER, declaration.importer_id), (outcomes.POST, "DST")]
        )
        assert found[(outcomes.IMPORTER, declaration.importer_id)] == outcomes.History(
            1, 1, 1, 123_450
        )
        assert outcomes.differences(connection) == []
    with lite.begin() as connection:
        connection.execute(
            update(outcome_tallies)
            .where(outcome_tallies.c.dimension == outcomes.POST)
            .values(found=0)
        )
    with lite.connect() as connection:
        assert outcomes.differences(connection) == [
            "outcome_tallies post=DST: stored 1 released/1 inspected/0 found/123450 cents, "
            "records give 1 released/1 inspected/1 found/123450 cents"
        ]
