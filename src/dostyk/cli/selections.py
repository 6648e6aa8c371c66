"""Selections given on the command line, checked before anything is read.

An option that names something unknown would otherwise select nothing and make a command
answer "nothing recorded" — an empty answer that looks like a true one. So a post that does
not exist is refused (exit 2), and a post given in the wrong case is refused with the code it
probably meant: codes are upper case, as the store keeps them, and are never guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dostyk.cli import terminal

if TYPE_CHECKING:
    from sqlalchemy import Connection


def known_post(connection: Connection, code: str, option: str) -> str:
    """``code`` when it names a post in the store; exit 2 saying so otherwise."""
    from dostyk.store import repositories

    posts = repositories.Posts(connection)
    if posts.get(code) is not None:
        return code
    if code.strip().upper() != code and posts.get(code.strip().upper()) is not None:
        raise terminal.bad_parameter(
            option, "no post {!r} (codes are upper case): did you mean {}?", code, code.upper()
        )
    raise terminal.bad_parameter(option, "no post {!r} in the store", code)


def known_posts(
    connection: Connection, codes: Sequence[str] | None, option: str
) -> list[str] | None:
    """Every code in ``codes`` checked with :func:`known_post`; None (all posts) for none."""
    if not codes:
        return None
    return [known_post(connection, code, option) for code in codes]
