"""Working days over China's statutory holidays and make-up working days (调休), for time limits.

Data: the ``chinesecalendar`` package (module ``chinese_calendar``), which follows the State Council's
yearly holiday notices; upgrade it each December when the next year's notice is out. For a year it has
no data for, this module falls back to "Monday to Friday" and logs a warning once per year, so a
deadline is still computed (and visibly approximate) rather than refused.

Counting convention (statutory limits run from the day after the act): ``workdays_between(a, b)`` counts
working days in the half-open interval (a, b]; ``add_workdays(a, n)`` is the day b with
``workdays_between(a, b) == n``.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import chinese_calendar
import structlog

log = structlog.get_logger(__name__)

_warned: set[int] = set()
_warned_lock = threading.Lock()
_ONE = timedelta(days=1)


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def has_data(year: int) -> bool:
    """Whether the holiday data covers ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_workday(day: date) -> bool:
    """True on a working day: Monday to Friday unless a statutory holiday, plus make-up working days."""
    day = _day(day)
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        _warn_once(day.year)
        return day.weekday() < 5


def _warn_once(year: int) -> None:
    with _warned_lock:
        if year in _warned:
            return
        _warned.add(year)
    log.warning("calendar.no_holiday_data", year=year,
                todo=f"run `pip install -U chinesecalendar` once the State Council publishes the {year} "
                     f"holidays (usually in November); until then {year} deadlines count Monday-Friday only")


def add_workdays(start: date, n: int) -> date:
    """The n-th working day after ``start`` (before it, for negative n); ``start`` itself for n == 0."""
    day = _day(start)
    step = _ONE if n >= 0 else -_ONE
    remaining = abs(n)
    while remaining:
        day += step
        if is_workday(day):
            remaining -= 1
    return day


def workdays_between(a: date, b: date) -> int:
    """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``."""
    a, b = _day(a), _day(b)
    if b < a:
        return -workdays_between(b, a)
    count = 0
    day = a
    while day < b:
        day += _ONE
        count += is_workday(day)
    return count


def workdays_remaining(deadline: date, today: date) -> int:
    """Working days left until ``deadline`` as seen on ``today``: 0 when due today (or on the last
    non-working days before it is due), negative when overdue (by that many working days)."""
    return workdays_between(today, deadline)
