"""The whole life of an application, as people do it in a browser: a citizen registers, applies for an
item with a material and gets a receipt; a clerk accepts and approves it from the workbench; the citizen
sees it concluded and rates the service."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e
CLERK, CLERK_PASSWORD = "e2e_clerk", "Clerk2026password"
ITEM = "DH-GT-002"  # 个体工商户登记 at Donghu District, handled by its administrative approval bureau
PDF = b"%PDF-1.4\n% e2e material\n"


def resident_id(body17: str) -> str:
    """Append the ISO 7064 MOD 11-2 check character of a resident ID number."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights, strict=True)) % 11]


@pytest.fixture(scope="module")
def clerk_account(server):
    """An item handler of Donghu District's administrative approval bureau, made as an operator would."""
    server.govhall("users", "create", CLERK, "--kind", "staff", "--name", "周办理（东湖区行政审批局）",
                   "--password", CLERK_PASSWORD, "--tenant", "360102", "--department", "xzspj")
    server.govhall("roles", "grant", CLERK, "item_handler", "--tenant", "360102")
    return CLERK


def log_in(page, server, username, password):
    page.goto(f"{server.url}/login?next=/my/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator('header a[href^="/login"]').count() == 0, "login failed"


def invisible_buttons(page):
    """Buttons drawn white-on-nothing outside the red header (text that vanishes on the page background)."""
    return page.evaluate("""() => [...document.querySelectorAll('main button')].filter(b => {
        const s = getComputedStyle(b);
        return s.color === 'rgb(255, 255, 255)' && s.backgroundColor === 'rgba(0, 0, 0, 0)';
    }).map(b => b.textContent.trim())""")


def act(page, action, reason=None):
    form = page.locator(f'form[action$="/{action}"]')
    if reason is not None:
        form.locator('input[name="reason"]').fill(reason)
    if form.locator('input[name="confirm"]').count():  # a final decision asks for a confirmation
        form.locator('input[name="confirm"]').check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_citizen_applies_clerk_approves_citizen_rates(server, browser, clerk_account, screenshot):
    citizen_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    citizen = citizen_ctx.new_page()
    citizen.set_default_timeout(15_000)

    # 1. register (a natural person) and log in
    citizen.goto(f"{server.url}/register?kind=person&next=/t/360102/")
    citizen.fill("#display_name", "刘测试")
    citizen.fill("#id_number", resident_id("36010219880808123"))
    citizen.fill("#username", "e2e_citizen")
    citizen.fill("#password", "Citizen2026pass")
    citizen.fill("#password2", "Citizen2026pass")
    screenshot(citizen, "flow-1-register")
    citizen.locator("main form button[type=submit]").click()
    citizen.wait_for_load_state()
    if citizen.locator('header a[href^="/login"]').count():
        log_in(citizen, server, "e2e_citizen", "Citizen2026pass")
    assert "刘测试" in citizen.locator("header").inner_text()

    # 2. find the item from the hall and apply, uploading the materials
    citizen.goto(f"{server.url}/t/360102/approval/items/{ITEM}")
    citizen.locator('a[href$="/apply"]').first.click()
    citizen.wait_for_url(f"**/approval/items/{ITEM}/apply")
    for field in citizen.locator("main form input[required]:not([type=file])").all():
        field.fill("1" if field.get_attribute("type") == "number" else "测试内容")
    files = citizen.locator('main form input[type="file"]')
    assert files.count() >= 1
    for i in range(files.count()):
        pdf = {"name": f"material-{i}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        files.nth(i).set_input_files(pdf)
    citizen.locator("main form button[type=submit]").click()
    citizen.wait_for_load_state()
    receipt = citizen.locator(".receipt")
    assert receipt.is_visible(), citizen.content()[:2000]
    number = receipt.locator(".number").inner_text().strip()
    assert number
    screenshot(citizen, "flow-2-receipt")
    assert invisible_buttons(citizen) == []
    detail_url = re.sub(r"\?.*$", "", citizen.url)

    # 3. the clerk finds it through the workbench shell and accepts, approves and concludes it
    clerk_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    clerk = clerk_ctx.new_page()
    clerk.set_default_timeout(15_000)
    log_in(clerk, server, CLERK, CLERK_PASSWORD)
    clerk.goto(f"{server.url}/workbench/")
    board = clerk.locator('[data-hall="360102"]')
    board.locator('a[href*="approval/workbench"]').first.click()
    clerk.get_by_role("link", name=number).click()
    screenshot(clerk, "flow-3-clerk-case")
    assert invisible_buttons(clerk) == []
    act(clerk, "accept")
    act(clerk, "approve", reason="材料齐全，符合条件")
    act(clerk, "conclude")
    screenshot(clerk, "flow-4-clerk-concluded")

    # 4. the citizen sees it concluded and rates the service
    citizen.goto(detail_url)
    assert "办结" in citizen.locator("dd.state").inner_text()
    citizen.locator('input[name="level"][value="5"]').check()
    citizen.fill("#comment", "办事快，态度好")
    citizen.locator('form[action$="/rate"] button[type=submit]').click()
    citizen.wait_for_load_state()
    # the rating is an interaction review (#21): recorded when the server delivers the event
    for _ in range(30):
        if "★★★★★" in citizen.locator("main").inner_text():
            break
        citizen.wait_for_timeout(500)
        citizen.reload()
    assert "★★★★★" in citizen.locator("main").inner_text()
    screenshot(citizen, "flow-5-rated")
    citizen.goto(f"{server.url}/t/360102/approval/my")
    assert number in citizen.locator("main").inner_text()
    clerk_ctx.close()
    citizen_ctx.close()
