"""The harness and the vendored assets work in a real browser, with nothing fetched from afar.

Each test serves a small app of its own (the pages of Dostyk are tested beside their routes): a
page using htmx, Dostyk's stylesheet and script; a Plotly map of Kazakhstan drawn from the
vendored topojson; and the interactive API documents of Swagger UI.
"""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from playwright.sync_api import Page, expect

from dostyk.web import assets
from tests.web.browser import LOOPBACK, screenshot
from tests.web.conftest import LiveServers

CSRF_TOKEN = "token-for-the-harness-test"


def page_head(title: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="csrf-token" content="{CSRF_TOKEN}">
<link rel="stylesheet" href="{assets.static_url("dostyk.css")}">
<script src="{assets.static_url(assets.HTMX_JS)}"></script>
<script src="{assets.static_url("dostyk.js")}"></script>
<script src="{assets.PLOTLY_JS_URL}"></script>
</head>"""


def harness_app() -> FastAPI:
    """An app serving Dostyk's static files the way the web app does, and three pages."""
    app = FastAPI(docs_url=None, redoc_url=None)

    @app.get(assets.PLOTLY_JS_URL, include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(assets.PLOTLY_JS, media_type="text/javascript")

    app.mount(assets.STATIC_URL, StaticFiles(directory=assets.STATIC_DIR), name="static")

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        return (
            page_head("Queue")
            + """<body><header class="topbar"><span class="brand">Dostyk</span>
<div class="user"><span class="name">A. Officer</span><span class="role">post officer</span>
<span class="post">Dostyk–Alashankou</span></div></header>
<main><h1>Release queue</h1>
<p>Declaration KZ-0001:
<span id="status"><span class="badge yellow">Yellow: documents</span></span></p>
<div class="actions"><button hx-post="/release" hx-target="#status">Release</button></div>
</main></body></html>"""
        )

    @app.post("/release", response_class=HTMLResponse)
    def release(request: Request) -> Response:
        if request.headers.get("X-CSRF-Token") != CSRF_TOKEN:
            return HTMLResponse("missing CSRF token", status_code=403)
        return HTMLResponse('<span class="badge green">Released</span>')

    @app.get("/map", response_class=HTMLResponse)
    def posts_map() -> str:
        return (
            page_head("Posts")
            + f"""<body><main><h1>Posts</h1><div id="map" class="chart"></div>
<script>
Plotly.newPlot("map",
  [{{type: "scattergeo", mode: "markers+text", lon: [82.6, 80.3, 51.4], lat: [45.2, 44.2, 51.2],
     text: ["Dostyk", "Altynkol", "Syrym"], textposition: "top center"}}],
  {{geo: {json.dumps(assets.KAZAKHSTAN_GEO)}, margin: {{l: 0, r: 0, t: 0, b: 0}}}},
  {json.dumps(assets.PLOTLY_OFFLINE_CONFIG)}
).then(function () {{ document.body.dataset.plotted = "yes"; }});
</script></main></body></html>"""
        )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Harness API",
            swagger_js_url=assets.static_url(assets.SWAGGER_UI_JS),
            swagger_css_url=assets.static_url(assets.SWAGGER_UI_CSS),
            swagger_favicon_url=assets.static_url(assets.SWAGGER_UI_FAVICON),
            swagger_ui_parameters=assets.SWAGGER_UI_PARAMETERS,
        )

    return app


def test_htmx_request_changes_the_page_with_its_csrf_header(
    page: Page, live_server: LiveServers, offsite_requests: list[str]
) -> None:
    base_url = live_server(harness_app)
    assert base_url.startswith(f"http://{LOOPBACK}:")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))

    page.goto(base_url + "/")
    expect(page.locator("#status")).to_have_text("Yellow: documents")
    page.get_by_role("button", name="Release").click()

    expect(page.locator("#status .badge.green")).to_have_text("Released")
    assert base_url + "/release" in asked
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"
    assert offsite_requests == []
    assert screenshot(page, "harness-htmx").stat().st_size > 0


def test_plotly_map_of_kazakhstan_is_drawn_from_vendored_topojson(
    page: Page, live_server: LiveServers, offsite_requests: list[str]
) -> None:
    base_url = live_server(harness_app)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))

    page.goto(base_url + "/map")
    expect(page.locator("body[data-plotted=yes]")).to_be_attached()

    assert f"{base_url}/static/vendor/topojson/asia_50m.json" in asked
    assert page.locator("#map .geo .countries path").count() > 0
    assert page.locator("#map .scattergeo .point").count() == 3
    assert offsite_requests == []
    screenshot(page, "harness-map")


def test_swagger_ui_renders_the_api_from_local_files(
    page: Page, live_server: LiveServers, offsite_requests: list[str]
) -> None:
    base_url = live_server(harness_app)

    page.goto(base_url + "/docs")

    expect(page.locator(".swagger-ui .title")).to_contain_text("FastAPI")
    expect(page.locator(".opblock-summary-path", has_text="/release")).to_be_visible()
    assert page.locator(".swagger-ui .validator-badge, img[src*='validator']").count() == 0
    assert offsite_requests == []
    screenshot(page, "harness-swagger-ui")
