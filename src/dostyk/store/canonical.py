"""The canonical text of every stored value.

One spelling per value: the data package writes it, the importer reads it, and the ledger hashes
it. Because the same bytes come out of SQLite and PostgreSQL, a record exported from one and
imported into the other hashes the same, and an export of an import is byte-for-byte the export
it came from.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Date, Double, Integer, String, Table, Text

from dostyk.domain.spelling import utc_text
from dostyk.store.types import ExactDecimal, UtcDateTime

INTEGER = re.compile(r"^-?\d+$")
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
TRUE = frozenset({"true", "True", "TRUE", "1"})
FALSE = frozenset({"false", "False", "FALSE", "0"})
#: A fraction of a second longer than the microseconds every instant is kept to.
FINER_THAN_MICROSECONDS = re.compile(r"[T ]\d\d:\d\d:\d\d[.,]\d{7,}")

Encoder = Callable[[Any], str]
Decoder = Callable[[str], Any]


@lru_cache(maxsize=65_536)
def encode_instant(value: datetime) -> str:
    """Cached: the ledger encodes the same few instants (one per transaction) many times."""
    return utc_text(value)


def decode_instant(text: str) -> datetime:
    """An ISO 8601 instant with its zone; a fraction finer than microseconds would be cut."""
    if FINER_THAN_MICROSECONDS.search(text):
        raise ValueError(
            f"{text!r} has more than 6 decimal places of seconds; instants are kept to microseconds"
        )
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date and time") from None
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone; write it in UTC with a trailing Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+05:00 is before the first instant Python has
        raise ValueError(f"{text!r} is outside the years Dostyk records") from None


def decode_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date (YYYY-MM-DD)") from None


def decode_integer(text: str) -> int:
    if not INTEGER.match(text):
        raise ValueError(f"{text!r} is not an integer")
    return int(text)


def integer_bounds(column: Column[Any]) -> tuple[int, int]:
    """The whole numbers a column holds on both back ends (PostgreSQL's INTEGER is 32-bit)."""
    bits = 64 if isinstance(column.type, BigInteger) else 32
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def integer_decoder(low: int, high: int) -> Decoder:
    def decode(text: str) -> int:
        value = decode_integer(text)
        if not low <= value <= high:
            raise ValueError(f"{text} is out of range")
        return value

    return decode


def decode_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def encode_float(value: float) -> str:
    return repr(float(value))


def decode_boolean(text: str) -> bool:
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"{text!r} is not a boolean (true or false)")


def decimal_decoder(scale: int, precision: int | None = None) -> Decoder:
    """Decimal text with at most ``scale`` places and, given ``precision``, that many digits."""
    whole_digits = None if precision is None else precision - scale

    def decode(text: str) -> Decimal:
        if not DECIMAL.match(text):
            raise ValueError(f"{text!r} is not a decimal number")
        whole, _, fraction = text.lstrip("-").partition(".")
        places = len(fraction)
        if places > scale:
            raise ValueError(f"{text!r} has {places} decimal places; at most {scale} are kept")
        if whole_digits is not None and len(whole.lstrip("0")) > whole_digits:
            raise ValueError(f"{text} has more than {whole_digits} digits before the decimal point")
        try:
            return Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{text!r} is not a decimal number") from None

    return decode


def decimal_encoder(scale: int) -> Encoder:
    """Money keeps its two places ("120.50"); rates and quantities their shortest form."""
    quantum = Decimal(1).scaleb(-scale)

    def encode_money(value: Decimal) -> str:
        return f"{Decimal(value).quantize(quantum):f}"

    def encode_shortest(value: Decimal) -> str:
        text = f"{Decimal(value).quantize(quantum):f}"
        return text.rstrip("0").rstrip(".") if "." in text else text

    return encode_money if scale == 2 else encode_shortest


def codec(column: Column[Any]) -> tuple[Encoder, Decoder]:
    """How a column's values are written and read as text."""
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return encode_instant, decode_instant
    if isinstance(kind, Boolean):
        return (lambda v: "true" if v else "false"), decode_boolean
    if isinstance(kind, Date):
        return (lambda v: v.isoformat()), decode_date
    if isinstance(kind, Integer):
        return str, integer_decoder(*integer_bounds(column))
    if isinstance(kind, Double):
        return encode_float, decode_float
    if isinstance(kind, ExactDecimal):
        scale = kind.scale if kind.scale is not None else 0
        return decimal_encoder(scale), decimal_decoder(scale, kind.precision)
    if isinstance(kind, (String, Text)):
        return str, str
    raise TypeError(f"no canonical text for {column} of type {kind!r}")


def instant_text(value: datetime) -> str:
    """:func:`~dostyk.domain.spelling.utc_text`, through ``isoformat`` (written in C).

    For a UTC ``datetime``, ``isoformat`` writes the same four-digit year, the same seconds and
    the same six places of a fraction (none when it is zero), then ``+00:00`` where the canonical
    text has ``Z``; a test holds the two to the same text.

    The last few thousand are kept: a declaration's row is logged again at every step, with its
    lodgement time, and a use case's rows share its time. The text depends on the instant only,
    and equal instants (in any zone) are equal keys.
    """
    text = _INSTANT_TEXTS.get(value)
    if text is None:
        if len(_INSTANT_TEXTS) >= _KEPT_INSTANTS:
            _INSTANT_TEXTS.clear()
        text = _INSTANT_TEXTS[value] = value.astimezone(UTC).isoformat()[:-6] + "Z"
    return text


#: Instants whose text :func:`instant_text` keeps, at most (then it starts again).
_KEPT_INSTANTS = 4096
_INSTANT_TEXTS: dict[datetime, str] = {}


def row_encoder(table: Table) -> Callable[[Sequence[Any]], list[str]]:
    """Encode a row (values in column order) as text, None as the empty string.

    The ledger encodes every row it logs, so the encoder is compiled for the table: one
    function whose body names each column's encoder, with no loop, zip or per-value lookup.
    """
    encoders = [codec(c)[0] for c in table.columns]
    encoders = [instant_text if e is encode_instant else e for e in encoders]
    names = [f"v{i}" for i in range(len(encoders))]
    values = ", ".join(f'"" if {v} is None else e{i}({v})' for i, v in enumerate(names))
    unpack = "".join(n + ", " for n in names)
    source = f"def encode(row):\n    {unpack}= row\n    return [{values}]\n"
    scope: dict[str, Any] = {f"e{i}": e for i, e in enumerate(encoders)}
    exec(compile(source, f"<row encoder of {table.name}>", "exec"), scope)  # noqa: S102
    encode: Callable[[Sequence[Any]], list[str]] = scope["encode"]
    return encode


def record_bytes(table: Table, row: Sequence[Any]) -> bytes:
    """The bytes the ledger commits to: table name and every value's canonical text."""
    text = row_encoder(table)(row)
    return json.dumps([table.name, *text], ensure_ascii=False, separators=(",", ":")).encode()
