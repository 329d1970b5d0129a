"""Dates as the toolkit reads them: ISO 8601, in the outlet's own time ("2024-03-31T22:00-05:00" is 31 March, the
day it was published where it was, not 1 April in UTC). Other forms ("04/03/2024": March or April?), years outside
``YEARS`` and the placeholders 1970-01-01 and 1900-01-01 at midnight are no date. One place for the rule, so that
``prepare`` warns of exactly the dates the report's time view leaves out."""

from __future__ import annotations

import datetime
from functools import lru_cache

import pandas as pd

# a time zone after a time ("T22:00Z", "22:00:05.1-05:00", "T220000Z", "T22Z"): dropped, so an article keeps the
# day its outlet gave it
_ZONE = r"([T ]\d\d(?::?\d\d(?::?\d\d(?:[.,]\d+)?)?)?)\s*(?:Z|[+-]\d\d(?::?\d\d)?)$"
YEARS = (1600, 2200)  # outside them a date is a placeholder (0001-01-01, 9999-12-31), not a news article's
# the days software writes for a missing date (the Unix epoch, a spreadsheet's day zero), at midnight
PLACEHOLDER_DAYS = (pd.Timestamp("1970-01-01"), pd.Timestamp("1900-01-01"))


def one_date(value):
    """One ISO 8601 date as a naive timestamp on its own day (NaT when unreadable)."""
    stamp = pd.to_datetime(value, errors="coerce", format="ISO8601")
    return stamp.tz_localize(None) if isinstance(stamp, pd.Timestamp) and stamp.tzinfo is not None else stamp


def read_dates(raw: pd.Series) -> pd.Series:
    """Each value as a naive timestamp on its own day, NaT where missing or no date (see the module)."""
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        parsed = raw.dt.tz_localize(None)  # the wall time in its own zone
    elif pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw
    else:
        text = raw.map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v if isinstance(v, str) else None)
        text = text.astype(object).str.strip().str.replace(_ZONE, r"\1", regex=True)
        try:
            parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
        except ValueError:  # a zone the pattern missed beside dates without one: one value at a time
            parsed = pd.to_datetime(text.map(one_date), errors="coerce")
    return parsed.where(parsed.dt.year.between(*YEARS) & ~parsed.isin(PLACEHOLDER_DAYS))


@lru_cache(maxsize=1 << 16)  # a corpus repeats its dates
def day_of(text: str) -> datetime.date | None:
    """The day ``text`` gives, as ``read_dates`` reads it (the outlet's own day), or None where it is no date."""
    stamp = read_dates(pd.Series([text], dtype=object)).iloc[0]
    return None if pd.isna(stamp) else stamp.date()


# a date written to the year or the month alone ("2024", "2024-06"): the period it names, not its first day
PRECISION = (("year", r"^\d{4}$"), ("month", r"^\d{4}-\d{1,2}$"))


def days_of(text: str) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day ``text`` can be (``day_of``): the day itself, or the whole year or month a date written
    to the year or month alone names ("2017": 2017-01-01 to 2017-12-31); None where it is no date."""
    import calendar
    import re

    day = day_of(text)
    if day is None:
        return None
    written = text.strip()
    precision = next((period for period, pattern in PRECISION if re.match(pattern, written)), None)
    if precision == "year":
        return day, day.replace(month=12, day=31)
    if precision == "month":
        return day, day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return day, day


def date_text(value: datetime.date) -> str:
    """A date or time value (Python's ``date`` or ``datetime``, pandas' ``Timestamp``: a DataFrame's datetime column,
    a Parquet date or timestamp column) as a table's text gives it: a day, or a time without a zone at midnight, as
    the day ("2011-04-07", as pandas writes a column of days to CSV and as a CSV file's "2011-04-07" is kept); any
    other time as ISO 8601 with its offset, where it has one ("2011-04-07T14:05:00", "2011-04-07T00:00:00+02:00":
    the report reads the outlet's own day from it, ``read_dates``)."""
    if not isinstance(value, datetime.datetime):
        return value.isoformat()
    if value.tzinfo is None and value.time() == datetime.time() and not getattr(value, "nanosecond", 0):
        return value.date().isoformat()
    return value.isoformat()


def is_date(text: str) -> bool:
    """Whether ``text`` is a date the report reads (as ``read_dates`` reads it)."""
    return day_of(text) is not None
