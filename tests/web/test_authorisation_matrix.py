"""The authorisation matrix: every route of the app × every role × a record in reach and one not.

The matrix is generated from the app's route table, so a route added tomorrow is in it without
anyone listing it. For each route it asks as each role (with that account's API token), and
signed out, once with the path's records inside the caller's reach ("own": DST, broker BRK1's
declaration, the inspector's own inspection) and once outside it ("other": Khorgos, broker BRK2's
declaration, another inspector's inspection). The answer expected is computed from the route's
policy rule and the caller's scope:

- signed out: 401 (a page answers 401 with the sign-in form);
- a role the rule does not name: 403, or 404 when the rule is hidden (the integrity unit's);
- an allowed role outside its reach: 403 for a post (post codes are public), 404 for a
  declaration or a record of one (nobody learns whether someone else's exists);
- an allowed role within reach: anything but those refusals (200, 201, 303, 409, 422: the body
  is minimal and the records' state may not allow the change) — and never a 5xx.

A path parameter must be in :data:`PARAMETERS`; a route with one that is not fails, asking for
it to be added, so a new kind of record cannot slip through untested. A query parameter of the
same name (``?post=KHR``) is asked for in reach and out of it in the same way. An API body is the
least its model accepts, so that the request reaches the route's checks of reach. Changes that
get past the guard run each on a fresh copy of the store, so that one request's effect cannot
change what another expects; everything else runs on one copy. With ``-s`` it prints its size.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import Engine

from dostyk.config import Settings
from dostyk.domain.accounts import PARTY_ROLES
from dostyk.domain.cases import SubjectKind
from dostyk.domain.conflicts import ConflictKind
from dostyk.domain.conveyances import Conveyance, ConveyanceKind, Crossing, Direction
from dostyk.domain.declarations import Channel
from dostyk.domain.inspections import Inspection
from dostyk.domain.officers import Posting
from dostyk.domain.overrides import Override
from dostyk.services import accounts, cases, conflicts, declarations, overrides
from dostyk.services.scope import Scope
from dostyk.store.engine import make_engine
from dostyk.store.unit_of_work import UnitOfWork
from dostyk.web.app import create_app
from dostyk.web.policy import POLICY, Reach, Rule
from dostyk.web.principals import SAFE_METHODS, SESSION_COOKIE
from tests.services import world as w
from tests.web.app_world import LOGINS, NOW
from tests.web.inspection_world import INSPECTOR, OTHER_INSPECTOR, drawn
from tests.web.radiation_world import DST_ALARM, KHR_ALARM, dostyk_alarm, khorgos_alarm
from tests.web.route_table import TableRoute, api_routes

OWN, OTHER = "own", "other"
SIGNED_OUT = "signed out"

#: Actions whose reach is the caller's own records, narrower than his posts: an inspector's work.
PERSONAL = frozenset({"inspection.mine", "inspection.start", "inspection.finish"})

#: Phrases of the guard's own refusals; a use case's refusal (four eyes, a declarant lodges for
#: himself) may also answer 403, but with its own words.
GUARD_WORDS = re.compile(
    r"not for the role|outside your reach|is for customs officers|security token|sign in"
)


@dataclass(frozen=True)
class Record:
    """What a path parameter names, and what decides whether a caller reaches it."""

    value: str
    post_code: str
    parties: frozenset[str] = frozenset()
    holder: str | None = None  # the officer a personal record is for


@dataclass(frozen=True)
class Parameter:
    """A path parameter's record in reach and out of it, and the answer outside reach."""

    own: Record
    other: Record
    refusal: int  # 403 for a post, 404 for a declaration's records

    def record(self, context: str) -> Record:
        return self.own if context == OWN else self.other


_OWN_DECLARATION = frozenset({w.BROKER.party_id, w.IMPORTER.party_id, w.EXPORTER.party_id})
_OTHER_DECLARATION = frozenset({w.OTHER_BROKER.party_id, w.CARRIER.party_id})

