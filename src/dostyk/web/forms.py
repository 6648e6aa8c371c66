"""Reading a posted form's text fields, the same way for every page that takes one."""

from __future__ import annotations

from fastapi import Request


async def form_texts(request: Request, *names: str) -> tuple[str, ...]:
    """The form's fields ``names``, each "" when absent or sent as a file instead of text."""
    form = await request.form()
    values = (form.get(name) for name in names)
    return tuple(value if isinstance(value, str) else "" for value in values)
