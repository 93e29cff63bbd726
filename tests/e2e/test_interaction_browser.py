"""Interaction in a browser: a guest's complaint from the form (phone confirmed by the code the SMS
provider sent) to dispatch down to a township, the township's reply, the duty team's call-back, and the
guest's bad rating; then that bad review through rectification (the department verifies, rectifies and
replies; the duty team re-checks) until the guest sees the outcome. Screenshots at desktop and 375 px."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import Server

pytestmark = pytest.mark.e2e
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "Interact2026password"
MOBILE = "13912345678"
STAFF = [  # username, name, tenant, role, department
    ("e2e_duty", "孙互动（东湖区值班）", "360102", "interaction_officer", None),
    ("e2e_town", "李街道（滕王阁街道）", "360102015", "item_handler", None),
    ("e2e_scjgj", "王监管（东湖区市场监管局）", "360102", "item_handler", "scjgj"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("e2e-interaction"))
    srv.start()
    for username, name, tenant, role, dept in STAFF:
        srv.govhall("users", "create", username, "--kind", "staff", "--name", name, "--password", PASSWORD,
                    "--tenant", tenant, *(["--department", dept] if dept else []))
        srv.govhall("roles", "grant", username, role, "--tenant", tenant)
    yield srv
    srv.stop()


def new_page(browser):
    ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(15_000)
    return page


def log_in(page, server, username):
    page.goto(f"{server.url}/login?next=/my/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator('header a[href^="/login"]').count() == 0, "login failed"


def submit_form(page, form_id):
    page.locator(f"form#{form_id} button[type=submit]").click()
    page.wait_for_load_state()


def sent_code(server, phone: str = MOBILE) -> str:
    """The last code the development SMS provider logged for the guest's phone."""
    for _ in range(20):
        with open(server.log.name, encoding="utf-8") as log:
            lines = [ln for ln in log if "message.sent" in ln and phone in ln]
        if lines:
            return re.findall(r"验证码 (\d{6})", lines[-1])[-1]
        time.sleep(0.25)
    raise AssertionError("no code in the server log")


def both_sizes(page, screenshot, name):
    screenshot(page, name)
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), name
    screenshot(page, f"{name}-375")
    page.set_viewport_size(DESKTOP)


def test_guest_complaint_to_a_township_and_a_bad_review_through_rectification(server, browser, screenshot):
    guest = new_page(browser)
    guest.goto(f"{server.url}/t/360102/interaction/new")
    guest.select_option("#kind", "complaint")
    guest.fill("#title", "商铺占道经营<script>alert(1)</script>")
    guest.fill("#content", "滕王阁附近商铺长期占道经营，夜间噪音扰民，请处理。")
    guest.fill("#name", "赵访客")
    guest.fill("#phone", MOBILE)
    guest.select_option("#about_department", "scjgj")
    guest.locator('button[name="op"][value="code"]').click()
    guest.wait_for_load_state()
    assert "验证码已发送" in guest.content()
    guest.fill("#code", sent_code(server))
    guest.locator('button[name="op"][value="submit"]').click()
    guest.wait_for_load_state()
    follow = guest.url
    number = re.search(r"/f/(\d+)\?", follow).group(1)
    assert "/interaction/f/" in follow and "工单编号为" in guest.content()
    assert "<script>alert(1)</script>" in guest.locator("main").inner_text()  # shown as text, not run
    both_sizes(guest, screenshot, "interaction-1-guest-submitted")

    duty = new_page(browser)
    log_in(duty, server, "e2e_duty")
    duty.goto(f"{server.url}/t/360102/interaction/tickets?state=submitted")
    duty.get_by_role("link", name=number).click()
    duty.wait_for_load_state()
    assert "<script>alert(1)</script>" in duty.locator("main").inner_text()  # shown as text, not run
    submit_form(duty, "f-accept")
    duty.select_option("#target", "360102015:")
    duty.fill("#dispatch-note", "请街道核实处理")
    submit_form(duty, "f-dispatch")
    assert "已转办" in duty.content()
    ticket_url = duty.url
    both_sizes(duty, screenshot, "interaction-2-duty-dispatched")

    town = new_page(browser)
    log_in(town, server, "e2e_town")
    town.goto(f"{server.url}/t/360102015/interaction/work")
    town.get_by_role("link", name=number).click()
    town.wait_for_load_state()
    town.fill("#reply", "已联系城管执法队清理占道，督促商户夜间停止经营。")
    submit_form(town, "f-reply")
    assert "已答复" in town.content()

    duty.goto(ticket_url)
    duty.select_option("#result", "unsatisfied")
    duty.fill("#callback-note", "电话回访，诉求人认为处理慢")
    submit_form(duty, "f-callback")
    assert "已办结" in duty.content()

    guest.goto(follow)
    guest.check('input[name="rating"][value="2"]')
    guest.fill("#comment", "处理太慢")
    submit_form(guest, "rate")
    assert "2/5" in guest.content()

    dept = new_page(browser)
    log_in(dept, server, "e2e_scjgj")
    for _ in range(60):  # the review arrives through the rating event, delivered by the job runner
        dept.goto(f"{server.url}/t/360102/interaction/reviews")
        if dept.locator("tr[data-review] a", has_text="咨询投诉工单").count():
            break
        time.sleep(0.5)
    dept.locator("tr[data-review] a", has_text="咨询投诉工单").first.click()
    dept.wait_for_load_state()
    dept.fill("#verification", "经核实，街道处置不及时属实。")
    dept.fill("#measures", "约谈街道负责人，建立占道经营夜间巡查机制。")
    dept.fill("#reply", "感谢监督，已整改：夜间巡查每日两次。")
    submit_form(dept, "f-rectify")
    assert "已整改待复核" in dept.content()
    review_url = dept.url

    duty.goto(review_url)
    submit_form(duty, "f-recheck")
    assert "已复核办结" in duty.content()
    both_sizes(duty, screenshot, "interaction-3-review-rechecked")

    guest.goto(follow)
    text = guest.locator("main").inner_text()
    assert "已复核办结" in text and "夜间巡查每日两次" in text
    both_sizes(guest, screenshot, "interaction-4-guest-outcome")

    guest.goto(f"{server.url}/t/360102/interaction/figures")
    assert guest.locator("svg").count() >= 1
    both_sizes(guest, screenshot, "interaction-5-figures")