#: Every path parameter of the app's routes, with its records in the matrix's world.
PARAMETERS: dict[str, Parameter] = {
    "declaration_id": Parameter(
        Record("D1", "DST", _OWN_DECLARATION), Record("D9", "KHR", _OTHER_DECLARATION), 404
    ),
    "inspection_id": Parameter(
        Record("I-D1-1", "DST", _OWN_DECLARATION, INSPECTOR),
        Record("I-D9-1", "KHR", _OTHER_DECLARATION, "PC-KHR1"),
        404,
    ),
    "override_id": Parameter(
        Record("O-D3-1", "DST", _OWN_DECLARATION), Record("O-D9-1", "KHR", _OTHER_DECLARATION), 404
    ),
    # a crossing is the post's record, not a party's: refused as its post is
    "crossing_id": Parameter(Record("X-TR1", "DST"), Record("X-KHR1", "KHR"), 403),
    "post_code": Parameter(Record("DST", "DST"), Record("KHR", "KHR"), 403),
    # a radiation alarm is the post's record, refused as its post is
    "alarm_id": Parameter(Record(DST_ALARM, "DST"), Record(KHR_ALARM, "KHR"), 403),
    # the integrity unit's records: its reach is national, so both are in reach
    "case_id": Parameter(Record("K-1", "DST"), Record("K-2", "KHR"), 404),
    "conflict_id": Parameter(Record("C-IN-DST2-1", "DST"), Record("C-PC-KHR1-1", "KHR"), 404),
    "subject_kind": Parameter(Record("inspector", "DST"), Record("supervisor", "KHR"), 404),
    "subject_id": Parameter(Record("IN-DST1", "DST"), Record("PC-KHR1", "KHR"), 404),
}
#: The same parameters under other names a route may give them.
PARAMETERS["post"] = PARAMETERS["code"] = PARAMETERS["post_code"]


def _build(engine: Engine) -> None:
    """D1 (BRK1, red) drawn for the inspector, D2 drawn for the other one, D3 with an override
    awaiting decision, and D9 of BRK2 at Khorgos with an inspection and an override of its own."""
    flow = w.Flow(engine)
    drawn(flow, 1, INSPECTOR)
    drawn(flow, 2, OTHER_INSPECTOR)
    third = w.lodging(3)
    flow.lodge(third)
    flow.assess("D3", Channel.RED)
    asked = overrides.request_override(
        engine,
        "D3",
        Channel.YELLOW,
        "the seals are intact and listed",
        actor=INSPECTOR,
        at=flow.tick(),
    )
    assert asked.override_id == "O-D3-1", asked
    khorgos = w.lodging(
        9,
        post_code="KHR",
        declarant_id="BRK2",
        importer_id="KTZ",
        exporter_id=None,
        manifest_id=None,
        railcars=[],
        reference="REF-KHR-9",
    )
    khorgos = replace(khorgos, items=(w.item("D9", manifest_line_no=None),))
    declarations.lodge(engine, khorgos.declaration, khorgos.items, (), actor="BRK2", at=flow.tick())
    at = flow.tick()
    truck = Conveyance("TRK-KHR1", ConveyanceKind.TRUCK, "870ABC02", "KZ", "KTZ")
    with UnitOfWork(engine, actor="setup", at=at) as uow:
        # the regional chief's region is that of the post he is posted to
        uow.postings.add(Posting(w.REGIONAL_CHIEF.officer_id, "DST", date(2024, 1, 1)))
        uow.conveyances.add(truck)
        uow.crossings.add(Crossing("X-KHR1", "KHR", "TRK-KHR1", Direction.IN, at, laden=True))
        uow.inspections.add(Inspection("I-D9-1", "D9", "PC-KHR1", at, "matrix world"))
        uow.overrides.add(
            Override("O-D9-1", "D9", Channel.RED, Channel.GREEN, "seen at Khorgos", "PC-KHR1", at)
        )
    dostyk_alarm(engine)
    khorgos_alarm(engine)
    # the integrity unit's: a case on each post's officer, a conflict of each
    hq = w.HQ.officer_id
    # Case numbers are drawn at random; the matrix names its two cases, so it fixes them.
    numbers = mock.patch.object(cases, "new_case_id", side_effect=["K-1", "K-2"])
    with numbers:
        for subject in (INSPECTOR, "PC-KHR1"):
            cases.open_case(engine, SubjectKind.INSPECTOR, subject, TEXT, actor=hq, at=flow.tick())
    for subject, party in ((INSPECTOR, w.IMPORTER.party_id), ("PC-KHR1", w.OTHER_BROKER.party_id)):
        conflicts.declare_conflict(
            engine, subject, party, ConflictKind.KIN, TEXT, actor=hq, at=flow.tick()
        )


