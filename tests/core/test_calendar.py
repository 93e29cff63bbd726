"""Working days with China's real 2025/2026 holidays and make-up working days (chinesecalendar)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from structlog.testing import capture_logs

from core import calendar
from core.calendar import add_workdays, has_data, is_workday, workdays_between, workdays_remaining


@pytest.mark.parametrize("day,expected", [
    (date(2026, 10, 1), False),  # National Day
    (date(2026, 10, 7), False),  # still the National Day week
    (date(2026, 10, 9), True),  # Friday after the week
    (date(2026, 9, 20), True),  # Sunday made a working day for National Day 2026
    (date(2026, 10, 10), True),  # Saturday made a working day
    (date(2026, 10, 11), False),  # an ordinary Sunday
    (date(2025, 10, 8), False),  # 2025: National Day and Mid-Autumn together, 1-8 October
    (date(2025, 9, 28), True),  # 2025 make-up Sunday
    (date(2025, 10, 11), True),  # 2025 make-up Saturday
    (date(2026, 2, 14), True),  # Saturday before the 2026 Spring Festival, worked
    (date(2026, 2, 17), False),  # Spring Festival 2026
    (date(2026, 11, 27), True),  # an ordinary Friday
    (date(2026, 11, 28), False),  # an ordinary Saturday (today)
])
def test_is_workday_follows_statutory_holidays(day, expected):
    assert is_workday(day) is expected


def test_add_workdays_skips_the_national_day_week_and_counts_make_up_days():
    # Accepted Wednesday 30 September 2026: 1-7 October are off, Saturday 10 October is worked.
    assert add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert add_workdays(date(2026, 9, 30), 4) == date(2026, 10, 12)
    assert add_workdays(date(2026, 9, 18), 1) == date(2026, 9, 20)  # Friday -> the make-up Sunday
    assert add_workdays(date(2026, 10, 12), -4) == date(2026, 9, 30)
    assert add_workdays(date(2026, 10, 3), 0) == date(2026, 10, 3)
    assert add_workdays(datetime(2026, 9, 30, 17, 30), 1) == date(2026, 10, 8)


def test_workdays_between_is_the_inverse_of_add_workdays():
    start = date(2025, 9, 25)
    for n in (0, 1, 5, 20, 60):
        assert workdays_between(start, add_workdays(start, n)) == n
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 7)) == 0
    assert workdays_between(date(2026, 10, 12), date(2026, 9, 30)) == -4
    # A 20-working-day statutory limit accepted on 28 September 2026 ends on 30 October, not 26 October.
    assert add_workdays(date(2026, 9, 28), 20) == date(2026, 10, 30)


def test_workdays_remaining_counts_down_and_goes_negative_when_overdue():
    deadline = date(2026, 12, 4)  # Friday
    assert workdays_remaining(deadline, date(2026, 11, 28)) == 5  # from Saturday: Mon-Fri
    assert workdays_remaining(deadline, deadline) == 0
    assert workdays_remaining(deadline, date(2026, 12, 8)) == -2  # Mon 7, Tue 8 late
    # Due on the Friday before the National Day week: on the holiday it is 0, then overdue by 1 on 8 Oct.
    assert workdays_remaining(date(2026, 9, 30), date(2026, 10, 5)) == 0
    assert workdays_remaining(date(2026, 9, 30), date(2026, 10, 8)) == -1


def test_years_without_data_fall_back_to_weekends_with_one_warning():
    calendar._warned.discard(2027)
    assert has_data(2026) and not has_data(2027)
    with capture_logs() as logs:
        assert is_workday(date(2027, 1, 1)) is True  # New Year's Day, unknown to the data: a Friday
        assert is_workday(date(2027, 1, 2)) is False  # Saturday
        assert add_workdays(date(2026, 12, 31), 2) == date(2027, 1, 4)
    warnings = [e for e in logs if e["event"] == "calendar.no_holiday_data"]
    assert len(warnings) == 1 and warnings[0]["year"] == 2027 and warnings[0]["log_level"] == "warning"
