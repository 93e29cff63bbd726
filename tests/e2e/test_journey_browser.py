"""A citizen's whole journey in a browser (issue #16, "done when"): the Donghu fee manager charges 10.00 元
for 个体工商户登记 (DH-GT-002, which produces a licence); a citizen applies, is told to pay (the header's
unread count, the message, the application's page), pays through the simulated gateway (a separate
process spoken to over HTTP), the clerk sees the payment on the case and accepts and approves; the licence
appears in "my licences" and in "my messages"; a guest opens the verification URL the QR code carries and
sees it valid; the clerk revokes it and the guest's page says revoked. Screenshots at desktop and 375 px.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pypdf
import pytest

from tests.e2e.conftest import ROOT, Server, _free_port

pytestmark = pytest.mark.e2e
CLERK, CLERK_PASSWORD = "e2e_journey_clerk", "Clerk2026password"
CITIZEN, CITIZEN_PASSWORD = "e2e_journey_citizen", "Citizen2026pass"
ITEM = "DH-GT-002"  # 个体工商户登记 -> 个体工商户营业执照 (licence demo data)
PDF = b"%PDF-1.4\n% e2e material\n"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The demo server and the simulated payment gateway, each its own process; the halls send payers to
    the gateway and the gateway sends them back to the halls; QR codes point at the server."""
    tmp = tmp_path_factory.mktemp("e2e-journey")
    srv = Server(tmp)
    port = _free_port()
    gateway_url = f"http://127.0.0.1:{port}"
    srv.env.update(
        GOVHALL_PAYMENT__GATEWAY_URL=gateway_url,
        GOVHALL_PAYMENT__PUBLIC_BASE_URL=srv.url,
        GOVHALL_LICENCE__PUBLIC_BASE_URL=srv.url,
    )
    gateway = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "payment", "gateway", "--port", str(port)],
        cwd=ROOT, env=srv.env, stdout=(tmp / "gateway.log").open("w"), stderr=subprocess.STDOUT,
    )
    try:
        srv.start()
        _wait_for(gateway_url + "/v1/payments/none")
        srv.govhall("users", "create", CLERK, "--kind", "staff", "--name", "吴收费（东湖区行政审批局）",
                    "--password", CLERK_PASSWORD, "--tenant", "360102", "--department", "xzspj")
        for role in ("item_handler", "payment_officer"):
            srv.govhall("roles", "grant", CLERK, role, "--tenant", "360102")
        yield srv
    finally:
        srv.stop()
        gateway.terminate()
        gateway.wait(10)


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 (the test's own loopback gateway)
            return
        except urllib.error.HTTPError:
            return  # it answers (404 for the unknown payment): it is up
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def resident_id(body17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights, strict=True)) % 11]


def new_page(browser, size=None):
    ctx = browser.new_context(viewport=size or DESKTOP, locale="zh-CN")
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
    if form.locator('input[name="confirm"]').count():
        form.locator('input[name="confirm"]').check()
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def both_sizes(page, screenshot, name):
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    assert no_horizontal_scroll(page), f"{name} scrolls sideways at 375 px"
    screenshot(page, f"{name}-375")
    page.set_viewport_size(DESKTOP)


def poll(page, url, locator, what, tries=40):
    """Events are delivered by the job runner: reload until ``locator`` shows up."""
    for _ in range(tries):
        page.goto(url)
        if page.locator(locator).count():
            return page.locator(locator)
        time.sleep(0.5)
    raise AssertionError(f"{what} did not appear")