@dataclass
class Matrix:
    """One app and its store, the callers' tokens and sessions, and a pristine copy to reset."""

    app: FastAPI
    client: TestClient
    pristine: Path
    folder: Path
    tokens: dict[str, str]
    sessions: dict[str, str]
    scopes: dict[str, Scope]
    copies: int = 0
    asked: int = 0
    seen: dict[tuple[str, str, str, str], int] = field(default_factory=dict)

    def on_fresh_store(self) -> Engine:
        """Point the app at a fresh copy of the store (for a change that passed the guard)."""
        self.copies += 1
        path = self.folder / f"copy-{self.copies}.db"
        shutil.copyfile(self.pristine, path)
        old: Engine = self.app.state.engine
        self.app.state.engine = make_engine(f"sqlite:///{path}")
        return old


@pytest.fixture(scope="module")
def matrix(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    folder = tmp_path_factory.mktemp("matrix")
    pristine = folder / "pristine.db"
    shutil.copyfile(web_template, pristine)
    engine = make_engine(f"sqlite:///{pristine}")
    _build(engine)
    tokens, sessions, scopes = {}, {}, {}
    for name in LOGINS:
        secret, _ = accounts.issue_token(
            engine, name, label="matrix", actor="system", at=NOW - timedelta(hours=1)
        )
        tokens[name] = secret
        sessions[name], _ = accounts.open_session(engine, name, at=NOW)
        account = accounts.get_account(engine, name)
        assert account is not None
        scopes[name] = accounts.account_scope(engine, account, NOW)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    working = folder / "working.db"
    shutil.copyfile(pristine, working)
    app = create_app(
        Settings(home=folder, database_url=f"sqlite:///{working}"),
        engine=make_engine(f"sqlite:///{working}"),
        clock=lambda: NOW,
    )
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        yield Matrix(app, client, pristine, folder, tokens, sessions, scopes)
    app.state.engine.dispose()


def _routes(app: FastAPI) -> list[tuple[TableRoute, str, Rule]]:
    """(route, method, rule) for every method of every API route of the app."""
    found = []
    for route in api_routes(app):
        assert len(route.actions) == 1, f"{route.path} names {route.actions}: see test_frame"
        for method in sorted(route.methods):
            found.append((route, method, POLICY[route.actions[0]]))
    return found


def _parameters(route: TableRoute) -> list[str]:
    names = route.path_parameters
    unknown = [n for n in names if n not in PARAMETERS]
    assert not unknown, (
        f"{route.path} has path parameters {unknown} that the authorisation matrix does not know:"
        " add each to PARAMETERS in tests/web/test_authorisation_matrix.py, with a record in reach"
        " and one out of it in _build"
    )
    return names


def _query(route: TableRoute) -> list[str]:
    """The query parameters that name a record of :data:`PARAMETERS` (``?post=KHR``): asked for
    in reach and out of it like a path's."""
    return [n for n in route.query_parameters if n in PARAMETERS]


def _reaches(rule: Rule, login: str, scope: Scope, record: Record, refusal: int) -> bool:
    role = LOGINS[login].role
    if role in PARTY_ROLES:
        # a party reaches the records it is party to, and no post's work; a post named in a
        # listing of his own declarations only narrows it
        if refusal == 403:
            return rule.reach is Reach.OWN_DECLARATIONS
        return bool(scope.parties & record.parties)
    if rule.action in PERSONAL and record.holder is not None:
        officer = LOGINS[login].officer_id
        if record.holder != officer:
            return False
    return scope.covers_post(record.post_code)


def expected(
    rule: Rule, login: str | None, scope: Scope | None, records: list[tuple[Record, int]]
) -> int | None:
    """The status the guard must answer, or None when the request must get past it."""
    if rule.reach is Reach.PUBLIC:
        return None
    if login is None:
        return 401
    if LOGINS[login].role not in rule.roles:
        return 404 if rule.hidden else 403
    assert scope is not None
    for record, refusal in records:
        if not _reaches(rule, login, scope, record, refusal):
            return refusal
    return None


#: The text sent for every string field of a request body: long enough for a written reason.
TEXT = "asked by the authorisation matrix of the web tests"
#: Values for body fields whose schema a plain text does not meet (a pattern), by field name.
EXAMPLES: dict[str, Any] = {
    "amount": "100.00",
    "reference": "MATRIX-1",
    "subject_id": "IN-DST1",
    "party_id": "IMP1",
}


def _example(schema: dict[str, Any], definitions: dict[str, Any], name: str = "") -> Any:
    """The least value ``schema`` accepts: its required fields only, the first of an enum."""
    if name in EXAMPLES:
        return EXAMPLES[name]
    if "$ref" in schema:
        return _example(definitions[schema["$ref"].rsplit("/", 1)[-1]], definitions, name)
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return _example(schema[key][0], definitions, name)
    assert "pattern" not in schema, (
        f"the body field {name!r} has a pattern: add a value that meets it to EXAMPLES in"
        " tests/web/test_authorisation_matrix.py"
    )
    kind = schema.get("type")
    if kind == "object":
        return {
            field: _example(schema["properties"][field], definitions, field)
            for field in schema.get("required", [])
        }
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    return TEXT[: schema.get("maxLength", len(TEXT))]


def body_of(route: TableRoute) -> Any:
    """A body the route's model accepts, so that a request reaches the route's own checks of
    reach (a body the model refuses is answered 422 before them, telling nothing either way)."""
    field = route.route.body_field
    if field is None:
        return {}
    model = getattr(field, "type_", None) or field.field_info.annotation
    if not isinstance(model, type) or not issubclass(model, BaseModel):
        return {}
    schema = model.model_json_schema()
    return _example(schema, schema.get("$defs", {}))


def _ask(matrix: Matrix, route: TableRoute, method: str, url: str, login: str | None) -> Any:
    headers = {}
    if login is not None:
        headers["Authorization"] = f"Bearer {matrix.tokens[login]}"
    matrix.asked += 1
    client = matrix.client
    if method in SAFE_METHODS:
        return client.request(method, url, headers=headers, follow_redirects=False)
    if url.startswith("/api/"):
        body = body_of(route)
        return client.request(method, url, json=body, headers=headers, follow_redirects=False)
    return client.request(method, url, data={}, headers=headers, follow_redirects=False)


def _check(
    matrix: Matrix, route: TableRoute, method: str, rule: Rule, login: str | None, context: str
) -> str | None:
    """One cell of the matrix: None if the answer is the one expected, else what went wrong."""
    names = _parameters(route)
    asked = _query(route)
    records = [(PARAMETERS[n].record(context), PARAMETERS[n].refusal) for n in (*names, *asked)]
    url = route.path_format.format(**{n: PARAMETERS[n].record(context).value for n in names})
    if asked:
        url += "?" + "&".join(f"{n}={PARAMETERS[n].record(context).value}" for n in asked)
    scope = matrix.scopes[login] if login is not None else None
    want = expected(rule, login, scope, records)
    fresh = want is None and method not in SAFE_METHODS
    old = matrix.on_fresh_store() if fresh else None
    try:
        answer = _ask(matrix, route, method, url, login)
    finally:
        if old is not None:
            matrix.app.state.engine.dispose()
            matrix.app.state.engine = old
    got = answer.status_code
    matrix.seen[(method, route.path, login or SIGNED_OUT, context)] = got
    cell = f"{method} {url} as {login or SIGNED_OUT} ({context}): {got}"
    if got >= 500:
        return f"{cell}, a server error: {answer.text[:200]}"
    if want is None:
        refused = got in (401, 404) or (got == 403 and GUARD_WORDS.search(answer.text))
        return (
            f"{cell}, refused though {rule.action} allows it: {answer.text[:200]}"
            if refused
            else None
        )
    if got != want:
        return f"{cell}, expected {want} ({rule.action}: {rule.reach}): {answer.text[:200]}"
    if want == 401 and not url.startswith("/api/") and 'action="/login"' not in answer.text:
        return f"{cell}, a page answers 401 with the sign-in form"
    return None


def test_every_route_answers_every_role_as_its_policy_says(matrix: Matrix) -> None:
    routes = _routes(matrix.app)
    callers: list[str | None] = [None, *LOGINS]
    # reads first, then changes, so that no change can alter what a read sees
    ordered = sorted(routes, key=lambda r: r[1] not in SAFE_METHODS)
    wrong = []
    for route, method, rule in ordered:
        contexts = [OWN, OTHER] if route.path_parameters or _query(route) else [OWN]
        for context in contexts:
            for login in callers:
                problem = _check(matrix, route, method, rule, login, context)
                if problem is not None:
                    wrong.append(problem)
    cells = matrix.asked
    print(
        f"\nauthorisation matrix: {len(routes)} route methods × {len(callers)} callers"
        f" ({len(LOGINS)} roles' accounts and signed out) × own/other where a path or query"
        f" names a record = {cells} requests, {matrix.copies} on fresh copies of the store"
    )
    assert wrong == [], "\n".join(wrong)
    _check_the_contexts_differ(matrix)


def _check_the_contexts_differ(matrix: Matrix) -> None:
    """The world is such that reach is really tested: a declaration's record is answered to the
    broker and the Dostyk officer for their own and refused them for the other, and the other
    way round for Khorgos's chief."""
    path = "/api/v1/declarations/{declaration_id}"
    answers = {
        login: (matrix.seen[("GET", path, login, OWN)], matrix.seen[("GET", path, login, OTHER)])
        for login in ("broker", "officer", "khorgos-chief")
    }
    assert answers == {"broker": (200, 404), "officer": (200, 404), "khorgos-chief": (404, 200)}


def test_a_session_cookie_without_the_csrf_token_cannot_change_anything(matrix: Matrix) -> None:
    """Every unsafe route refuses a session-cookie request that lacks the CSRF token: 403 for
    every role (the sign-in form has a token of its own), before any change is made — or 404,
    for a role a hidden rule does not name, which is told the route does not exist at all."""
    unsafe = [r for r in _routes(matrix.app) if r[1] not in SAFE_METHODS]
    assert unsafe, "the app has forms and API changes"
    wrong = []
    for route, method, rule in unsafe:
        names = _parameters(route)
        url = route.path_format.format(**{n: PARAMETERS[n].own.value for n in names})
        for login in LOGINS:
            matrix.client.cookies.set(SESSION_COOKIE, matrix.sessions[login])
            try:
                if url.startswith("/api/"):
                    answer = matrix.client.request(method, url, json={}, follow_redirects=False)
                else:
                    answer = matrix.client.request(
                        method,
                        url,
                        data={"username": login, "password": "x"},
                        follow_redirects=False,
                    )
            finally:
                matrix.client.cookies.clear()
            hidden = rule.hidden and LOGINS[login].role not in rule.roles
            if answer.status_code != (404 if hidden else 403):
                wrong.append(f"{method} {url} as {login}: {answer.status_code}")
    print(f"\nCSRF: {len(unsafe)} unsafe route methods × {len(LOGINS)} sessions, each refused")
    assert wrong == [], "\n".join(wrong)
