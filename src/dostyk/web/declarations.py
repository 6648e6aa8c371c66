"""A declaration's whole record, as a page and as its JSON twin.

Anyone signed in may ask, and sees only what his reach holds: a broker the declarations he lodged
or is a party to, an officer those of his posts. Someone else's declaration is answered 404, as
if it did not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from dostyk.web.policy import PARTIES, Grant, allow, allowed
from dostyk.web.templating import page

pages = APIRouter(tags=["declarations"])
api = APIRouter(prefix="/api/v1", tags=["declarations"])
routers = [pages, api]

DeclarationId = Path(
    min_length=1,
    max_length=40,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$",
    description="The declaration's id.",
)


def declaration_record(request: Request, grant: Grant, declaration_id: str) -> dict[str, Any]:
    """The record as ``dostyk declaration show --json`` prints it, if the caller may see it."""
    from dostyk.services.declaration_record import read_declaration
    from dostyk.services.errors import NotFound
    from dostyk.web.problems import not_found

    try:
        view = read_declaration(request.app.state.engine, declaration_id)
    except NotFound:
        raise not_found(f"no declaration {declaration_id}") from None
    grant.declaration(view.declaration)
    record = view.to_json()
    if grant.caller.account.role not in PARTIES:
        # Why the system chose the channel, for officers only: the rule versions, the model's
        # score, expected revenue and explanation. A declarant who read them would learn what
        # to change to stay green, so brokers and traders see the channel and criteria alone.
        from dostyk.services.declaration_record import record_json
        from dostyk.services.risk_admin import decisions_of

        record["risk_decisions"] = [
            record_json(decision)
            for decision in decisions_of(
                request.app.state.engine, [a.assessment_id for a in view.assessments]
            )
        ]
    return record


@pages.get("/declarations/{declaration_id}", include_in_schema=False)
def declaration_page(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("declaration.read")],
) -> Response:
    record = declaration_record(request, grant, declaration_id)
    may_request = allowed(grant.caller, "override.request")
    return page(request, "declaration.html", record, {"may_request_override": may_request})


@api.get("/declarations/{declaration_id}", summary="A declaration's whole record")
def declaration(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("declaration.read")],
) -> dict[str, Any]:
    return declaration_record(request, grant, declaration_id)
