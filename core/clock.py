"""The legal clock: today for a tenant, and statutory periods in working or calendar days.

This is the one place plugins get "today" and add periods (issue #12 builds it out: holiday notices as
data, pauses, extensions, legal bases). Its public names are re-exported by ``core.api`` and are a
contract: keep them stable.

Counting convention (statutory limits run from the day after the act): ``working_days_between(a, b)``
counts working days in the half-open interval (a, b]; ``add_working_days(a, n)`` is the day b with
``working_days_between(a, b) == n``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core import calendar as _calendar

DEFAULT_ZONE = "Asia/Shanghai"


def zone(platform: Any = None) -> ZoneInfo:
    """The time zone the halls live in (the ``timezone`` setting)."""
    name = DEFAULT_ZONE
    if platform is not None:
        name = platform.settings["timezone"]
    return ZoneInfo(name)


def now(platform: Any = None) -> datetime:
    """The current instant, aware, in UTC (stored times are UTC)."""
    return datetime.now(UTC)


def today(platform: Any = None, tenant: Any = None) -> date:
    """Today where the halls are (not the server's date)."""
    return now(platform).astimezone(zone(platform)).date()


def local_date(platform: Any, at: datetime) -> date:
    """The day in the halls' zone on which ``at`` happened (naive values are UTC, as SQLite returns)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(zone(platform)).date()


def is_working_day(day: date) -> bool:
    return _calendar.is_workday(day)


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start``."""
    return _calendar.add_workdays(start, n)


def working_days_between(a: date, b: date) -> int:
    """Working days after ``a`` up to and including ``b`` (negative when ``b`` is before ``a``)."""
    return _calendar.workdays_between(a, b)


def add_calendar_days(start: date, n: int, *, roll_to_working_day: bool = False) -> date:
    """``n`` calendar days after ``start``; with ``roll_to_working_day`` a last day that falls on a
    holiday or weekend moves to the next working day (where the law says so)."""
    end = start + timedelta(days=n)
    if roll_to_working_day:
        while not _calendar.is_workday(end):
            end += timedelta(days=1)
    return end
