"""In a real browser: the integrity unit reads the ranked list, a subject's evidence and charts,
opens a case on him and declares a conflict of interest; nothing is fetched from elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from dostyk.config import Settings
from dostyk.web.app import create_app
from tests.web.app_world import NOW, PASSWORD
from tests.web.browser import screenshot, serve
from tests.web.test_integrity_pages import write_ranking


@pytest.fixture
def base_url(web_engine: Engine, tmp_path: Path) -> Iterator[str]:
    write_ranking(tmp_path)
    settings = Settings(home=tmp_path, database_url=str(web_engine.url))
    app = create_app(settings, engine=web_engine, clock=lambda: NOW)
    with serve(app) as url:
        yield url


def test_the_integrity_unit_reads_the_evidence_and_opens_a_case(
    page: Page, base_url: str, offsite_requests: list[str]
) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Username").fill("integrity")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(base_url + "/integrity")
    expect(page.locator("body[data-plotted=yes]")).to_be_attached()
    expect(page.locator("#chart-ranking svg.main-svg").first).to_be_visible()
    expect(page.locator("#subject-inspector-IN-DST1")).to_contain_text("finds a fifth")
    assert page.locator("#ranking tbody tr").count() == 2  # the reader's own rows left out
    screenshot(page, "integrity-ranking")

    page.get_by_role("link", name="inspector IN-DST1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("inspector IN-DST1")
    expect(page.locator("body[data-plotted=yes]")).to_be_attached()
    assert page.locator("#chart-indicators .barlayer .point").count() == 4
    screenshot(page, "integrity-subject-evidence")

    page.get_by_label("Why open a case").fill("Detection far below his peers at Dostyk")
    page.get_by_role("button", name="Open a case").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case K-")
    page.get_by_role("button", name="Assign").click()
    page.get_by_label("What the case established").fill("Referred to the prosecutor's office")
    page.get_by_label("Outcome").select_option("referred")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.locator("#outcome")).to_contain_text("referred: Referred to the prosecutor")
    screenshot(page, "integrity-case")

    page.goto(base_url + "/integrity/conflicts")
    page.get_by_label("Officer (service number)").fill("IN-DST1")
    page.get_by_label("Party").fill("IMP1")
    page.get_by_label("Kind").select_option("financial")
    page.get_by_label("What the relationship is").fill("The importer pays his child's school fees")
    page.get_by_role("button", name="Declare").click()
    expect(page.locator("#conflicts")).to_contain_text("The importer pays his child's school fees")
    screenshot(page, "integrity-conflicts")
    assert offsite_requests == []
