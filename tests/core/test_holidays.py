"""Holiday notices as data: the import format, `govhall calendar show/import`, the notice in force in
every process, local holidays, and the warning for a year without a notice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from core import clock, holidays
from core.audit import AuditEntry
from core.db import Scope

SAMPLE = Path(__file__).resolve().parents[2] / "docs" / "holidays" / "2027-sample.toml"


def test_the_2027_sample_parses_and_is_marked_a_sample():
    notice = holidays.parse_notice(SAMPLE.read_text(encoding="utf-8"))
    assert notice.year == 2027 and notice.sample
    assert date(2027, 1, 31) in notice.work and notice.off[date(2027, 2, 11)] == "spring_festival"
    assert holidays.parse_notice(holidays.dump_notice(notice)) == notice


@pytest.mark.parametrize("text,field", [
    ("year = 1800\ntitle = 'x'\n[[holiday]]\nname='new_year'\noff=['1800-01-01']", "year"),
    ("year = 2027\n[[holiday]]\nname='new_year'\noff=['2027-01-01']", "title"),
    ("year = 2027\ntitle='x'\n[[holiday]]\nname='xmas'\noff=['2027-12-25']", "holiday[0].name"),
    ("year = 2027\ntitle='x'\n[[holiday]]\nname='new_year'\noff=['2027-13-01']", "holiday[0].off"),
    ("year = 2027\ntitle='x'\n[[holiday]]\nname='new_year'\nwork=['2027-01-01']", "statutory holiday"),
    ("year = 2027\ntitle='x'\n[[holiday]]\nname='new_year'\noff=['2028-01-01']", "not in 2027"),
    ("year = ", "file"),
])
def test_a_bad_notice_is_refused_naming_the_field(text, field):
    with pytest.raises(holidays.NoticeError, match=field.replace("[", r"\[").replace("]", r"\]")):
        holidays.parse_notice(text)


def test_cli_shows_a_year_without_a_notice_as_provisional_and_imports_one(cli, db_url, tmp_path):
    r = cli("calendar", "show", "2027")
    assert r.exit_code == 0, r.output
    assert "PROVISIONAL" in r.output and "law only" in r.output
    assert "2027-02-09" in r.output  # a weekday off in lieu of the Spring Festival's weekend days
    r = cli("calendar", "import", "--yes", "--actor", "admin:360000", str(SAMPLE))
    assert r.exit_code == 0, r.output
    assert "SAMPLE" in r.output and "entered" in r.output
    r = cli("calendar", "show", "2027")
    assert "entered notice" in r.output and "SAMPLE" in r.output and "PROVISIONAL" not in r.output
    assert "2027-01-31" in r.output  # a make-up working Sunday
    r = cli("calendar", "show", "2026")
    assert "chinesecalendar package" in r.output
    bad = tmp_path / "bad.toml"
    bad.write_text("year = 2027\ntitle = 'x'\n[[holiday]]\nname = 'new_year'\nwork = ['2027-01-01']\n",
                   encoding="utf-8")
    r = cli("calendar", "import", "--yes", str(bad))
    assert r.exit_code == 1 and "statutory holiday" in r.output


def test_an_entered_notice_is_audited_and_in_force_in_another_process(platform, db_url, tmp_path):
    from tests.conftest import make_platform

    notice = holidays.parse_notice(SAMPLE.read_text(encoding="utf-8"))
    other = make_platform(db_url, tmp_path / "other")
    try:
        assert other.directory is not None  # loads the directory and, with it, the calendar
        assert other.clock.calendar.provisional(2027)
        outcome = holidays.enter(platform, notice, actor="admin")
        assert outcome.applied and not platform.clock.calendar.provisional(2027)
        assert platform.clock.calendar.is_workday(date(2027, 1, 31))
        other.refresh()
        assert other.clock.calendar.source(2027) == "notice"
    finally:
        other.close()
    with platform.db.session(Scope.system()) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "calendar.notice.entered")).one()
        assert entry.details["year"] == 2027 and entry.details["sample"] is True
    # Entering it again replaces it (a corrected notice), still one row per year.
    holidays.enter(platform, notice, actor="admin")
    with platform.db.session(Scope.system()) as s:
        assert [n.version for n in holidays.notices(s)] == [2]


def test_local_holidays_add_days_off_below_the_tenant_only(platform):
    county = platform.directory.get("360102")
    province = platform.directory.get("360000")
    holidays.add_local_holiday(platform, county, date(2027, 3, 3), "三月三", actor="admin")
    assert clock.calendar_for(platform, county).is_workday(date(2027, 3, 3)) is False
    assert clock.calendar_for(platform, province).is_workday(date(2027, 3, 3)) is True
    with pytest.raises(holidays.NoticeError, match="name"):
        holidays.add_local_holiday(platform, county, date(2027, 3, 4), " ", actor="admin")


def test_a_year_without_a_notice_is_a_warning(platform):
    assert holidays.missing_notice_years(platform, date(2026, 11, 29)) == [2027]
    assert holidays.missing_notice_years(platform, date(2026, 3, 1)) == []  # next year's shows in October
    assert holidays.missing_notice_years(platform, date(2027, 3, 1)) == [2027]
    assert "2027" in holidays.warning_text([2027]) and "provisional" in holidays.warning_text([2027])


def test_settings_show_warns_of_a_year_without_a_notice(cli, platform):
    platform.clock.set(date(2026, 11, 29))  # the CLI starts its own platform: only real today matters
    r = cli("settings", "show")
    assert r.exit_code == 0
    missing = holidays.missing_notice_years(None)
    assert ("WARNING" in r.output) == bool(missing)
    if missing:
        assert "govhall calendar import FILE" in r.output
