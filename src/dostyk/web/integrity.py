"""The integrity unit's routers, in one place for the app: its pages and its work."""

from __future__ import annotations

from dostyk.web import integrity_pages, integrity_work

routers = [*integrity_pages.routers, *integrity_work.routers]
