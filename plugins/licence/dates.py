"""Days for licences: today where the platform runs (the ``timezone`` setting), validity in months, and
the statutory issue period in working days through the core calendar.

The issue period: 《中华人民共和国行政许可法》第四十四条 — a licence document is issued within ten days of
the decision to grant it; 第八十二条 — periods in that law are working days. ``issue_deadline`` counts them
with ``core.calendar`` (statutory holidays and make-up working days).
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.api import add_working_days

ISSUE_WORKDAYS = 10
ISSUE_BASIS = (
    "《中华人民共和国行政许可法》第四十四条：作出准予行政许可决定之日起十日内颁发行政许可证件（第八十二条：期限以工作日计算）",
    "Administrative Licensing Law, art. 44: the licence is issued within ten working days of the "
    "decision (art. 82: working days)",
)


def zone(platform: Any) -> ZoneInfo:
    name = "Asia/Shanghai"
    if platform is not None:
        name = platform.settings["timezone"]
    return ZoneInfo(name)


def today(platform: Any) -> date:
    """Today where the halls are (not the server's UTC date)."""
    return datetime.now(zone(platform)).date()


def local_date(platform: Any, at: datetime) -> date:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(zone(platform)).date()


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(valid_from: date, months: int) -> date | None:
    """The last day of validity: ``months`` after ``valid_from``, less one day; None for long-term."""
    if months <= 0:
        return None
    return add_months(valid_from, months) - timedelta(days=1)


def issue_deadline(decided_on: date) -> date:
    return add_working_days(decided_on, ISSUE_WORKDAYS)
