"""Small functions generated for one table's or statement's shape, for the hottest conversions.

A use case turns every row it reads into a domain object and every record it writes into a row
and into the driver's arguments; done by a loop over the columns each time, the looping was a
large share of a lifecycle. These functions are written once per shape as straight-line code
(``row[0], convert1(row[1]), ...``), from column positions and the converters given, never
from stored or user-given text.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def generate(name: str, parameters: str, body: Sequence[str], scope: dict[str, Any]) -> Any:
    """The function ``name(parameters)`` with the statements ``body``, seeing ``scope``."""
    source = "\n".join([f"def {name}({parameters}):", *(f"    {line}" for line in body)])
    namespace = dict(scope)
    exec(source, namespace)  # noqa: S102 - built from positions and identifiers only
    return namespace[name]


def tuple_of(items: Sequence[str]) -> str:
    """Python source of a tuple of the expressions ``items``."""
    return "(" + "".join(f"{item}, " for item in items) + ")"
