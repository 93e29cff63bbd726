"""Dates for credit records: the local day, month arithmetic and working days, all from the legal clock
(core.api / core.clock)."""

from __future__ import annotations

from datetime import date, datetime

from core.api import add_months as add_months
from core.api import add_working_days, today
from core.api import local_date as _local_date


def local_today() -> date:
    """Today in the halls' zone, by the process's clock (the platform's, injectable in tests)."""
    return today()


def local_date(at: datetime) -> date:
    """The day in China on which ``at`` happened (naive values are UTC, as SQLite returns them)."""
    return _local_date(None, at)


def add_workdays(start: date, n: int) -> date:
    """``n`` working days after ``start`` over China's statutory holidays and make-up days."""
    return add_working_days(start, n)
