"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import DateTime, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class UtcDateTime(TypeDecorator[datetime]):
    """An instant in UTC.

    PostgreSQL keeps it as ``timestamptz``; SQLite has no time zones, so the value is stored as
    naive UTC and given its zone back on the way out. Naive datetimes are refused on the way in:
    a time whose zone is unknown is a bug that would shift crossings by hours.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"{value!r} is not a time-zone-aware datetime")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    # On SQLite every instant a use case writes or reads goes through two conversions, this
    # type's and SQLite's DATETIME text (a %-format of seven fields; a parse on the way out).
    # There each way is one function instead, giving the very text SQLite's type writes
    # (``YYYY-MM-DD HH:MM:SS.ffffff``) and reading any text it reads.

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)
        return _sqlite_instant_text

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        return _sqlite_instant


def _sqlite_instant_text(value: Any) -> str | None:
    """An aware instant as SQLite's DATETIME stores it: naive UTC text to the microsecond.

    The last few thousand are kept, as :func:`dostyk.store.canonical.instant_text` keeps them:
    a use case binds its own time in several rows, and a declaration's lodgement time at every
    step. Equal instants in any zone are equal keys and give the same text."""
    if value is None:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"{value!r} is not a time-zone-aware datetime")
    text = _STORED_TEXTS.get(value)
    if text is None:
        if len(_STORED_TEXTS) >= _KEPT_INSTANTS:
            _STORED_TEXTS.clear()
        text = _STORED_TEXTS[value] = (
            value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        )
    return text


#: Instants whose stored text :func:`_sqlite_instant_text` keeps, at most.
_KEPT_INSTANTS = 4096
_STORED_TEXTS: dict[datetime, str] = {}


def _sqlite_instant(value: Any) -> datetime | None:
    """A stored SQLite DATETIME text as an instant in UTC."""
    if value is None:
        return None
    instant = datetime.fromisoformat(value) if isinstance(value, str) else value
    if not isinstance(instant, datetime):
        raise ValueError(f"{value!r} is not a stored instant")
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    """A decimal kept exactly to its scale on both backends.

    PostgreSQL has NUMERIC; SQLite's NUMERIC is a binary float past 15 significant digits, so on
    SQLite the value is kept as its decimal text instead. A value with more fractional digits than
    the scale is refused rather than rounded, since the two backends would round it differently
    and the ledger would then hash different records.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale
        self.quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 2))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        try:
            number = Decimal(value)
            exact = number.quantize(self.quantum)
        except (InvalidOperation, TypeError, ValueError):
            raise ValueError(f"{value!r} is not a decimal number") from None
        if exact != number:
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        if len(exact.as_tuple().digits) > self.precision:
            raise ValueError(f"{value} has more than {self.precision} digits")
        return f"{exact:f}" if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value).quantize(self.quantum)