def test_citizen_pays_is_approved_receives_the_licence_and_a_guest_verifies_it(server, browser, screenshot):
    # The fee manager charges for the item (the payment API, as a console client would call it).
    clerk_ctx, clerk = new_page(browser)
    log_in(clerk, server, CLERK, CLERK_PASSWORD)
    token = clerk.request.get(f"{server.url}/api/me").json()["csrf_token"]
    fee = {"item_code": ITEM, "item_name": "个体工商户登记", "amount_cents": 1000,
           "legal_basis": "端到端测试收费标准（测试数据）", "stage": "before_acceptance"}
    answer = clerk.request.post(f"{server.url}/api/t/360102/payment/fees", data=json.dumps(fee),
                                headers={"x-csrf-token": token, "content-type": "application/json"})
    assert answer.ok, answer.text()

    # The citizen registers and applies.
    citizen_ctx, citizen = new_page(browser)
    citizen.goto(f"{server.url}/register?kind=person&next=/t/360102/")
    citizen.fill("#display_name", "刘缴费")
    citizen.fill("#id_number", resident_id("36010219930303123"))
    citizen.fill("#username", CITIZEN)
    citizen.fill("#password", CITIZEN_PASSWORD)
    citizen.fill("#password2", CITIZEN_PASSWORD)
    citizen.locator("main form button[type=submit]").click()
    citizen.wait_for_load_state()
    if citizen.locator('header a[href^="/login"]').count():
        log_in(citizen, server, CITIZEN, CITIZEN_PASSWORD)
    citizen.goto(f"{server.url}/t/360102/approval/items/{ITEM}/apply")
    for field in citizen.locator("main form input[required]:not([type=file])").all():
        field.fill("东湖缴费小店")
    files = citizen.locator('main form input[type="file"]')
    for i in range(files.count()):
        files.nth(i).set_input_files({"name": f"m{i}.pdf", "mimeType": "application/pdf", "buffer": PDF})
    citizen.locator("main form button[type=submit]").click()
    citizen.wait_for_load_state()
    number = citizen.locator(".receipt .number").inner_text().strip()
    application_url = citizen.url.split("?")[0]

    # Told to pay: the application's page links to the order, the header counts the unread message.
    pay_link = poll(citizen, application_url, 'dd[data-fact] a:has-text("去缴费")', "the payment order")
    assert "10.00 元" in citizen.locator("dd[data-fact]").inner_text()
    assert int(citizen.locator("header a.inbox").get_attribute("data-unread")) >= 1
    both_sizes(citizen, screenshot, "journey-1-application-to-pay")
    citizen.goto(f"{server.url}/my/messages/")
    assert "请缴费：个体工商户登记" in citizen.locator("main").inner_text()

    # Pay through the simulated gateway (another origin) and come back.
    citizen.goto(application_url)
    pay_link.click()
    citizen.wait_for_load_state()
    assert "待支付" in citizen.locator("h1").inner_text()
    both_sizes(citizen, screenshot, "journey-2-order")
    citizen.locator("button[data-pay]").click()
    citizen.wait_for_url("**/pay/*")  # the gateway's own page
    screenshot(citizen, "journey-3-gateway")
    citizen.locator('button[value="success"]').click()
    citizen.wait_for_url(f"{server.url}/t/360102/payment/my/*")
    assert "支付成功" in citizen.locator("h1").inner_text()
    assert citizen.locator("a[data-receipt]").count() == 1
    both_sizes(citizen, screenshot, "journey-4-paid")

    # The clerk sees the payment on the case, accepts and approves.
    clerk.goto(f"{server.url}/t/360102/approval/workbench")
    clerk.get_by_role("link", name=number).click()
    clerk.wait_for_load_state()
    assert "10.00 元 · 支付成功" in clerk.locator("dd[data-fact]").inner_text()
    both_sizes(clerk, screenshot, "journey-5-clerk-case")
    act(clerk, "accept")
    act(clerk, "approve", reason="符合登记条件")
    assert "准予许可" in clerk.locator("dd.state").inner_text()

    # The licence, in every hall's "my licences" and in "my messages".
    row = poll(citizen, f"{server.url}/t/360100/licence/my", "tr[data-licence]", "the licence").first
    assert "个体工商户营业执照" in row.inner_text() and "有效" in row.inner_text()
    both_sizes(citizen, screenshot, "journey-6-my-licences")
    citizen.goto(f"{server.url}/my/messages/")
    assert "电子证照已签发：个体工商户营业执照" in citizen.locator("main").inner_text()
    both_sizes(citizen, screenshot, "journey-7-my-messages")

    # The QR code's URL (from the PDF the holder downloads), opened by a guest.
    citizen.goto(f"{server.url}/t/360100/licence/my")
    citizen.locator("tr[data-licence] a").first.click()
    citizen.wait_for_load_state()
    pdf = citizen.request.get(server.url + citizen.locator('a[href$="/pdf"]').first.get_attribute("href"))
    attached = pypdf.PdfReader(io.BytesIO(pdf.body())).attachments["govhall-licence.json"][0]
    verify_url = json.loads(json.loads(attached)["canonical"])["verify_url"]
    guest_ctx, guest = new_page(browser)
    guest.goto(verify_url)
    assert "有效" in guest.locator(".verdict").inner_text()
    both_sizes(guest, screenshot, "journey-8-verify-valid")

    # Revoked by the issuing hall: the guest's page says so.
    clerk.goto(f"{server.url}/t/360102/licence/licences")
    clerk.locator("tr[data-licence]", has_text="刘缴费").locator("a").first.click()
    clerk.wait_for_load_state()
    act(clerk, "revoke", reason="登记事项不实，依法撤销")
    assert "已撤销" in clerk.locator("h1").inner_text()
    guest.reload()
    assert "已撤销" in guest.locator(".verdict").inner_text()
    both_sizes(guest, screenshot, "journey-9-verify-revoked")
    for ctx in (citizen_ctx, clerk_ctx, guest_ctx):
        ctx.close()
