"""The broker's pages: my declarations, lodging one (a form or a document), cancelling, paying.

A broker or trader sees the declarations he lodged or is named on, newest first, each with its
status, channel, place in the post's queue, time waiting and the duties due; an officer the same
list for his posts. A lodgement is answered with its result on a page of its own: accepted, with
what the system did next (the channel, the duties to pay or the inspector drawn), or rejected
with every reason. The system's steps after an accepted lodgement are
:func:`dostyk.services.automation.after_lodgement`, as for the API.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from dostyk.domain.declarations import Channel, DeclarationStatus
from dostyk.services.declaration_record import instant, plain
from dostyk.web import session
from dostyk.web.declarations import DeclarationId, declaration_record
from dostyk.web.forms import form_texts
from dostyk.web.policy import Grant, allow
from dostyk.web.principals import now
from dostyk.web.problems import FieldError, bad_request
from dostyk.web.templating import navigation, page

pages = APIRouter(tags=["broker"])
api = APIRouter(prefix="/api/v1", tags=["broker"])
routers = [pages, api]

navigation("declaration.list", "/my-declarations", "My declarations")
navigation("declaration.lodge", "/lodge", "Lodge")
session.start_page("broker", "/my-declarations")
session.start_page("trader", "/my-declarations")

Cursor = Query(max_length=200, pattern=r"^[A-Za-z0-9_=-]*$", description="The next page's cursor")
PAGE_SIZE = 20


def _listing(request: Request, grant: Grant, cursor: str | None) -> dict[str, Any]:
    from dostyk.services.party_declarations import declarations_in_reach

    caller = grant.caller
    parties = caller.scope.parties if caller.account.party_id is not None else frozenset()
    at = now(request)
    found = declarations_in_reach(
        request.app.state.engine,
        parties=parties,
        posts=None if parties else grant.posts(),
        at=at,
        cursor=cursor or None,
        limit=PAGE_SIZE,
    )
    return {
        "at": instant(at),
        "declarations": [
            {
                "declaration_id": row.declaration.declaration_id,
                "reference": row.declaration.reference,
                "post_code": row.declaration.post_code,
                "declarant_id": row.declaration.declarant_id,
                "lodged_at": instant(row.declaration.lodged_at),
                "status": row.declaration.status.value,
                "channel": plain(row.declaration.channel),
                "since": instant(row.last_step.at if row.last_step else None),
                "queue": None if row.queue is None else row.queue.queue,
                "queue_position": None if row.queue is None else row.queue.position,
                "waiting_minutes": row.waiting_minutes,
                "duties_due": None if row.duties_due is None else f"{row.duties_due:f}",
            }
            for row in found.rows
        ],
        "next_cursor": found.next_cursor,
    }


@pages.get("/my-declarations", include_in_schema=False)
def my_declarations_page(
    request: Request,
    grant: Annotated[Grant, allow("declaration.list")],
    cursor: Annotated[str | None, Cursor] = None,
) -> Response:
    return page(request, "broker_declarations.html", _listing(request, grant, cursor))


@api.get(
    "/my-declarations",
    summary="Declarations in my reach, newest first, with queue place, waiting and duties due",
)
def my_declarations(
    request: Request,
    grant: Annotated[Grant, allow("declaration.list")],
    cursor: Annotated[str | None, Cursor] = None,
) -> dict[str, Any]:
    return _listing(request, grant, cursor)


# --- lodging -----------------------------------------------------------------------------------


@pages.get("/lodge", include_in_schema=False)
def lodge_form(
    request: Request,
    grant: Annotated[Grant, allow("declaration.lodge")],
    rows: Annotated[int | None, Query(ge=1, le=99, description="Goods rows")] = None,
) -> Response:
    from dostyk.web.lodgement_form import ITEM_FIELDS, row_count

    return page(
        request,
        "broker_lodge.html",
        {"declarant_id": grant.caller.actor},
        {"rows": row_count(rows), "item_fields": ITEM_FIELDS},
    )


def _lodge(request: Request, grant: Grant, text: str, source: str) -> str:
    """Lodge the document, run the system's steps if it is accepted; the declaration's id."""
    from dostyk.interchange.json_documents import parse_declaration
    from dostyk.services import declarations
    from dostyk.services.automation import after_lodgement

    engine = request.app.state.engine
    at = now(request)
    parsed = parse_declaration(text, source, lodged_at=at)
    lodged = declarations.lodge(
        engine, parsed.declaration, parsed.items, parsed.units, actor=grant.caller.actor, at=at
    )
    declaration = lodged.declaration
    if lodged.new and lodged.accepted:
        from dostyk.risk.scoring import shelf

        models = shelf(request.app.state.settings.home / "models")
        after_lodgement(engine, declaration.declaration_id, at=at, models=models)
    return declaration.declaration_id


@pages.post("/lodge", include_in_schema=False)
async def lodge_from_form(
    request: Request, grant: Annotated[Grant, allow("declaration.lodge")]
) -> Response:
    from dostyk.web.lodgement_form import document_from

    text, _ = document_from(await request.form(), grant.caller.actor)
    declaration_id = _lodge(request, grant, text, "form")
    return RedirectResponse(f"/lodgements/{declaration_id}", status_code=303)


#: The largest declaration document the upload takes (a declaration of 999 items is ≈ 1 MB).
MAX_DOCUMENT = 2 * 1024 * 1024


@pages.post("/lodge/document", include_in_schema=False)
async def lodge_from_document(
    request: Request, grant: Annotated[Grant, allow("declaration.lodge")]
) -> Response:
    form = await request.form()
    upload = form.get("document")
    if upload is None or isinstance(upload, str):
        raise bad_request(
            "choose a declaration document to upload", [FieldError("document", "no file")]
        )
    raw = await upload.read(MAX_DOCUMENT + 1)
    if len(raw) > MAX_DOCUMENT:
        raise bad_request(
            "the document is too large",
            [FieldError("document", f"larger than {MAX_DOCUMENT // (1024 * 1024)} MiB")],
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request(
            "the document is not UTF-8 text", [FieldError("document", "not UTF-8")]
        ) from None
    declaration_id = _lodge(request, grant, text, upload.filename or "document")
    return RedirectResponse(f"/lodgements/{declaration_id}", status_code=303)


# --- a lodgement's result, and the broker's actions on it --------------------------------------


def reason_field(reason: str) -> str:
    """The part of the declaration a rejection reason concerns: its words before the colon
    (``item 2``, ``unit X-RC1``), the items or units when it speaks of them, else the whole."""
    where, colon, _ = reason.partition(": ")
    if colon and (where.startswith("item ") or where.startswith("unit ")):
        return where
    for subject in ("unit", "item", "party", "manifest"):
        if reason.startswith(subject + " "):
            return " ".join(reason.split(" ")[:2])
    if "railcars, trucks or trailers" in reason:
        return "units"
    if "goods item" in reason:
        return "items"
    return "declaration"


def _lodgement(request: Request, grant: Grant, declaration_id: str) -> dict[str, Any]:
    from dostyk.services.declarations import REASON_SEPARATOR

    record = declaration_record(request, grant, declaration_id)
    head = record["declaration"]
    steps = record["status_changes"]
    rejection = next((s for s in steps if s["to_status"] == DeclarationStatus.REJECTED), None)
    reasons = (rejection["reason"] or "").split(REASON_SEPARATOR) if rejection else []
    status = DeclarationStatus(head["status"])
    inspections = record.get("inspections", [])
    open_inspection = next((i for i in inspections if not i.get("ended_at")), None)
    waiting = None
    if (
        status is DeclarationStatus.ASSESSED
        and head["channel"] in (Channel.YELLOW, Channel.RED)
        and open_inspection is None
    ):
        waiting = (
            f"no inspector is on duty at {head['post_code']} now; the declaration waits for "
            "the next shift, first in, first out"
        )
    due = None
    if status is DeclarationStatus.DUTIES_ASSESSED:
        due = record["duties"]["total"]
    return {
        "declaration": head,
        "accepted": rejection is None,
        "reasons": [{"field": reason_field(r), "reason": r} for r in reasons if r],
        "channel": head["channel"],
        "inspector_id": None if open_inspection is None else open_inspection["inspector_id"],
        "waiting_for_inspector": waiting,
        "duties_due": due,
        "may_cancel": status
        not in {
            DeclarationStatus.RELEASED,
            DeclarationStatus.CANCELLED,
            DeclarationStatus.REJECTED,
        },
        "may_pay": status is DeclarationStatus.DUTIES_ASSESSED,
    }


@pages.get("/lodgements/{declaration_id}", include_in_schema=False)
def lodgement_page(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("declaration.read")],
) -> Response:
    return page(request, "broker_lodgement.html", _lodgement(request, grant, declaration_id))


@api.get(
    "/lodgements/{declaration_id}",
    summary="A lodgement's result: accepted with what followed, or rejected with every reason",
)
def lodgement(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("declaration.read")],
) -> dict[str, Any]:
    return _lodgement(request, grant, declaration_id)


@pages.post("/declarations/{declaration_id}/cancellation", include_in_schema=False)
async def cancel_page(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("declaration.cancel")],
) -> Response:
    from dostyk.services.declarations import cancel

    (reason,) = await form_texts(request, "reason")
    record = declaration_record(request, grant, declaration_id)
    cancel(
        request.app.state.engine,
        record["declaration"]["declaration_id"],
        actor=grant.caller.actor,
        at=now(request),
        reason=reason.strip() or None,
    )
    return RedirectResponse(f"/lodgements/{declaration_id}", status_code=303)


@pages.post("/declarations/{declaration_id}/payment", include_in_schema=False)
async def pay_page(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("payment.make")],
) -> Response:
    from dostyk.services.payments import record_payment

    amount_text, reference = await form_texts(request, "amount", "reference")
    declaration_record(request, grant, declaration_id)  # reach first: 404 for another's
    errors = []
    try:
        amount = Decimal(amount_text.replace(",", "").strip())
        if not amount.is_finite():
            raise InvalidOperation(amount_text)
    except InvalidOperation:
        amount = Decimal(0)
        errors.append(FieldError("amount", f"{amount_text!r} is not an amount"))
    if not reference.strip():
        errors.append(FieldError("reference", "the bank's reference of the payment is needed"))
    elif len(reference.strip()) > 64:
        errors.append(FieldError("reference", "is longer than 64 characters"))
    if errors:
        raise bad_request("the payment is not valid", errors)
    record_payment(
        request.app.state.engine,
        declaration_id,
        amount,
        reference.strip(),
        actor=grant.caller.actor,
        at=now(request),
    )
    return RedirectResponse(f"/lodgements/{declaration_id}", status_code=303)
