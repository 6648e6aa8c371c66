"""The flow's API: assess, assign an inspector, assess duties, pay and release.

Each operation is the use case the command line calls, with the caller as its actor. Reach is
checked before it acts: the declaration must lie within the caller's reach, or it is answered
404 as if it did not exist. (Starting and finishing an inspection and requesting an override
are the inspector's pages' twins, in :mod:`dostyk.web.inspection_pages`; reassigning and
deciding, the supervisor's, in :mod:`dostyk.web.supervision`; the ledger's head and proofs in
:mod:`dostyk.web.ledger_pages`.)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from dostyk.services.declaration_record import record_json
from dostyk.store import tables as t
from dostyk.web import api_shapes as s
from dostyk.web.api_declarations import Reason, duties_json
from dostyk.web.declarations import DeclarationId
from dostyk.web.policy import Grant, allow
from dostyk.web.principals import now

api = APIRouter(prefix="/api/v1", tags=["inspections and release"])
routers = [api]

ASSESSMENT = s.obj(
    {
        **s.record(t.risk_assessments)["properties"],
        "meanings": {"type": "object", "additionalProperties": {"type": "string"}},
    }
)
INSPECTION = s.record(t.inspections)
RELEASED = s.obj(
    {
        "declaration": s.record(t.declarations),
        "queue_exception": s.nullable(s.record(t.queue_exceptions)),
    }
)


def _declaration(request: Request, grant: Grant, declaration_id: str) -> str:
    from dostyk.services import lookups

    grant.declaration(lookups.declaration(request.app.state.engine, declaration_id))
    return declaration_id


@api.post(
    "/declarations/{declaration_id}/assessment",
    summary="Assess a declaration's risk and set its channel (the default selector)",
    response_model=None,
    responses=s.answers(ASSESSMENT),
)
def assess(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("declaration.assess")],
) -> dict[str, Any]:
    from dostyk.services import selectivity
    from dostyk.services.risk_admin import active_selector

    _declaration(request, grant, declaration_id)
    engine = request.app.state.engine
    from dostyk.risk.scoring import shelf

    models = shelf(request.app.state.settings.home / "models")
    assessment = selectivity.assess_risk(
        engine,
        declaration_id,
        active_selector(engine, models),
        actor=grant.caller.actor,
        at=now(request),
    )
    rules = {f"rule:{rule.name}": rule.description for rule in selectivity.rules_v1().rules}
    meanings = {c: rules[c] for c in assessment.criteria if c in rules}
    return {**record_json(assessment), "meanings": meanings}


@api.post(
    "/declarations/{declaration_id}/inspections",
    summary="Draw the inspector of a yellow or red declaration at random",
    response_model=None,
    responses=s.answers(INSPECTION),
)
def assign(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("inspection.assign")],
) -> dict[str, Any]:
    from dostyk.services import assignment

    _declaration(request, grant, declaration_id)
    inspection = assignment.assign_inspector(
        request.app.state.engine, declaration_id, actor=grant.caller.actor, at=now(request)
    )
    return record_json(inspection)


@api.post(
    "/declarations/{declaration_id}/duties",
    summary="Compute and record a green or inspected declaration's duties, from the tariff",
    response_model=None,
    responses=s.answers(s.DUTIES),
)
def assess_duties(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("duties.assess")],
) -> dict[str, Any]:
    from dostyk.services import payments

    _declaration(request, grant, declaration_id)
    due = payments.assess_duties(
        request.app.state.engine, declaration_id, actor=grant.caller.actor, at=now(request)
    )
    return duties_json(due)


class PaymentOrder(BaseModel):
    amount: str = Field(
        pattern=r"^[0-9]{1,16}(\.[0-9]{1,2})?$",
        description="Exactly what is due, in national currency, as text: 2330250.00",
    )
    reference: str = Field(min_length=1, max_length=64, description="The bank's reference")


@api.post(
    "/declarations/{declaration_id}/payments",
    summary="Record the payment of a declaration's duties",
    status_code=201,
    response_model=None,
    responses=s.answers(s.record(t.payments), 201, "Recorded"),
)
def pay(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    body: PaymentOrder,
    grant: Annotated[Grant, allow("payment.make")],
) -> dict[str, Any]:
    from dostyk.services import payments

    _declaration(request, grant, declaration_id)
    payment = payments.record_payment(
        request.app.state.engine,
        declaration_id,
        Decimal(body.amount).quantize(Decimal("0.01")),
        body.reference.strip(),
        actor=grant.caller.actor,
        at=now(request),
    )
    return record_json(payment)


@api.post(
    "/declarations/{declaration_id}/release",
    summary="Release a paid declaration's goods, first paid first (out of turn with a reason)",
    response_model=None,
    responses=s.answers(RELEASED),
)
def release(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("declaration.release")],
    body: Reason | None = None,
) -> dict[str, Any]:
    from dostyk.services import payments

    _declaration(request, grant, declaration_id)
    done = payments.release(
        request.app.state.engine,
        declaration_id,
        actor=grant.caller.actor,
        at=now(request),
        reason=body.reason if body is not None else None,
    )
    exception = done.queue_exception
    return {
        "declaration": record_json(done.declaration),
        "queue_exception": None if exception is None else record_json(exception),
    }
