"""Days for licences: today where the platform runs (the ``timezone`` setting), validity in months, and
the statutory issue period in working days through the core calendar.

The issue period: 《中华人民共和国行政许可法》第四十四条 — a licence document is issued within ten days of
the decision to grant it; 第八十二条 — periods in that law are working days. ``issue_deadline`` counts them
with ``core.calendar`` (statutory holidays and make-up working days).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.api import add_months as add_months
from core.api import add_working_days, clock, days_before
from core.api import local_date as clock_local_date
from core.api import today as clock_today

clock_zone = clock.zone

ISSUE_WORKDAYS = 10
ISSUE_BASIS = (
    "《中华人民共和国行政许可法》第四十四条：作出准予行政许可决定之日起十日内颁发行政许可证件（第八十二条：期限以工作日计算）",
    "Administrative Licensing Law, art. 44: the licence is issued within ten working days of the "
    "decision (art. 82: working days)",
)


def zone(platform: Any) -> ZoneInfo:
    return clock_zone(platform)


def today(platform: Any) -> date:
    """Today where the halls are (not the server's UTC date), by the platform's clock."""
    return clock_today(platform)


def local_date(platform: Any, at: datetime) -> date:
    return clock_local_date(platform, at)


def valid_until(valid_from: date, months: int) -> date | None:
    """The last day of validity: ``months`` after ``valid_from``, less one day; None for long-term."""
    if months <= 0:
        return None
    return days_before(add_months(valid_from, months), 1)


def issue_deadline(decided_on: date) -> date:
    return add_working_days(decided_on, ISSUE_WORKDAYS)
