"""The ledger for anyone signed in: its signed head, and proofs to take away.

The signed head says how many entries the log holds and the root hash that commits to all of
them, signed with the log's Ed25519 key. A proof is a document that needs nothing but itself and
the public key to check (``dostyk ledger check PROOF``): the inclusion proof of a declaration's
record, for those who may see the declaration, and the consistency proof that a later head extends
an earlier one — the same documents ``dostyk ledger prove`` and ``dostyk ledger consistency``
write. A head is signed when the log has grown since the last one, as the CLI's ``ledger head``
does; otherwise the kept head is shown.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from dostyk.web.declarations import DeclarationId, declaration_record
from dostyk.web.policy import Grant, allow
from dostyk.web.problems import FieldError, bad_request, not_found
from dostyk.web.templating import navigation, page

pages = APIRouter(tags=["ledger"])
api = APIRouter(prefix="/api/v1", tags=["ledger"])
routers = [pages, api]

navigation("ledger.head", "/ledger", "Ledger")

TreeSize = Query(ge=0, le=2**62, description="A signed head's tree size.")


def _key(request: Request) -> Any:
    from dostyk.services.ledger import ensure_signing_key

    key, _ = ensure_signing_key(request.app.state.settings.key_dir)
    return key


def _head(request: Request) -> dict[str, Any]:
    from dostyk.services.ledger import sign_head

    key = _key(request)
    head = sign_head(request.app.state.engine, key)
    return {"tree_head": head.to_json_dict(), "public_key": key.public.hex()}


@pages.get("/ledger", include_in_schema=False)
def ledger_page(request: Request, grant: Annotated[Grant, allow("ledger.head")]) -> Response:
    return page(request, "ledger.html", _head(request))


@api.get("/ledger", summary="The ledger's signed tree head and the public key that checks it")
def ledger_head(request: Request, grant: Annotated[Grant, allow("ledger.head")]) -> dict[str, Any]:
    return _head(request)


def _download(document: dict[str, Any], name: str) -> JSONResponse:
    """A proof as a file to keep, its bytes exactly what ``dostyk ledger check`` reads."""
    return JSONResponse(document, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _inclusion(request: Request, grant: Grant, declaration_id: str) -> dict[str, Any]:
    from dostyk.services.ledger import UnknownRecord, prove_record

    declaration_record(request, grant, declaration_id)  # 404 outside the caller's reach
    try:
        return prove_record(
            request.app.state.engine, _key(request), "declarations", [declaration_id]
        )
    except UnknownRecord as error:
        raise not_found(str(error)) from None


@pages.get("/declarations/{declaration_id}/proof", include_in_schema=False)
def inclusion_download(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("ledger.prove")],
) -> Response:
    document = _inclusion(request, grant, declaration_id)
    return _download(document, f"proof-declaration-{declaration_id}.json")


@api.get(
    "/declarations/{declaration_id}/proof",
    summary="The inclusion proof of a declaration's record (checked by `dostyk ledger check`)",
)
def inclusion_proof(
    request: Request,
    declaration_id: Annotated[str, DeclarationId],
    grant: Annotated[Grant, allow("ledger.prove")],
) -> dict[str, Any]:
    return _inclusion(request, grant, declaration_id)


def _consistency(request: Request, old: int, new: int) -> dict[str, Any]:
    from dostyk.services.ledger import UnknownRecord, prove_consistency

    if new < old:
        raise bad_request(
            "the new head must be at least as large as the old one",
            [FieldError("new", f"{new} is smaller than old ({old})")],
        )
    try:
        return prove_consistency(request.app.state.engine, old, new)
    except UnknownRecord as error:
        raise not_found(str(error)) from None


@pages.get("/ledger/consistency", include_in_schema=False)
def consistency_download(
    request: Request,
    grant: Annotated[Grant, allow("ledger.prove")],
    old: Annotated[int, TreeSize],
    new: Annotated[int, TreeSize],
) -> Response:
    document = _consistency(request, old, new)
    return _download(document, f"consistency-{old}-{new}.json")


@api.get(
    "/ledger/consistency",
    summary="The consistency proof between two signed heads (checked by `dostyk ledger check`)",
)
def consistency_proof(
    request: Request,
    grant: Annotated[Grant, allow("ledger.prove")],
    old: Annotated[int, TreeSize],
    new: Annotated[int, TreeSize],
) -> dict[str, Any]:
    return _consistency(request, old, new)
