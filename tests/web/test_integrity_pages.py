"""The integrity unit's pages: for the unit alone (404 to every other role), never about the
reader himself, with the ranked list, a subject's evidence and charts, cases, the conflict
register, anomalies and the last ledger verification, each with its JSON twin."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from dostyk.ledger.verification import Finding, Problem, VerificationReport
from dostyk.services.ledger import save_verification
from dostyk.web.principals import CSRF_FIELD
from tests.web.app_world import LOGINS, csrf, sign_in

JSON = {"accept": "application/json"}
#: The integrity account's own officer (an HQ officer): nothing about him is shown to him.
READER = LOGINS["integrity"].officer_id
INTEGRITY_PATHS = [
    "/integrity",
    "/integrity/subjects/inspector/IN-DST1",
    "/integrity/cases",
    "/integrity/conflicts",
    "/integrity/anomalies",
    "/integrity/ledger",
    "/api/v1/integrity",
    "/api/v1/integrity/cases",
    "/api/v1/integrity/conflicts",
]


def evidence(*items: tuple[str, float, float, str]) -> str:
    return json.dumps(
        [
            {"indicator": i, "value": v, "peer_value": p, "z": 3.1, "words": words}
            for i, v, p, words in items
        ]
    )


def write_ranking(home: Path) -> None:
    folder = home / "warehouse" / "integrity"
    folder.mkdir(parents=True)
    at = datetime(2025, 3, 2, tzinfo=UTC)
    low = evidence(("detection_rate", 0.02, 0.11, "finds a fifth of what his peers find"))
    paired = evidence(("over_pairing", 9.0, 2.0, "paired with IN-DST1 4.5 times as often"))
    mine = evidence(("pass_up", 1.0, 0.1, "about the reader"))
    named = evidence(("mirror_gap", 0.3, 0.1, "names the reader as the officer"))
    rows = [
        ("inspector", "IN-DST1", "DST", 0.91, 1, low, "IN-DST1"),
        ("broker", "BRK1", "DST", 0.84, 2, paired, None),
        ("supervisor", READER, "DST", 0.80, 3, mine, READER),
        ("post", "DST", "DST", 0.50, 4, named, READER),
    ]
    names = ["subject_kind", "subject_id", "post_code", "score", "rank", "evidence", "officer_id"]
    table = pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})
    table = table.append_column("computed_at", pa.array([at] * len(rows)))
    pq.write_table(table, folder / "ranking.parquet")
    indicators = pa.table(
        {
            "subject_kind": ["inspector", "inspector", "supervisor"],
            "subject_id": ["IN-DST1", "IN-DST1", READER],
            "indicator": ["detection_rate", "value_uplift", "pass_up"],
            "value": [0.02, 0.01, 1.0],
            "peer_value": [0.11, 0.05, 0.1],
            "z": [-3.1, -2.2, 4.0],
            "p_value": [0.001, 0.02, 0.0001],
        }
    )
    pq.write_table(indicators, folder / "indicators.parquet")


def charts(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="integrity-charts">(.*?)</script>', html, re.S
    )
    assert found, "the page carries its charts as JSON"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


@pytest.mark.parametrize("login", sorted(set(LOGINS) - {"integrity"}))
def test_every_other_role_is_told_the_pages_do_not_exist(client: TestClient, login: str) -> None:
    sign_in(client, login)
    for path in INTEGRITY_PATHS:
        answer = client.get(path)
        assert answer.status_code == 404, (login, path, answer.status_code)
    token = csrf(client)
    answer = client.post("/integrity/cases", data={CSRF_FIELD: token, "subject_kind": "post"})
    assert answer.status_code == 404
    assert 'href="/integrity"' not in client.get("/me").text


def test_the_ranked_list_leaves_out_what_is_about_the_reader(
    client: TestClient, tmp_path: Path
) -> None:
    write_ranking(tmp_path)
    sign_in(client, "integrity")
    assert client.get("/", follow_redirects=False).headers["location"] == "/integrity"
    data = client.get("/integrity", headers=JSON).json()
    assert data == client.get("/api/v1/integrity").json()
    assert [(s["subject_kind"], s["subject_id"]) for s in data["subjects"]] == [
        ("inspector", "IN-DST1"),
        ("broker", "BRK1"),
    ]
    assert data["subjects"][0]["evidence"][0]["words"] == "finds a fifth of what his peers find"
    page = client.get("/integrity")
    assert "finds a fifth of what his peers find" in page.text
    assert "about the reader" not in page.text and "names the reader" not in page.text
    assert [f["element"] for f in charts(page.text)["figures"]] == ["chart-ranking"]
    brokers = client.get("/api/v1/integrity?kind=broker").json()["subjects"]
    assert [s["subject_id"] for s in brokers] == ["BRK1"]


def test_a_subject_s_evidence_with_its_chart_and_not_the_reader_s(
    client: TestClient, tmp_path: Path
) -> None:
    write_ranking(tmp_path)
    sign_in(client, "integrity")
    data = client.get("/api/v1/integrity/subjects/inspector/IN-DST1").json()
    assert data["ranked"]["rank"] == 1
    assert [i["indicator"] for i in data["indicators"]] == ["detection_rate", "value_uplift"]
    page = client.get("/integrity/subjects/inspector/IN-DST1")
    [figure] = charts(page.text)["figures"]
    assert figure["element"] == "chart-indicators"
    assert figure["data"][0]["x"] == ["detection_rate", "value_uplift"]
    assert figure["data"][1]["y"] == [0.11, 0.05]
    assert client.get(f"/integrity/subjects/supervisor/{READER}").status_code == 404
    assert client.get(f"/api/v1/integrity/subjects/supervisor/{READER}").status_code == 404


def test_without_a_ranking_the_page_says_how_to_make_one(client: TestClient) -> None:
    sign_in(client, "integrity")
    page = client.get("/integrity")
    assert page.status_code == 200
    assert "dostyk integrity report" in page.text
    assert client.get("/api/v1/integrity").json()["built"] is False


def test_a_case_is_opened_assigned_and_closed(client: TestClient) -> None:
    sign_in(client, "integrity")
    token = csrf(client)
    opened = client.post(
        "/integrity/cases",
        data={
            CSRF_FIELD: token,
            "subject_kind": "inspector",
            "subject_id": "IN-DST1",
            "reason": "Detection far below his peers at Dostyk",
        },
        follow_redirects=False,
    )
    assert opened.status_code == 303
    path = opened.headers["location"]
    case_id = path.rsplit("/", 1)[-1]
    assigned = client.post(
        f"{path}/assignment", data={CSRF_FIELD: token, "officer_id": READER}, follow_redirects=False
    )
    assert assigned.status_code == 303
    closed = client.post(
        f"{path}/outcome",
        data={CSRF_FIELD: token, "outcome": "referred", "note": "Referred to the prosecutor"},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    case = client.get(f"/api/v1/integrity/cases/{case_id}").json()["case"]
    assert (case["assigned_to"], case["outcome"], case["outcome_note"]) == (
        READER,
        "referred",
        "Referred to the prosecutor",
    )
    again = client.post(
        f"{path}/outcome",
        data={CSRF_FIELD: token, "outcome": "substantiated", "note": "Changed my mind about it"},
    )
    assert again.status_code == 409
    refused = client.post(
        "/api/v1/integrity/cases",
        json={"subject_kind": "supervisor", "subject_id": READER, "reason": "About myself, no"},
        headers={"x-csrf-token": token},
    )
    assert refused.status_code == 422
    assert "nobody opens a case about himself" in refused.text


def test_the_conflict_register_is_kept_from_its_page(client: TestClient, tmp_path: Path) -> None:
    folder = tmp_path / "warehouse" / "integrity"
    folder.mkdir(parents=True)
    suggested = {
        "officer_id": ["IN-DST2", READER],
        "party_id": ["BRK1", "BRK1"],
        "post_code": ["DST", "DST"],
        "inspections": [9, 5],
        "expected": [1.5, 1.0],
        "q_value": [0.001, 0.01],
        "words": ["IN-DST2 inspected 9 declarations of BRK1 where the draws give 1.5", "mine"],
    }
    pq.write_table(pa.table(suggested), folder / "suggested_relationships.parquet")
    sign_in(client, "integrity")
    register = client.get("/api/v1/integrity/conflicts").json()
    assert [(r["officer_id"], r["party_id"]) for r in register["suggested"]] == [
        ("IN-DST2", "BRK1")
    ]
    assert "where the draws give 1.5" in client.get("/integrity/conflicts").text
    token = csrf(client)
    declared = client.post(
        "/integrity/conflicts",
        data={
            CSRF_FIELD: token,
            "officer_id": "IN-DST1",
            "party_id": "IMP1",
            "kind": "financial",
            "note": "The importer pays his child's school fees",
        },
        follow_redirects=False,
    )
    assert declared.status_code == 303
    [conflict] = client.get("/api/v1/integrity/conflicts").json()["conflicts"]
    assert (conflict["officer_id"], conflict["party_id"], conflict["kind"]) == (
        "IN-DST1",
        "IMP1",
        "financial",
    )
    page = client.get("/integrity/conflicts")
    assert "The importer pays his child&#39;s school fees" in page.text
    withdrawn = client.post(
        f"/integrity/conflicts/{conflict['conflict_id']}/withdrawal",
        data={CSRF_FIELD: token},
        follow_redirects=False,
    )
    assert withdrawn.status_code == 303
    [after] = client.get("/api/v1/integrity/conflicts").json()["conflicts"]
    assert after["withdrawn_by"] == READER


def test_the_last_ledger_verification_is_shown_with_the_records_it_named(
    client: TestClient, tmp_path: Path
) -> None:
    sign_in(client, "integrity")
    assert "Not verified on this store yet" in client.get("/integrity/ledger").text
    report = VerificationReport(entries=10, records=9, heads=1)
    report.findings.append(
        Finding(Problem.RECORD_CHANGED, "declarations ['D1']", "status differs from its entry")
    )
    save_verification(tmp_path, report, datetime(2025, 3, 2, 6, 0, tzinfo=UTC))
    data = client.get("/api/v1/integrity/ledger").json()["last"]
    assert (data["ok"], data["verified_at"]) == (False, "2025-03-02T06:00:00Z")
    page = client.get("/integrity/ledger").text
    assert "1 problems found" in page
    assert "declarations [&#39;D1&#39;]" in page


def _fields(answer: Any) -> set[str]:
    assert answer.status_code == 422, answer.text
    return {e["field"] for e in answer.json()["errors"]}


def test_a_refused_case_or_conflict_names_each_field_at_fault(client: TestClient) -> None:
    """The problem's errors say which field to correct (officer_id, party_id, note...), not the
    record the request would have made ("conflict of interest", "case")."""
    sign_in(client, "integrity")
    headers = {"x-csrf-token": csrf(client)}
    unknown = client.post(
        "/api/v1/integrity/conflicts",
        json={"officer_id": "IN-NONE", "party_id": "PARTY-NONE", "kind": "kin", "note": "ab"},
        headers=headers,
    )
    assert _fields(unknown) == {"officer_id", "party_id", "note"}
    case = client.post(
        "/api/v1/integrity/cases",
        json={"subject_kind": "broker", "subject_id": "IMP1", "reason": "short"},
        headers=headers,
    )
    assert _fields(case) == {"subject_id", "reason"}
    opened = client.post(
        "/api/v1/integrity/cases",
        json={"subject_kind": "inspector", "subject_id": "IN-DST1", "reason": "Finds too little"},
        headers=headers,
    ).json()
    path = f"/api/v1/integrity/cases/{opened['case_id']}"
    nobody = client.post(f"{path}/assignment", json={"officer_id": "IN-DST2"}, headers=headers)
    assert _fields(nobody) == {"officer_id"}
    client.post(f"{path}/assignment", json={"officer_id": READER}, headers=headers)
    short = client.post(
        f"{path}/outcome", json={"outcome": "referred", "note": "no"}, headers=headers
    )
    assert _fields(short) == {"note"}


def test_a_subject_nobody_is_is_not_found(client: TestClient, tmp_path: Path) -> None:
    """An unknown id (or a party under a kind it is not) answered an empty page of evidence, as
    if the subject existed and the data had nothing on him."""
    write_ranking(tmp_path)
    sign_in(client, "integrity")
    for path in ("inspector/IN-NONE", "broker/IMP1", "post/NOPE"):
        for prefix in ("", "/api/v1"):
            answer = client.get(f"{prefix}/integrity/subjects/{path}", headers=JSON)
            assert answer.status_code == 404, (path, answer.text)
    assert "no inspector IN-NONE" in client.get("/integrity/subjects/inspector/IN-NONE").text
    known = client.get("/api/v1/integrity/subjects/inspector/IN-DST2")  # known, not ranked
    assert known.status_code == 200 and known.json()["ranked"] is None


def test_to_another_role_a_page_of_the_unit_answers_as_a_path_that_does_not_exist(
    client: TestClient,
) -> None:
    """The hidden pages answered "no such page" under /problems/not-found, a path that does not
    exist "there is nothing at …" under about:blank: the answer told the two apart."""
    sign_in(client, "inspector")

    def answer(path: str, **headers: str) -> tuple[int, str, str]:
        got = client.get(path, headers=headers)
        text = got.text.replace(path, "PATH")
        return got.status_code, got.headers["content-type"], re.sub(r'content="[^"]*"', "", text)

    for path, absent in (
        ("/api/v1/integrity/conflicts", "/api/v1/integrity/conflictz"),
        ("/integrity/subjects/inspector/IN-DST1", "/integrity/subjectz/inspector/IN-DST1"),
    ):
        assert answer(path) == answer(absent), path
        assert answer(path, accept="application/json") == answer(absent, accept="application/json")


def test_a_damaged_analytics_file_is_named_not_a_500(client: TestClient, tmp_path: Path) -> None:
    """A ranking.parquet that is not Parquet (a disk fault, a hand copy cut short) ended every
    page that reads it in "an unexpected error in Dostyk"."""
    write_ranking(tmp_path)
    folder = tmp_path / "warehouse" / "integrity"
    for name in ("ranking.parquet", "suggested_relationships.parquet"):
        (folder / name).write_bytes(b"PAR1 cut short")
    sign_in(client, "integrity")
    for path in (
        "/api/v1/integrity",
        "/integrity",
        "/api/v1/integrity/subjects/inspector/IN-DST1",
        "/api/v1/integrity/conflicts",
    ):
        answer = client.get(path)
        assert answer.status_code == 503, (path, answer.text)
        assert "parquet" in answer.text and "dostyk integrity report" in answer.text, path


def test_a_method_a_hidden_page_does_not_serve_tells_nothing_either(client: TestClient) -> None:
    """The router answered 405 to a DELETE on a hidden path before any check of the caller ran,
    where a path that does not exist answers 404: the difference said the page exists."""
    signed_out = client.delete("/api/v1/integrity/conflicts")
    assert signed_out.status_code == 401, signed_out.text
    sign_in(client, "inspector")
    for path, missing in (
        ("/api/v1/integrity/conflicts", "/api/v1/integrity/conflictz"),
        ("/integrity/cases", "/integrity/casez"),
    ):
        for method in ("DELETE", "PUT", "PATCH"):
            hidden = client.request(method, path, headers=JSON)
            absent = client.request(method, missing, headers=JSON)
            assert hidden.status_code == absent.status_code == 404, (method, path, hidden.text)
            assert hidden.text.replace(path, "PATH") == absent.text.replace(missing, "PATH")


def test_to_the_unit_itself_a_wrong_method_is_still_a_405(client: TestClient) -> None:
    sign_in(client, "integrity")
    answer = client.delete("/api/v1/integrity/conflicts", headers=JSON)
    assert answer.status_code == 405, answer.text
    assert "DELETE is not allowed on /api/v1/integrity/conflicts" in answer.text
