"""Copies of a checked record with fields changed that its checks do not concern.

A record's ``__post_init__`` checks every field each time one is made, and
``dataclasses.replace`` makes one anew. Where a copy changes only what the checks say nothing
about (a declaration's status and channel, which the lifecycle rules on) or writes the same
value another way (an instant in UTC instead of its own zone), the checks that held still hold,
and running them again on every step of every declaration cost more than the copy.
"""

from __future__ import annotations

from typing import Any, TypeVar

_Record = TypeVar("_Record")


def unchecked_copy(record: _Record, **changes: Any) -> _Record:
    """``record`` with ``changes``, its checks not run again: only for changes that leave every
    check as it was (see the module's docstring). ``record`` is a slotted dataclass."""
    kind = type(record)
    copy: _Record = object.__new__(kind)
    for name in kind.__slots__:  # type: ignore[attr-defined]
        object.__setattr__(copy, name, changes[name] if name in changes else getattr(record, name))
    return copy
