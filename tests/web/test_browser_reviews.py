"""In a real browser: a post chief finds an inspection and reverses its finding on appeal.

Served on its own copy of the world over loopback HTTP, driving the system Chromium through the
pages as a person would — the navigation link, the look-up form, the review form — saving a
screenshot of each page it passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from dostyk.config import Settings
from dostyk.web.app import create_app
from tests.services import world as w
from tests.web.app_world import NOW
from tests.web.browser import screenshot, serve
from tests.web.test_browser_inspection_and_override import sign_in
from tests.web.test_review_pages import finished


@pytest.fixture
def base_url(web_engine: Engine, tmp_path: Path) -> Iterator[str]:
    """The app on this test's world, served on a loopback port, its clock inside the day shift."""
    settings = Settings(home=tmp_path, database_url=str(web_engine.url))
    app = create_app(settings, engine=web_engine, clock=lambda: NOW)
    with serve(app) as url:
        yield url


def test_a_post_chief_reverses_a_finding_on_appeal(
    page: Page, base_url: str, web_engine: Engine
) -> None:
    inspection = finished(web_engine)
    sign_in(page, base_url, "chief")
    expect(page).to_have_url(base_url + "/supervision")

    page.get_by_role("link", name="Reviews").click()
    expect(page.get_by_role("heading", name="Reviews of inspections' results")).to_be_visible()
    expect(page.locator("main")).to_contain_text("No inspection's result has been reviewed")
    page.get_by_label("Inspection").fill(inspection.inspection_id)
    screenshot(page, "chief-reviews-empty")
    page.get_by_role("button", name="Open its reviews").click()

    expect(page).to_have_url(f"{base_url}/inspections/{inspection.inspection_id}/reviews")
    expect(page.locator("#findings")).to_contain_text("undervaluation")
    page.get_by_label("Kind").select_option("appeal")
    page.get_by_label("Outcome").select_option("no_basis")
    page.get_by_label("Finding reviewed").select_option("1")
    page.get_by_label("Duty added (fraud missed) or remitted").fill("1250000.00")
    page.get_by_label("Reason").fill("The bank statement confirms the invoice price")
    screenshot(page, "chief-review-form")
    page.get_by_role("button", name="Record the review").click()

    row = page.locator(f"#review-V-{inspection.inspection_id}-1")
    expect(row).to_contain_text("no basis")
    expect(row).to_contain_text(w.POST_CHIEF.officer_id)
    expect(row).to_contain_text("The bank statement confirms the invoice price")
    screenshot(page, "chief-review-recorded")

    page.get_by_role("link", name="All latest reviews").click()
    expect(page.locator("#latest-reviews")).to_contain_text(inspection.inspection_id)
    expect(page.locator(".lead")).to_contain_text("1 reversed")
