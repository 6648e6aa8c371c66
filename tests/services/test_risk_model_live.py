"""A trained model put live: it assesses, records its score, expected revenue and explanation,
and a changed model file is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel
from dostyk.domain.risk import RiskDecision
from dostyk.risk.policy import ChannelPolicy
from dostyk.risk.scoring import Shelf
from dostyk.risk.training import fit
from dostyk.services import risk_admin
from dostyk.services.errors import Conflict
from dostyk.services.selectivity import assess_risk
from dostyk.store.repositories import Repository
from dostyk.store.risk_tables import risk_decisions
from dostyk.store.unit_of_work import UnitOfWork
from tests.risk.test_training import cases
from tests.services.world import Flow, item, lodging, read_declaration


def test_an_activated_model_assesses_and_explains(lite: Engine, tmp_path: Path) -> None:
    trained = fit(cases(), rate=0.1)
    folder = tmp_path / "models"
    folder.mkdir()
    version = trained.model.save(folder / "model.json")
    file = risk_admin.model_file(folder, version)
    (folder / "model.json").replace(file)
    policy = ChannelPolicy(cutoff=1.0)  # anything worth a tenge an hour is inspected
    flow = Flow(lite)
    risk_admin.register_model(
        lite,
        version,
        file,
        labelled=trained.labelled,
        figures={"policy": policy.as_dict()},
        actor="SS-DST1",
        at=flow.tick(),
    )
    shelf = Shelf(folder)
    toys = item("D1", commodity_code="9503000000", description="Toys")
    flow.lodge(lodging(1, items=[toys]))
    before = risk_admin.active_selector(lite, shelf)
    assert before.name == "rules:v1+random:y0.05/r0.02"
    risk_admin.activate_model(lite, version, folder, actor="SS-DST1", at=flow.tick())
    selector = risk_admin.active_selector(lite, shelf)
    assert selector.name == f"rules:v1+{version}+random:y0.05/r0.02"
    assessment = assess_risk(lite, "D1", selector, actor="system", at=flow.tick())
    with UnitOfWork(lite) as uow:
        recorded = Repository[RiskDecision](uow.connection, uow.ledger, risk_decisions).get(
            assessment.assessment_id
        )
    assert recorded is not None
    assert recorded.model_version == version
    assert recorded.model_score is not None and 0 < recorded.model_score < 1
    assert recorded.expected_revenue is not None and recorded.expected_revenue > 1.0
    assert recorded.explanation and all(" the risk " in words for words in recorded.explanation)
    assert "model:red" in assessment.criteria or "model:yellow" in assessment.criteria
    assert read_declaration(lite, "D1").channel is not Channel.GREEN
    assert recorded.selection_probability == 1.0
    # A changed model file is refused, not put live.
    file.write_text(json.dumps({"changed": True}), encoding="utf-8")
    with pytest.raises(Conflict, match="SHA-256 differs"):
        risk_admin.activate_model(lite, version, folder, actor="SS-DST1", at=flow.tick())
