"""Identifiers the services make for the records they create.

They are built from the records they belong to ("A-D1-1" is the first risk assessment of
declaration D1), never drawn at random, so that a simulation run from the same seed produces
the same store to the byte and a person reading a record can tell what it is about. Keys are at
most 40 characters in the store; a longer composition is replaced by a digest of itself, which
is just as deterministic.
"""

from __future__ import annotations

import hashlib

from dostyk.domain.bounds import MAX_ID_LENGTH, is_identifier
from dostyk.domain.discrepancies import DiscrepancyKind

#: The longest identifier the store keeps.
MAX_ID = MAX_ID_LENGTH


def make_id(prefix: str, *parts: object) -> str:
    """``prefix`` and ``parts`` joined by '-', or ``prefix`` and a digest when that is too long
    or is not an identifier (a bank's reference may hold spaces or slashes)."""
    text = "-".join([prefix, *(str(part) for part in parts)])
    if is_identifier(text, MAX_ID):
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"{prefix}-{digest[: MAX_ID - len(prefix) - 1]}"


#: Discrepancies are named after what they are about, so finding one again finds the same id.
DISCREPANCY_PREFIX = {
    DiscrepancyKind.UNDECLARED_UNIT: "Z-UU",
    DiscrepancyKind.UNDECLARED_MANIFEST_LINE: "Z-UL",
    DiscrepancyKind.MASS_EXCESS: "Z-MX",
    DiscrepancyKind.EMPTY_NOT_EMPTY: "Z-EE",
    DiscrepancyKind.MASS_SHORTFALL: "Z-MS",
    DiscrepancyKind.UNWEIGHED_CARGO: "Z-UW",
}


def discrepancy_id(kind: DiscrepancyKind, about: str) -> str:
    """``about`` is a unit's crossing, or a manifest and line joined by '-'."""
    return make_id(DISCREPANCY_PREFIX[kind], about)
