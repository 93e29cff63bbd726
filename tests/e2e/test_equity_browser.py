"""Equity trading in a browser: a guest reads the Nanchang exchange's projects at 375 px; the demo
enterprise (desktop, server-sent events) and a second qualified buyer (a phone, 375 px, a browser without
EventSource: polling) bid live in the demo auction — each page learns of the other's bid without
reloading and says who leads; the countdown is run out (moved in
the database: a test cannot wait for it) and both pages show the winner. Then the exchange's staff, on
their own pages: file a project (a listing below the appraisal refused first, in Chinese with English
beside), review and disclose it (desktop); on a phone, record the auction's contract and payment and
refund the losing bidder's deposit. Screenshots at both sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from core.identity.demo import DEMO_PASSWORD

try:
    from playwright.sync_api import expect
except ImportError:  # skipped by tests/e2e/conftest.py
    expect = None

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 812}
FIRM = "江西赣江投资有限公司"


def new_page(browser, size=None):
    ctx = browser.new_context(viewport=size or {"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    return ctx, page


def log_in(page, server, username):
    page.goto(f"{server.url}/login?next=/my/")
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator('header a[href^="/login"]').count() == 0, "login failed"


def no_horizontal_scroll(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def _second_buyer(server) -> None:
    """The demo firm that qualified beside the enterprise gets an account (the demo has one legal person)."""
    from stdnum.cn import uscc

    from core.db import Scope
    from core.identity.service import create_account
    from tests.conftest import make_platform

    code = "91360102MA3510001" + uscc.calc_check_digit("91360102MA3510001")
    platform = make_platform(server.env["GOVHALL_DATABASE_URL"], Path(server.env["GOVHALL_DATA_DIR"]))
    try:
        with platform.db.transaction(Scope.system()) as s:
            create_account(
                s,
                kind="legal",
                username="firm",
                password=DEMO_PASSWORD,
                display_name=FIRM,
                id_number=code,
                representative_name="陈某",
                representative_id="360102199006060057",
            )
    finally:
        platform.close()


def test_two_qualified_buyers_bid_live_and_the_winner_is_shown(server, browser, screenshot):
    _second_buyer(server)
    gctx, guest = new_page(browser, PHONE)
    guest.goto(f"{server.url}/t/360100/equity/")
    assert "南昌轨道广告有限公司 35% 股权转让" in guest.content()
    assert no_horizontal_scroll(guest)
    screenshot(guest, "equity-1-projects-375")
    auction_url = guest.locator("a", has_text="竞价现场").first.get_attribute("href")
    gctx.close()

    ctx_a, a = new_page(browser)
    log_in(a, server, "enterprise")
    a.goto(f"{server.url}{auction_url}")
    ctx_b, b = new_page(browser, PHONE)
    ctx_b.add_init_script("delete window.EventSource;")  # a browser without server-sent events
    log_in(b, server, "firm")
    b.goto(f"{server.url}{auction_url}")
    assert "自由报价期" in a.content() and a.locator("#bid-form").count() == 1
    expect(a.locator("#live")).to_have_attribute("data-live", "events")
    expect(b.locator("#live")).to_have_attribute("data-live", "polling")

    a.locator("#place").click()  # the prefilled amount: the start price
    expect(a.locator("#you")).to_contain_text("您当前领先")
    expect(b.locator("#current")).to_contain_text("12,000,000.00")
    b.fill("#amount", "12000000.50")
    b.locator("#place").click()
    expect(b.locator("#bid-error")).to_contain_text("加价幅度")
    b.fill("#amount", "12120000.00")
    b.locator("#place").click()
    expect(b.locator("#you")).to_contain_text("您当前领先")
    expect(a.locator("#you")).to_contain_text("您当前未领先")
    assert no_horizontal_scroll(b)
    screenshot(a, "equity-2-live-desktop")
    screenshot(b, "equity-3-live-375")

    url = server.env["GOVHALL_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(url)
    with engine.begin() as conn:  # run the countdown out
        conn.execute(
            text(
                "UPDATE equity_auctions SET free_end = starts_at, closes_at = starts_at "
                "WHERE current_cents = 1212000000"
            )
        )
    engine.dispose()
    for page in (a, b):
        expect(page.locator("#phase")).to_contain_text("已结束")
        expect(page.locator("#result")).to_contain_text("竞得人: 竞买人 2")
    assert b.locator("#place").is_disabled()
    screenshot(a, "equity-4-closed-desktop")
    screenshot(b, "equity-5-closed-375")
    ctx_a.close()
    ctx_b.close()


def test_the_exchange_staff_file_disclose_and_settle_on_their_pages(server, browser, screenshot):
    ctx, page = new_page(browser)
    log_in(page, server, "nanchang_admin")
    page.goto(f"{server.url}/t/360100/equity/manage")
    assert "产权交易项目管理" in page.content() and "南昌轨道广告有限公司 35% 股权转让" in page.content()
    screenshot(page, "equity-6-staff-list-desktop")
    page.locator("#new-project").click()
    page.fill("#title", "南昌市某能源公司 10% 股权转让")
    page.fill("#target", "南昌市某能源公司 10% 股权")
    page.fill("#seller_name", "南昌市国有资本投资运营集团有限公司")
    page.fill("#seller_code", "91360100MA3520001T")
    page.fill("#supervisor_name", "南昌市国资委")
    page.fill("#appraisal_yuan", "2,000,000.00")
    page.fill("#appraisal_approved_by", "南昌市国资委")
    page.fill("#appraisal_approved_on", "2026-01-05")
    page.fill("#listing_yuan", "1900000")
    page.fill("#increment_yuan", "20000")
    page.fill("#deposit_yuan", "200000")
    page.fill("#conditions", "依法设立并有效存续的企业法人")
    page.locator("#file-btn").click()
    expect(page.locator("#errors")).to_contain_text("首次挂牌价不得低于经核准或备案的评估结果")
    expect(page.locator("#errors")).to_contain_text("listing price may not be below")
    screenshot(page, "equity-7-staff-refused-desktop")
    page.fill("#listing_yuan", "2000000")
    page.locator("#file-btn").click()
    expect(page.locator("#done")).to_contain_text("转让项目已登记")
    page.locator("#review-btn").click()
    expect(page.locator("#done")).to_contain_text("受让条件审核结论已记录")
    page.locator("#disclose-btn").click()
    expect(page.locator("#done")).to_contain_text("信息披露已开始")
    assert "正式披露中" in page.content() and "《企业国有资产交易监督管理办法》第十三条" in page.content()
    screenshot(page, "equity-8-staff-disclosed-desktop")
    ctx.close()

    ctx, phone = new_page(browser, PHONE)
    log_in(phone, server, "nanchang_admin")
    phone.goto(f"{server.url}/t/360100/equity/manage?status=auction")
    phone.locator("a", has_text="南昌轨道广告有限公司 35% 股权转让").click()
    expect(phone.locator("#award-buyer")).to_contain_text(FIRM)
    assert no_horizontal_scroll(phone)
    phone.fill("#k-no", "CQJY-2026-0099")
    phone.locator("#contract-btn").click()
    expect(phone.locator("#done")).to_contain_text("交易合同已登记")
    phone.locator("#pay-btn").click()  # the prefilled amount: what is unpaid
    expect(phone.locator("#paid")).to_contain_text("12,120,000.00")
    phone.locator('[data-act="refund"]').first.click()
    expect(phone.locator("#done")).to_contain_text("保证金已退还")
    assert "已退还" in phone.content() and no_horizontal_scroll(phone)
    screenshot(phone, "equity-9-staff-settled-375")
    ctx.close()
