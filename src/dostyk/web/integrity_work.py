"""The integrity unit's work: cases (open, assign, record the outcome) and the conflict register.

Hidden from every other role like the rest of the unit's pages. Each change goes through its
use case (:mod:`dostyk.services.cases`, :mod:`dostyk.services.conflicts`), which checks that the
actor is an officer of headquarters and writes the change under the ledger; its refusal is shown
as it is given. A case about the reader himself is neither listed nor shown.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from dostyk.web.forms import form_texts
from dostyk.web.inspection_pages import record_id
from dostyk.web.integrity_pages import reader, values
from dostyk.web.policy import Grant, allow
from dostyk.web.principals import now
from dostyk.web.problems import FieldError, bad_request, not_found
from dostyk.web.templating import page

pages = APIRouter(tags=["integrity"])
api = APIRouter(prefix="/api/v1", tags=["integrity"])
routers = [pages, api]

CaseId = record_id("case")
ConflictId = record_id("conflict of interest")
SUBJECT_KINDS = ("inspector", "supervisor", "broker", "importer", "post")
OUTCOMES = ("substantiated", "unsubstantiated", "referred")
CONFLICT_KINDS = ("kin", "financial", "former_employer")
Identifier = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


class NewCase(BaseModel):
    subject_kind: Literal["inspector", "supervisor", "broker", "importer", "post"]
    subject_id: str = Identifier
    reason: str = Field(max_length=2000, description="Why, at least 10 characters.")


class CaseAssignment(BaseModel):
    officer_id: str = Field(min_length=1, max_length=24, description="Integrity officer.")


class CaseOutcomeBody(BaseModel):
    outcome: Literal["substantiated", "unsubstantiated", "referred"]
    note: str = Field(max_length=2000, description="What the case established, 10 characters.")


class NewConflict(BaseModel):
    officer_id: str = Field(min_length=1, max_length=24, description="Officer's service number.")
    party_id: str = Identifier
    kind: Literal["kin", "financial", "former_employer"]
    note: str = Field(max_length=2000, description="What the relationship is.")


def _choice(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise bad_request(f"choose the {name}", [FieldError(name, f"one of {', '.join(allowed)}")])
    return value


# --- cases --------------------------------------------------------------------------------------


def _cases(request: Request, grant: Grant) -> dict[str, Any]:
    from sqlalchemy import select

    from dostyk.services.cases import list_cases
    from dostyk.store import tables as t

    me = reader(grant)
    engine = request.app.state.engine
    with engine.connect() as connection:
        officers = list(
            connection.execute(
                select(t.officers.c.officer_id).where(t.officers.c.rank == "hq")
            ).scalars()
        )
    return {
        "cases": [values(c) for c in list_cases(engine) if c.subject_id != me],
        "integrity_officers": officers,
        "subject_kinds": list(SUBJECT_KINDS),
        "outcomes": list(OUTCOMES),
    }


def _case(request: Request, grant: Grant, case_id: str) -> dict[str, Any]:
    from dostyk.services.cases import get_case

    case = get_case(request.app.state.engine, case_id)
    if case.subject_id == reader(grant):
        raise not_found(f"no case {case_id}")
    return {"case": values(case), **_cases(request, grant), "cases": []}


@pages.get("/integrity/cases", include_in_schema=False)
def cases_page(request: Request, grant: Annotated[Grant, allow("integrity.cases")]) -> Response:
    return page(request, "integrity_cases.html", _cases(request, grant))


@api.get("/integrity/cases", summary="The integrity unit's cases, newest first")
def cases(request: Request, grant: Annotated[Grant, allow("integrity.cases")]) -> dict[str, Any]:
    return _cases(request, grant)


@pages.get("/integrity/cases/{case_id}", include_in_schema=False)
def case_page(
    request: Request,
    case_id: Annotated[str, CaseId],
    grant: Annotated[Grant, allow("integrity.cases")],
) -> Response:
    return page(request, "integrity_case.html", _case(request, grant, case_id))


@api.get("/integrity/cases/{case_id}", summary="One case: subject, officer working it, outcome")
def case(
    request: Request,
    case_id: Annotated[str, CaseId],
    grant: Annotated[Grant, allow("integrity.cases")],
) -> dict[str, Any]:
    return _case(request, grant, case_id)


def _open(request: Request, grant: Grant, kind: str, subject_id: str, reason: str) -> Any:
    from dostyk.domain.cases import SubjectKind
    from dostyk.services.cases import open_case

    kind = _choice(kind, SUBJECT_KINDS, "subject_kind")
    if not subject_id.strip():
        raise bad_request("name the subject", [FieldError("subject_id", "an identifier")])
    return open_case(
        request.app.state.engine,
        SubjectKind(kind),
        subject_id.strip(),
        reason,
        actor=grant.caller.actor,
        at=now(request),
    )


@pages.post("/integrity/cases", include_in_schema=False)
async def open_page(
    request: Request, grant: Annotated[Grant, allow("integrity.cases")]
) -> Response:
    kind, subject_id, reason = await form_texts(request, "subject_kind", "subject_id", "reason")
    opened = _open(request, grant, kind, subject_id, reason)
    return RedirectResponse(f"/integrity/cases/{opened.case_id}", status_code=303)


@api.post("/integrity/cases", summary="Open a case on a subject", status_code=201)
def open_case_api(
    request: Request, body: NewCase, grant: Annotated[Grant, allow("integrity.cases")]
) -> dict[str, Any]:
    return values(_open(request, grant, body.subject_kind, body.subject_id, body.reason))


def _assign(request: Request, grant: Grant, case_id: str, officer_id: str) -> Any:
    from dostyk.services.cases import assign_case

    if not officer_id.strip():
        raise bad_request("name the officer", [FieldError("officer_id", "a service number")])
    _case(request, grant, case_id)  # 404 for a case about the reader
    return assign_case(
        request.app.state.engine,
        case_id,
        officer_id.strip(),
        actor=grant.caller.actor,
        at=now(request),
    )


@pages.post("/integrity/cases/{case_id}/assignment", include_in_schema=False)
async def assign_page(
    request: Request,
    case_id: Annotated[str, CaseId],
    grant: Annotated[Grant, allow("integrity.cases")],
) -> Response:
    (officer_id,) = await form_texts(request, "officer_id")
    _assign(request, grant, case_id, officer_id)
    return RedirectResponse(f"/integrity/cases/{case_id}", status_code=303)


@api.post("/integrity/cases/{case_id}/assignment", summary="Give a case to an integrity officer")
def assign(
    request: Request,
    case_id: Annotated[str, CaseId],
    body: CaseAssignment,
    grant: Annotated[Grant, allow("integrity.cases")],
) -> dict[str, Any]:
    return values(_assign(request, grant, case_id, body.officer_id))


def _close(request: Request, grant: Grant, case_id: str, outcome: str, note: str) -> Any:
    from dostyk.domain.cases import CaseOutcome
    from dostyk.services.cases import record_outcome

    outcome = _choice(outcome, OUTCOMES, "outcome")
    _case(request, grant, case_id)
    return record_outcome(
        request.app.state.engine,
        case_id,
        CaseOutcome(outcome),
        note,
        actor=grant.caller.actor,
        at=now(request),
    )


@pages.post("/integrity/cases/{case_id}/outcome", include_in_schema=False)
async def outcome_page(
    request: Request,
    case_id: Annotated[str, CaseId],
    grant: Annotated[Grant, allow("integrity.cases")],
) -> Response:
    outcome, note = await form_texts(request, "outcome", "note")
    _close(request, grant, case_id, outcome, note)
    return RedirectResponse(f"/integrity/cases/{case_id}", status_code=303)


@api.post(
    "/integrity/cases/{case_id}/outcome",
    summary="Record what a case established: substantiated, unsubstantiated or referred",
)
def outcome(
    request: Request,
    case_id: Annotated[str, CaseId],
    body: CaseOutcomeBody,
    grant: Annotated[Grant, allow("integrity.cases")],
) -> dict[str, Any]:
    return values(_close(request, grant, case_id, body.outcome, body.note))


# --- the conflict register -----------------------------------------------------------------------


def _register(request: Request, grant: Grant) -> dict[str, Any]:
    from dostyk.services.conflicts import list_conflicts, list_exclusions
    from dostyk.web.integrity_results import suggested

    engine = request.app.state.engine
    return {
        "conflicts": [values(c) for c in list_conflicts(engine)],
        "exclusions": [values(x) for x in list_exclusions(engine)],
        "suggested": suggested(request.app.state.settings.home, reader(grant)),
        "kinds": list(CONFLICT_KINDS),
    }


@pages.get("/integrity/conflicts", include_in_schema=False)
def conflicts_page(
    request: Request, grant: Annotated[Grant, allow("integrity.conflicts")]
) -> Response:
    return page(request, "integrity_conflicts.html", _register(request, grant))


@api.get(
    "/integrity/conflicts",
    summary="The register of declared conflicts of interest, and whom they kept out of what",
)
def conflicts(
    request: Request, grant: Annotated[Grant, allow("integrity.conflicts")]
) -> dict[str, Any]:
    return _register(request, grant)


def _declare(
    request: Request, grant: Grant, officer_id: str, party_id: str, kind: str, note: str
) -> Any:
    from dostyk.domain.conflicts import ConflictKind
    from dostyk.services.conflicts import declare_conflict

    kind = _choice(kind, CONFLICT_KINDS, "kind")
    missing = [
        FieldError(n, "is required")
        for n, v in (("officer_id", officer_id), ("party_id", party_id))
        if not v.strip()
    ]
    if missing:
        raise bad_request("name the officer and the party", missing)
    return declare_conflict(
        request.app.state.engine,
        officer_id.strip(),
        party_id.strip(),
        ConflictKind(kind),
        note,
        actor=grant.caller.actor,
        at=now(request),
    )


@pages.post("/integrity/conflicts", include_in_schema=False)
async def declare_page(
    request: Request, grant: Annotated[Grant, allow("integrity.conflicts")]
) -> Response:
    officer_id, party_id, kind, note = await form_texts(
        request, "officer_id", "party_id", "kind", "note"
    )
    _declare(request, grant, officer_id, party_id, kind, note)
    return RedirectResponse("/integrity/conflicts", status_code=303)


@api.post("/integrity/conflicts", summary="Declare a conflict of interest", status_code=201)
def declare(
    request: Request, body: NewConflict, grant: Annotated[Grant, allow("integrity.conflicts")]
) -> dict[str, Any]:
    return values(_declare(request, grant, body.officer_id, body.party_id, body.kind, body.note))


def _withdraw(request: Request, grant: Grant, conflict_id: str) -> Any:
    from dostyk.services.conflicts import withdraw_conflict

    return withdraw_conflict(
        request.app.state.engine, conflict_id, actor=grant.caller.actor, at=now(request)
    )


@pages.post("/integrity/conflicts/{conflict_id}/withdrawal", include_in_schema=False)
def withdraw_page(
    request: Request,
    conflict_id: Annotated[str, ConflictId],
    grant: Annotated[Grant, allow("integrity.conflicts")],
) -> Response:
    _withdraw(request, grant, conflict_id)
    return RedirectResponse("/integrity/conflicts", status_code=303)


@api.post(
    "/integrity/conflicts/{conflict_id}/withdrawal",
    summary="Withdraw a conflict of interest; it stays on the register",
)
def withdraw(
    request: Request,
    conflict_id: Annotated[str, ConflictId],
    grant: Annotated[Grant, allow("integrity.conflicts")],
) -> dict[str, Any]:
    return values(_withdraw(request, grant, conflict_id))
