"""Smart agriculture in a browser: the demo producer (the demo citizen) reads a lot's trace code from
"my produce lots"; a guest types that code on the public lookup and sees the product, the producer, and
the chain three hops up to the harvested, tested and certified celery; a mistyped code gets a friendly
page. Screenshots at desktop size and at 375 px."""

from __future__ import annotations

import pytest

from tests.e2e.test_licence_browser import PHONE, log_in, new_page, no_horizontal_scroll

pytestmark = pytest.mark.e2e
DEMO_PASSWORD = "Govhall2026demo"


def test_a_guest_resolves_a_lot_code_and_sees_the_chain(server, browser, screenshot):
    producer_ctx, producer = new_page(browser)
    log_in(producer, server, "citizen", DEMO_PASSWORD)
    producer.goto(f"{server.url}/t/360102/agriculture/producer")
    row = producer.locator("tr", has_text="社区团购配送箱")
    code = row.locator("a.code-s").inner_text().strip()
    assert len(code) == 19
    screenshot(producer, "agriculture-1-my-lots")
    producer_ctx.close()

    guest_ctx, guest = new_page(browser)
    guest.goto(f"{server.url}/t/360102/agriculture/trace")
    guest.fill("#code", code)
    guest.locator("main form button[type=submit]").click()
    guest.wait_for_load_state()
    main = guest.locator("main").inner_text()
    assert "社区团购配送箱" in main and "东湖区扬子洲蔬菜专业合作社" in main
    hops = guest.locator("article.hop-upstream h4").all_inner_texts()
    assert len(hops) == 3 and "芹菜" in hops[-1], hops
    assert "合格" in guest.locator("article.hop-upstream").last.inner_text()
    assert "13907910001" not in guest.content()  # no phone number for guests
    assert guest.locator(".qr img").evaluate("img => img.naturalWidth") > 0
    screenshot(guest, "agriculture-2-trace")
    guest.set_viewport_size(PHONE)
    assert no_horizontal_scroll(guest)
    screenshot(guest, "agriculture-2-trace-375")

    guest.set_viewport_size({"width": 1280, "height": 900})
    guest.goto(f"{server.url}/t/360102/agriculture/t/{code[:-1]}{(int(code[-1]) + 1) % 10}")
    assert "校验位不符" in guest.locator("main").inner_text()
    screenshot(guest, "agriculture-3-mistyped")
    guest_ctx.close()


def test_a_guest_follows_donghu_celery_into_a_xihu_salad_box_and_back(server, browser, screenshot):
    producer_ctx, producer = new_page(browser)
    log_in(producer, server, "citizen", DEMO_PASSWORD)
    producer.goto(f"{server.url}/t/360102/agriculture/producer")
    celery = producer.locator("tr", has_text="芹菜").filter(has_not_text="净菜").last
    code = celery.locator("a.code-s").inner_text().strip()
    producer_ctx.close()

    guest_ctx, guest = new_page(browser)
    guest.goto(f"{server.url}/t/360102/agriculture/t/{code}")
    box_hop = guest.locator("article.hop-downstream", has_text="芹菜沙拉轻食盒")
    assert "西湖区" in box_hop.inner_text() and "西湖区绳金塔鲜食工坊" in box_hop.inner_text()
    box = box_hop.locator(".code-s").first.inner_text().strip()
    assert box.startswith("360103")
    screenshot(guest, "agriculture-4-downstream-into-xihu")

    guest.goto(f"{server.url}/t/360103/agriculture/t/{box}")
    main = guest.locator("main").inner_text()
    assert "芹菜沙拉轻食盒" in main and "西湖区绳金塔鲜食工坊" in main
    donghu = guest.locator("article.hop-upstream", has_text="东湖区扬子洲蔬菜专业合作社")
    assert "东湖区扬子洲蔬菜专业合作社" in donghu.inner_text() and "HG360102" in donghu.inner_text()
    assert "东湖区农产品质量安全检测站" not in guest.content()  # Donghu's lab stays with Donghu
    screenshot(guest, "agriculture-5-xihu-upstream")
    guest.set_viewport_size(PHONE)
    assert no_horizontal_scroll(guest)
    screenshot(guest, "agriculture-5-xihu-upstream-375")
    guest_ctx.close()
