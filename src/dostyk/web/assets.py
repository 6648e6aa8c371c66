"""Where the pages' scripts, styles and images are: all served by Dostyk itself.

A remote post may be offline, so nothing is fetched from elsewhere: HTMX and Swagger UI are
vendored under ``static/vendor`` (see its PROVENANCE.md), and Plotly's script is served from the
installed ``plotly`` package rather than copied.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"
PLOTLY_JS = Path(str(files("plotly") / "package_data" / "plotly.min.js"))


def asset_paths() -> list[Path]:
    """Every file served under /static, and Plotly's script."""
    return [*sorted(p for p in STATIC_DIR.rglob("*") if p.is_file()), PLOTLY_JS]
