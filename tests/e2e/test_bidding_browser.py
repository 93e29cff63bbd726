"""Public resource trading in a browser, the staff flow end to end: a guest reads the city's notices (its
districts' included) at 375 px; Nanchang's administrator registers a tender on the staff pages and publishes
it; the demo enterprise registers, seals its bid in the browser (WebCrypto) and gets a signed receipt — the
database holds no price; the deadline passes (moved in the database: the law's 20 days cannot pass in a
test), the enterprise gives its key at the online opening and the staff's opening room shows the price;
on Donghu's tender in candidate publicity (the publicity's end moved likewise) the administrator issues the
award notice and records the contract. Screenshots at desktop size and at 375 px."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Date, DateTime, bindparam, create_engine, text

from core.identity.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 812}
TITLE = "南昌市八一大道人行道改造工程"


def new_page(browser, size=None):
    ctx = browser.new_context(viewport=size or {"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    return ctx, page


def log_in(page, server, username, password=DEMO_PASSWORD):
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


def test_staff_publish_bids_opening_and_award(server, browser, screenshot):
    gctx, guest = new_page(browser, PHONE)
    guest.goto(f"{server.url}/t/360100/bidding/")
    assert "东湖区排水管网改造工程" in guest.content()  # a Donghu tender, listed by its city
    assert no_horizontal_scroll(guest)
    screenshot(guest, "bidding-1-notices-375")
    gctx.close()

    # 1. the administrator registers and publishes a tender
    sctx, staff = new_page(browser)
    log_in(staff, server, "nanchang_admin")
    staff.goto(f"{server.url}/t/360100/bidding/manage")
    staff.locator("#new-tender").click()
    staff.wait_for_load_state()
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    staff.fill("#title", TITLE)
    staff.fill("#tenderer_name", "南昌市城市管理局")
    staff.fill("#tenderer_code", "11360100MB00000016")
    staff.fill("#estimated_yuan", "3,200,000.00")
    staff.fill("#bond_yuan", "50000")
    staff.fill("#documents_from", today.isoformat())
    staff.fill("#documents_until", (today + timedelta(days=10)).isoformat())
    staff.fill("#deadline_date", (today + timedelta(days=10)).isoformat())  # too early: refused by name
    staff.locator("#tender-form button[type=submit]").click()
    staff.wait_for_load_state()
    assert "《招标投标法》第二十四条" in staff.locator("#errors").inner_text()
    staff.fill("#deadline_date", (today + timedelta(days=25)).isoformat())
    staff.locator("#tender-form button[type=submit]").click()
    staff.wait_for_url("**/bidding/manage/tenders/*")
    workbench = staff.url
    tender_id = int(workbench.rstrip("/").rsplit("/", 1)[1])
    staff.fill("#documents", "第一章 招标公告……第六章 技术标准和要求")
    staff.locator("#publish-btn").click()
    staff.wait_for_selector("#done")
    assert "招标中" in staff.content()
    screenshot(staff, "bidding-2-staff-published")

    # 2. the enterprise seals a bid in its browser
    ctx, page = new_page(browser)
    log_in(page, server, "enterprise")
    tender_url = f"{server.url}/t/360100/bidding/tenders/{tender_id}"
    page.goto(tender_url)
    page.locator("#register").click()
    page.wait_for_load_state()
    staff.goto(workbench)  # the bond arrives: the staff record it
    staff.locator("#bond form.inline button[type=submit]").click()
    staff.wait_for_selector("#done")
    assert "已缴纳" in staff.locator("#bond").inner_text()
    page.reload()
    page.fill("#price", "3088000.00")
    page.locator("#seal").click()
    page.wait_for_selector("#receipt")
    assert "您的密封投标已送达" in page.content()
    screenshot(page, "bidding-3-sealed-receipt")

    engine = _db(server)
    with engine.begin() as conn:
        row = conn.execute(
            text(
                "SELECT price_cents, ciphertext FROM bidding_bids b JOIN bidding_bidders r "
                "ON r.id = b.bidder_id WHERE b.tender_id = :t AND r.credit_code = :c"
            ),
            {"t": tender_id, "c": "91360100MA35123453"},
        ).one()
        assert row[0] is None and b"308800000" not in bytes(row[1])  # sealed: no price anywhere
        staff.goto(workbench)
        assert staff.locator("#sealed-count").inner_text() == "1" and "3,088,000.00" not in staff.content()
        past = bindparam("d", type_=DateTime(timezone=True))
        conn.execute(
            text("UPDATE bidding_tenders SET deadline = :d WHERE id = :t").bindparams(past),
            {"d": datetime.now(UTC) - timedelta(minutes=1), "t": tender_id},
        )

    # 3. the opening: the enterprise gives its key; the staff's opening room shows the price
    page.goto(tender_url)
    page.wait_for_selector("#key-form")
    assert page.locator("#key").input_value()  # the key this browser kept
    page.locator("#key-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "3,088,000.00" in page.locator("#my-bid-state").inner_text()
    ctx.close()
    staff.goto(workbench)
    assert "3,088,000.00" in staff.locator("#opening").inner_text()
    screenshot(staff, "bidding-4-opening-room")

    # 4. award and contract on Donghu's tender in candidate publicity (managed from the city)
    with engine.begin() as conn:
        tid = conn.execute(
            text("SELECT id FROM bidding_tenders WHERE title = '东湖区排水管网改造工程'")
        ).scalar_one()
        day = bindparam("d", type_=Date())
        conn.execute(
            text("UPDATE bidding_tenders SET publicity_until = :d WHERE id = :t").bindparams(day),
            {"d": today - timedelta(days=1), "t": tid},
        )
    engine.dispose()
    staff.goto(f"{server.url}/t/360102/bidding/manage/tenders/{tid}")
    staff.locator("#award-btn").click()
    staff.wait_for_selector("#done")
    assert "已发中标通知书" in staff.content()
    staff.locator("#contract-btn").click()
    staff.wait_for_selector("#done")
    assert "已签订合同" in staff.content()
    screenshot(staff, "bidding-5-contracted")
    sctx.close()

    pctx, phone = new_page(browser, PHONE)
    log_in(phone, server, "nanchang_admin")
    for path, name in (
        ("/t/360100/bidding/manage", "bidding-6-projects-375"),
        (f"/t/360100/bidding/manage/tenders/{tender_id}", "bidding-7-workbench-375"),
        ("/t/360100/bidding/manage/new", "bidding-8-new-375"),
    ):
        phone.goto(f"{server.url}{path}")
        assert no_horizontal_scroll(phone), path
        screenshot(phone, name)
    phone.goto(f"{server.url}/t/360102/bidding/tenders/{tid}")
    assert no_horizontal_scroll(phone)
    screenshot(phone, "bidding-9-award-375")
    pctx.close()
