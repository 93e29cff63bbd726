"""A provincial administrator uses the console in a real browser: find a county, switch a plugin off there,
and that county's hall loses the tile while its sibling keeps it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e
PASSWORD = "E2eAdmin2026pass"


@pytest.fixture(scope="module")
def province_admin(server):
    server.govhall("users", "create", "e2e_padmin", "--kind", "staff", "--name", "省综合管理员（测试）",
                   "--password", PASSWORD, "--tenant", "360000")
    server.govhall("roles", "grant", "e2e_padmin", "comprehensive_admin", "--tenant", "360000", "--subtree")
    return "e2e_padmin"


def log_in(page, server, username, password, next_path="/"):
    page.goto(f"{server.url}/login?next={next_path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_admin_disables_a_plugin_for_one_county(server, page, province_admin, screenshot):
    for code in ("360102", "360103"):  # both counties show the credit tile before
        page.goto(f"{server.url}/t/{code}/")
        assert page.locator('.tile[data-plugin="credit"]').count() == 1
    log_in(page, server, province_admin, PASSWORD, "/t/360000/console/")
    page.goto(f"{server.url}/t/360000/console/")
    # find the county through the server-side search, then open its console
    page.get_by_label("区划代码或名称").fill("东湖")
    page.get_by_role("button", name="搜索").click()
    page.locator("#hits").get_by_role("link", name="东湖区").click()
    page.wait_for_url("**/t/360102/console/")
    row = page.locator('tr[data-plugin="credit"]')
    assert row.locator("td.state").inner_text() == "开启"
    assert "继承自江西省" in row.locator("td.origin").inner_text()
    screenshot(page, "console-360102-before")
    row.get_by_label("新状态").select_option("off")
    row.get_by_role("button", name="应用").click()
    page.wait_for_url("**/t/360102/console/?saved=credit*")
    assert page.locator("#saved").is_visible()
    row = page.locator('tr[data-plugin="credit"]')
    assert row.locator("td.state").inner_text() == "关闭"
    assert "在本级设置" in row.locator("td.origin").inner_text()
    screenshot(page, "console-360102-after")

    page.goto(f"{server.url}/t/360102/")
    assert page.locator('.tile[data-plugin="credit"]').count() == 0  # the county lost the tile
    page.goto(f"{server.url}/t/360103/")
    assert page.locator('.tile[data-plugin="credit"]').count() == 1  # its sibling keeps it
    assert page.request.get(f"{server.url}/t/360102/credit/").status == 404  # and the routes are gone


def test_refused_switch_is_explained(server, page, province_admin, screenshot):
    log_in(page, server, province_admin, PASSWORD)
    page.goto(f"{server.url}/t/360102/console/")
    row = page.locator('tr[data-plugin="supervision"]')
    assert "已被上级江西省锁定" in row.locator("td.origin").inner_text()
    assert row.locator("form").count() == 0  # no switch offered under a lock from above
    page.goto(f"{server.url}/t/360100/console/")
    row = page.locator('tr[data-plugin="credit"]')
    row.get_by_label("新状态").select_option("inherit")
    row.get_by_label("对全部下级锁定").check()
    row.get_by_role("button", name="应用").click()
    alert = page.locator("#refused")
    assert "只有“开启”或“关闭”可以锁定" in alert.inner_text()
    screenshot(page, "console-refused")


def test_audit_log_shows_the_switch(server, page, province_admin, screenshot):
    log_in(page, server, province_admin, PASSWORD)
    page.goto(f"{server.url}/t/360100/console/")
    page.get_by_role("link", name="审计日志").click()
    choice = page.get_by_label("业务系统")  # chosen by name, never typed as a code
    assert "公共信用" in choice.inner_text()
    choice.select_option(label="公共信用")
    page.get_by_role("button", name="筛选").click()
    assert "action=credit." in page.url
    page.goto(f"{server.url}/t/360100/console/audit?action=plugin.switch")  # a link to one action
    assert page.get_by_label("业务系统").locator("option:checked").inner_text() == "切换插件"
    assert page.locator("#audit tbody tr").count() >= 1
    shown = page.locator("#audit").inner_text()
    assert "切换插件" in shown and "插件 公共信用" in shown and "plugin:credit" not in shown
    screenshot(page, "console-audit")


def test_console_on_a_phone(server, browser, province_admin, screenshot):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, locale="zh-CN")
    page = context.new_page()
    log_in(page, server, province_admin, PASSWORD)
    page.goto(f"{server.url}/t/360102/console/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    unlabeled = page.evaluate("""() => [...document.querySelectorAll(
          'input:not([type=hidden]), select, textarea')]
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
        .map(el => el.name)""")
    assert unlabeled == []  # every field of the console has a label
    screenshot(page, "console-360102-phone-375")
    context.close()


def test_workbench_my_space_and_refusal_pages(server, page, province_admin, screenshot):
    log_in(page, server, province_admin, PASSWORD)
    page.get_by_role("link", name="工作台").click()
    page.wait_for_url("**/workbench/")
    board = page.locator('[data-hall="360000"]')
    assert board.is_visible()
    screenshot(page, "workbench")
    page.goto(f"{server.url}/my/?hall=360102")
    assert "东湖区" in page.locator("#h-hall").inner_text()
    screenshot(page, "my-space")
    missing = page.goto(f"{server.url}/t/360102/no-such-page")
    assert missing.status == 404 and "页面不存在" in page.locator("main").inner_text()
    screenshot(page, "error-404")
    page.goto(f"{server.url}/t/360102/?lang=en")
    gone = page.goto(f"{server.url}/t/999999/")
    assert gone.status == 404 and "There is no hall with this code" in page.locator("main").inner_text()


def test_citizen_is_refused_the_console_in_their_language(server, page, screenshot):
    server.govhall("users", "create", "e2e_person", "--kind", "person", "--name", "吴测试",
                   "--password", PASSWORD, "--id-number", "110101199003074477")
    log_in(page, server, "e2e_person", PASSWORD)
    r = page.goto(f"{server.url}/t/360102/console/")
    assert r.status == 403
    assert "查看管理控制台" in page.locator("main").inner_text()
    screenshot(page, "error-403")
