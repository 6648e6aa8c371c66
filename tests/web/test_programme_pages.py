"""The programme manager's pages: the national overview and a post's page, their JSON twins,
their charts' figures, and their reach (national for headquarters, a region for its chief)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from dostyk.domain.declarations import Channel
from dostyk.domain.officers import Posting
from dostyk.services import site_report as sr
from dostyk.store.unit_of_work import UnitOfWork
from tests.services import world as w
from tests.web.app_world import sign_in

JSON = {"accept": "application/json"}
DAY = "start=2025-03-01&end=2025-03-01"


def traffic(engine: Engine) -> None:
    """D1 green and released five minutes after lodgement; D2 red, paid, waiting."""
    flow = w.Flow(engine)
    flow.to_payment(w.lodging(1), Channel.GREEN)
    flow.release("D1")
    flow.to_payment(w.lodging(2), Channel.RED)


def charts(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="programme-charts">(.*?)</script>', html, re.S
    )
    assert found, "the page carries its charts as JSON"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def region_of(engine: Engine, code: str) -> str:
    return next(p.region for p in sr.posts(engine) if p.code == code)


def post_chief_of_the_region(engine: Engine) -> None:
    """The regional chief is posted at Dostyk, so his reach is Dostyk's region."""
    with UnitOfWork(engine, actor="setup", at=w.ARRIVED) as uow:
        uow.postings.add(Posting(w.REGIONAL_CHIEF.officer_id, w.POST, date(2024, 1, 1)))


def test_the_manager_starts_on_the_national_overview(client: TestClient) -> None:
    sign_in(client, "manager")

    assert client.get("/", follow_redirects=False).headers["location"] == "/programme"
    page = client.get("/programme")

    assert page.status_code == 200
    assert '<a href="/programme" aria-current="page">Programme</a>' in page.text
    assert page.text.count('<tr id="post-') == len(sr.posts(client.app.state.engine))  # type: ignore[attr-defined]


def test_the_overview_s_twin_is_the_api(client: TestClient, web_engine: Engine) -> None:
    traffic(web_engine)
    sign_in(client, "manager")

    twin = client.get(f"/programme?{DAY}&sort=declarations&order=desc", headers=JSON)
    api = client.get(f"/api/v1/programme?{DAY}&sort=declarations&order=desc")

    assert twin.status_code == api.status_code == 200
    assert twin.json() == api.json()
    data = api.json()
    assert data["period"] == {
        "start": "2025-03-01",
        "end": "2025-03-01",
        "days": 1,
        "max_days": sr.MAX_DAYS,
        "utc_offset_hours": 5,
    }
    first = data["posts"][0]
    assert first["post_code"] == w.POST  # the only post with declarations, sorted first
    assert first["totals"]["declarations"] == 2
    assert first["totals"]["railcars_in"] == w.RAILCARS
    assert first["channels"] == {"green": 1, "yellow": 0, "red": 1, "unassessed": 0}
    assert first["dwell"]["released"] == 1
    assert first["dwell"]["median_hours"] == pytest.approx(4 / 60, abs=1e-3)
    assert first["rpm_lanes"] > 0 and first["rpm_funder"] and first["electronic_since"]


def test_the_overview_draws_the_posts_on_the_vendored_map(client: TestClient) -> None:
    sign_in(client, "manager")

    page = client.get(f"/programme?{DAY}&colour=rollout")

    figures = charts(page.text)
    assert figures["config"]["topojsonURL"] == "/static/vendor/topojson/"
    (posts_map,) = figures["figures"]
    assert posts_map["element"] == "posts-map"
    assert posts_map["layout"]["geo"]["scope"] == "asia"
    assert {trace["type"] for trace in posts_map["data"]} == {"scattergeo"}
    drawn = sum(len(trace["lat"]) for trace in posts_map["data"])
    assert drawn == len(sr.posts(client.app.state.engine))  # type: ignore[attr-defined]
    assert "cdn.plot.ly" not in page.text
    assert '<script src="/static/plotly.min.js" defer></script>' in page.text
    assert '<script src="/static/programme.js" defer></script>' in page.text


def test_a_post_s_page_and_its_twin(client: TestClient, web_engine: Engine) -> None:
    traffic(web_engine)
    sign_in(client, "manager")

    path = f"/programme/posts/{w.POST}?start=2025-03-01&end=2025-03-02"
    page = client.get(path)
    twin = client.get(path, headers=JSON)
    api = client.get(f"/api/v1{path}")

    assert page.status_code == twin.status_code == api.status_code == 200
    assert twin.json() == api.json()
    days = api.json()["days"]
    assert [d["day"] for d in days] == ["2025-03-01", "2025-03-02"]
    assert [d["declarations"] for d in days] == [2, 0]
    assert [d["channels"]["red"] for d in days] == [1, 0]
    figures = {f["element"]: f for f in charts(page.text)["figures"]}
    assert set(figures) == {"chart-throughput", "chart-dwell", "chart-channels"}
    declared = next(t for t in figures["chart-throughput"]["data"] if t["name"] == "declarations")
    assert declared["y"] == [2, 0]
    median = figures["chart-dwell"]["data"][0]
    assert median["y"][0] == pytest.approx(4 / 60, abs=1e-3) and median["y"][1] is None
    assert '<tr id="day-2025-03-01">' in page.text


