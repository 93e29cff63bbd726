"""Data sharing in a browser: a Donghu officer finds the credit report in the catalogue and requests it;
a Nanchang officer answers it from the queue (the ticked fields only); the Donghu officer sees the grant;
the log viewer shows the chain verified. Screenshots at desktop size and at 375 px."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
USERS = (("e2e_dh_share", "360102", "fgw", "吴共享（东湖区发展改革委）"),
         ("e2e_nc_share", "360100", "fgw", "郑提供（南昌市发展改革委）"))
PASSWORD = "Share2026password"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("e2e-exchange"))
    srv.start()
    for username, tenant, dept, name in USERS:
        srv.govhall("users", "create", username, "--kind", "staff", "--name", name, "--password", PASSWORD,
                    "--tenant", tenant, "--department", dept)
        srv.govhall("roles", "grant", username, "exchange_officer", "--tenant", tenant)
    yield srv
    srv.stop()


def new_page(browser):
    ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    return ctx, page


def log_in(page, server, username):
    page.goto(f"{server.url}/login?next=/my/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator('header a[href^="/login"]').count() == 0, "login failed"


def both_sizes(page, screenshot, name):
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    screenshot(page, f"{name}-375")
    page.set_viewport_size(DESKTOP)


def test_request_answer_grant_and_verified_log(server, browser, screenshot):
    _c1, dh = new_page(browser)
    log_in(dh, server, "e2e_dh_share")
    dh.goto(f"{server.url}/t/360102/exchange/catalogue")
    dh.fill("#q", "信用")
    dh.locator("form[role=search] button[type=submit]").click()
    dh.wait_for_load_state()
    link = dh.locator('a[href$="provider=360100&resource=credit.report"]')
    assert "企业信用预警报告" in dh.locator('.xcard[data-code="credit.report"]').first.inner_text()
    both_sizes(dh, screenshot, "exchange-1-catalogue")
    link.click()
    dh.wait_for_load_state()
    dh.select_option("#department", "fgw")  # the user's own department (xzspj has the demo's grant)
    dh.fill("#purpose", "企业投资项目审批时核查项目单位信用")
    dh.locator('input[name="fields"][value="measures"]').uncheck()
    both_sizes(dh, screenshot, "exchange-2-request")
    dh.locator("main form button[type=submit]").click()
    dh.wait_for_load_state()
    assert "申请已提交" in dh.inner_text("main")

    _c2, nc = new_page(browser)
    log_in(nc, server, "e2e_nc_share")
    nc.goto(f"{server.url}/t/360100/exchange/queue")
    mine = nc.locator(".xcard", has_text="企业投资项目审批时核查项目单位信用")
    assert "待答复" in mine.inner_text()
    both_sizes(nc, screenshot, "exchange-3-queue")
    mine.locator('input[name="fields"][value="reasons"]').uncheck()
    mine.locator("textarea[name=reason]").fill("理由字段含内部审查信息，按最小必要原则不予共享")
    mine.locator('button[value="narrow"]').click()
    nc.wait_for_load_state()
    assert "部分同意" in nc.locator(".xcard", has_text="企业投资项目审批时核查项目单位信用").inner_text()

    dh.goto(f"{server.url}/t/360102/exchange/mine")
    text = dh.inner_text("main")
    assert "部分同意" in text and "预警等级" in text
    both_sizes(dh, screenshot, "exchange-4-mine")

    nc.goto(f"{server.url}/t/360100/exchange/log")
    assert "核验通过" in nc.inner_text("main")
    both_sizes(nc, screenshot, "exchange-5-log")
