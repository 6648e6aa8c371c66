"""The files the pages load, all served by Dostyk itself.

A remote post may be offline, so no page may fetch a script, style, font or map from a CDN. The
third-party files live under ``static/vendor`` (their origin, licence and checksum are recorded in
``static/vendor/PROVENANCE.md``); Plotly's own script is not copied but served straight from the
installed ``plotly`` package, so it always matches the Python library that draws the figures.

Two settings keep the vendored libraries offline:

- Plotly draws a geographic map (``scattergeo``) from topojson files it fetches from
  ``cdn.plot.ly`` unless the figure's *config* names another place: pass
  :data:`PLOTLY_OFFLINE_CONFIG` (``topojsonURL`` pointing at the vendored files) and a ``geo``
  layout whose ``scope`` and ``resolution`` name one of :data:`TOPOJSON_MAPS`, such as
  :data:`KAZAKHSTAN_GEO`.
- Swagger UI sends the document to ``validator.swagger.io`` unless ``validatorUrl`` is ``None``:
  pass :data:`SWAGGER_UI_PARAMETERS`.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any, Final

#: Where the static files are mounted in the app; the URLs below are built on it.
STATIC_URL: Final = "/static"


def _package_file(package: str, *parts: str) -> Path:
    """A file inside an installed package, as a real path (the packages are installed unzipped)."""
    path = Path(str(files(package).joinpath(*parts)))
    if not path.exists():
        raise FileNotFoundError(f"{package} is installed without {'/'.join(parts)}: {path}")
    return path


#: The folder served at :data:`STATIC_URL`: dostyk.css, dostyk.js and ``vendor/``.
STATIC_DIR: Final = _package_file("dostyk.web", "static")

#: The pages' Jinja2 templates.
TEMPLATES_DIR: Final = _package_file("dostyk.web", "templates")

#: plotly.js as shipped inside the installed ``plotly`` Python package.
PLOTLY_JS: Final = _package_file("plotly", "package_data", "plotly.min.js")

#: The vendored files a page links to, by their path under :data:`STATIC_DIR`.
HTMX_JS: Final = "vendor/htmx/htmx.min.js"
SWAGGER_UI_JS: Final = "vendor/swagger-ui/swagger-ui-bundle.js"
SWAGGER_UI_CSS: Final = "vendor/swagger-ui/swagger-ui.css"
SWAGGER_UI_FAVICON: Final = "vendor/swagger-ui/favicon-32x32.png"
TOPOJSON_DIR: Final = "vendor/topojson"

#: The maps vendored for Plotly, as ``geo.scope`` and ``geo.resolution`` (metres per pixel ×10⁶).
TOPOJSON_MAPS: Final = (("world", 110), ("asia", 50))

#: Plotly's *config* argument for every figure: read maps from Dostyk, never from cdn.plot.ly.
PLOTLY_OFFLINE_CONFIG: Final[dict[str, Any]] = {
    "topojsonURL": f"{STATIC_URL}/{TOPOJSON_DIR}/",
    "displaylogo": False,
}

#: A ``geo`` layout framing Kazakhstan and its neighbours' borders on the vendored 1:50m map.
KAZAKHSTAN_GEO: Final[dict[str, Any]] = {
    "scope": "asia",
    "resolution": 50,
    "projection": {"type": "mercator"},
    "lonaxis": {"range": [45.0, 88.5]},
    "lataxis": {"range": [39.5, 56.5]},
    "showcountries": True,
    "showland": True,
    "showlakes": True,
    "showrivers": True,
}

#: FastAPI's ``swagger_ui_parameters``: no validator badge, which would post the document away.
SWAGGER_UI_PARAMETERS: Final[dict[str, Any]] = {"validatorUrl": None}


def static_url(name: str) -> str:
    """The URL of a file under :data:`STATIC_DIR`, e.g. ``static_url(HTMX_JS)``."""
    return f"{STATIC_URL}/{name}"


#: The URL at which the app serves :data:`PLOTLY_JS` (a route of its own, beside the mount).
PLOTLY_JS_URL: Final = static_url("plotly.min.js")


def asset_paths() -> dict[str, Path]:
    """Every file served as an asset, by URL: the static folder's files and Plotly's script.

    The licence texts are among them, served beside the code they cover.
    """
    paths = {
        static_url(path.relative_to(STATIC_DIR).as_posix()): path
        for path in sorted(STATIC_DIR.rglob("*"))
        if path.is_file()
    }
    paths[PLOTLY_JS_URL] = PLOTLY_JS
    return paths
