"""Text a hostile user would put into Dostyk, for the tests of what reaches a terminal."""

from __future__ import annotations

import unicodedata

from dostyk.cli.terminal import HIDDEN_CATEGORIES

#: Text a hostile user would try: markup, escapes, controls, bidi overrides, anything at all.
PIECES = [
    "[",
    "]",
    "/",
    "\\",
    "[bold]",
    "[/]",
    "[/x]",
    "[red]",
    "[link=x]",
    "\x1b",
    "\x1b[2J",
    "\x00",
    "\x07",
    "\u202e",
    "\u2066",
    "\u200b",
    "\x85",
    "\u2028",
    "\ufeff",
    "\U000f0000",
    "{",
    "}",
    "{}",
    ":",
    " ",
    "a",
    "\n",
    "\t",
    "é",
    "北",
]

#: What the commands are fed: a command-line argument cannot hold NUL, and the other pieces left
#: out here are tried on the terminal module directly.
ARGUMENT_PIECES = [
    piece
    for piece in PIECES
    if piece not in {"\x00", "\ufeff", "\U000f0000", "{}", "\n", "\t", "北"}
]


def hidden(text: str) -> set[str]:
    """The characters a terminal would act on or not show, a line break apart."""
    return {c for c in text if c != "\n" and unicodedata.category(c) in HIDDEN_CATEGORIES}
