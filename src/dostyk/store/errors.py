"""What can go wrong with the store itself, told in one line to whoever runs the command.

These are operational troubles, not bugs: another process is writing, the file is read-only,
the server is down, the URL means nothing. The engine turns the driver's errors into these
(see :func:`dostyk.store.engine.make_engine`), so every entrance — the command line today, the
web app later — reports them the same way.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote


class StoreError(Exception):
    """An operational problem with the store; ``str()`` is the sentence to show."""


class StoreBusy(StoreError):
    """Another process held the store's write lock for longer than the busy timeout."""


class StoreReadOnly(StoreError):
    """The store can be read but not written (file, folder or mount without write permission)."""


class StoreUnavailable(StoreError):
    """The store cannot be opened or reached: a bad URL, a server down, a file that is not one."""


def store_name(url: Any) -> str:
    """The store as a person knows it: the file of a SQLite store, else the URL sans password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ":memory:"
        if database.startswith("file:"):
            database = unquote(database.removeprefix("file:"))
        return database
    return parsed.render_as_string(hide_password=True)


def first_line(error: BaseException) -> str:
    """The driver's own explanation, without its hints and context lines."""
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__
