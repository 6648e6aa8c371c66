"""How counts are written in messages: ``1 problem``, ``2 problems``, ``1,024 entries``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dostyk.ledger.heads import SignedTreeHead


def plural(count: int, singular: str, several: str | None = None) -> str:
    """``count`` (with thousands separators) and the noun in the form the count takes."""
    noun = singular if count == 1 else (several or f"{singular}s")
    return f"{count:,} {noun}"


def signed_head(head: SignedTreeHead | None) -> str:
    """What a command that wrote says of the head it signed after committing, or could not sign
    because another process held the store: the writes stand either way."""
    if head is None:
        return "no head signed now, the store being busy: `dostyk ledger head` signs one"
    return f"signed head of {plural(head.tree_size, 'entry', 'entries')}"
