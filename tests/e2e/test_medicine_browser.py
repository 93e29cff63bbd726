"""Sunshine medicine in a browser: a guest searches the listed prices at 375 px; the demo hospital
(南昌市东湖区人民医院, its legal person's account made as an operator would) orders at the listed price; the
distributor (the demo enterprise) confirms and ships with a delivery note; the hospital accepts with the
batch and sees the payment due 30 days later. Screenshots at desktop size and at 375 px."""

from __future__ import annotations

import pytest

from core.identity.demo import DEMO_PASSWORD
from plugins.medicine.demo import HOSPITALS

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 812}
HOSPITAL_USER = "e2e_med_hospital"


def new_page(browser, size=None):
    ctx = browser.new_context(viewport=size or {"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    return ctx, page


def log_in(page, server, username, password):
    page.goto(f"{server.url}/login?next=/my/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator('header a[href^="/login"]').count() == 0, "login failed"


def no_horizontal_scroll(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_hospital_orders_distributor_ships_hospital_accepts(server, browser, screenshot):
    gctx, guest = new_page(browser, PHONE)
    guest.goto(f"{server.url}/t/360102/medicine/?q=阿莫西林")
    assert (
        "阿莫西林胶囊" in guest.content() and "11.80" in guest.content()
    )  # Nanchang's lower price, inherited
    assert no_horizontal_scroll(guest)
    screenshot(guest, "medicine-1-prices-375")
    gctx.close()

    code, name, _grade = HOSPITALS["360102"][0]
    server.govhall(
        "users",
        "create",
        HOSPITAL_USER,
        "--kind",
        "legal",
        "--name",
        name,
        "--password",
        DEMO_PASSWORD,
        "--id-number",
        code,
        "--representative-name",
        "院长",
        "--representative-id",
        "360102198511124563",  # a valid resident ID (the demo representative's)
    )
    hctx, hospital = new_page(browser)
    log_in(hospital, server, HOSPITAL_USER, DEMO_PASSWORD)
    hospital.goto(f"{server.url}/t/360102/medicine/orders")
    row = hospital.locator("#order-form tr", has_text="阿莫西林胶囊")
    row.locator("input[name^=qty_]").fill("30")
    hospital.locator("#create-order").click()
    hospital.wait_for_load_state()
    hospital.locator("#submit-order").click()
    hospital.wait_for_load_state()
    assert "待配送企业确认" in hospital.locator("#order-status").inner_text()
    order_url = hospital.url
    screenshot(hospital, "medicine-2-submitted")

    dctx, dist = new_page(browser)
    log_in(dist, server, "enterprise", DEMO_PASSWORD)
    dist.goto(order_url)
    dist.locator("#respond").click()
    dist.wait_for_load_state()
    assert "已确认" in dist.locator("#order-status").inner_text()
    dist.fill("#delivery_note", "SHD-E2E-001")
    dist.locator("#ship").click()
    dist.wait_for_load_state()
    assert "已发货" in dist.locator("#order-status").inner_text()
    screenshot(dist, "medicine-3-shipped")
    dctx.close()

    hospital.set_viewport_size(PHONE)
    hospital.goto(order_url)
    hospital.locator("input[name^=batch_]").fill("B20261201")
    hospital.locator("#accept").click()
    hospital.wait_for_load_state()
    content = hospital.content()
    assert "已验收" in hospital.locator("#order-status").inner_text() and "B20261201" in content
    assert "应付款日" in content and no_horizontal_scroll(hospital)
    screenshot(hospital, "medicine-4-accepted-375")
    hctx.close()


def test_staff_change_a_listed_price_on_the_catalogue_page(server, browser, screenshot):
    """Nanchang's officer finds a drug in the catalogue, is refused a price in the past (Chinese with
    English beside), then lists a lower price from a later day and sees it scheduled among the versions."""
    sctx, staff = new_page(browser, PHONE)
    log_in(staff, server, "nanchang_admin", DEMO_PASSWORD)
    staff.goto(f"{server.url}/t/360100/medicine/manage?q=阿莫西林")
    screenshot(staff, "medicine-5-catalogue-375")
    assert "挂网目录与价格" in staff.content() and no_horizontal_scroll(staff)
    staff.locator("#catalogue a", has_text="阿莫西林胶囊").first.click()
    staff.wait_for_load_state()
    assert "价格版本" in staff.content() and "执行中" in staff.locator("#versions").inner_text()
    staff.fill("#price", "11.50")
    staff.evaluate("document.querySelector('#effective_from').removeAttribute('min')")
    staff.fill("#effective_from", "2020-01-01")
    staff.locator("#change-price button[type=submit]").click()
    staff.wait_for_load_state()
    errors = staff.locator("#form-errors").inner_text()
    assert "生效日期不能早于今天" in errors and "cannot be in the past" in errors
    assert no_horizontal_scroll(staff)
    screenshot(staff, "medicine-6-price-refused-375")
    day = staff.evaluate("document.querySelector('#effective_from').getAttribute('min')")
    later = staff.evaluate(f"new Date(Date.parse('{day}') + 30*86400000).toISOString().slice(0, 10)")
    staff.fill("#price", "11.50")
    staff.fill("#effective_from", later)
    staff.fill("#note", "带量采购联动降价")
    staff.locator("#change-price button[type=submit]").click()
    staff.wait_for_load_state()
    versions = staff.locator("#versions").inner_text()
    assert "11.50" in versions and "待生效" in versions and later in versions
    assert "新的挂网价格已发布" in staff.content() and no_horizontal_scroll(staff)
    screenshot(staff, "medicine-7-price-scheduled-375")
    staff.set_viewport_size({"width": 1280, "height": 900})
    staff.reload()
    screenshot(staff, "medicine-8-price-versions")
    staff.set_viewport_size(PHONE)
    staff.goto(f"{server.url}/t/360100/medicine/manage/rounds")
    assert "新建批次" in staff.content() and no_horizontal_scroll(staff)
    screenshot(staff, "medicine-9-rounds-375")
    sctx.close()
