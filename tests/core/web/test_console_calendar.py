"""The console's calendar page: the provisional year warning, entering a notice in two steps (preview
with the deadlines it moves, then confirm), refused inputs, local holidays, and who may do what."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.factories import csrf_token, login, make_staff

SAMPLE = (Path(__file__).resolve().parents[3] / "docs" / "holidays" / "2027-sample.toml").read_text(
    encoding="utf-8")


@pytest.fixture
def as_user(app):
    clients = []

    def make(username: str) -> TestClient:
        c = TestClient(app, follow_redirects=False)
        c.__enter__()
        clients.append(c)
        return login(c, username)

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def test_a_year_without_a_notice_is_shown_and_a_notice_is_entered_in_two_steps(platform, as_user):
    from datetime import date

    platform.clock.set(date(2026, 11, 29))
    make_staff(platform, "cal_admin", "360000", "comprehensive_admin", subtree=True)
    admin = as_user("cal_admin")
    console = admin.get("/t/360000/console/")
    assert console.status_code == 200 and 'id="calendar-warning"' in console.text and "2027" in console.text
    page = admin.get("/t/360000/console/calendar?year=2027")
    assert page.status_code == 200
    assert 'data-source="law"' in page.text and 'id="calendar-warning"' in page.text
    assert "2027-02-09" in page.text  # a weekday off in lieu
    token = csrf_token(admin, "/t/360000/console/calendar?year=2027")
    preview = admin.post("/t/360000/console/calendar/notice", data={"text": SAMPLE, "csrf_token": token})
    assert preview.status_code == 200 and 'id="preview"' in preview.text and 'id="moved">0<' in preview.text
    assert platform.clock.calendar.provisional(2027)  # a preview writes nothing
    done = admin.post("/t/360000/console/calendar/notice",
                      data={"text": SAMPLE, "confirm": "true", "csrf_token": token})
    assert done.status_code == 303 and "saved=notice" in done.headers["location"]
    after = admin.get(done.headers["location"])
    assert 'data-source="notice"' in after.text and 'id="sample"' in after.text
    assert "2027-01-31" in after.text
    assert 'id="calendar-warning"' not in admin.get("/t/360000/console/").text


def test_a_bad_notice_is_refused_and_a_county_cannot_enter_one(platform, as_user):
    make_staff(platform, "cal_admin2", "360000", "comprehensive_admin", subtree=True)
    admin = as_user("cal_admin2")
    token = csrf_token(admin, "/t/360000/console/calendar")
    bad = SAMPLE.replace('work = ["2027-01-31", "2027-02-20"]', 'work = ["2027-02-06"]')
    r = admin.post("/t/360000/console/calendar/notice",
                   data={"text": bad, "confirm": "true", "csrf_token": token})
    assert r.status_code == 422 and "statutory holiday" in r.text
    assert platform.clock.calendar.provisional(2027)
    county = admin.post("/t/360102/console/calendar/notice",
                        data={"text": SAMPLE, "confirm": "true", "csrf_token": token})
    assert county.status_code == 403 and platform.clock.calendar.provisional(2027)
    assert 'id="notice-text"' not in admin.get("/t/360102/console/calendar").text


def test_a_county_adds_a_local_holiday_for_its_subtree(platform, as_user):
    make_staff(platform, "cal_admin3", "360000", "comprehensive_admin", subtree=True)
    admin = as_user("cal_admin3")
    token = csrf_token(admin, "/t/360102/console/calendar")
    r = admin.post("/t/360102/console/calendar/local",
                   data={"day": "2027-03-03", "name": "三月三", "csrf_token": token})
    assert r.status_code == 303
    assert "三月三" in admin.get("/t/360102/console/calendar?year=2027").text
    assert "三月三" not in admin.get("/t/360103/console/calendar?year=2027").text
    r = admin.post("/t/360102/console/calendar/local",
                   data={"day": "2027-03-33", "name": "x", "csrf_token": token})
    assert r.status_code in (400, 422)


def test_without_the_console_permission_the_page_is_refused(platform, as_user):
    make_staff(platform, "cal_handler", "360102", "item_handler")
    handler = as_user("cal_handler")
    assert handler.get("/t/360102/console/calendar").status_code in (403, 404)
