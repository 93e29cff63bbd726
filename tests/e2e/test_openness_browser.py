"""Openness in a browser: the demo citizen requests government information at Donghu, the disclosure
officer finds it in the queue and replies (partly disclosed, with its ground), the citizen reads the
reply; a power list keeper drafts a power, publishes it, links approval's item to it, and the public
list and the item's service guide show it. Screenshots at desktop and 375 px."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "Openness2026password"
DEMO_PASSWORD = "Govhall2026demo"
STAFF = [  # username, name, tenant, role
    ("e2e_disclosure", "周公开（东湖区信息公开）", "360102", "disclosure_officer"),
    ("e2e_powers", "吴清单（东湖区编办）", "360102", "power_list_officer"),
]
BASE = "/t/360102/openness"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("e2e-openness"))
    srv.start()
    for username, name, tenant, role in STAFF:
        srv.govhall("users", "create", username, "--kind", "staff", "--name", name, "--password", PASSWORD,
                    "--tenant", tenant)
        srv.govhall("roles", "grant", username, role, "--tenant", tenant)
    yield srv
    srv.stop()


def new_page(browser):
    ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    return page


def log_in(page, server, username, password=PASSWORD):
    page.goto(f"{server.url}/login?next=/my/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator('header a[href^="/login"]').count() == 0, "login failed"


def submit_form(page, form_id):
    page.locator(f"form#{form_id} button[type=submit]").click()
    page.wait_for_load_state()


def both_sizes(page, screenshot, name):
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    screenshot(page, f"{name}-375")
    page.set_viewport_size(DESKTOP)


def test_a_request_to_its_reply_and_a_power_list_published(server, browser, screenshot):
    citizen = new_page(browser)
    log_in(citizen, server, "citizen", DEMO_PASSWORD)
    citizen.goto(f"{server.url}{BASE}/apply")
    citizen.fill("#phone", "13800138000")
    citizen.fill("#description", "东湖区老旧小区改造项目的资金安排和施工单位。<script>alert(1)</script>")
    both_sizes(citizen, screenshot, "openness-apply")
    submit_form(citizen, "f-apply")
    assert "申请已收到" in citizen.content()
    number = citizen.locator("h1 .number").inner_text().strip()
    assert number.startswith("GK")
    both_sizes(citizen, screenshot, "openness-received")

    officer = new_page(browser)
    log_in(officer, server, "e2e_disclosure")
    officer.goto(f"{server.url}{BASE}/requests")
    both_sizes(officer, screenshot, "openness-queue")
    officer.get_by_role("link", name=number).click()
    officer.wait_for_load_state()
    assert "<script>alert(1)</script>" in officer.locator("dd.description").inner_text()  # shown as text
    officer.select_option("#outcome", "partly")
    officer.select_option("#ground", "third_party")
    officer.fill("#reply", "资金安排予以公开（见附件）；施工单位的商业信息经征求意见不同意公开。")
    submit_form(officer, "f-reply")
    assert "部分公开（保护第三方合法权益）" in officer.locator("dd.outcome").inner_text()
    both_sizes(officer, screenshot, "openness-replied")

    citizen.goto(f"{server.url}{BASE}/my")
    citizen.get_by_role("link", name=number).click()
    citizen.wait_for_load_state()
    assert "已答复" in citizen.locator("dd.state").inner_text()
    assert "资金安排予以公开" in citizen.locator("dd.reply").inner_text()
    both_sizes(citizen, screenshot, "openness-reply-seen")

    keeper = new_page(browser)
    log_in(keeper, server, "e2e_powers")
    keeper.goto(f"{server.url}{BASE}/powers/manage/new")
    keeper.fill("#code", "DH-XK-900")
    keeper.select_option("#department_code", "zjj")
    keeper.select_option("#category", "licensing")
    keeper.fill("#name", "城市建筑垃圾处置核准")
    keeper.fill("#legal_basis", "《城市市容和环境卫生管理条例》第十七条")
    keeper.fill("#responsibilities", "受理、审查、决定；对处置活动实施监督检查。")
    submit_form(keeper, "f-power")
    submit_form(keeper, "f-publish")
    assert "已公布" in keeper.locator("dd .state").inner_text()
    keeper.select_option("#item_code", "DH-FG-007")
    submit_form(keeper, "f-link")
    assert keeper.locator("table#linked").count() == 1
    both_sizes(keeper, screenshot, "openness-power-keeper")
    keeper.goto(f"{server.url}{BASE}/powers/gaps")
    assert "城市建筑垃圾处置核准" not in keeper.locator("#powers-without-item").inner_text()
    both_sizes(keeper, screenshot, "openness-power-gaps")

    public = new_page(browser)
    public.goto(f"{server.url}{BASE}/powers")
    assert "城市建筑垃圾处置核准" in public.locator("table#powers").inner_text()
    assert public.locator("figure svg, svg").count() >= 1
    both_sizes(public, screenshot, "openness-powers-public")
    public.goto(f"{server.url}/t/360102/approval/items/DH-FG-007")
    assert "城市建筑垃圾处置核准" in public.content()
    both_sizes(public, screenshot, "openness-item-guide-power")
    public.goto(f"{server.url}{BASE}/report")
    assert public.locator("svg").count() >= 2
    both_sizes(public, screenshot, "openness-report")
