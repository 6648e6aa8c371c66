"""What the lifecycle commands share: who acts (--as), when (--at), and how refusals are shown.

Every lifecycle command takes ``--as ACTOR`` and ``--at ISO-TIME``. Commands that change records
require ``--as``; read-only ones accept both so that a script can pass them everywhere, and
``queue show`` measures waiting times up to ``--at``. A refusal by a use case, by the lifecycle or
by a document's reader is printed in red and exits 1; nothing is written, since the use cases
commit all of their work or none of it. Bad arguments exit 2, as everywhere in the CLI.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from dostyk.cli import terminal

if TYPE_CHECKING:
    from dostyk.domain.declarations import Channel

Actor = Annotated[
    str,
    typer.Option(
        "--as",
        metavar="ACTOR",
        help="Who acts: an officer's service number (IN-DST1), a party id (BRK000), or 'system'.",
        show_default=False,
    ),
]
Reader = Annotated[
    str | None,
    typer.Option(
        "--as",
        metavar="ACTOR",
        help="Who asks (accepted for uniformity; reading changes nothing).",
        show_default=False,
    ),
]
At = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="ISO-TIME",
        help="When, ISO 8601 with a time zone, e.g. 2024-03-01T09:00:00Z. Default: now (UTC).",
        show_default=False,
    ),
]


class ChannelChoice(StrEnum):
    """The channels, as options take them; the domain's :class:`Channel` is loaded on use only."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    def channel(self) -> Channel:
        from dostyk.domain.declarations import Channel

        return Channel(self.value)


AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a summary.")]


def moment(text: str | None) -> datetime:
    """The instant ``--at`` names, in UTC; now when it is not given. Exit 2 when it is bad.

    A step is taken now, so ``--at`` lies in the window of live steps (docs/rules.md): from the
    start of Dostyk's history to a few minutes past the clock, so that a mistyped year cannot
    put a declaration's last step where no real step can follow it.
    """
    from dostyk.domain.bounds import check_live_instant
    from dostyk.domain.errors import InvariantViolation
    from dostyk.store.canonical import decode_instant

    if text is None:
        return datetime.now(UTC)
    try:
        return check_live_instant("--at", decode_instant(text))
    except ValueError as error:
        raise terminal.bad_parameter("--at", "{}", error) from None
    except InvariantViolation as violation:
        raise terminal.bad_parameter("--at", "{}", violation.message) from None


def amount(text: str, option: str) -> Decimal:
    """An amount in national currency with at most two decimals."""
    from dostyk.store.canonical import decimal_decoder

    try:
        value: Decimal = decimal_decoder(2)(text.strip())
    except ValueError as error:
        raise terminal.bad_parameter(option, "{}", error) from None
    return value


def instant(value: datetime | None) -> str:
    """An instant as the store writes it (UTC, trailing Z); empty for none."""
    from dostyk.store.canonical import encode_instant

    return "" if value is None else encode_instant(value)


def red(line: str) -> None:
    """One line to stderr in red, literally (no markup) and unwrapped, so it can be grepped."""
    terminal.error("{}", line)


def refuse(message: str) -> typer.Exit:
    """Print ``message`` in red and return the exit to raise."""
    red(message)
    return typer.Exit(1)


@contextmanager
def refusals(*, writes: bool = True) -> Iterator[None]:
    """Turn a document's, a use case's or the lifecycle's refusal into a message and exit 1.

    ``writes`` says whether the command would have changed records, so the message can add that
    nothing was written.
    """
    from dostyk.domain.errors import DomainError
    from dostyk.interchange.json_documents import DocumentRejected
    from dostyk.services.errors import UseCaseError, ValidationFailed

    unchanged = "; nothing was written" if writes else ""
    try:
        yield
    except DocumentRejected as rejected:
        files = sorted({e.file for e in rejected.errors})
        red(f"{', '.join(files)} refused{unchanged}:")
        for error in rejected.errors:
            red(f"  {error}")
        raise typer.Exit(1) from None
    except ValidationFailed as failed:
        red(f"{failed.subject or 'the request'} is not valid{unchanged}:")
        for reason in failed.reasons:
            red(f"  - {reason}")
        raise typer.Exit(1) from None
    except (UseCaseError, DomainError) as error:
        # A refusal that is itself evidence (a conflicted officer's attempt) is recorded.
        recorded = getattr(error, "recorded", False)
        raise refuse(f"{error}{'' if recorded else unchanged}") from None
