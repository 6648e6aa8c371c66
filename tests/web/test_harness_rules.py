"""The harness's own rules: what counts as leaving the machine, and where screenshots go."""

from __future__ import annotations

import pytest

from tests.web.browser import REPO, SCREENSHOTS, chromium_path, is_offsite


@pytest.mark.parametrize(
    ("url", "offsite"),
    [
        ("http://127.0.0.1:8123/static/dostyk.css", False),
        ("data:image/png;base64,iVBORw0KGgo=", False),
        ("blob:http://127.0.0.1:8123/5d1c", False),
        ("about:blank", False),
        ("https://cdn.plot.ly/un/asia_50m.json", True),
        ("https://validator.swagger.io/validator", True),
        ("http://localhost:8123/", True),
        ("http://127.0.0.1.example.com/", True),
    ],
)
def test_only_loopback_requests_stay_on_the_machine(url: str, offsite: bool) -> None:
    assert is_offsite(url) is offsite


def test_chromium_is_found_where_the_environment_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOSTYK_CHROMIUM", raising=False)
    assert str(chromium_path()) == "/usr/bin/chromium"
    monkeypatch.setenv("DOSTYK_CHROMIUM", "/opt/chromium/chrome")
    assert str(chromium_path()) == "/opt/chromium/chrome"


def test_screenshots_land_in_the_ignored_artefacts_folder() -> None:
    assert SCREENSHOTS.relative_to(REPO).as_posix() == "var/test-artifacts/screenshots"
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/var/" in ignored
