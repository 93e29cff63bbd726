"""Public resource trading in a browser: a guest reads the city's notices (its districts' included) at 375 px;
the demo enterprise registers for a Nanchang tender, seals its bid in the browser (WebCrypto) and gets a
signed receipt — the database holds no price; the deadline passes (moved in the database: the law's 20
days cannot pass in a test) and the enterprise gives its key at the online opening and sees its price.
Screenshots at desktop size and at 375 px."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import DateTime, bindparam, create_engine, text

from core.identity.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 812}
TITLE = "南昌市公交站台提升改造工程"


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


def _db(server):
    return create_engine(server.env["GOVHALL_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://"))


def test_a_bidder_seals_in_the_browser_and_opens_at_the_deadline(server, browser, screenshot):
    gctx, guest = new_page(browser, PHONE)
    guest.goto(f"{server.url}/t/360100/bidding/")
    assert "东湖区排水管网改造工程" in guest.content()  # a Donghu tender, listed by its city
    assert no_horizontal_scroll(guest)
    screenshot(guest, "bidding-1-notices-375")
    gctx.close()

    ctx, page = new_page(browser)
    log_in(page, server, "enterprise", DEMO_PASSWORD)
    page.goto(f"{server.url}/t/360100/bidding/")
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_load_state()
    tender_url = page.url
    tender_id = int(tender_url.rstrip("/").rsplit("/", 1)[1])
    page.locator("#register").click()
    page.wait_for_load_state()
    page.fill("#price", "2388000.00")
    page.locator("#seal").click()
    page.wait_for_selector("#receipt")
    assert "您的密封投标已送达" in page.content()
    screenshot(page, "bidding-2-sealed-receipt")

    engine = _db(server)
    with engine.begin() as conn:
        row = conn.execute(
            text(
                "SELECT price_cents, ciphertext FROM bidding_bids b JOIN bidding_bidders r "
                "ON r.id = b.bidder_id WHERE b.tender_id = :t AND r.credit_code = :c"
            ),
            {"t": tender_id, "c": "91360100MA35123453"},
        ).one()
        assert row[0] is None and b"238800000" not in bytes(row[1])  # sealed: no price anywhere
        past = bindparam("d", type_=DateTime(timezone=True))
        conn.execute(
            text("UPDATE bidding_tenders SET deadline = :d WHERE id = :t").bindparams(past),
            {"d": datetime.now(UTC) - timedelta(minutes=1), "t": tender_id},
        )
    engine.dispose()

    page.goto(tender_url)
    page.wait_for_selector("#key-form")
    assert page.locator("#key").input_value()  # the key this browser kept
    page.locator("#key-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "2,388,000.00" in page.locator("#my-bid-state").inner_text()
    screenshot(page, "bidding-3-opened")
    ctx.close()

    pctx, phone = new_page(browser, PHONE)
    log_in(phone, server, "enterprise", DEMO_PASSWORD)
    phone.goto(tender_url)
    assert no_horizontal_scroll(phone)
    screenshot(phone, "bidding-3-opened-375")
    phone.goto(f"{server.url}/t/360102/bidding/tenders/3")
    screenshot(phone, "bidding-4-candidates-375")
    pctx.close()
