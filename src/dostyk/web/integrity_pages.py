"""The integrity unit's pages: the ranked subjects, a subject's evidence, anomalies, the ledger.

Visible to the integrity unit only: every route's rule is hidden (web/policy.py), so any other
role gets 404, as if the pages did not exist. No officer sees indicators about himself: the
ranked list and a subject's evidence leave out every row about the reader's own officer, and his
own subject page is not found (see :mod:`dostyk.web.integrity_results`).

The ranking and indicators are the analytics' Parquet outputs, read as they are. The ledger's
verification is not run on a request: it re-hashes every record, so its cost grows with history,
and a request must not hold a worker for minutes; ``dostyk ledger verify`` (by hand or on a
schedule) keeps its result, which the page shows with its age and the records it named.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from dostyk.web import session
from dostyk.web.assets import PLOTLY_OFFLINE_CONFIG
from dostyk.web.integrity_results import evidence_chart, ranking, ranking_chart, subject
from dostyk.web.policy import Grant, allow
from dostyk.web.problems import not_found
from dostyk.web.templating import navigation, page

pages = APIRouter(tags=["integrity"])
api = APIRouter(prefix="/api/v1", tags=["integrity"])
routers = [pages, api]

navigation("integrity.read", "/integrity", "Integrity")
session.start_page("integrity_unit", "/integrity")

SubjectKindText = Literal["inspector", "supervisor", "broker", "importer", "post"]
SubjectId = Path(
    min_length=1,
    max_length=40,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$",
    description="The subject's service number, party identifier or post code.",
)
KindFilter = Query(description="Only subjects of this kind.")
#: Anomalies shown per page.
PAGE = 100


def values(record: Any) -> dict[str, Any]:
    """A record as JSON: enums as their text, times in ISO 8601 UTC with Z."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if isinstance(value, datetime):
            value = value.isoformat().replace("+00:00", "Z")
        elif hasattr(value, "value"):
            value = value.value
        out[f.name] = value
    return out


def reader(grant: Grant) -> str | None:
    """The reader's officer, whose own indicators are left out."""
    return grant.caller.account.officer_id


def _charts(*figures: dict[str, Any] | None) -> dict[str, Any]:
    return {"config": PLOTLY_OFFLINE_CONFIG, "figures": [f for f in figures if f is not None]}


def _ranking(request: Request, grant: Grant, kind: str | None) -> dict[str, Any]:
    ranked = ranking(request.app.state.settings.home, reader(grant), kind)
    return {
        "built": ranked.built,
        "computed_at": ranked.computed_at,
        "kind": kind,
        "subjects": ranked.subjects,
    }


@pages.get("/integrity", include_in_schema=False)
def ranking_page(
    request: Request,
    grant: Annotated[Grant, allow("integrity.read")],
    kind: Annotated[SubjectKindText | None, KindFilter] = None,
) -> Response:
    data = _ranking(request, grant, kind)
    context = {"charts": _charts(ranking_chart(data["subjects"]))}
    return page(request, "integrity_ranking.html", data, context)


@api.get("/integrity", summary="The ranked subjects with their scores and evidence")
def ranked_subjects(
    request: Request,
    grant: Annotated[Grant, allow("integrity.read")],
    kind: Annotated[SubjectKindText | None, KindFilter] = None,
) -> dict[str, Any]:
    return _ranking(request, grant, kind)


def _subject(request: Request, grant: Grant, kind: str, subject_id: str) -> dict[str, Any]:
    from dostyk.store.integrity_repositories import Anomalies, Cases

    me = reader(grant)
    if me is not None and kind in ("inspector", "supervisor") and subject_id == me:
        raise not_found(f"no {kind} {subject_id} to show")
    row, indicators = subject(request.app.state.settings.home, me, kind, subject_id)
    engine = request.app.state.engine
    if row is None and not indicators:
        from dostyk.domain.cases import SubjectKind
        from dostyk.services.cases import subject_problem

        unknown = subject_problem(engine, SubjectKind(kind), subject_id)
        if unknown is not None:
            raise not_found(unknown)
    with engine.connect() as connection:
        cases = [values(c) for c in Cases(connection).of_subject(kind, subject_id)]
        anomalies = (
            [values(a) for a in Anomalies(connection).of_officer(subject_id)]
            if kind in ("inspector", "supervisor")
            else []
        )
    return {
        "subject_kind": kind,
        "subject_id": subject_id,
        "ranked": row,
        "indicators": indicators,
        "anomalies": anomalies,
        "cases": cases,
    }


@pages.get("/integrity/subjects/{subject_kind}/{subject_id}", include_in_schema=False)
def subject_page(
    request: Request,
    grant: Annotated[Grant, allow("integrity.read")],
    subject_kind: SubjectKindText,
    subject_id: Annotated[str, SubjectId],
) -> Response:
    data = _subject(request, grant, subject_kind, subject_id)
    context = {"charts": _charts(evidence_chart(subject_id, data["indicators"]))}
    return page(request, "integrity_subject.html", data, context)


@api.get(
    "/integrity/subjects/{subject_kind}/{subject_id}",
    summary="A subject's evidence: his indicators against peers, anomalies and cases",
)
def subject_evidence(
    request: Request,
    grant: Annotated[Grant, allow("integrity.read")],
    subject_kind: SubjectKindText,
    subject_id: Annotated[str, SubjectId],
) -> dict[str, Any]:
    return _subject(request, grant, subject_kind, subject_id)


def _anomalies(request: Request, grant: Grant, offset: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from dostyk.store import tables as t
    from dostyk.store.integrity_repositories import Anomalies

    me = reader(grant)
    with request.app.state.engine.connect() as connection:
        shown = [
            values(a)
            for a in Anomalies(connection).page(PAGE, offset)
            if me is None or a.officer_id != me
        ]
        column = t.anomalies.c.control
        counts = {
            str(control): int(n)
            for control, n in connection.execute(
                select(column, func.count()).group_by(column).order_by(column)
            )
        }
    return {"offset": offset, "page": PAGE, "counts": counts, "anomalies": shown}


Offset = Query(ge=0, le=10**9, description="How many anomalies to skip (newest first).")


@pages.get("/integrity/anomalies", include_in_schema=False)
def anomalies_page(
    request: Request,
    grant: Annotated[Grant, allow("integrity.read")],
    offset: Annotated[int, Offset] = 0,
) -> Response:
    return page(request, "integrity_anomalies.html", _anomalies(request, grant, offset))


@api.get(
    "/integrity/anomalies",
    summary="Records of imported history that break a control, newest first, with counts",
)
def anomalies(
    request: Request,
    grant: Annotated[Grant, allow("integrity.read")],
    offset: Annotated[int, Offset] = 0,
) -> dict[str, Any]:
    return _anomalies(request, grant, offset)


def _verification(request: Request) -> dict[str, Any]:
    from dostyk.services.ledger import LAST_VERIFICATION, last_verification

    home = request.app.state.settings.home
    return {
        "last": last_verification(home),
        "kept_at": str(home / LAST_VERIFICATION),
        "command": "dostyk ledger verify",
    }


@pages.get("/integrity/ledger", include_in_schema=False)
def verification_page(
    request: Request, grant: Annotated[Grant, allow("integrity.read")]
) -> Response:
    return page(request, "integrity_ledger.html", _verification(request))


@api.get(
    "/integrity/ledger",
    summary="The last `dostyk ledger verify`: when, what it counted and every record it named",
)
def verification(
    request: Request, grant: Annotated[Grant, allow("integrity.read")]
) -> dict[str, Any]:
    return _verification(request)
