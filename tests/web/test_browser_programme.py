"""In a real browser: the programme manager reads the map of the posts and a post's charts.

The app is served on its own copy of the world over loopback HTTP; the page may fetch nothing from
off this machine (Plotly's script and the map's topojson both come from Dostyk), and a screenshot
of each page is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from dostyk.config import Settings
from dostyk.domain.declarations import Channel
from dostyk.services import site_report as sr
from dostyk.web.app import create_app
from tests.services import world as w
from tests.web.app_world import NOW, PASSWORD
from tests.web.browser import screenshot, serve


@pytest.fixture
def base_url(web_engine: Engine, tmp_path: Path) -> Iterator[str]:
    settings = Settings(home=tmp_path, database_url=str(web_engine.url))
    app = create_app(settings, engine=web_engine, clock=lambda: NOW)
    with serve(app) as url:
        yield url


def test_the_programme_manager_reads_the_map_and_a_post_s_charts(
    page: Page, base_url: str, web_engine: Engine, offsite_requests: list[str]
) -> None:
    flow = w.Flow(web_engine)
    flow.to_payment(w.lodging(1), Channel.GREEN)
    flow.release("D1")
    flow.to_payment(w.lodging(2), Channel.RED)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))

    page.goto(base_url + "/login")
    page.get_by_label("Username").fill("manager")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(base_url + "/programme")
    expect(page.locator("body[data-plotted=yes]")).to_be_attached()
    assert page.locator("#posts-map .geo .countries path").count() > 0
    assert page.locator("#posts-map .scattergeo .point").count() == len(sr.posts(web_engine))
    assert f"{base_url}/static/vendor/topojson/asia_50m.json" in asked
    expect(page.locator(f"#post-{w.POST}")).to_contain_text("Dostyk")
    screenshot(page, "programme-overview-map")

    page.locator(f"#post-{w.POST}").get_by_role("link", name=w.POST).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{w.POST} Dostyk")
    expect(page.locator("body[data-plotted=yes]")).to_be_attached()
    for chart in ("chart-throughput", "chart-dwell", "chart-channels"):
        expect(page.locator(f"#{chart} svg.main-svg").first).to_be_visible()
    assert page.locator("#chart-channels .barlayer .point").count() > 0
    assert page.locator("#chart-dwell .scatterlayer .point").count() > 0
    expect(page.locator("#days-table")).to_contain_text("2025-03-01")
    screenshot(page, "programme-post-charts")
    assert [url for url in asked if not url.startswith("http://127.0.0.1")] == []
    assert offsite_requests == []
