"""Errors as RFC 9457 problem details, for the API, and as an error page, for people.

A refusal carries what a client needs to act: the HTTP status, a short title, the detail in
words, and, when the request itself was wrong, every field at fault with its JSON path
(``items[2].net_mass_kg``) or its parameter name. The same :class:`Problem` is rendered as
``application/problem+json`` under ``/api`` and as an HTML page elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field at fault: where (a JSON path or a parameter) and what is wrong with it."""

    field: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "detail": self.detail}


@dataclass(slots=True)
class Problem(Exception):
    """A request refused; raised anywhere in the web layer and rendered by the app."""

    status: int
    detail: str
    title: str = ""
    errors: Sequence[FieldError] = field(default_factory=tuple)
    kind: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.title:
            self.title = HTTPStatus(self.status).phrase
        Exception.__init__(self, self.detail)

    @property
    def type_uri(self) -> str:
        """A stable identifier of the kind of problem, relative to the API (RFC 9457 §3.1.1)."""
        return f"/problems/{self.kind}" if self.kind else "about:blank"

    def to_json(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type_uri,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [e.to_json() for e in self.errors]
        body.update(self.extra)
        return body


def bad_request(detail: str, errors: Iterable[FieldError] = (), kind: str = "invalid") -> Problem:
    return Problem(422, detail, errors=tuple(errors), kind=kind)


def not_found(detail: str) -> Problem:
    return Problem(404, detail, kind="not-found")


def forbidden(detail: str) -> Problem:
    return Problem(403, detail, kind="forbidden")


def conflict(detail: str, errors: Iterable[FieldError] = ()) -> Problem:
    return Problem(409, detail, errors=tuple(errors), kind="conflict")


def unauthorised(detail: str = "sign in first") -> Problem:
    return Problem(
        401, detail, kind="unauthorised", headers={"WWW-Authenticate": 'Bearer realm="dostyk"'}
    )


#: The schema of a problem body in the OpenAPI document, for every route's error responses.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "detail"],
                "properties": {"field": {"type": "string"}, "detail": {"type": "string"}},
            },
        },
    },
}
