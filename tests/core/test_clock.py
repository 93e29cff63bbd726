"""The legal clock: an injectable today, periods that pause, resume and are extended, tightening."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core import clock
from core.calendar import Calendar
from core.clock import Clock, Period


def test_today_is_injectable_without_monkeypatching():
    c = Clock("Asia/Shanghai")
    c.set(date(2026, 12, 20))
    assert c.today() == date(2026, 12, 20) and c.fixed
    c.advance(3)
    assert c.today() == date(2026, 12, 23)
    c.set(datetime(2026, 12, 31, 17, 0, tzinfo=UTC))  # 01:00 on 1 January in Shanghai
    assert c.today() == date(2027, 1, 1)
    c.set(None)
    assert not c.fixed and c.now().tzinfo is not None


def test_the_platform_clock_answers_today(platform):
    platform.clock.set(date(2027, 2, 8))
    assert clock.today(platform) == date(2027, 2, 8)
    assert clock.now(platform).date() == date(2027, 2, 8)
    platform.clock.set(None)
    assert clock.today(platform) == clock.now().astimezone(clock.zone(platform)).date()


def test_a_working_day_period_pauses_and_resumes_with_the_right_remaining_days():
    cal = Calendar()
    p = Period(start=date(2026, 11, 2), days=20, basis="《行政许可法》第四十二条")  # Monday
    assert p.deadline(calendar=cal) == date(2026, 11, 30)
    assert p.remaining(date(2026, 11, 6), cal) == 16  # 3-6 November used
    paused = p.pause("correction", date(2026, 11, 6), "材料不全")
    assert paused.paused is not None
    assert paused.remaining(date(2026, 11, 20), cal) == 16  # frozen while paused
    resumed = paused.resume(date(2026, 11, 20))  # 10 working days paused
    assert resumed.paused_days(calendar=cal) == 10
    assert resumed.remaining(date(2026, 11, 20), cal) == 16
    assert resumed.deadline(calendar=cal) == clock.add_working_days(date(2026, 11, 20), 16, calendar=cal)
    assert resumed.used(date(2026, 11, 20), cal) == 4
    with pytest.raises(ValueError, match="not paused"):
        resumed.resume(date(2026, 11, 23))
    with pytest.raises(ValueError, match="kind"):
        resumed.pause("lunch", date(2026, 11, 23))


def test_an_extension_is_recorded_with_its_approver_and_adds_its_days_once():
    cal = Calendar()
    p = Period(start=date(2026, 11, 2), days=20).extend(10, "局长 王某", date(2026, 11, 25), "情况复杂")
    assert p.extension_days == 10 and p.extensions[0].approved_by == "局长 王某"
    assert p.deadline(calendar=cal) == cal.add_workdays(date(2026, 11, 2), 30)
    with pytest.raises(ValueError, match="approved_by"):
        p.extend(5, " ", date(2026, 11, 26))
    assert Period.from_dict(p.to_dict()) == p


def test_calendar_day_periods_roll_to_the_next_working_day_where_the_law_says_so():
    cal = Calendar()
    # 20 calendar days from 11 September 2026 end on 1 October (National Day): rolls to 8 October.
    p = Period(start=date(2026, 9, 11), days=20, unit="calendar", basis="《招标投标法》第二十四条")
    assert p.deadline(calendar=cal) == date(2026, 10, 1)
    rolled = Period(start=date(2026, 9, 11), days=20, unit="calendar", roll_to_working_day=True)
    assert rolled.deadline(calendar=cal) == date(2026, 10, 8)
    paused = rolled.pause("expert_review", date(2026, 9, 15)).resume(date(2026, 9, 18))
    assert paused.paused_days(calendar=cal) == 3


def test_tenants_may_tighten_periods_never_lengthen_them():
    assert clock.tighten(20, None) == 20
    assert clock.tighten(20, 12) == 12
    with pytest.raises(ValueError, match="promised_days"):
        clock.tighten(20, 25, "promised_days")
    with pytest.raises(ValueError, match="at least 1"):
        clock.tighten(20, 0)


def test_latest_start_over_is_the_boundary_of_a_working_day_look_back():
    cal = Calendar()
    today = date(2026, 10, 12)
    x = clock.latest_start_over(today, 5, cal)
    assert cal.workdays_between(x, today) > 5
    assert cal.workdays_between(x + (date(2026, 1, 2) - date(2026, 1, 1)), today) <= 5


def test_a_period_setting_may_tighten_the_statutory_period_only():
    from core.settings import SettingsError, SettingSpec, load_settings

    spec = SettingSpec("demo.issue_days", 10, "Working days to issue.", type=int, per_tenant=True,
                       check=clock.within_statutory(10, "《行政许可法》第四十四条"))
    assert spec.check is not None and spec.check(7) is None and spec.check(10) is None
    assert "第四十四条" in spec.check(15) and "may not be longer" in spec.check(15)
    assert "at least 1" in spec.check(0)
    load_settings(extra_specs=[spec], overrides={"demo.issue_days": 5})
    with pytest.raises(SettingsError, match="demo.issue_days"):
        load_settings(extra_specs=[spec], overrides={"demo.issue_days": 12})
