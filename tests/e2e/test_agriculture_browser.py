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
