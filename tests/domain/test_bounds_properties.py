"""Properties of the rules over any input: a value is either accepted or refused with an
InvariantViolation naming its field (never another exception), and what is accepted is what
every back end and every later step can hold."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dostyk.domain import bounds
from dostyk.domain.errors import InvariantViolation
from dostyk.store.canonical import decode_instant, encode_instant

FAR_PAST = datetime(1, 1, 2, tzinfo=UTC)


@given(st.text(max_size=600), st.booleans())
def test_text_is_accepted_or_refused_by_its_field(text: str, prose: bool) -> None:
    try:
        accepted = bounds.check_text("description", text, bounds.DESCRIPTION_MAX, prose=prose)
    except InvariantViolation as violation:
        assert violation.field == "description"
        return
    # What is accepted encodes as UTF-8 (PostgreSQL's text), holds no NUL or other control
    # character beyond tab and newline in prose, and survives JSON.
    accepted.encode("utf-8")
    allowed = {"\t", "\n"} if prose else set()
    assert all(ch in allowed or not (ord(ch) < 32 or 127 <= ord(ch) < 160) for ch in accepted)
    assert json.loads(json.dumps(accepted)) == accepted


@given(st.text(max_size=60))
def test_an_identifier_is_accepted_only_in_the_one_pattern(text: str) -> None:
    try:
        bounds.check_identifier("declaration_id", text)
    except InvariantViolation as violation:
        assert violation.field == "declaration_id"
        assert not bounds.is_identifier(text)
        return
    assert bounds.is_identifier(text) and text.isascii() and text.strip() == text


#: Fixed offsets, as ISO 8601 text carries them (a zone's ambiguous local hours compare unequal
#: to every instant in Python, which says nothing about Dostyk).
OFFSETS = st.builds(
    timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
)


@given(st.datetimes(min_value=FAR_PAST.replace(tzinfo=None), timezones=OFFSETS))
def test_an_accepted_instant_is_written_and_read_back_as_itself(moment: datetime) -> None:
    try:
        bounds.check_instant("crossed_at", moment)
    except InvariantViolation as violation:
        assert violation.field == "crossed_at"
        return
    assert bounds.HISTORY_START <= moment <= bounds.clock() + timedelta(days=1)
    assert decode_instant(encode_instant(moment)) == moment


@given(st.one_of(st.text(max_size=40), st.datetimes(timezones=OFFSETS).map(datetime.isoformat)))
def test_any_text_as_an_instant_is_a_value_error_or_an_instant(text: str) -> None:
    """Never OverflowError or another traceback: year 1 in UTC+5 is a refusal like any other."""
    try:
        value = decode_instant(text)
    except ValueError:
        return
    assert value.utcoffset() == timedelta(0)


@given(st.decimals(allow_nan=True, allow_infinity=True))
def test_an_accepted_amount_fits_a_money_column(amount: Decimal) -> None:
    try:
        bounds.check_decimal("extra_duty", amount, bounds.MAX_EXTRA_DUTY)
    except InvariantViolation as violation:
        assert violation.field == "extra_duty"
        return
    assert 0 <= amount * bounds.MAX_FINDINGS <= bounds.MONEY_MAX
