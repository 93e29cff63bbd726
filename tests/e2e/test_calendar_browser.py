"""A provincial administrator enters the 2027 holiday notice on the console's calendar page in a real
browser: the provisional year, the preview of the deadlines it moves, the confirmed notice; desktop and
375 px screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
PASSWORD = "E2eCalendar2026pass"
SAMPLE = (Path(__file__).resolve().parents[2] / "docs" / "holidays" / "2027-sample.toml").read_text(
    encoding="utf-8")


@pytest.fixture(scope="module")
def calendar_admin(server):
    server.govhall("users", "create", "e2e_caladmin", "--kind", "staff", "--name", "省管理员（日历）",
                   "--password", PASSWORD, "--tenant", "360000")
    server.govhall("roles", "grant", "e2e_caladmin", "comprehensive_admin", "--tenant", "360000", "--subtree")
    return "e2e_caladmin"


def test_admin_enters_the_2027_notice(server, page, calendar_admin, screenshot):
    page.goto(f"{server.url}/login?next=/t/360000/console/calendar")
    page.get_by_label("用户名").fill(calendar_admin)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    page.goto(f"{server.url}/t/360000/console/calendar?year=2027")
    assert page.locator("#source").get_attribute("data-source") in ("law", "notice")
    screenshot(page, "calendar-2027-provisional")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "calendar-2027-provisional-375")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("通知", exact=True).fill(SAMPLE)
    page.locator("#preview-button").click()
    page.wait_for_load_state()
    assert page.locator("#preview").is_visible()
    screenshot(page, "calendar-2027-preview")
    page.locator("#confirm").click()
    page.wait_for_url("**/console/calendar?year=2027&saved=notice")
    assert page.locator("#source").get_attribute("data-source") == "notice"
    assert page.locator("#sample").is_visible()
    screenshot(page, "calendar-2027-entered")
