"""The browser-test harness: the system Chromium, a live server, screenshots.

Browser tests drive Debian's ``chromium`` (``make setup`` installs it when missing; Playwright
cannot download its own browsers here) through Playwright for Python. The app under test is
served by uvicorn on a free loopback port in a background thread, so the browser talks to it
over real HTTP, and every request the page makes can be checked to have stayed on 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import uvicorn
from playwright.sync_api import Page
from starlette.types import ASGIApp

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "var" / "test-artifacts" / "screenshots"
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
LOOPBACK = "127.0.0.1"

#: Seconds to wait for a served app to answer, or to stop, before the harness gives up.
SERVER_TIMEOUT = 15.0

_SCREENSHOT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# Schemes that never reach the network: the page's own data, blobs and blank frames.
_LOCAL_SCHEMES = frozenset({"data", "blob", "about"})


def chromium_path() -> Path:
    """The Chromium the tests drive: ``$DOSTYK_CHROMIUM``, else Debian's /usr/bin/chromium."""
    return Path(os.environ.get("DOSTYK_CHROMIUM") or DEFAULT_CHROMIUM)


def chromium_problem() -> str | None:
    """Why the browser tests cannot run here, or None when Chromium is present."""
    path = chromium_path()
    if path.is_file() and os.access(path, os.X_OK):
        return None
    return (
        f"Chromium is not installed at {path} (run `make setup` as root, or "
        "`sudo apt-get install chromium`, or set DOSTYK_CHROMIUM to a Chromium binary)"
    )


def is_offsite(url: str) -> bool:
    """Whether a request for *url* would leave this machine's loopback server."""
    parts = urlsplit(url)
    if parts.scheme in _LOCAL_SCHEMES:
        return False
    return parts.hostname != LOOPBACK


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as var/test-artifacts/screenshots/NAME.png and return the file."""
    if not _SCREENSHOT_NAME.fullmatch(name):
        raise ValueError(f"screenshot name {name!r} must be letters, digits, '.', '_' or '-'")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _free_socket() -> socket.socket:
    """A socket bound to a port the system chose, so parallel test workers never collide."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))
    return sock


def _wait_until_answering(base_url: str, thread: threading.Thread) -> None:
    deadline = time.monotonic() + SERVER_TIMEOUT
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError(f"the server for {base_url} stopped while starting")
        try:
            with urllib.request.urlopen(base_url + "/", timeout=1.0):
                return
        except urllib.error.HTTPError:
            return  # it answered, even if not with 200: the server is up
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the server for {base_url} did not answer within {SERVER_TIMEOUT:.0f} s")


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Serve *app* with uvicorn on a free 127.0.0.1 port; yield its base URL; stop it after.

    The server runs in a background thread with its own event loop, starting the app's lifespan,
    and this returns only once it answers HTTP. On leaving, the server finishes open requests and
    shuts the app down before the thread is joined.
    """
    sock = _free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="auto", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"live-server-{port}", daemon=True
    )
    base_url = f"http://{LOOPBACK}:{port}"
    thread.start()
    try:
        _wait_until_answering(base_url, thread)
        yield base_url
    finally:
        server.should_exit = True
        thread.join(SERVER_TIMEOUT)
        sock.close()
        if thread.is_alive():
            raise RuntimeError(f"the server for {base_url} did not stop")