PDF = b"%PDF-1.4 e2e attachment"
PNG = b"\x89PNG\r\n\x1a\n e2e photo"


def demo_log_in(page, server, username):
    page.goto(f"{server.url}/login?next=/my/")
    page.fill("#username", username)
    page.fill("#password", "Govhall2026demo")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def person_submits(page, server, kind, title, content, **extra):
    """A signed-in person's ticket (no phone code: the guest's path is the test above)."""
    page.goto(f"{server.url}/t/360102/interaction/new")
    page.select_option("#kind", kind)
    page.fill("#title", title)
    page.fill("#content", content)
    if extra.get("application"):
        page.fill("#about_application", extra["application"])
    if extra.get("public_ok"):
        page.check('input[name="public_ok"]')
    if extra.get("files"):
        page.set_input_files("#files", extra["files"])
    page.locator('button[name="op"][value="submit"]').click()
    page.wait_for_load_state()
    assert "/interaction/my/" in page.url, page.locator("main").inner_text()[:500]
    return page.locator("dd.number").first.inner_text().strip()


def test_knowledge_base_attachments_and_a_complaint_on_the_case_page(server, browser, screenshot):
    # a guest's consultation with a photo, published with consent and without personal data
    person = new_page(browser)
    demo_log_in(person, server, "citizen")
    number = person_submits(
        person, server, "consultation", "居住证办理<b>材料</b>",
        "您好，我叫钱多多，电话13912340001，身份证360102199001011234，请问居住证需要哪些材料？",
        public_ok=True, files=[{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}],
    )
    assert "现场.png" in person.locator("main").inner_text()
    both_sizes(person, screenshot, "interaction-6-person-submitted-with-file")
    duty = new_page(browser)
    log_in(duty, server, "e2e_duty")
    duty.goto(f"{server.url}/t/360102/interaction/tickets?state=submitted")
    duty.get_by_role("link", name=number).click()
    duty.wait_for_load_state()
    submit_form(duty, "f-accept")
    duty.fill("#reply", "请携带身份证和居住证明材料到政务大厅办理，钱多多您好。<script>alert(1)</script>")
    duty.set_input_files("#f-reply input[type=file]", [{"name": "材料清单.pdf", "mimeType": "application/pdf",
                                                        "buffer": PDF}])
    submit_form(duty, "f-reply")
    assert "材料清单.pdf" in duty.locator("main").inner_text()
    draft = duty.input_value("#kb-question")
    assert "钱多多" not in draft and "13912340001" not in draft and "360102199001011234" not in draft
    both_sizes(duty, screenshot, "interaction-7-duty-publish-draft")
    submit_form(duty, "f-publish")
    assert "发布于" in duty.locator("#kb").inner_text()

    guest = new_page(browser)
    guest.goto(f"{server.url}/t/360102/interaction/kb?q=居住证")
    text = guest.locator("main").inner_text()
    assert "居住证办理<b>材料</b>" in text and "钱多多" not in text and "13912340001" not in text
    assert "<script>alert(1)</script>" in text  # shown as text, not run
    both_sizes(guest, screenshot, "interaction-8-knowledge-base")

    # a complaint about an application shows on the application's case page for the clerk
    clerk = new_page(browser)
    demo_log_in(clerk, server, "donghu_handler")
    clerk.goto(f"{server.url}/t/360102/approval/workbench")
    case = clerk.locator('main a[href*="/approval/workbench/"]').first
    app_number = case.inner_text().strip()
    case_url = server.url + case.get_attribute("href")
    person_submits(person, server, "complaint", "办件拖延<script>alert(1)</script>",
                   "这个办件迟迟没有结果，请督促。", application=app_number)
    clerk.goto(case_url)
    panel = clerk.locator("[data-panel]")
    assert "办件拖延<script>alert(1)</script>" in panel.inner_text() and "待受理" in panel.inner_text()
    both_sizes(clerk, screenshot, "interaction-9-case-page-complaint")
