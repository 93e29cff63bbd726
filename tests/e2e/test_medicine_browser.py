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
