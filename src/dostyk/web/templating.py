"""Pages rendered on the server with Jinja2, every value escaped, and each with a JSON twin.

A page and its twin come from the same data: :func:`page` renders the template for a browser and
answers JSON to a client that asks for it (``Accept: application/json``), the same JSON as the
endpoint at the same path under ``/api/v1``. Autoescaping is on for every template, so text a
user typed — a description with ``<script>`` in it — is shown as typed, never run.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from dostyk.web.assets import TEMPLATES_DIR
from dostyk.web.policy import allowed
from dostyk.web.principals import CSRF_FIELD, principal_of

environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _amount(value: Decimal | str | None) -> str:
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f}"


environment.filters["amount"] = _amount

#: The navigation bar: (action, path, label) — each link shown only to those it is for.
NAVIGATION: list[tuple[str, str, str]] = []


def navigation(action: str, path: str, label: str) -> None:
    """A capability's entry in the navigation bar, shown to the roles its action allows."""
    NAVIGATION.append((action, path, label))


def wants_json(request: Request) -> bool:
    """Whether the client asked for the JSON twin rather than the page."""
    accept = request.headers.get("accept", "")
    if not accept:
        return False
    best = accept.split(",")[0].split(";")[0].strip().lower()
    return best in {"application/json", "application/problem+json"}


def render(
    request: Request, template: str, context: Mapping[str, Any], *, status: int = 200
) -> HTMLResponse:
    principal = principal_of(request)
    links = [(path, label) for action, path, label in NAVIGATION if allowed(principal, action)]
    body = environment.get_template(template).render(
        request=request,
        principal=principal,
        csrf_field=CSRF_FIELD,
        csrf_token=principal.csrf_token if principal else "",
        navigation=links if principal else [],
        **context,
    )
    return HTMLResponse(body, status_code=status)


def page(
    request: Request,
    template: str,
    data: Mapping[str, Any],
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> Response:
    """The page, or its JSON twin ``data`` when the client asks for JSON."""
    if wants_json(request):
        return JSONResponse(dict(data), status_code=status)
    return render(request, template, {"data": data, **(context or {})}, status=status)
