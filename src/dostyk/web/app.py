"""The app: every capability's routers, the static assets, the API's own docs, and its errors.

:func:`create_app` builds it on the store the settings name. Nothing leaves the machine: the
interactive API docs use the Swagger UI files Dostyk serves itself (FastAPI's default page loads
them from a CDN), and the Content-Security-Policy forbids any other origin to the browser.

Errors never reach a user as a traceback. A refusal by a use case, a document that breaks the
rules, a request that is malformed: each becomes a :class:`~dostyk.web.problems.Problem`, shown
as RFC 9457 problem details under ``/api`` and as a page elsewhere. Anything unexpected is logged
with its trace under ``$DOSTYK_HOME/logs`` and answered with 500 and the log's reference.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import version
from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dostyk.config import Settings
from dostyk.web import problems as p
from dostyk.web.assets import PLOTLY_JS, PLOTLY_JS_URL, STATIC_DIR
from dostyk.web.policy import Grant, absent, allow, answer_to_unserved_method
from dostyk.web.problems import PROBLEM_JSON, PROBLEM_SCHEMA, FieldError, Problem

log = logging.getLogger("dostyk.web")

Clock = Callable[[], datetime]

#: Larger bodies are refused before they are read: a declaration of 999 items is ≈ 1 MB.
MAX_BODY = 4 * 1024 * 1024

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class SecurityHeaders:
    """Refuses a body over :data:`MAX_BODY` before it is read, and gives every answer the
    security headers (a plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` would run
    each request through a task and memory streams of its own, a large share of a small
    request's time)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
                if "cache-control" not in headers and not static:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            limit = f"the request body is larger than {MAX_BODY // (1024 * 1024)} MiB"
            response = _respond(Request(scope), Problem(413, limit, kind="too-large"))
            await response(scope, receive, with_headers)
            return
        await self.app(scope, receive, with_headers)


def system_clock() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: Settings, *, engine: Engine | None = None, clock: Clock = system_clock
) -> FastAPI:
    """The web app on the store ``settings`` name (or on ``engine``), with its clock."""
    from dostyk.store.engine import make_engine

    app = FastAPI(
        title="Dostyk",
        version=version("dostyk"),
        summary="Customs control and integrity: declarations, crossings, inspections, ledger.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine if engine is not None else make_engine(settings.database_url)
    app.state.clock = clock
    _describe(app)  # before the static mount, which would shadow Plotly's route
    _guard(app)
    for router in _routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _routers() -> list[Any]:
    """Every capability's routers, in the order their links appear in the navigation bar."""
    from dostyk.web import (
        api_declarations,
        api_flow,
        api_interchange,
        api_post,
        broker,
        declarations,
        inspection_pages,
        integrity,
        ledger_pages,
        post,
        programme,
        radiation_pages,
        review_pages,
        risk_pages,
        session,
        supervision,
    )

    return [
        *session.routers,
        *broker.routers,
        *declarations.routers,
        *post.routers,
        *inspection_pages.routers,
        *supervision.routers,
        *review_pages.routers,
        *radiation_pages.routers,
        *programme.routers,
        *integrity.routers,
        *risk_pages.routers,
        *ledger_pages.routers,
        *api_declarations.routers,
        *api_flow.routers,
        *api_post.routers,
        *api_interchange.routers,
    ]


def _describe(app: FastAPI) -> None:
    """The OpenAPI document, the docs page on local assets, and Plotly's script."""

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(grant: Annotated[Grant, allow("api.describe")]) -> JSONResponse:
        if app.openapi_schema is None:
            app.openapi_schema = _openapi(app)
        return JSONResponse(app.openapi_schema)

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request, grant: Annotated[Grant, allow("api.describe")]) -> Response:
        from dostyk.web.templating import render

        return render(request, "docs.html", {})

    @app.get(PLOTLY_JS_URL, include_in_schema=False)
    def plotly(grant: Annotated[Grant, allow("asset.read")]) -> FileResponse:
        return FileResponse(PLOTLY_JS, media_type="text/javascript")


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, every API operation's errors described as problem details."""
    schema = get_openapi(
        title=app.title, version=app.version, summary=app.summary, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    schema.setdefault("components", {})["securitySchemes"] = {
        "token": {"type": "http", "scheme": "bearer", "description": "dostyk users token issue"},
        "session": {"type": "apiKey", "in": "cookie", "name": "dostyk_session"},
    }
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status, title in _ERRORS:
                responses[status] = {"description": title, "content": problem}
            if path.startswith("/api/"):
                operation["security"] = [{"token": []}, {"session": []}]
    return schema


_ERRORS = (
    ("400", "The request body cannot be read (not JSON, or not UTF-8 text)"),
    ("401", "Not signed in"),
    ("403", "Not allowed for this role, post or party"),
    ("404", "No such record within your reach"),
    ("409", "The records' present state does not allow it"),
    ("413", "The request body is too large"),
    ("422", "The request breaks the rules; every field at fault is named"),
    ("429", "Too many attempts; retry after the time given"),
    ("503", "The store is busy or unavailable"),
)


def _guard(app: FastAPI) -> None:
    """Security headers, the body size limit, and every error as a problem."""

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(Problem)
    async def problem(request: Request, error: Problem) -> Response:
        return _respond(request, error)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        fields = [
            FieldError(_location(e.get("loc", ())), str(e.get("msg", ""))) for e in error.errors()
        ]
        return _respond(request, p.bad_request("the request is not valid", fields))

    @app.exception_handler(StarletteHTTPException)
    async def http(request: Request, error: StarletteHTTPException) -> Response:
        detail = error.detail if isinstance(error.detail, str) else "refused"
        if error.status_code == 404:
            return _respond(request, absent(request))
        if error.status_code == 405:
            hidden = answer_to_unserved_method(request)
            if hidden is not None:
                return _respond(request, hidden)
            detail = f"{request.method} is not allowed on {request.url.path}"
        return _respond(
            request, Problem(error.status_code, detail, headers=dict(error.headers or {}))
        )

    async def refused(request: Request, error: Exception) -> Response:
        return _respond(request, translate(error, app.state.settings))

    for kind in _refusals():
        app.add_exception_handler(kind, refused)
    app.add_exception_handler(Exception, refused)  # a bug: logged, answered with 500


def _refusals() -> tuple[type[Exception], ...]:
    """What use cases, documents, the domain and the store raise when they refuse."""
    from dostyk.domain.errors import InvariantViolation
    from dostyk.domain.lifecycle import IllegalTransition
    from dostyk.interchange.json_documents import DocumentRejected
    from dostyk.services.errors import UseCaseError
    from dostyk.store.errors import StoreError

    return (UseCaseError, DocumentRejected, InvariantViolation, IllegalTransition, StoreError)


def translate(error: Exception, settings: Settings) -> Problem:
    """A use case's refusal, a document's errors, a store's trouble, or a bug, as a problem."""
    from dostyk.domain.errors import InvariantViolation
    from dostyk.domain.lifecycle import IllegalTransition
    from dostyk.interchange.json_documents import DocumentRejected
    from dostyk.services.errors import Conflict, NotAuthorised, NotFound, ValidationFailed
    from dostyk.store.errors import StoreError

    if isinstance(error, NotFound):
        return p.not_found(str(error))
    if isinstance(error, NotAuthorised):
        return p.forbidden(str(error))
    if isinstance(error, (Conflict, IllegalTransition)):
        return p.conflict(str(error))
    if isinstance(error, ValidationFailed):
        fields = [
            FieldError(getattr(reason, "field", None) or error.subject or "", reason)
            for reason in error.reasons
        ]
        return p.bad_request(str(error), fields, kind="rules-broken")
    if isinstance(error, DocumentRejected):
        fields = [FieldError(e.path, e.message) for e in error.errors]
        return p.bad_request("the document is not valid", fields, kind="document-rejected")
    if isinstance(error, InvariantViolation):
        fields = [FieldError(v.field, v.message) for v in error.violations]
        return p.bad_request(str(error), fields, kind="rules-broken")
    if isinstance(error, StoreError):
        return Problem(503, str(error), kind="store", headers={"Retry-After": "5"})
    reference = secrets.token_hex(6)
    log.error("unexpected error %s", reference, exc_info=error)
    _write_trace(settings, reference, error)
    detail = f"an unexpected error in Dostyk (reference {reference}); it was logged"
    return Problem(500, detail, kind="internal")


def _write_trace(settings: Settings, reference: str, error: Exception) -> None:
    import traceback

    folder = settings.home / "logs"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        trace = "".join(traceback.format_exception(error))
        (folder / f"web-{reference}.log").write_text(trace, encoding="utf-8")
    except OSError:
        log.exception("could not write the trace of %s", reference)


def _location(parts: Any) -> str:
    names = [str(part) for part in parts if part not in ("body", "query", "path", "header")]
    return ".".join(names)


def _respond(request: Request, problem: Problem) -> Response:
    """Problem details for the API and for clients asking for JSON; an error page for people."""
    from dostyk.web.templating import render, wants_json

    if request.url.path.startswith("/api/") or wants_json(request):
        body = problem.to_json(instance=request.url.path)
        return JSONResponse(body, problem.status, problem.headers, media_type=PROBLEM_JSON)
    if problem.status == 401:
        from dostyk.web.session import sign_in_page

        return sign_in_page(request, problem.detail, status=401, next_path=request.url.path)
    response = render(request, "problem.html", {"problem": problem}, status=problem.status)
    response.headers.update(problem.headers)
    return response


def app_from_environment() -> FastAPI:
    """The app on the store ``DOSTYK_HOME`` / ``DOSTYK_DATABASE_URL`` name (for uvicorn)."""
    from dostyk.config import load_settings

    return create_app(load_settings())
