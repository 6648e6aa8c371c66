"""The app's route table, flattened: every API route with its full path and its policy action.

FastAPI keeps an included router as one entry of ``app.routes`` (its routes are resolved when a
request comes), so walking ``app.routes`` alone sees only the routes declared on the app itself.
The tests that must cover every route read them through :func:`api_routes`, as the OpenAPI
document does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from dostyk.web.policy import action_of


@dataclass(frozen=True)
class TableRoute:
    """One API route as the app serves it: its path (with its router's prefix) and actions."""

    path: str
    path_format: str
    methods: frozenset[str]
    route: APIRoute

    @property
    def actions(self) -> list[str]:
        """The policy actions its dependencies declare (exactly one, for a guarded route)."""
        named = (action_of(d.call) for d in self.route.dependant.dependencies if d.call)
        return [action for action in named if action is not None]

    @property
    def path_parameters(self) -> list[str]:
        return [param.name for param in self.route.dependant.path_params]

    @property
    def query_parameters(self) -> list[str]:
        return [param.name for param in self.route.dependant.query_params]


def api_routes(app: FastAPI) -> Iterator[TableRoute]:
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        path = context.path or route.path
        yield TableRoute(path, context.path_format or path, frozenset(context.methods or ()), route)
