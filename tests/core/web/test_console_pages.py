"""The console, my space and the workbench through real HTTP on the ASGI app, with real logins."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from tests.factories import csrf_token, login, make_account, make_staff


@pytest.fixture
def as_user(app):
    """``as_user(username)``: a fresh client logged in as that account."""
    clients = []

    def make(username: str) -> TestClient:
        c = TestClient(app, follow_redirects=False)
        c.__enter__()
        clients.append(c)
        return login(c, username)

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def _switch(client, code, plugin, state, lock=False, token=None, seen=None):
    token = token or csrf_token(client, f"/t/{code}/console/")
    data = {"plugin": plugin, "state": state, "csrf_token": token}
    if seen:
        data["seen"] = seen
    if lock:
        data["lock"] = "true"
    return client.post(f"/t/{code}/console/plugins", data=data)


def test_province_admin_disables_a_plugin_for_one_county(platform, as_user):
    make_staff(platform, "padmin", "360000", "comprehensive_admin", subtree=True)
    admin = as_user("padmin")
    page = admin.get("/t/360102/console/")
    assert page.status_code == 200
    assert 'data-plugin="credit"' in page.text and 'name="csrf_token"' in page.text
    r = _switch(admin, "360102", "credit", "off")
    assert r.status_code == 303 and r.headers["location"].startswith("/t/360102/console/?saved=credit")
    after = admin.get(r.headers["location"])
    row = re.search(r'<tr data-plugin="credit">.*?</tr>', after.text, re.S).group(0)
    assert "关闭" in row and "在本级设置" in row
    assert "credit" not in platform.enabled(platform.directory.get("360102"))
    assert "credit" in platform.enabled(platform.directory.get("360103"))
    audit = admin.get("/t/360100/console/audit?action=plugin.switch")
    assert "plugin:credit" in audit.text and "staff:padmin" in audit.text
    # The filter is a choice of subsystems by name, the address's own prefix kept selected by its name.
    form = re.search(r'<select id="audit-action" name="action">.*?</select>', audit.text, re.S).group(0)
    assert '<option value="credit.">' in form and '<option value="plugin.switch" selected>' in form
    assert 'value="plugin.switch" selected>plugin.switch<' not in form


def test_a_switch_without_the_csrf_token_is_refused(platform, as_user):
    make_staff(platform, "padmin2", "360000", "comprehensive_admin", subtree=True)
    admin = as_user("padmin2")
    r = admin.post("/t/360102/console/plugins", data={"plugin": "credit", "state": "off"})
    assert r.status_code == 403
    assert "credit" in platform.enabled(platform.directory.get("360102"))


def test_refused_switch_is_explained_on_the_page(platform, as_user):
    make_staff(platform, "cadmin", "360102", "comprehensive_admin", subtree=True)
    admin = as_user("cadmin")
    r = _switch(admin, "360102", "supervision", "off")
    assert r.status_code == 409
    assert 'id="refused"' in r.text and "已被上级" in r.text and "江西省" in r.text
    en = admin.get("/t/360102/console/?lang=en")
    assert "Locked above by Jiangxi" in en.text


def test_invalid_switch_input_is_a_422_naming_the_field(platform, as_user):
    make_staff(platform, "cadmin2", "360102", "comprehensive_admin", subtree=True)
    admin = as_user("cadmin2")
    r = _switch(admin, "360102", "credit", "sideways")
    assert r.status_code == 422 and "<strong>state</strong>" in r.text


def test_county_admin_stays_inside_its_subtree(platform, as_user):
    make_staff(platform, "cadmin3", "360102", "comprehensive_admin", subtree=True)
    admin = as_user("cadmin3")
    assert admin.get("/t/360102/console/").status_code == 200
    for url in ("/t/360100/console/", "/t/360103/console/", "/t/360103/console/audit"):
        denied = admin.get(url)
        assert denied.status_code == 403, url
        assert "无权访问" in denied.text
    token = csrf_token(admin, "/t/360102/console/")
    r = _switch(admin, "360103", "credit", "off", token=token)
    assert r.status_code == 403
    assert "credit" in platform.enabled(platform.directory.get("360103"))


def test_search_is_limited_to_the_admins_subtree(platform, as_user):
    make_staff(platform, "cityadmin", "360200", "comprehensive_admin", subtree=True)
    admin = as_user("cityadmin")
    r = admin.get("/t/360200/console/?q=东湖")
    assert "没有匹配的办事大厅" in r.text
    r = admin.get("/t/360200/console/?q=3602")
    assert 'href="/t/360200/console/"' in r.text


def test_supervisor_sees_the_console_without_switches(platform, as_user):
    make_staff(platform, "sup", "360000", "supervisor", subtree=True)
    sup = as_user("sup")
    page = sup.get("/t/360102/console/")
    assert page.status_code == 200 and "console/plugins" not in page.text
    assert "/t/360102/console/audit" in page.text
    token = csrf_token(sup, "/t/360102/console/audit")
    r = _switch(sup, "360102", "credit", "off", token=token)
    assert r.status_code == 403


def test_citizen_gets_a_403_page_on_the_console(platform, as_user):
    make_account(platform, "person", "citizen1", id_number="360102199003071236")
    citizen = as_user("citizen1")
    r = citizen.get("/t/360102/console/")
    assert r.status_code == 403 and "无权访问" in r.text
    assert "没有“查看管理控制台”的权限" in r.text  # the permission as people know it, not only its code
    assert "/login" not in r.text.split('<main id="main"', 1)[1]  # logged in: no log-in link offered
    en = citizen.get("/t/360102/console/?lang=en")
    assert "Not allowed" in en.text and "View the administration console" in en.text


def test_audit_page_shows_only_the_subtree(platform, as_user):
    make_staff(platform, "padmin3", "360000", "comprehensive_admin", subtree=True)
    admin = as_user("padmin3")
    assert _switch(admin, "360103", "credit", "off").status_code == 303
    assert _switch(admin, "360200", "credit", "off").status_code == 303
    r = admin.get("/t/360100/console/audit")
    assert "plugin:credit" in r.text and "西湖区" in r.text and "景德镇市" not in r.text.split("<table", 1)[1]


def test_my_space_and_workbench(platform, as_user, client):
    assert client.get("/my/").status_code == 303
    make_account(platform, "person", "citizen2", display_name="李雷", id_number="36010219850512345X")
    me = as_user("citizen2")
    page = me.get("/my/?hall=360102")
    assert page.status_code == 200 and "李雷" in page.text and "东湖区" in page.text
    assert 'href="/t/360102/approval/my"' in page.text  # the approval plugin's "my applications"
    assert me.get("/workbench/").status_code == 403
    make_staff(platform, "clerk", "360102", "item_handler", department="xzspj")
    clerk = as_user("clerk")
    wb = clerk.get("/workbench/")
    assert wb.status_code == 200 and 'data-hall="360102"' in wb.text and 'data-hall="360103"' not in wb.text


def test_anyone_can_find_a_hall_by_name_or_code(client):
    r = client.get("/halls?q=东湖")
    assert r.status_code == 200 and 'href="/t/360102/"' in r.text and "南昌市" in r.text
    assert 'href="/t/360102/"' in client.get("/halls?q=360102").text
    assert "没有匹配的办事大厅" in client.get("/halls?q=不存在的地方").text
    hall = client.get("/t/360103/")
    assert 'href="/halls"' in hall.text


def test_two_admins_do_not_overwrite_each_other(platform, as_user):
    make_staff(platform, "adm_a", "360000", "comprehensive_admin", subtree=True)
    make_staff(platform, "adm_b", "360100", "comprehensive_admin", subtree=True)
    a, b = as_user("adm_a"), as_user("adm_b")
    page = a.get("/t/360102/console/")
    shown = r'name="plugin" value="credit">\s*<input type="hidden" name="seen" value="inherit">'
    assert re.search(shown, page.text)
    assert _switch(b, "360102", "credit", "off", seen="inherit").status_code == 303
    stale = _switch(a, "360102", "credit", "on", seen="inherit")
    assert stale.status_code == 409 and "已被他人改为" in stale.text
    assert "credit" not in platform.enabled(platform.directory.get("360102"))
