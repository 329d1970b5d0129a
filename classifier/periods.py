"""The report's time options read on their words alone: ``--period`` (auto, none or one of :data:`PERIODS`) and
``--split-date`` (a day). Kept apart from ``report.timeline`` and ``report.split`` (pandas, numpy), so that the
command line refuses a bad value of either before the report's libraries load."""

from __future__ import annotations

import datetime
import re

from classifier.errors import InputError, option

PERIODS = ("day", "week", "month", "year")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_period(period: str | None) -> None:
    """``--period`` as asked: auto, none or one of :data:`PERIODS` (else an ``InputError`` naming it)."""
    if period not in (None, "auto", "none", *PERIODS):
        raise InputError(f"{option('period', period)}: expected auto, none, {', '.join(PERIODS[:-1])} or "
                         f"{PERIODS[-1]}")


def day_of(value) -> datetime.date:
    """The day of ``--split-date``: an ISO 8601 day (2022-02-24), or a ``datetime.date`` from Python (a datetime is
    its day). Anything else is an ``InputError`` naming the option."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _DAY.fullmatch(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:  # in that form, but no day of the calendar: "2022-02-30" had been told the form
            raise InputError(f"{option('split_date', value)}: no such day in the calendar (a YYYY-MM-DD day, e.g. "
                             "2022-02-24)") from None
    raise InputError(f"{option('split_date', value)}: expected a day as YYYY-MM-DD, e.g. 2022-02-24")
