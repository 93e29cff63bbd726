"""The hall in a real browser: phone and desktop layout, language switch, keyboard use."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_phone_width_hall_has_no_sideways_scroll(server, browser, screenshot):
    context = browser.new_context(viewport={"width": 375, "height": 812}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    page.goto(server.url + "/t/360102/")
    assert page.locator("h1").first.inner_text().startswith("东湖区")
    # nothing wider than the screen: the page never scrolls sideways on a phone
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px screen"
    for section in ("personal", "legal", "approval", "public_service", "sunshine"):
        assert page.locator(f'[data-section="{section}"]').is_visible()
    screenshot(page, "hall-360102-phone-375")
    context.close()


def test_desktop_hall_and_language_switch_is_remembered(server, page, screenshot):
    page.goto(server.url + "/t/360100/")
    assert "南昌市" in page.locator("h1").inner_text()
    screenshot(page, "hall-360100-desktop")
    page.get_by_role("link", name="English").click()
    assert "Nanchang" in page.locator("h1").inner_text()
    page.goto(server.url + "/t/360102/")  # another hall: the choice is remembered
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Personal affairs" in page.content()
    page.get_by_role("link", name="中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-CN"


def test_hall_is_keyboard_usable(server, page):
    page.goto(server.url + "/t/360102/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() in ("跳到正文", "Skip to content")  # first stop: skip link
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # every form field has a label
    unlabeled = page.evaluate("""() => [...document.querySelectorAll(
          'input:not([type=hidden]), select, textarea')]
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
        .map(el => el.name)""")
    assert unlabeled == []


def test_parent_and_child_halls_are_one_click_away(server, page):
    page.goto(server.url + "/t/360102/")
    page.get_by_role("link", name="返回上级：南昌市").click()
    page.wait_for_url("**/t/360100/")
    page.locator(".children").get_by_role("link", name="东湖区").click()
    page.wait_for_url("**/t/360102/")


def test_search_from_the_hall_finds_service_items(server, page):
    page.goto(server.url + "/t/360102/")
    page.get_by_label("搜索办事事项").fill("身份证")
    page.get_by_label("搜索办事事项").press("Enter")
    page.wait_for_url("**/t/360102/approval/search?q=*")
    assert "居民身份证换领" in page.locator("main").inner_text()


def test_find_a_village_hall_from_any_hall(server, page, screenshot):
    page.goto(server.url + "/t/360000/")
    page.get_by_role("link", name="切换大厅").click()
    page.get_by_label("省、市、县（区）、乡镇（街道）或村（社区）的名称或行政区划代码").fill("扬子洲")
    page.get_by_role("button", name="搜索").click()
    screenshot(page, "find-hall")
    page.locator("#hits").get_by_role("link", name="扬子洲镇").click()
    page.wait_for_url("**/t/360102100/")
    assert "扬子洲镇" in page.locator("h1").inner_text()


@pytest.mark.parametrize("path", ["/t/360102/approval/items", "/t/360102/approval/items/DH-SP-001",
                                  "/t/360102/credit/", "/t/360102/approval/publicity", "/halls?q=东湖",
                                  "/login", "/register"])
def test_public_pages_fit_a_phone(server, browser, path):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    response = page.goto(server.url + path)
    assert response.status == 200
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375, f"{path} is {width}px wide on a 375px screen"
