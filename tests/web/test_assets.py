"""The vendored assets are the files recorded, and no page, style or script points at a CDN."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from dostyk.web import assets

VENDOR = assets.STATIC_DIR / "vendor"
PROVENANCE = VENDOR / "PROVENANCE.md"
WEB = Path(assets.__file__).parent

_ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| (?P<package>[^|]+?) \| `(?P<sha256>[0-9a-f]{64})` \|$")


def recorded() -> dict[str, str]:
    """The vendored files and checksums listed in PROVENANCE.md."""
    rows = {}
    for line in PROVENANCE.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match:
            rows[match["file"]] = match["sha256"]
    return rows


def test_provenance_lists_every_vendored_file() -> None:
    on_disk = {
        path.relative_to(VENDOR).as_posix()
        for path in VENDOR.rglob("*")
        if path.is_file() and path != PROVENANCE
    }
    assert on_disk == set(recorded())


@pytest.mark.parametrize("name", sorted(recorded()))
def test_vendored_file_matches_its_recorded_checksum(name: str) -> None:
    path = VENDOR / name
    assert path.is_file(), f"{name} is listed in PROVENANCE.md but missing"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == recorded()[name]


def test_each_vendored_package_keeps_its_licence_beside_it() -> None:
    for folder in sorted(path for path in VENDOR.iterdir() if path.is_dir()):
        assert (folder / "LICENSE").is_file(), f"{folder.name} has no LICENSE"


def test_plotly_script_comes_from_the_installed_package() -> None:
    assert assets.PLOTLY_JS.name == "plotly.min.js"
    assert "plotly.js v" in assets.PLOTLY_JS.read_text(encoding="utf-8")[:100]
    assert not list(assets.STATIC_DIR.rglob("plotly*.js")), "plotly.js must not be copied"


def test_asset_paths_name_existing_files_the_pages_need() -> None:
    paths = assets.asset_paths()
    for name in (
        assets.HTMX_JS,
        assets.SWAGGER_UI_JS,
        assets.SWAGGER_UI_CSS,
        assets.SWAGGER_UI_FAVICON,
        "dostyk.css",
        "dostyk.js",
    ):
        assert paths[assets.static_url(name)] == assets.STATIC_DIR / name
    assert paths[assets.PLOTLY_JS_URL] == assets.PLOTLY_JS
    assert all(path.is_file() for path in paths.values())


def test_every_vendored_map_is_one_plotly_can_be_pointed_at() -> None:
    for scope, resolution in assets.TOPOJSON_MAPS:
        assert (assets.STATIC_DIR / assets.TOPOJSON_DIR / f"{scope}_{resolution}m.json").is_file()
    geo = assets.KAZAKHSTAN_GEO
    assert (geo["scope"], geo["resolution"]) in assets.TOPOJSON_MAPS
    assert (
        assets.PLOTLY_OFFLINE_CONFIG["topojsonURL"] == assets.static_url(assets.TOPOJSON_DIR) + "/"
    )


# --- no CDN: every URL a template, style or script of Dostyk's own could fetch is local -------

# Comments may cite a URL (a licence, a specification); code may not fetch one.
_COMMENTS = (
    re.compile(r"<!--.*?-->", re.DOTALL),  # HTML
    re.compile(r"\{#.*?#\}", re.DOTALL),  # Jinja
    re.compile(r"/\*.*?\*/", re.DOTALL),  # CSS and JavaScript
    re.compile(r"(?m)(?:^|(?<=\s))//.*$"),  # JavaScript line comments
)
_REMOTE = re.compile(r"""\bhttps?://|(?:src|href|action|url)\s*[=(]\s*["']?//""", re.IGNORECASE)
# XML namespace names identify a vocabulary; nothing is ever fetched from them.
_NAMESPACES = re.compile(r"""xmlns(?::\w+)?\s*=\s*["']http://www\.w3\.org/[^"']*["']""")
_CHECKED_SUFFIXES = {".html", ".htm", ".jinja", ".j2", ".css", ".js", ".svg", ".xml"}


def remote_references(text: str) -> list[str]:
    """The lines of *text* that reach for a remote URL outside a comment."""
    for comment in _COMMENTS:
        text = comment.sub(lambda match: "\n" * match[0].count("\n"), text)
    text = _NAMESPACES.sub("", text)
    return [line.strip() for line in text.splitlines() if _REMOTE.search(line)]


def own_web_files() -> list[Path]:
    return sorted(
        path
        for path in WEB.rglob("*")
        if path.is_file() and path.suffix in _CHECKED_SUFFIXES and VENDOR not in path.parents
    )


def test_the_check_finds_cdn_links_and_ignores_comments() -> None:
    page = """<!-- see https://example.org/licence -->
    {# https://example.org/in-a-jinja-comment #}
    <svg xmlns="http://www.w3.org/2000/svg"></svg>
    <script src="https://cdn.example.com/htmx.min.js"></script>
    <link href="//fonts.example.com/css" rel="stylesheet">
    <a href="/static/dostyk.css">local</a>"""
    style = "/* https://example.org */ body { background: url(//cdn.example.com/x.png); }"
    script = "// https://example.org\nfetch('http://cdn.example.com/data.json');"
    assert remote_references(page) == [
        '<script src="https://cdn.example.com/htmx.min.js"></script>',
        '<link href="//fonts.example.com/css" rel="stylesheet">',
    ]
    assert remote_references(style) == ["body { background: url(//cdn.example.com/x.png); }"]
    assert remote_references(script) == ["fetch('http://cdn.example.com/data.json');"]


def test_own_templates_styles_and_scripts_fetch_nothing_remote() -> None:
    files = own_web_files()
    assert assets.STATIC_DIR / "dostyk.css" in files
    found = {
        path.relative_to(WEB).as_posix(): lines
        for path in files
        if (lines := remote_references(path.read_text(encoding="utf-8")))
    }
    assert found == {}
