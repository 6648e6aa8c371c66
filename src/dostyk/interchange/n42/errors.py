"""The error every refused N42 file raises: which file, which line, which element, and why."""

from __future__ import annotations

from pathlib import Path


class N42Error(ValueError):
    """An N42 file that cannot be read (malformed, truncated, hostile, or not what it claims)."""

    def __init__(
        self, file: str | Path, message: str, *, line: int | None = None, element: str | None = None
    ) -> None:
        self.file = str(file)
        self.line = line
        self.element = element
        self.message = message
        where = self.file
        if line is not None:
            where += f", line {line}"
        if element is not None:
            where += f", element <{element}>"
        super().__init__(f"{where}: {message}")
