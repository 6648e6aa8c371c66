"""How counts are written in messages: ``1 problem``, ``2 problems``, ``1,024 entries``."""

from __future__ import annotations


def plural(count: int, singular: str, several: str | None = None) -> str:
    """``count`` (with thousands separators) and the noun in the form the count takes."""
    noun = singular if count == 1 else (several or f"{singular}s")
    return f"{count:,} {noun}"
