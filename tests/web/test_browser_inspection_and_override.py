"""In a real browser: an inspector records findings and finishes; a supervisor approves an override.

Each test serves the app on its own copy of the world over loopback HTTP and drives the system
Chromium through the pages as a person would — signing in on the form, following links, filling
and submitting forms — saving a screenshot of each page it passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from dostyk.config import Settings
from dostyk.domain.declarations import Channel
from dostyk.services import overrides
from dostyk.web.app import create_app
from tests.services import world as w
from tests.web.app_world import NOW, PASSWORD
from tests.web.browser import screenshot, serve
from tests.web.inspection_world import INSPECTOR, assessed, drawn


@pytest.fixture
def base_url(web_engine: Engine, tmp_path: Path) -> Iterator[str]:
    """The app on this test's world, served on a loopback port, its clock inside the day shift."""
    settings = Settings(home=tmp_path, database_url=str(web_engine.url))
    app = create_app(settings, engine=web_engine, clock=lambda: NOW)
    with serve(app) as url:
        yield url


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(base_url + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_inspector_signs_in_records_a_finding_and_finishes(
    page: Page, base_url: str, web_engine: Engine
) -> None:
    inspection = drawn(w.Flow(web_engine), 1)
    sign_in(page, base_url, "inspector")

    expect(page).to_have_url(base_url + "/inspections")
    expect(page.locator("#my-inspections")).to_contain_text(inspection.inspection_id)
    screenshot(page, "inspector-my-inspections")

    page.get_by_role("link", name=inspection.inspection_id).click()
    expect(
        page.get_by_role("heading", name=f"Inspection {inspection.inspection_id}")
    ).to_be_visible()
    screenshot(page, "inspector-inspection-waiting")
    page.get_by_role("button", name="Start the inspection").click()

    expect(page.locator("#findings-form")).to_be_visible()
    page.locator("#finding-1-kind").select_option("undervaluation")
    page.locator("#finding-1-item_no").select_option("1")
    page.locator("#finding-1-description").fill("invoice in the cab shows USD 31,000")
    page.locator("#finding-1-extra_duty").fill("1250000.00")
    screenshot(page, "inspector-findings-form")
    page.get_by_role("button", name="Record the findings and finish").click()

    expect(page).to_have_url(base_url + "/declarations/D1")
    expect(page.locator(".lead .badge").first).to_have_text("inspected")
    expect(page.locator("#history")).to_contain_text(f"by {INSPECTOR}")
    expect(page.locator("main")).to_contain_text("invoice in the cab shows USD 31,000")
    screenshot(page, "inspector-declaration-inspected")


def test_a_supervisor_signs_in_and_approves_an_override(
    page: Page, base_url: str, web_engine: Engine
) -> None:
    assessed(web_engine, 1, Channel.RED)
    asked = overrides.request_override(
        web_engine, "D1", Channel.GREEN, "cleared weekly, seals intact", actor=INSPECTOR, at=NOW
    )
    sign_in(page, base_url, "supervisor")

    expect(page).to_have_url(base_url + "/supervision")
    row = page.locator(f"#override-{asked.override_id}")
    expect(row).to_contain_text("cleared weekly, seals intact")
    expect(row).to_contain_text(INSPECTOR)
    screenshot(page, "supervisor-overrides-awaiting")
    row.get_by_role("button", name="Approve").click()

    expect(page).to_have_url(base_url + "/supervision")
    expect(page.locator("#post-DST")).to_contain_text("No override request is waiting.")
    screenshot(page, "supervisor-after-approval")

    page.goto(base_url + "/declarations/D1")
    expect(page.locator(".lead .channel-green")).to_be_visible()
    expect(page.locator("#history")).to_contain_text(f"override {asked.override_id} approved")
    screenshot(page, "supervisor-declaration-green")
