"""Dates for credit records: the local day, month arithmetic and working days (core.calendar)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import structlog

CHINA = ZoneInfo("Asia/Shanghai")
log = structlog.get_logger(__name__)


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
    """``n`` working days after ``start``: core.calendar when present (statutory holidays and make-up
    days), else chinesecalendar directly, else weekends only."""
    try:
        from core import calendar as core_calendar  # type: ignore[attr-defined]

        return core_calendar.add_workdays(start, n)  # type: ignore[no-any-return]
    except ImportError:
        pass
    day, left = start, n
    while left > 0:
        day += timedelta(days=1)
        if _is_workday(day):
            left -= 1
    return day


def _is_workday(day: date) -> bool:
    try:
        import chinese_calendar

        return bool(chinese_calendar.is_workday(day))
    except (ImportError, NotImplementedError):
        log.warning("calendar.fallback", day=day.isoformat())
        return day.weekday() < 5
