"""The reviewer's pages and endpoints: appeals and post-clearance audits of inspections' results."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from dostyk.domain.inspections import Finding, FindingKind, Inspection
from dostyk.domain.officers import Posting
from dostyk.store.unit_of_work import UnitOfWork
from tests.services import world as w
from tests.web.app_world import csrf, sign_in
from tests.web.inspection_world import drawn

JSON = {"Accept": "application/json"}
REASON = "The bank statement confirms the invoice price"


def finished(engine: Engine, n: int = 1, released: bool = False) -> Inspection:
    """D<n> inspected with one undervaluation finding adding 1,250,000.00 of duty."""
    flow = w.Flow(engine)
    inspection = flow.start(drawn(flow, n))
    finding = Finding(
        inspection.inspection_id, 1, FindingKind.UNDERVALUATION, "invoice", Decimal("1250000.00")
    )
    done = flow.finish(inspection, [finding])
    if released:
        flow.duties(done.declaration_id)
        flow.pay(done.declaration_id)
        flow.release(done.declaration_id)
    return done


def test_a_post_chief_reverses_a_finding_on_the_form_and_sees_it_listed(
    client: TestClient, web_engine: Engine
) -> None:
    inspection = finished(web_engine)
    sign_in(client, "chief")
    path = f"/inspections/{inspection.inspection_id}/reviews"
    found = client.get(f"/reviews?inspection={inspection.inspection_id}", follow_redirects=False)
    assert (found.status_code, found.headers["location"]) == (303, path)
    page = client.get(path)
    assert page.status_code == 200
    assert 'id="review-form"' in page.text and "No review of this inspection" in page.text
    done = client.post(
        path,
        data={
            "csrf_token": csrf(client),
            "kind": "appeal",
            "outcome": "no_basis",
            "finding_no": "1",
            "duty_amount": "1250000.00",
            "reason": REASON,
        },
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, path)
    twin = client.get(f"/api/v1{path}").json()
    assert client.get(path, headers=JSON).json() == twin
    [review] = twin["reviews"]
    assert (review["kind"], review["outcome"], review["reviewed_by"], review["reverses"]) == (
        "appeal",
        "no_basis",
        w.POST_CHIEF.officer_id,
        True,
    )
    assert twin["findings"][0]["extra_duty"] == "1250000.00"  # the finding itself stays
    listed = client.get("/api/v1/reviews").json()
    assert ([r["review_id"] for r in listed["reviews"]], listed["reversed"]) == (
        [review["review_id"]],
        1,
    )
    assert review["review_id"] in client.get("/reviews").text


def test_the_api_answers_refusals_as_problems(client: TestClient, web_engine: Engine) -> None:
    inspection = finished(web_engine)
    path = f"/api/v1/inspections/{inspection.inspection_id}/reviews"
    body = {"kind": "appeal", "outcome": "fraud_missed", "reason": REASON}

    sign_in(client, "inspector")
    refused = client.post(path, json=body, headers={"X-CSRF-Token": csrf(client)})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")

    sign_in(client, "chief")
    token = {"X-CSRF-Token": csrf(client)}
    invalid = client.post(path, json=body, headers=token)
    assert invalid.status_code == 422, invalid.text
    assert "an appeal concludes no_basis or upheld" in invalid.text
    upheld = client.post(path, json={**body, "outcome": "upheld", "finding_no": 1}, headers=token)
    assert upheld.status_code == 201, upheld.text
    assert upheld.json()["reverses"] is False
    again = client.post(path, json={**body, "outcome": "upheld", "finding_no": 1}, headers=token)
    assert again.status_code == 409
    audit = client.post(path, json={**body, "kind": "audit", "outcome": "upheld"}, headers=token)
    assert audit.status_code == 403  # a post chief does not audit his own post
    assert "only a regional_chief or above" in audit.text

    sign_in(client, "khorgos-chief")  # another post's chief: the inspection is not there
    assert client.get(path).status_code == 404
    outside = client.post(path, json=body, headers={"X-CSRF-Token": csrf(client)})
    assert outside.status_code == 404


def test_a_regional_chief_audits_a_released_declaration(
    client: TestClient, web_engine: Engine
) -> None:
    inspection = finished(web_engine, released=True)
    with UnitOfWork(web_engine, actor="setup", at=w.ARRIVED) as uow:
        # The regional chief's office is at the post: his reach is the region's posts.
        uow.postings.add(Posting(w.REGIONAL_CHIEF.officer_id, w.POST, date(2024, 1, 1)))
    sign_in(client, "regional")
    path = f"/api/v1/inspections/{inspection.inspection_id}/reviews"
    done = client.post(
        path,
        json={
            "kind": "audit",
            "outcome": "fraud_missed",
            "duty_amount": "800000.00",
            "reason": "Bank records show a second, unreported payment",
        },
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert done.status_code == 201, done.text
    assert (done.json()["outcome"], done.json()["finding_no"], done.json()["duty_amount"]) == (
        "fraud_missed",
        None,
        "800000.00",
    )


def test_a_refused_review_names_each_field_at_fault(client: TestClient, web_engine: Engine) -> None:
    """Each broken rule is filed under the field to correct, not under "appeal of inspection
    I-…", so that a client can point at it."""
    inspection = finished(web_engine)
    path = f"/api/v1/inspections/{inspection.inspection_id}/reviews"
    sign_in(client, "chief")
    body = {
        "kind": "appeal",
        "outcome": "fraud_missed",
        "reason": "too short",
        "finding_no": 7,
    }
    refused = client.post(path, json=body, headers={"X-CSRF-Token": csrf(client)})
    assert refused.status_code == 422, refused.text
    fields = {e["field"] for e in refused.json()["errors"]}
    assert fields == {"reason", "outcome", "finding_no"}
    upheld = {"kind": "appeal", "outcome": "upheld", "reason": REASON, "finding_no": 1}
    changed = client.post(
        path, json={**upheld, "duty_amount": "10.00"}, headers={"X-CSRF-Token": csrf(client)}
    )
    assert changed.status_code == 422, changed.text
    assert [e["field"] for e in changed.json()["errors"]] == ["duty_amount"]


def test_a_reason_too_long_for_the_record_is_refused_on_the_form_not_cut(
    client: TestClient, web_engine: Engine
) -> None:
    """The form kept the first 2,000 characters of a longer reason and recorded them as if the
    reviewer had written that; the API refuses such a reason, and so does the form now."""
    inspection = finished(web_engine)
    sign_in(client, "chief")
    path = f"/inspections/{inspection.inspection_id}/reviews"
    refused = client.post(
        path,
        data={
            "csrf_token": csrf(client),
            "kind": "appeal",
            "outcome": "upheld",
            "finding_no": "1",
            "reason": REASON + " " + "x" * 2000,
        },
        follow_redirects=False,
    )
    assert refused.status_code == 422, refused.text
    assert "reason" in refused.text and "2,000" in refused.text
    assert client.get(f"/api/v1{path}").json()["reviews"] == []
