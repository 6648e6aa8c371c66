"""The standards API for brokers' and carriers' systems: WCO XML and EDIFACT in, responses out.

- ``POST /api/v1/interchange/wco`` takes a WCO DEC-DMS declaration (``application/xml``) and
  answers with the customs responses so far (RES-DMS XML): received and accepted, or received
  and rejected with every reason. 201 when lodged now, 200 when the same declaration had been
  lodged before under its reference (nothing new is recorded).
- ``POST /api/v1/interchange/edifact`` takes an EDIFACT interchange (``text/plain`` or
  ``application/edifact``) of CUSDEC declarations and CUSCAR cargo reports and answers, as JSON,
  what each message became; the CUSRES responses are read with the next endpoint.
- ``GET /api/v1/interchange/declarations/{declaration_id}/responses?format=wco|cusres``.

A caller lodges as himself: the declarant (or a cargo report's carrier) must be his own party,
as the lodgement and manifest use cases require. A document that cannot be read is answered 422
with every problem located (an XML path, an EDIFACT segment number and element).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from dostyk.web import api_shapes as s
from dostyk.web.declarations import DeclarationId
from dostyk.web.policy import Grant, allow
from dostyk.web.principals import now

api = APIRouter(prefix="/api/v1/interchange", tags=["interchange"])
routers = [api]

XML = "application/xml"
EDIFACT = "application/edifact"

_XML_ANSWER = {"content": {XML: {"schema": {"type": "string"}}}}
IMPORTED = s.obj(
    {
        "messages": s.array(
            s.obj(
                {"syntax": s.TEXT, "status": s.TEXT},
                {
                    "declaration_id": s.TEXT,
                    "reference": s.TEXT,
                    "new": {"type": "boolean"},
                    "reasons": s.array(s.TEXT),
                    "manifest_id": s.TEXT,
                },
            )
        )
    }
)


async def _body(request: Request) -> bytes:
    return await request.body()


@api.post(
    "/wco",
    summary="Lodge a WCO Data Model declaration (DEC-DMS XML); answered with RES-DMS XML",
    status_code=201,
    response_class=Response,
    responses={
        201: {"description": "Lodged now: received, then accepted or rejected", **_XML_ANSWER},
        200: {"description": "Lodged before under this reference", **_XML_ANSWER},
    },
    openapi_extra={
        "requestBody": {"required": True, "content": {XML: {"schema": {"type": "string"}}}}
    },
)
async def submit_wco(
    request: Request, grant: Annotated[Grant, allow("interchange.submit")]
) -> Response:
    from starlette.concurrency import run_in_threadpool

    data = await _body(request)
    return await run_in_threadpool(_submit_wco, request, grant, data)


def _submit_wco(request: Request, grant: Grant, data: bytes) -> Response:
    from dostyk.interchange.lodging import lodge_stated
    from dostyk.interchange.responding import respond
    from dostyk.interchange.wco.declarations import read_wco_declaration

    engine = request.app.state.engine
    at = now(request)
    stated = read_wco_declaration(data, s.BODY)
    lodged = lodge_stated(engine, stated, file=s.BODY, actor=grant.caller.actor, at=at)
    declaration_id = lodged.declaration.declaration_id
    body = respond(engine, declaration_id, "wco")
    location = f"/api/v1/interchange/declarations/{declaration_id}/responses"
    return Response(
        body,
        status_code=201 if lodged.new else 200,
        media_type=XML,
        headers={"Location": location},
    )


@api.post(
    "/edifact",
    summary="Lodge EDIFACT CUSDEC declarations and CUSCAR cargo reports (D.96B)",
    status_code=201,
    response_model=None,
    responses=s.answers(IMPORTED, 201, "Every message lodged (declarations maybe rejected)"),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/plain": {"schema": {"type": "string"}},
            },
        }
    },
)
async def submit_edifact(
    request: Request, grant: Annotated[Grant, allow("interchange.submit")]
) -> JSONResponse:
    from starlette.concurrency import run_in_threadpool

    data = await _body(request)
    return await run_in_threadpool(_submit_edifact, request, grant, data)


def _submit_edifact(request: Request, grant: Grant, data: bytes) -> JSONResponse:
    from dostyk.interchange.importing import import_file
    from dostyk.interchange.json_documents import DocumentError, DocumentRejected

    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"UNA", b"UNB", b"UNH")):
        problem = "is not EDIFACT: an interchange starts with UNA, UNB or UNH"
        raise DocumentRejected([DocumentError(s.BODY, "", problem)])
    done = import_file(
        request.app.state.engine, data, s.BODY, actor=grant.caller.actor, at=now(request)
    )
    messages: list[dict[str, Any]] = []
    for item in done:
        if item.lodgement is not None:
            d = item.lodgement.declaration
            messages.append(
                {
                    "syntax": item.syntax,
                    "status": d.status.value,
                    "declaration_id": d.declaration_id,
                    "reference": d.reference,
                    "new": item.lodgement.new,
                    "reasons": list(item.lodgement.reasons),
                }
            )
        elif item.manifest is not None:
            messages.append(
                {
                    "syntax": item.syntax,
                    "status": "lodged",
                    "manifest_id": item.manifest.manifest_id,
                }
            )
    return JSONResponse({"messages": messages}, status_code=201)


@api.get(
    "/declarations/{declaration_id}/responses",
    summary="A declaration's customs responses so far, as WCO RES-DMS XML or EDIFACT CUSRES",
    response_class=Response,
    responses={
        200: {
            "description": "Every response, oldest first",
            "content": {
                XML: {"schema": {"type": "string"}},
            },
        }
    },
)
def responses_of(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("interchange.respond")],
    format: Annotated[Literal["wco", "cusres"], Query(description="wco or cusres")] = "wco",
) -> Response:
    from dostyk.interchange.answers import responses
    from dostyk.interchange.edifact.cusres import cusres
    from dostyk.interchange.wco.responses import wco_responses
    from dostyk.services.declaration_record import read_declaration

    view = read_declaration(request.app.state.engine, declaration_id)
    grant.declaration(view.declaration)
    answers = responses(view)
    if format == "wco":
        return Response(wco_responses(answers), media_type=XML)
    return Response(cusres(answers).encode("utf-8"), media_type=EDIFACT)
