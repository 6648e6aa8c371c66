"""The electronic system's own steps after a lodgement is accepted.

Once a declaration is accepted nobody should have to push it along: the system assesses its risk
at once, then a green declaration has its duties assessed so the broker can pay, and a yellow or
red one has its inspector drawn at random among those on duty. Each step is its own use case run
as :data:`~dostyk.services.actors.SYSTEM` (its own transaction, on the ledger), so a step that
cannot run — no inspector on duty yet — leaves the declaration waiting where it is, with the
steps before it kept. The web pages and the API's lodge endpoint both call :func:`after_lodgement`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from dostyk.domain.declarations import Channel
from dostyk.domain.inspections import Inspection
from dostyk.domain.risk import RiskAssessment
from dostyk.services.actors import SYSTEM
from dostyk.services.assignment import NoInspectorOnDuty, assign_inspector
from dostyk.services.payments import Duties, assess_duties
from dostyk.services.risk_admin import ModelShelf, active_selector
from dostyk.services.selectivity import Selector, assess_risk


@dataclass(frozen=True, slots=True)
class Automated:
    """What the system did after a lodgement: the assessment and what followed from it."""

    declaration_id: str
    assessment: RiskAssessment
    #: Set for a green declaration: what the broker is to pay.
    duties: Duties | None = None
    #: Set for a yellow or red declaration when an inspector was on duty to be drawn.
    inspection: Inspection | None = None
    #: Why a yellow or red declaration waits for its inspector (nobody on duty), if it does.
    waiting: str | None = None

    @property
    def channel(self) -> Channel:
        return self.assessment.channel


def after_lodgement(
    engine: Engine,
    declaration_id: str,
    *,
    at: datetime,
    selector: Selector | None = None,
    models: ModelShelf | None = None,
) -> Automated:
    """Assess the accepted declaration's risk, then its duties (green) or draw its inspector.

    ``selector`` defaults to the active one
    (:func:`~dostyk.services.risk_admin.active_selector`, with the models on ``models``);
    tests steer the channel with their own. When no inspector is on duty at the post the
    declaration stays assessed and waits; :attr:`Automated.waiting` says so.
    """
    chosen = selector if selector is not None else active_selector(engine, models)
    assessment = assess_risk(engine, declaration_id, chosen, actor=SYSTEM, at=at)
    if assessment.channel is Channel.GREEN:
        duties = assess_duties(engine, declaration_id, actor=SYSTEM, at=at)
        return Automated(declaration_id, assessment, duties=duties)
    try:
        inspection = assign_inspector(engine, declaration_id, actor=SYSTEM, at=at)
    except NoInspectorOnDuty as nobody:
        return Automated(declaration_id, assessment, waiting=str(nobody))
    return Automated(declaration_id, assessment, inspection=inspection)
