"""Openness pages through the ASGI app: a person's request from the form to the office's reply, with HTML
and script in every free-text field escaped on the requester's and the staff pages; bad input refused
naming the field and changing nothing; a stale version answers 409; other halls answer 404; the report's
page, chart and CSV; the JSON API."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from factories import csrf_token, login, make_account, make_staff
from sqlalchemy import func, select
from starlette.testclient import TestClient

from core.db import Scope
from core.web.i18n import Catalogue
from plugins.openness.models import DisclosureRequest
from tests.core.web.test_i18n import template_msgids

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "openness"
BASE = "/t/360102/openness"
XSS = "<script>alert(1)</script>"
ESC = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_every_openness_msgid_has_a_chinese_translation():
    msgids = template_msgids(PLUGIN / "templates")
    assert len(msgids) > 60
    missing = [m for m in msgids if Catalogue([PLUGIN / "locale"]).missing([m])]
    assert not missing, f"add to plugins/openness/locale/zh_CN/LC_MESSAGES/messages.po: {missing}"


@pytest.fixture(autouse=True)
def _day(platform):
    platform.clock.set(date(2026, 11, 2))


def _client(app) -> TestClient:
    return TestClient(app, follow_redirects=False)


def _post(client, page: str, action: str, **data):
    return client.post(action, data={"csrf_token": csrf_token(client, page), **data})


def _count(platform) -> int:
    with platform.db.session(Scope.system()) as s:
        return s.scalar(select(func.count()).select_from(DisclosureRequest)) or 0


def _person(app, platform, name: str = "person1"):
    make_account(platform, "person", name)
    return login(_client(app), name)


def _apply(person, **fields):
    form = {
        "requester_kind": "person",
        "requester_name": f"张{XSS}",
        "phone": "13800138000",
        "email": "",
        "address": f"八一大道{XSS}",
        "description": f"老旧小区改造清单{XSS}",
        "department_code": "",
    } | fields
    return _post(person, f"{BASE}/apply", f"{BASE}/apply", **form)


def test_a_request_from_the_form_to_the_reply_escaped_everywhere(app, platform):
    person = _person(app, platform)
    r = _apply(person)
    assert r.status_code == 303, r.text[:800]
    mine = r.headers["location"]
    assert re.match(rf"{BASE}/my/\d+\?new=1$", mine)
    page = person.get(mine)
    assert page.status_code == 200 and "申请已收到" in page.text and "2026-11-30" in page.text
    assert XSS not in page.text and ESC in page.text

    make_staff(platform, "officer", "360102", "disclosure_officer")
    officer = login(_client(app), "officer")
    queue = officer.get(f"{BASE}/requests")
    assert queue.status_code == 200 and XSS not in queue.text and f"张{ESC}" in queue.text
    rid = int(re.search(r'data-request="(\d+)"', queue.text).group(1))
    url = f"{BASE}/requests/{rid}"
    staff = officer.get(url)
    assert staff.status_code == 200 and XSS not in staff.text and "网上申请" in staff.text
    r = _post(
        officer,
        url,
        f"{url}/reply",
        version="1",
        outcome="partly",
        ground="third_party",
        reply=f"部分公开{XSS}",
    )
    assert r.status_code == 303, r.text[:800]
    done = officer.get(url)
    assert "部分公开（保护第三方合法权益）" in done.text and XSS not in done.text
    seen = person.get(f"{BASE}/my/{rid}")
    assert "已答复" in seen.text and f"部分公开{ESC}" in seen.text
    assert "已答复" in person.get(f"{BASE}/my").text


def test_extension_needs_the_approver_and_a_stale_form_answers_409(app, platform):
    person = _person(app, platform)
    assert _apply(person).status_code == 303
    make_staff(platform, "officer2", "360102", "disclosure_officer")
    make_staff(platform, "head", "360102", "comprehensive_admin")
    officer, head = login(_client(app), "officer2"), login(_client(app), "head")
    with platform.db.session(Scope.system()) as s:
        rid = s.scalar(select(DisclosureRequest.id))
    url = f"{BASE}/requests/{rid}"
    r = _post(officer, url, f"{url}/extension", version="1", days="21", reason="档案多")
    assert r.status_code == 422 and "延期工作日 (days)" in r.text
    assert _post(officer, url, f"{url}/extension", version="1", days="15", reason="档案多").status_code == 303
    assert _post(officer, url, f"{url}/decide", version="2", approve="1").status_code == 403
    assert _post(head, url, f"{url}/decide", version="2", approve="1").status_code == 303
    page = head.get(url)
    assert "已批准延期" in page.text and "2026-12-21" in page.text
    r = _post(officer, url, f"{url}/reply", version="2", outcome="disclosed", reply="予以公开")
    assert r.status_code == 409 and "刷新" in r.text


def test_bad_input_is_refused_naming_the_field_and_changes_nothing(app, platform):
    person = _person(app, platform, "person3")
    before = _count(platform)
    r = _apply(person, requester_name="", description="x" * 5001)
    assert r.status_code == 422
    assert "申请人姓名或名称 (requester_name)" in r.text and "所需信息的描述 (description)" in r.text
    r = _apply(person, phone="", address="", email="")
    assert r.status_code == 422 and "联系方式" in r.text
    r = _apply(person, email="not-an-address")
    assert r.status_code == 422 and "电子邮箱 (email)" in r.text
    r = _apply(person, department_code="nope")
    assert r.status_code == 422 and "没有该部门" in r.text
    make_staff(platform, "officer3", "360102", "disclosure_officer")
    officer = login(_client(app), "officer3")
    r = _post(
        officer,
        f"{BASE}/requests/new",
        f"{BASE}/requests/new",
        channel="letter",
        requester_name="李四",
        phone="0791-1234567",
        description="某某文件目录",
        made_on="2026-10-28",
        received_on="",
    )
    assert r.status_code == 422 and "签收日期" in r.text
    r = _post(
        officer,
        f"{BASE}/requests/new",
        f"{BASE}/requests/new",
        channel="letter",
        requester_name="李四",
        phone="0791-1234567",
        description="某某文件目录",
        made_on="2026-13-45",
        received_on="2026-10-30",
    )
    assert r.status_code == 422 and "提交日期 (made_on)" in r.text
    assert _count(platform) == before
    r = _post(
        officer,
        f"{BASE}/requests/new",
        f"{BASE}/requests/new",
        channel="letter",
        requester_name="李四",
        phone="0791-1234567",
        description="某某文件目录",
        made_on="2026-10-28",
        received_on="2026-10-30",
    )
    assert r.status_code == 303
    rid = int(r.headers["location"].rsplit("/", 1)[1])
    url = f"{BASE}/requests/{rid}"
    r = _post(officer, url, f"{url}/reply", version="1", outcome="refused", ground="", reply="不予公开")
    assert r.status_code == 422 and "法律依据 (ground)" in r.text
    r = _post(officer, url, f"{url}/reply", version="1", outcome="disclosed", reply="")
    assert r.status_code == 422 and "答复内容 (reply)" in r.text
    r = _post(officer, url, f"{url}/reply", version="1", outcome="disclosed", reply="x" * 10001)
    assert r.status_code == 422
    assert "received" in {s for (s,) in _states(platform)}


def _states(platform):
    with platform.db.session(Scope.system()) as s:
        return s.execute(select(DisclosureRequest.state)).all()


def test_boundaries_guests_other_halls_and_plugin_off(client, app, platform):
    assert client.get(f"{BASE}/apply").status_code in (303, 401)
    person = _person(app, platform, "person4")
    assert _apply(person).status_code == 303
    with platform.db.session(Scope.system()) as s:
        rid = s.scalar(select(DisclosureRequest.id))
    other = _person(app, platform, "person5")
    assert other.get(f"{BASE}/my/{rid}").status_code == 404
    assert person.get(f"{BASE}/requests/{rid}").status_code == 403
    make_staff(platform, "xihu", "360103", "disclosure_officer")
    xihu = login(_client(app), "xihu")
    assert xihu.get(f"/t/360103/openness/requests/{rid}").status_code == 404
    r = _post(
        xihu,
        "/t/360103/openness/requests",
        f"/t/360103/openness/requests/{rid}/reply",
        version="1",
        outcome="disclosed",
        reply="予以公开",
    )
    assert r.status_code == 404
    assert xihu.get(f"/api/t/360103/openness/requests/{rid}").status_code == 404

    from core.tenancy.service import set_plugin_state

    with platform.db.transaction(Scope.system()) as s:
        set_plugin_state(
            s, platform.directory, platform.directory.get("360102"), "openness", "off", actor="tests"
        )
    platform.refresh(force=True)
    assert person.get(f"{BASE}/apply").status_code == 404


def test_report_page_chart_and_csv_count_from_the_data(app, client, platform):
    person = _person(app, platform, "person6")
    assert _apply(person).status_code == 303
    assert _apply(person, requester_kind="legal", requester_name="某公司").status_code == 303
    make_staff(platform, "officer4", "360102", "disclosure_officer")
    officer = login(_client(app), "officer4")
    with platform.db.session(Scope.system()) as s:
        first = s.scalar(select(func.min(DisclosureRequest.id)))
    url = f"{BASE}/requests/{first}"
    assert (
        _post(
            officer,
            url,
            f"{url}/reply",
            version="1",
            outcome="unable",
            ground="not_held",
            reply="本机关不掌握",
        ).status_code
        == 303
    )
    page = client.get(f"{BASE}/report?year=2026")
    assert page.status_code == 200 and "<svg" in page.text
    assert re.search(r'class="new-total">2<', page.text) and re.search(r'class="handled-total">1<', page.text)
    assert "本机关不掌握相关政府信息" in page.text
    csv = client.get(f"{BASE}/report.csv?year=2026")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert any(line.startswith("本年新收") and line.endswith(",1,1,0,2") for line in lines), lines[:3]
    assert any("本机关不掌握" in line and line.endswith(",1,0,0,1") for line in lines)
    assert client.get(f"{BASE}/report?year=abc").status_code == 200  # a bad year shows this year


def test_the_json_api_submits_lists_and_refuses_a_stale_reply(app, platform):
    from tests.routes import token_for

    def bearer(account):
        c = _client(app)
        c.headers["Authorization"] = f"Bearer {token_for(platform, account)}"
        return c

    person = bearer(make_account(platform, "person", "person7"))
    r = person.post(
        "/api/t/360102/openness/requests",
        json={"requester_name": "<b>张</b>", "phone": "13800138000", "description": "某某文件目录"},
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert r.json()["due_on"] == "2026-11-30"
    assert (
        person.post(
            "/api/t/360102/openness/requests", json={"requester_name": "", "description": ""}
        ).status_code
        == 422
    )
    officer = bearer(make_staff(platform, "officer5", "360102", "disclosure_officer"))
    page = officer.get("/api/t/360102/openness/requests?limit=1").json()
    assert page["items"][0]["requester_name"] == "<b>张</b>" and page["items"][0]["state_title"] == "办理中"
    body = {"version": 1, "outcome": "disclosed", "reply": "予以公开"}
    assert officer.post(f"/api/t/360102/openness/requests/{rid}/reply", json=body).status_code == 200
    r = officer.post(f"/api/t/360102/openness/requests/{rid}/reply", json=body)
    assert r.status_code == 409 and r.json()["error"]["code"] == "stale_version"
    figures = officer.get("/api/t/360102/openness/report?year=2026").json()
    assert figures["new"]["total"] == 1 and figures["timely"]["on_time"] == 1
    xihu = bearer(make_staff(platform, "xihu_api", "360103", "disclosure_officer"))
    assert xihu.get(f"/api/t/360103/openness/requests/{rid}").status_code == 404
