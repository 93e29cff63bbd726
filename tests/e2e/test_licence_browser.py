"""Electronic licences in a browser: a citizen applies in Donghu for an item that produces a licence, a
clerk accepts and approves it, the licence appears in "my licences", a guest opens the verification URL
the QR code carries and sees it valid; the clerk revokes it and the guest's page shows it revoked.
Screenshots at desktop size and at 375 px."""

from __future__ import annotations

import io
import json
import time

import pypdf
import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e
CLERK, CLERK_PASSWORD = "e2e_licence_clerk", "Clerk2026password"
ITEM = "DH-GT-002"  # 个体工商户登记 -> 个体工商户营业执照 (licence demo data)
PDF = b"%PDF-1.4\n% e2e material\n"
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The demo server, with QR codes pointing at its own address (as licence.public_base_url would in
    production)."""
    srv = Server(tmp_path_factory.mktemp("e2e-licence"))
    srv.env["GOVHALL_LICENCE__PUBLIC_BASE_URL"] = srv.url
    srv.start()
    srv.govhall(
        "users",
        "create",
        CLERK,
        "--kind",
        "staff",
        "--name",
        "周办理（东湖区行政审批局）",
        "--password",
        CLERK_PASSWORD,
        "--tenant",
        "360102",
        "--department",
        "xzspj",
    )
    srv.govhall("roles", "grant", CLERK, "item_handler", "--tenant", "360102")
    yield srv
    srv.stop()


def resident_id(body17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights, strict=True)) % 11]


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


def act(page, action, reason=None):
    form = page.locator(f'form[action$="/{action}"]')
    if reason is not None:
        form.locator('input[name="reason"]').fill(reason)
    if form.locator('input[name="confirm"]').count():  # a final decision asks for a confirmation
        form.locator('input[name="confirm"]').check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def apply_as_citizen(citizen, server) -> str:
    citizen.goto(f"{server.url}/register?kind=person&next=/t/360102/")
    citizen.fill("#display_name", "陈证照")
    citizen.fill("#id_number", resident_id("36010219910909123"))
    citizen.fill("#username", "e2e_holder")
    citizen.fill("#password", "Holder2026pass")
    citizen.fill("#password2", "Holder2026pass")
    citizen.locator("main form button[type=submit]").click()
    citizen.wait_for_load_state()
    if citizen.locator('header a[href^="/login"]').count():
        log_in(citizen, server, "e2e_holder", "Holder2026pass")
    citizen.goto(f"{server.url}/t/360102/approval/items/{ITEM}/apply")
    for field in citizen.locator("main form input[required]:not([type=file])").all():
        field.fill("东湖测试小店")
    files = citizen.locator('main form input[type="file"]')
    for i in range(files.count()):
        files.nth(i).set_input_files({"name": f"m{i}.pdf", "mimeType": "application/pdf", "buffer": PDF})
    citizen.locator("main form button[type=submit]").click()
    citizen.wait_for_load_state()
    return citizen.locator(".receipt .number").inner_text().strip()


def wait_for_licence(citizen, server):
    """The licence is issued by the event the approval published, delivered by the job runner."""
    for _ in range(40):
        citizen.goto(f"{server.url}/t/360100/licence/my")  # another hall: one login for the network
        if citizen.locator("tr[data-licence]").count():
            return
        time.sleep(0.5)
    raise AssertionError("the licence did not appear in my licences")


def test_licence_from_application_to_verification_and_revocation(server, browser, screenshot):
    citizen_ctx, citizen = new_page(browser)
    number = apply_as_citizen(citizen, server)
    assert number

    clerk_ctx, clerk = new_page(browser)
    log_in(clerk, server, CLERK, CLERK_PASSWORD)
    clerk.goto(f"{server.url}/t/360102/approval/workbench")
    clerk.get_by_role("link", name=number).click()
    act(clerk, "accept")
    act(clerk, "approve", reason="符合登记条件")

    wait_for_licence(citizen, server)
    row = citizen.locator("tr[data-licence]").first
    assert "个体工商户营业执照" in row.inner_text() and "有效" in row.inner_text()
    screenshot(citizen, "licence-1-my-licences")
    citizen.set_viewport_size(PHONE)
    assert no_horizontal_scroll(citizen)
    screenshot(citizen, "licence-1-my-licences-375")
    citizen.set_viewport_size({"width": 1280, "height": 900})
    row.locator("a").first.click()
    citizen.wait_for_load_state()
    screenshot(citizen, "licence-2-my-licence")

    # the PDF the holder downloads carries the verification URL its QR code encodes
    pdf_href = citizen.locator('a[href$="/pdf"]').first.get_attribute("href")
    pdf = citizen.request.get(server.url + pdf_href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.body()))
    data = json.loads(json.loads(reader.attachments["govhall-licence.json"][0])["canonical"])
    verify_url = data["verify_url"]
    assert verify_url.startswith(server.url + "/t/360102/licence/v/")
    assert data["holder"]["name"] == "陈证照" and "个体工商户营业执照" in reader.pages[0].extract_text()

    guest_ctx, guest = new_page(browser)
    guest.goto(verify_url)
    assert "有效" in guest.locator(".verdict").inner_text()
    assert "发证机关的电子签名验证通过" in guest.locator("main").inner_text()
    screenshot(guest, "licence-3-verify-valid")
    phone_ctx, phone = new_page(browser, PHONE)
    phone.goto(verify_url)
    assert no_horizontal_scroll(phone)
    screenshot(phone, "licence-3-verify-valid-375")

    clerk.goto(f"{server.url}/t/360102/licence/licences")
    clerk.locator("tr[data-licence] a").first.click()
    clerk.wait_for_load_state()
    screenshot(clerk, "licence-4-clerk-licence")
    act(clerk, "revoke", reason="申请人提交虚假材料，依法撤销")
    assert "已撤销" in clerk.locator("h1").inner_text()

    guest.reload()
    assert "已撤销" in guest.locator(".verdict").inner_text()
    assert "申请人提交虚假材料" in guest.locator("main").inner_text()
    screenshot(guest, "licence-5-verify-revoked")
    phone.reload()
    assert "已撤销" in phone.locator(".verdict").inner_text() and no_horizontal_scroll(phone)
    screenshot(phone, "licence-5-verify-revoked-375")

    guest.goto(f"{server.url}/t/360102/licence/v/NOT-A-LICENCE")
    assert "这不是有效的证照编号" in guest.locator("main").inner_text()
    screenshot(guest, "licence-6-verify-malformed")
    for ctx in (citizen_ctx, clerk_ctx, guest_ctx, phone_ctx):
        ctx.close()


def test_console_catalogue_at_375(server, browser, screenshot):
    ctx, page = new_page(browser, PHONE)
    log_in(page, server, "nanchang_admin", "Govhall2026demo")
    page.goto(f"{server.url}/t/360100/licence/types")
    assert "建筑工程施工许可证" in page.locator("main").inner_text()
    screenshot(page, "licence-7-catalogue-375")
    page.goto(f"{server.url}/t/360100/licence/licences")
    assert "已撤销" in page.locator("main").inner_text()  # the demo's revoked licence
    screenshot(page, "licence-8-nanchang-licences-375")
    ctx.close()
