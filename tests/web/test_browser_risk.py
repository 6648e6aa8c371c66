"""In a real browser: the risk analyst reads the selectivity page and its charts, drawn from the
served Plotly with nothing fetched off this machine; a screenshot is kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from dostyk.config import Settings
from dostyk.domain.declarations import Channel
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


def test_the_risk_analyst_reads_hit_rates_and_selection_over_time(
    page: Page, base_url: str, web_engine: Engine, offsite_requests: list[str]
) -> None:
    page.set_default_timeout(120_000)  # the page loads the served Plotly, large on a busy machine
    flow = w.Flow(web_engine)
    flow.to_payment(w.lodging(1), Channel.RED)
    flow.to_payment(w.lodging(2), Channel.GREEN)

    page.goto(base_url + "/login")
    page.get_by_label("Username").fill("analyst")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Risk")).to_be_visible()
    page.goto(base_url + "/risk", wait_until="domcontentloaded")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Selectivity")
    expect(page.locator("body[data-plotted=yes]")).to_be_attached(timeout=120_000)
    assert page.locator("#risk-channels .bars .point").count() == 2
    expect(page.locator("#profiles")).to_contain_text("rules:v1")
    expect(page.locator("#active-model")).to_have_text("none")
    screenshot(page, "risk-analyst")
    assert offsite_requests == []
