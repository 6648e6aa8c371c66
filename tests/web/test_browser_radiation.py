"""In a real browser: the radiation operator adjudicates an alarm; the post officer sees the
conveyance held and then free.

The app is served on its own copy of the world over loopback HTTP; Plotly comes from Dostyk, the
page fetches nothing from off this machine, and a screenshot of each page is kept.
"""

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
from tests.web.radiation_world import DST_ALARM, dostyk_alarm


@pytest.fixture
def base_url(web_engine: Engine, tmp_path: Path) -> Iterator[str]:
    settings = Settings(home=tmp_path, database_url=str(web_engine.url))
    app = create_app(settings, engine=web_engine, clock=lambda: NOW)
    with serve(app) as url:
        yield url


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(base_url + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def step(page: Page, kind: str, **fields: str) -> None:
    form = page.locator("#step-form")
    form.get_by_label("Step").select_option(kind)
    for label, value in fields.items():
        target = form.locator(f"#{label}")
        if label in ("confirmed", "disposition"):
            target.select_option(value)
        else:
            target.fill(value)
    form.get_by_role("button", name="Record the step").click()


def test_the_operator_adjudicates_and_the_officer_sees_the_goods_held_then_free(
    page: Page, base_url: str, web_engine: Engine, offsite_requests: list[str]
) -> None:
    dostyk_alarm(web_engine)
    held = w.Flow(web_engine).to_payment(w.lodging(1), Channel.GREEN)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))

    sign_in(page, base_url, "officer")
    page.goto(base_url + f"/posts/{w.POST}/held")
    expect(page.locator("#held")).to_contain_text(DST_ALARM)
    expect(page.locator("#held")).to_contain_text(held)
    screenshot(page, "radiation-held-conveyances")

    sign_in(page, base_url, "radiation")
    expect(page).to_have_url(base_url + f"/posts/{w.POST}/radiation")
    expect(page.locator("#lane-RPM-DST-1")).to_contain_text(DST_ALARM)
    screenshot(page, "radiation-alarms-by-lane")
    page.locator("#lane-RPM-DST-1").get_by_role("link", name=DST_ALARM).click()

    expect(page).to_have_url(base_url + f"/radiation/alarms/{DST_ALARM}")
    # Plotly's script is large: parsing it takes seconds on a loaded machine.
    expect(page.locator("body[data-plotted=yes]")).to_be_attached(timeout=60_000)
    expect(page.locator("#counts-profile svg.main-svg").first).to_be_visible()
    assert page.locator("#counts-profile .scatterlayer .trace").count() == 4
    screenshot(page, "radiation-alarm-counts")
    step(page, "second_pass", confirmed="yes")
    step(page, "locate", location="middle of the train, left side")
    step(page, "identify", nuclides="K-40, Th-232")
    step(page, "innocent", disposition="norm", note="ceramic tiles, as declared")
    expect(page.locator("#steps tbody tr")).to_have_count(4)
    expect(page.get_by_role("heading", level=1)).to_contain_text("innocent")
    expect(page.locator("#step-form")).to_have_count(0)
    screenshot(page, "radiation-alarm-adjudicated")

    sign_in(page, base_url, "officer")
    page.goto(base_url + f"/posts/{w.POST}/held")
    expect(page.locator("#none-held")).to_be_visible()
    assert [url for url in asked if not url.startswith("http://127.0.0.1")] == []
    assert offsite_requests == []
