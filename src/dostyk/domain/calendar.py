"""The country's calendar: postings, shifts' days and the tariff's dates are its days."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

#: Kazakhstan keeps UTC+5 all year.
NATIONAL_TIME = timezone(timedelta(hours=5), "KZ")


def national_day(moment: datetime) -> date:
    """The calendar day in the country at ``moment``."""
    return moment.astimezone(NATIONAL_TIME).date()
