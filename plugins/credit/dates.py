"""Dates for credit records: the local day, month arithmetic and working days (core.calendar)."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.api import add_working_days

CHINA = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    return datetime.now(CHINA).date()


def local_date(at: datetime) -> date:
    """The day in China on which ``at`` happened (naive values are UTC, as SQLite returns them)."""
    if at.tzinfo is None:
        from datetime import UTC

        at = at.replace(tzinfo=UTC)
    return at.astimezone(CHINA).date()


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_workdays(start: date, n: int) -> date:
    """``n`` working days after ``start`` over China's statutory holidays and make-up days."""
    return add_working_days(start, n)
