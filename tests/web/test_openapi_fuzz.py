"""schemathesis against /openapi.json: no 5xx, and every answer keeps to its own description.

The app runs in process (schemathesis' ASGI support) on a copy of the test world with a few
declarations lodged, called with the bearer token of a broker and of a post officer. The number
of examples per operation is bounded so that the run stays short in ``make test``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dostyk.config import Settings
from dostyk.domain.declarations import Channel
from dostyk.services.ledger import ensure_signing_key
from dostyk.store.engine import make_engine
from dostyk.web.app import create_app
from tests.services import world as w
from tests.web.api_calls import token
from tests.web.app_world import NOW

EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _describing_app() -> Any:
    """The app as it describes itself (its OpenAPI document needs no store); the fixture puts
    the test world under it before any operation is called."""
    settings_ = Settings(home=Path("/nonexistent/dostyk-fuzz"), database_url="sqlite://")
    return create_app(settings_)


APP = _describing_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def fuzzed(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app on its own copy of the world, with tokens and some declarations in it; the
    operations are called on it."""
    home = tmp_path_factory.mktemp("fuzz")
    shutil.copyfile(web_template, home / "dostyk.db")
    engine = make_engine(f"sqlite:///{home / 'dostyk.db'}")
    flow = w.Flow(engine)
    for n in (1, 2, 3):
        flow.lodge(w.lodging(n))
    flow.assess("D2", Channel.YELLOW)
    ensure_signing_key(home / "keys")
    described = APP.state.engine
    APP.state.settings = Settings(home=home, database_url=str(engine.url))
    APP.state.engine = engine
    APP.state.clock = lambda: NOW
    APP.state.tokens = {who: token(engine, who) for who in ("broker", "officer")}
    yield APP
    APP.state.engine = described
    engine.dispose()


def _call(case: Any, app: Any, who: str) -> None:
    secret = app.state.tokens[who]
    case.call_and_validate(headers={"Authorization": f"Bearer {secret}"}, checks=CHECKS)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_as_a_broker_no_operation_fails_or_breaks_its_description(case: Any, fuzzed: Any) -> None:
    _call(case, fuzzed, "broker")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_as_a_post_officer_no_operation_fails_or_breaks_its_description(
    case: Any, fuzzed: Any
) -> None:
    _call(case, fuzzed, "officer")
