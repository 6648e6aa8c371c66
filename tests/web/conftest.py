"""Fixtures for the web tests: the services' world with accounts and a client of the app; a live
server and a Chromium page that must stay offline.

Without Chromium the browser tests are skipped with the reason shown, except under CI
(``CI=true``), where they fail: CI must prove the pages work in a browser. Each pytest-xdist
worker launches its own browser and serves its own apps on ports the system picks, so the
fixtures are safe under ``-n 2``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, Playwright, Request, sync_playwright
from sqlalchemy import Engine
from starlette.types import ASGIApp

from dostyk.store.engine import make_engine
from tests.conftest import make_store
from tests.services.world import build_world
from tests.web.app_world import add_accounts, client_on
from tests.web.browser import chromium_path, chromium_problem, is_offsite, serve


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The world with its accounts on SQLite, built once per test process and copied."""
    path = tmp_path_factory.mktemp("web") / "dostyk.db"
    engine = make_store(f"sqlite:///{path}")
    build_world(engine)
    add_accounts(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def web_engine(web_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "dostyk.db"
    shutil.copyfile(web_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def client(web_engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    with client_on(web_engine, tmp_path) as test_client:
        yield test_client


@pytest.fixture
def pg_client(world: Engine, tmp_path: Path) -> Iterator[TestClient]:
    """The same on both back ends (``world`` is parametrised over SQLite and PostgreSQL)."""
    add_accounts(world)
    with client_on(world, tmp_path) as test_client:
        yield test_client


@pytest.fixture
def world(engine: Engine) -> Engine:
    build_world(engine)
    return engine


AppFactory = Callable[[], ASGIApp]


class LiveServers:
    """Serves each app factory once for the session; calling it gives the app's base URL."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self._urls: dict[AppFactory, str] = {}

    def __call__(self, factory: AppFactory) -> str:
        if factory not in self._urls:
            self._urls[factory] = self._stack.enter_context(serve(factory()))
        return self._urls[factory]


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServers]:
    """``live_server(factory)`` serves ``factory()`` on 127.0.0.1 and returns its base URL."""
    with ExitStack() as stack:
        yield LiveServers(stack)


def need_chromium() -> None:
    problem = chromium_problem()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI requires the browser tests to run: {problem}")
    pytest.skip(problem)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    need_chromium()
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """The system Chromium, headless, shared by one worker's tests."""
    chromium = playwright.chromium.launch(executable_path=str(chromium_path()), headless=True)
    yield chromium
    chromium.close()


@pytest.fixture
def offsite_requests() -> list[str]:
    """Every URL the test's page asked for beyond 127.0.0.1 (each one was blocked)."""
    return []


@pytest.fixture
def page(browser: Browser, offsite_requests: list[str]) -> Iterator[Page]:
    """A fresh page in a context of its own, which may load nothing from off this machine.

    A request for another host is recorded in ``offsite_requests`` and aborted, so a CDN link is
    caught even when the page would render without it; the test fails at teardown if any was made.
    """
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")

    def watch(request: Request) -> None:
        if is_offsite(request.url):
            offsite_requests.append(request.url)

    context.on("request", watch)
    context.route(lambda url: is_offsite(url), lambda route: route.abort())
    opened = context.new_page()
    yield opened
    context.close()
    assert offsite_requests == [], f"the page fetched from off this machine: {offsite_requests}"
