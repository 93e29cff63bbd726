"""Working days with China's real 2025/2026 holidays and make-up working days (chinesecalendar), and the
law's holidays for years without a notice."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from structlog.testing import CapturingLogger

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


def test_years_without_a_notice_count_the_law_with_one_warning(monkeypatch):
    calendar._warned.discard(2027)
    capturing = CapturingLogger()
    monkeypatch.setattr(calendar, "log", capturing)  # the module's logger may be cached by an earlier test
    cal = calendar.Calendar()  # no notices entered: 2027 is past the package's data
    assert has_data(2026) and cal.source(2026) == "package"
    assert cal.source(2027) == "law" and cal.provisional(2027)
    assert cal.is_workday(date(2027, 1, 1)) is False  # New Year's Day, a Friday: never a working day
    assert cal.is_workday(date(2027, 1, 2)) is False  # Saturday
    assert cal.add_workdays(date(2026, 12, 31), 2) == date(2027, 1, 5)
    assert cal.is_workday(date(2027, 3, 1)) is True
    warnings = [c for c in capturing.calls if c.args == ("calendar.no_holiday_data",)]
    assert len(warnings) == 1 and warnings[0].kwargs["year"] == 2027 and warnings[0].method_name == "warning"


def test_the_law_gives_13_statutory_holidays_since_2025_and_11_before():
    assert len(calendar.statutory_holidays(2024)) == 11
    for year in (2025, 2026, 2027, 2030, 2045):
        assert len(calendar.statutory_holidays(year)) == 13, year


def test_the_law_matches_the_packaged_notices_on_every_statutory_day():
    # The packaged data is the State Council's notices: every statutory day of the law is off there.
    for year in (2025, 2026):
        notice = calendar.package_notice(year)
        assert notice is not None
        for day in calendar.statutory_holidays(year):
            assert day in notice.off, (year, day)


def test_2027_by_the_law_alone():
    law = calendar.statutory_holidays(2027)
    spring = sorted(d for d, k in law.items() if k == "spring_festival")
    assert spring == [date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]  # eve + 3
    assert law[date(2027, 4, 5)] == "qingming"
    assert law[date(2027, 6, 9)] == "dragon_boat"
    assert law[date(2027, 9, 15)] == "mid_autumn"
    off = calendar.law_days_off(2027)
    # Two Spring Festival days fall on the weekend: the measures give two weekdays off in lieu after it.
    assert off[date(2027, 2, 9)] == off[date(2027, 2, 10)] == "in_lieu"
    assert date(2027, 2, 11) not in off
    # 1-2 May 2027 are Saturday and Sunday: 3 and 4 May off in lieu; 2-3 October likewise.
    assert off[date(2027, 5, 3)] == off[date(2027, 5, 4)] == "in_lieu"
    assert off[date(2027, 10, 4)] == off[date(2027, 10, 5)] == "in_lieu"


def test_a_notice_takes_precedence_and_local_holidays_only_add():
    notice = calendar.Notice(year=2027, off={date(2027, 2, 11): "spring_festival"},
                             work=frozenset({date(2027, 1, 31)}), title="test")
    cal = calendar.Calendar().with_notices([notice])
    assert cal.source(2027) == "notice" and not cal.provisional(2027)
    assert cal.is_workday(date(2027, 1, 31)) is True  # a make-up Sunday
    assert cal.is_workday(date(2027, 2, 11)) is False
    assert cal.is_workday(date(2027, 2, 8)) is False  # the law's days stay off whatever the notice omits
    local = cal.with_local({date(2027, 3, 3): "local", date(2027, 1, 31): "local"})
    assert local.is_workday(date(2027, 3, 3)) is False and cal.is_workday(date(2027, 3, 3)) is True
    assert local.is_workday(date(2027, 1, 31)) is False


def test_counting_across_years_agrees_with_a_day_by_day_walk():
    cal = calendar.Calendar()
    a = date(2025, 11, 3)
    for b in (date(2026, 1, 5), date(2027, 2, 26), date(2028, 1, 3)):
        walk, day = 0, a
        while day < b:
            day = date.fromordinal(day.toordinal() + 1)
            walk += cal.is_workday(day)
        assert cal.workdays_between(a, b) == walk
        assert cal.add_workdays(a, walk) <= b and cal.workdays_between(a, cal.add_workdays(a, walk)) == walk


def test_a_notice_working_a_statutory_holiday_is_refused():
    notice = calendar.Notice(year=2027, off={}, work=frozenset({date(2027, 1, 1), date(2028, 1, 2)}))
    problems = notice.problems()
    assert any("2027-01-01 is a statutory holiday" in p for p in problems)
    assert any("2028-01-02 is not in 2027" in p for p in problems)