def test_a_regional_chief_reads_his_region_only(client: TestClient, web_engine: Engine) -> None:
    post_chief_of_the_region(web_engine)
    region = region_of(web_engine, w.POST)
    outside = next(p.code for p in sr.posts(web_engine) if p.region != region)
    sign_in(client, "regional")

    listed = client.get(f"/api/v1/programme?{DAY}").json()["posts"]
    refused = client.get(f"/api/v1/programme/posts/{outside}?{DAY}")
    refused_page = client.get(f"/programme/posts/{outside}?{DAY}")
    refused_filter = client.get(f"/api/v1/programme?{DAY}&post={outside}")

    assert listed and {p["region"] for p in listed} == {region}
    assert w.POST in {p["post_code"] for p in listed}
    assert client.get(f"/api/v1/programme/posts/{w.POST}?{DAY}").status_code == 200
    assert refused.status_code == refused_page.status_code == refused_filter.status_code == 403
    assert f"post {outside} is outside your reach" in refused.json()["detail"]


@pytest.mark.parametrize("username", ["broker", "inspector", "officer", "analyst"])
def test_the_programme_is_not_for_other_roles(client: TestClient, username: str) -> None:
    sign_in(client, username)

    assert client.get("/api/v1/programme").status_code == 403
    assert client.get(f"/programme/posts/{w.POST}").status_code == 403
    assert 'href="/programme"' not in client.get("/me").text


def test_signed_out_is_asked_to_sign_in(client: TestClient) -> None:
    assert client.get("/api/v1/programme").status_code == 401
    assert client.get("/programme").status_code == 401


def test_a_bad_period_or_post_is_named(client: TestClient) -> None:
    sign_in(client, "manager")

    backwards = client.get("/api/v1/programme?start=2025-03-02&end=2025-03-01")
    too_long = client.get("/api/v1/programme?start=2025-01-01&end=2025-12-31")
    not_a_day = client.get("/api/v1/programme?start=first-of-march")
    unknown = client.get("/api/v1/programme/posts/NOPE")
    bad_sort = client.get("/api/v1/programme?sort=bribes")

    assert backwards.status_code == too_long.status_code == not_a_day.status_code == 422
    assert [e["field"] for e in backwards.json()["errors"]] == ["start"]
    assert [e["field"] for e in too_long.json()["errors"]] == ["end"]
    assert [e["field"] for e in not_a_day.json()["errors"]] == ["start"]
    assert unknown.status_code == 404 and "no post NOPE" in unknown.json()["detail"]
    assert bad_sort.status_code == 422 and bad_sort.json()["errors"][0]["field"] == "sort"


def test_a_blank_post_filter_shows_every_post_in_reach(client: TestClient) -> None:
    sign_in(client, "manager")

    every = client.get(f"/api/v1/programme?{DAY}").json()["posts"]
    blank = client.get(f"/programme?{DAY}&post=", headers=JSON).json()["posts"]
    one = client.get(f"/api/v1/programme?{DAY}&post={w.POST}").json()["posts"]

    assert blank == every
    assert [p["post_code"] for p in one] == [w.POST]


def test_the_table_sorts_by_any_figure(client: TestClient) -> None:
    sign_in(client, "manager")

    def order(sort: str, direction: str) -> list[str]:
        posts = client.get(f"/api/v1/programme?{DAY}&sort={sort}&order={direction}").json()
        return [p["post_code"] for p in posts["posts"]]

    by_lanes = client.get(f"/api/v1/programme?{DAY}&sort=rpm_lanes&order=desc").json()["posts"]
    lanes = [p["rpm_lanes"] for p in by_lanes]
    assert lanes == sorted(lanes, reverse=True)
    assert order("post", "asc") == sorted(order("post", "asc"))
    assert order("post", "desc") == sorted(order("post", "asc"), reverse=True)
    rollout = client.get(f"/api/v1/programme?{DAY}&sort=electronic_since").json()["posts"]
    dates = [p["electronic_since"] for p in rollout]
    known = [d for d in dates if d is not None]
    assert known == sorted(known) and dates[: len(known)] == known  # never-electronic last
