"""Column types and canonical text: the same values, and the same bytes, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, Table, create_engine, insert, select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import StatementError

from dostyk.domain.spelling import utc_text
from dostyk.domain.tariff import TariffRate
from dostyk.store import tables as t
from dostyk.store.canonical import (
    codec,
    decimal_decoder,
    decimal_encoder,
    decode_boolean,
    decode_date,
    decode_float,
    decode_instant,
    decode_integer,
    encode_float,
    encode_instant,
    instant_text,
    record_bytes,
    row_encoder,
)
from dostyk.store.records import RECORD_TYPES
from dostyk.store.tables import TABLES
from dostyk.store.types import UtcDateTime
from dostyk.store.unit_of_work import UnitOfWork
from tests.conftest import make_store
from tests.store.test_repositories import (
    CONVEYANCES,
    CROSSINGS,
    DECLARATION,
    ITEM_1,
    ITEMS,
    OFFICERS,
    PARTIES,
    UNITS,
    add_world,
)

PLUS_5 = timezone(timedelta(hours=5))
MINUS_3 = timezone(timedelta(hours=-3))


# UtcDateTime --------------------------------------------------------------------------------------


def test_instants_keep_the_instant_come_back_in_utc_and_need_a_zone(engine: Engine) -> None:
    local = datetime(2025, 3, 1, 8, 30, 15, 123456, tzinfo=PLUS_5)
    western = datetime(2025, 2, 28, 23, 59, 59, tzinfo=MINUS_3)
    with UnitOfWork(engine) as uow:
        add_world(uow)
        uow.crossings.add(replace(CROSSINGS[0], crossing_id="X-LOCAL", crossed_at=local))
        uow.crossings.add(replace(CROSSINGS[0], crossing_id="X-WEST", crossed_at=western))
    with UnitOfWork(engine) as uow:
        if engine.dialect.name == "postgresql":
            # Whatever the session's zone, the value comes back in UTC.
            uow.connection.exec_driver_sql("SET TIME ZONE 'America/New_York'")
        got = uow.crossings.get("X-LOCAL")
        west = uow.crossings.get("X-WEST")
    assert got is not None and west is not None
    assert got.crossed_at == local
    assert got.crossed_at.tzinfo is UTC
    assert (got.crossed_at.hour, got.crossed_at.minute, got.crossed_at.microsecond) == (
        3,
        30,
        123456,
    )
    assert west.crossed_at == datetime(2025, 3, 1, 2, 59, 59, tzinfo=UTC)
    assert west.crossed_at.tzinfo is UTC

    # Other tools reading the database see the UTC time, not the writer's local one.
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            raw = connection.exec_driver_sql(
                "SELECT crossed_at FROM crossings WHERE crossing_id = 'X-LOCAL'"
            ).scalar_one()
            assert str(raw).startswith("2025-03-01 03:30:15")
        else:
            raw = connection.exec_driver_sql(
                "SELECT to_char(crossed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
                "FROM crossings WHERE crossing_id = 'X-LOCAL'"
            ).scalar_one()
            assert raw == "2025-03-01 03:30:15"

    # A naive datetime is refused, on write ...
    row = {
        "crossing_id": "X-NAIVE",
        "post_code": "DST",
        "conveyance_id": "TR1",
        "direction": "in",
        "crossed_at": datetime(2025, 3, 1, 8, 30),
        "laden": True,
        "gross_mass_kg": None,
        "part_of": None,
    }
    with (
        pytest.raises(StatementError, match="not a time-zone-aware datetime"),
        UnitOfWork(engine) as uow,
    ):
        uow.connection.execute(insert(t.crossings).values(row))
    with UnitOfWork(engine) as uow:
        assert uow.crossings.count() == len(CROSSINGS) + 2
    # ... and in a query: a naive bound would silently shift the interval by the local offset.
    with pytest.raises(StatementError, match="time-zone-aware"), UnitOfWork(engine) as uow:
        uow.crossings.at_post("DST", datetime(2025, 3, 1), datetime(2025, 3, 2, tzinfo=UTC))


SQLITE = create_engine("sqlite://").dialect
POSTGRESQL = create_engine("postgresql+psycopg://nobody@nowhere.invalid/none").dialect


@pytest.mark.parametrize("dialect", [SQLITE, POSTGRESQL], ids=["sqlite", "postgresql"])
def test_utc_datetime_processing(dialect: Dialect) -> None:
    kind = UtcDateTime()
    aware = datetime(2025, 3, 1, 8, 0, tzinfo=PLUS_5)
    bound = kind.process_bind_param(aware, dialect)
    assert bound is not None
    assert bound.utcoffset() in (None, timedelta(0))
    assert (bound.day, bound.hour) == (1, 3)
    assert kind.process_bind_param(None, dialect) is None
    with pytest.raises(ValueError, match="time-zone-aware"):
        kind.process_bind_param(datetime(2025, 3, 1, 8, 0), dialect)
    with pytest.raises(ValueError, match="time-zone-aware"):
        kind.process_bind_param("2025-03-01T08:00:00+05:00", dialect)
    naive_read = kind.process_result_value(datetime(2025, 3, 1, 3, 0), dialect)
    assert naive_read == datetime(2025, 3, 1, 3, 0, tzinfo=UTC)
    assert naive_read is not None and naive_read.tzinfo is UTC
    aware_read = kind.process_result_value(aware, dialect)
    assert aware_read == aware and aware_read is not None and aware_read.tzinfo is UTC
    assert kind.process_result_value(None, dialect) is None


def test_sqlite_binds_naive_utc_and_postgresql_aware() -> None:
    aware = datetime(2025, 3, 1, 8, 0, tzinfo=PLUS_5)
    on_sqlite = UtcDateTime().process_bind_param(aware, SQLITE)
    on_postgres = UtcDateTime().process_bind_param(aware, POSTGRESQL)
    assert on_sqlite == datetime(2025, 3, 1, 3, 0)
    assert on_postgres == aware and on_postgres is not None and on_postgres.tzinfo is UTC


# Numeric ------------------------------------------------------------------------------------------


def test_money_rates_and_quantities_round_trip_exactly(engine: Engine) -> None:
    item = replace(
        ITEM_1,
        item_no=3,
        customs_value=Decimal("12345678901.23"),
        exchange_rate=Decimal("1.654321"),
        quantity=Decimal("1234567.891"),
    )
    small = replace(
        ITEM_1,
        item_no=4,
        customs_value=Decimal("0.01"),
        exchange_rate=Decimal("0.000001"),
        quantity=Decimal("0.001"),
    )
    # The largest values the rules allow (docs/rules.md), to the last digit a column keeps.
    largest = replace(
        ITEM_1,
        item_no=5,
        customs_value=Decimal("9999999999999.99"),
        exchange_rate=Decimal("0.009999"),
        quantity=Decimal("999999999999.999"),
    )
    rate = TariffRate("99999999", date(2030, 1, 1), Decimal("12.3456"), Decimal("99.9999"))
    with UnitOfWork(engine) as uow:
        add_world(uow)
        uow.items.add_many([item, small, largest])
        uow.tariff_rates.add(rate)
    with UnitOfWork(engine) as uow:
        got = uow.items.get("D1", 3)
        got_small = uow.items.get("D1", 4)
        got_largest = uow.items.get("D1", 5)
        got_rate = uow.tariff_rates.get("99999999", date(2030, 1, 1))
    assert got == item and got_small == small and got_rate == rate
    assert got_largest == largest
    assert got is not None and got_small is not None and got_rate is not None
    for value in (got.customs_value, got.exchange_rate, got.quantity, got_rate.duty_rate):
        assert isinstance(value, Decimal)
    assert str(got.customs_value) == "12345678901.23"
    assert str(got_small.exchange_rate.normalize()) == "0.000001"

    # More places than a column keeps are refused, not rounded: each backend would round
    # differently (SQLite through a float), and the ledger would then hash different records.
    for excess in (
        replace(ITEM_1, item_no=6, customs_value=Decimal("100.005")),
        replace(ITEM_1, item_no=6, quantity=Decimal("1.0005")),
        replace(ITEM_1, item_no=6, exchange_rate=Decimal("452.1234565")),
    ):
        with pytest.raises(StatementError, match="decimal places"), UnitOfWork(engine) as uow:
            uow.items.add(excess)
    with UnitOfWork(engine) as uow:
        assert uow.items.count() == len(ITEMS) + 3


# Canonical text -----------------------------------------------------------------------------------


def test_instant_text() -> None:
    assert encode_instant(datetime(2025, 3, 1, 8, 0, tzinfo=PLUS_5)) == "2025-03-01T03:00:00Z"
    assert (
        encode_instant(datetime(2025, 3, 1, 3, 0, 0, 1500, tzinfo=UTC))
        == "2025-03-01T03:00:00.001500Z"
    )
    decoded = decode_instant("2025-03-01T03:00:00.001500Z")
    assert decoded == datetime(2025, 3, 1, 3, 0, 0, 1500, tzinfo=UTC) and decoded.tzinfo is UTC
    assert decode_instant("2025-03-01T08:00:00+05:00") == datetime(2025, 3, 1, 3, tzinfo=UTC)
    assert decode_instant("2025-03-01T08:00:00+05:00").tzinfo is UTC
    with pytest.raises(ValueError, match=r"'2025-03-01T08:00:00' has no time zone.*trailing Z"):
        decode_instant("2025-03-01T08:00:00")
    with pytest.raises(ValueError, match="'yesterday' is not an ISO 8601 date and time"):
        decode_instant("yesterday")
    with pytest.raises(ValueError, match="not an ISO 8601 date and time"):
        decode_instant("2025-02-30T00:00:00Z")


def test_scalar_text() -> None:
    assert decode_date("2024-02-29") == date(2024, 2, 29)
    with pytest.raises(ValueError, match=r"'2025-02-29' is not an ISO 8601 date \(YYYY-MM-DD\)"):
        decode_date("2025-02-29")
    assert decode_integer("-42") == -42
    for bad in ("1.0", "1e3", "", " 1", "one"):
        with pytest.raises(ValueError, match="is not an integer"):
            decode_integer(bad)
    assert decode_float("69989.5") == 69989.5
    assert encode_float(69989.5) == "69989.5"
    assert encode_float(23500) == "23500.0"
    assert decode_float(encode_float(0.1 + 0.2)) == 0.1 + 0.2
    with pytest.raises(ValueError, match="'heavy' is not a number"):
        decode_float("heavy")
    for bad in ("nan", "inf", "-Infinity"):
        with pytest.raises(ValueError, match="is not a finite number"):
            decode_float(bad)
    assert decode_boolean("true") is True and decode_boolean("0") is False
    with pytest.raises(ValueError, match=r"'yes' is not a boolean \(true or false\)"):
        decode_boolean("yes")


def test_decimal_text() -> None:
    money, money_text = decimal_encoder(2), decimal_decoder(2)
    assert money(Decimal("120.5")) == "120.50"
    assert money(Decimal("7")) == "7.00"
    assert money(Decimal("12345678901.23")) == "12345678901.23"
    assert money_text("120.50") == Decimal("120.50")
    assert money_text("-3") == Decimal(-3)
    rate, rate_text = decimal_encoder(6), decimal_decoder(6)
    assert rate(Decimal("452.100000")) == "452.1"
    assert rate(Decimal("26127.000")) == "26127"
    assert rate(Decimal("0.000001")) == "0.000001"
    assert rate_text("452.1") == Decimal("452.1")
    with pytest.raises(ValueError, match=r"'12\.345' has 3 decimal places; at most 2 are kept"):
        money_text("12.345")
    with pytest.raises(ValueError, match="has 7 decimal places; at most 6 are kept"):
        rate_text("1.0000001")
    for bad in ("1e5", "1,5", "", "12.", ".5", "NaN", "twelve"):
        with pytest.raises(ValueError, match="is not a decimal number"):
            money_text(bad)


def test_every_column_has_a_canonical_text() -> None:
    for table in TABLES:
        for column in table.columns:
            encode, decode = codec(column)
            assert callable(encode) and callable(decode), f"{table.name}.{column.name}"


def test_row_encoder_writes_none_as_the_empty_string() -> None:
    encode = row_encoder(t.crossings)
    row = RECORD_TYPES["crossings"].to_row(CROSSINGS[0])
    assert encode(row) == ["X-TR1", "DST", "TR1", "in", "2025-03-01T03:00:00Z", "true", "", ""]
    assert record_bytes(t.crossings, row) == (
        b'["crossings","X-TR1","DST","TR1","in","2025-03-01T03:00:00Z","true","",""]'
    )
    with pytest.raises(ValueError):
        encode(row[:-1])
    with pytest.raises(ValueError):
        encode((*row, None))


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=5)), timezone(-timedelta(hours=3))]
        ),
    )
)
def test_the_bulk_spelling_of_an_instant_is_the_canonical_one(value: datetime) -> None:
    assert instant_text(value) == utc_text(value) == encode_instant(value)


WORLD: tuple[tuple[Table, tuple[Any, ...]], ...] = (
    (t.parties, PARTIES),
    (t.officers, OFFICERS),
    (t.conveyances, CONVEYANCES),
    (t.crossings, CROSSINGS),
    (t.declarations, (DECLARATION,)),
    (t.declaration_items, ITEMS),
    (t.declaration_units, UNITS),
)


def stored_bytes(engine: Engine) -> Iterator[tuple[str, list[bytes]]]:
    """The canonical bytes of every stored world row, per table, in key order."""
    with engine.connect() as connection:
        for table, _ in WORLD:
            key = [c for c in table.columns if c.primary_key]
            rows = connection.execute(select(table).order_by(*key)).all()
            yield table.name, sorted(record_bytes(table, row) for row in rows)


def expected_bytes() -> Iterator[tuple[str, list[bytes]]]:
    for table, records in WORLD:
        to_row = RECORD_TYPES[table.name].to_row
        yield table.name, sorted(record_bytes(table, to_row(r)) for r in records)


def test_stored_rows_read_back_as_the_bytes_of_the_domain_records(engine: Engine) -> None:
    with UnitOfWork(engine) as uow:
        add_world(uow)
    assert dict(stored_bytes(engine)) == dict(expected_bytes())
    # And every stored value's canonical text decodes to the value.
    with engine.connect() as connection:
        for table, _ in WORLD:
            codecs = [codec(c) for c in table.columns]
            for row in connection.execute(select(table)):
                for (encode, decode), value in zip(codecs, row, strict=True):
                    if value is not None:
                        assert decode(encode(value)) == value, (table.name, value)


def test_record_bytes_are_identical_from_sqlite_and_postgresql(
    sqlite_url: str, postgres_url: str
) -> None:
    # Besides the world: the largest values the rules allow, and microseconds.
    largest = replace(
        ITEM_1,
        item_no=3,
        customs_value=Decimal("9999999999999.99"),
        exchange_rate=Decimal("0.009999"),
        quantity=Decimal("999999999999.999"),
    )
    precise = replace(
        CROSSINGS[0],
        crossing_id="X-PRECISE",
        crossed_at=datetime(2025, 3, 1, 8, 0, 0, 1, tzinfo=PLUS_5),
        gross_mass_kg=0.1 + 0.2,
    )
    stores = [make_store(sqlite_url), make_store(postgres_url)]
    try:
        for store in stores:
            with UnitOfWork(store) as uow:
                add_world(uow)
                uow.items.add(largest)
                uow.crossings.add(precise)
        from_sqlite, from_postgres = (dict(stored_bytes(s)) for s in stores)
    finally:
        for store in stores:
            store.dispose()
    assert from_sqlite == from_postgres
    assert sum(len(rows) for rows in from_sqlite.values()) == sum(len(r) for _, r in WORLD) + 2
    assert any(b'"9999999999999.99"' in row for row in from_sqlite["declaration_items"])
    assert any(b'"2025-03-01T03:00:00.000001Z"' in row for row in from_sqlite["crossings"])
