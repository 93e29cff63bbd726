"""Interaction pages through the ASGI app: a guest's complaint from the form (phone code) to dispatch to a
township, the township's reply, the call-back and the guest's rating; HTML and script in every free-text
field escaped on the public and the staff pages; bad input refused naming the field; the boundaries."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from factories import csrf_token, login, make_staff
from sqlalchemy import func, select
from starlette.testclient import TestClient

from core.db import Scope
from core.web.i18n import Catalogue
from plugins.interaction.models import Ticket, TicketAssignment
from tests.core.web.test_i18n import template_msgids

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "interaction"
BASE = "/t/360102/interaction"
XSS = "<script>alert(1)</script>"


def test_every_interaction_msgid_has_a_chinese_translation():
    msgids = template_msgids(PLUGIN / "templates")
    assert len(msgids) > 60
    missing = [m for m in msgids if Catalogue([PLUGIN / "locale"]).missing([m])]
    assert not missing, f"add to plugins/interaction/locale/zh_CN/LC_MESSAGES/messages.po: {missing}"


@pytest.fixture(autouse=True)
def _day(platform):
    platform.clock.set(date(2026, 11, 2))


def _post(client, page: str, action: str, **data):
    return client.post(action, data={"csrf_token": csrf_token(client, page), **data})


def _count(platform) -> int:
    with platform.db.session(Scope.system()) as s:
        return s.scalar(select(func.count()).select_from(Ticket)) or 0


def _guest_submits(client, codes, send=True, **fields):
    new = f"{BASE}/new"
    if send:
        r = _post(client, new, new, op="code", phone="13800138000", kind="complaint")
        assert r.status_code == 200 and "验证码已发送" in r.text
    form = {
        "op": "submit",
        "kind": "complaint",
        "title": f"占道经营{XSS}",
        "content": f"夜间噪音{XSS}扰民",
        "name": f"张{XSS}",
        "phone": "13800138000",
        "code": codes[-1][1],
        "about_item": "<b>item</b>",
        "about_application": "<i>app</i>",
    } | fields
    return _post(client, new, new, **form)


def _app_client(app):
    return TestClient(app, follow_redirects=False)


def test_a_guests_complaint_through_dispatch_reply_callback_and_rating(client, app, platform, codes):
    r = _guest_submits(client, codes)
    assert r.status_code == 303, r.text[:500]
    follow = r.headers["location"]
    assert re.match(rf"{BASE}/f/\d{{12}}\?key=[\w-]+&new=1$", follow)
    page = client.get(follow)
    assert page.status_code == 200 and "工单编号为" in page.text
    assert XSS not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text

    make_staff(platform, "duty", "360102", "interaction_officer")
    make_staff(platform, "town", "360102015", "item_handler")
    duty, town = login(_app_client(app), "duty"), login(_app_client(app), "town")
    listing = duty.get(f"{BASE}/tickets")
    assert listing.status_code == 200 and XSS not in listing.text and "占道经营&lt;script&gt;" in listing.text
    tid = int(re.search(r'data-ticket="(\d+)"', listing.text).group(1))
    page_url = f"{BASE}/tickets/{tid}"
    staff_page = duty.get(page_url)
    assert XSS not in staff_page.text and "&lt;b&gt;item&lt;/b&gt;" in staff_page.text
    assert _post(duty, page_url, f"{page_url}/accept", version="1").status_code == 303
    r = _post(duty, page_url, f"{page_url}/dispatch", version="2", target="360102015:", note=f"核实{XSS}")
    assert r.status_code == 303, r.text[:800]

    work = town.get("/t/360102015/interaction/work")
    aid = int(re.search(r'data-assignment="(\d+)"', work.text).group(1))
    item = town.get(f"/t/360102015/interaction/work/{aid}")
    assert item.status_code == 200 and XSS not in item.text and "滕王阁" not in item.text[:0]
    r = _post(
        town,
        f"/t/360102015/interaction/work/{aid}",
        f"/t/360102015/interaction/work/{aid}/reply",
        version="3",
        reply=f"已处理{XSS}",
    )
    assert r.status_code == 303, r.text[:800]
    assert XSS not in duty.get(page_url).text

    r = _post(duty, page_url, f"{page_url}/callback", version="4", result="satisfied", note="电话回访")
    assert r.status_code == 303, r.text[:800]
    number, key = re.search(r"/f/(\d+)\?key=([\w-]+)", follow).groups()
    r = _post(client, follow, f"{BASE}/f/{number}/rate", key=key, version="5", rating="2", comment=f"慢{XSS}")
    assert r.status_code == 303, r.text[:800]
    done = client.get(f"{BASE}/f/{number}?key={key}")
    assert "已办结" in done.text and XSS not in done.text and "2/5" in done.text
    with platform.db.session(Scope.system()) as s:
        t = s.get(Ticket, tid)
        assert (t.state, t.rating, t.callback_result) == ("closed", 2, "satisfied")
    assert client.get(f"{BASE}/f/{number}?key=wrong").status_code == 404


def test_bad_input_is_refused_naming_the_field_and_changes_nothing(client, platform, codes):
    before = _count(platform)
    r = _guest_submits(client, codes, title="", content="x" * 5001)
    assert r.status_code == 422 and "标题 (title)" in r.text and "内容 (content)" in r.text
    r = _guest_submits(client, codes, send=False, code="000000" if codes[-1][1] != "000000" else "111111")
    assert r.status_code == 422 and "验证码错误" in r.text
    r = _post(client, f"{BASE}/new", f"{BASE}/new", op="code", phone="13800138000")
    assert r.status_code == 429 and "验证码请求过于频繁" in r.text
    r = _post(client, f"{BASE}/new", f"{BASE}/new", op="code", phone="12345")
    assert r.status_code == 422 and "手机号 (phone)" in r.text
    assert _count(platform) == before


def test_boundaries_permissions_other_tenants_and_plugin_off(client, app, platform, codes):
    assert _guest_submits(client, codes).status_code == 303
    with platform.db.session(Scope.system()) as s:
        tid = s.scalar(select(Ticket.id))
    assert client.get(f"{BASE}/tickets/{tid}").status_code in (401, 403, 303)
    make_staff(platform, "xihu", "360103", "interaction_officer")
    xihu = login(_app_client(app), "xihu")
    assert xihu.get(f"{BASE}/tickets/{tid}").status_code == 403
    assert xihu.get(f"/t/360103/interaction/tickets/{tid}").status_code == 404
    make_staff(platform, "town2", "360102016", "item_handler")
    town2 = login(_app_client(app), "town2")
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(func.count()).select_from(TicketAssignment)) == 0
    assert town2.get("/t/360102016/interaction/work/1").status_code == 404

    from core.tenancy.service import set_plugin_state

    with platform.db.transaction(Scope.system()) as s:
        set_plugin_state(
            s, platform.directory, platform.directory.get("360102"), "interaction", "off", actor="tests"
        )
    platform.refresh(force=True)
    assert client.get(f"{BASE}/new").status_code == 404


def test_the_json_api_submits_pages_and_hides_other_halls(client, app, platform, codes):
    r = client.post("/api/t/360102/interaction/codes", json={"phone": "13700001111"})
    assert r.status_code == 202
    body = {
        "kind": "consultation",
        "title": "<b>咨询</b>",
        "content": "如何办理居住证？",
        "name": "访客",
        "phone": "13700001111",
        "code": codes[-1][1],
    }
    r = client.post("/api/t/360102/interaction/tickets", json=body)
    assert r.status_code == 201 and r.json()["follow_key"], r.text
    assert client.post("/api/t/360102/interaction/tickets", json=body | {"title": ""}).status_code == 422
    make_staff(platform, "duty_api", "360102", "interaction_officer")
    duty = login(_app_client(app), "duty_api")
    page = duty.get("/api/t/360102/interaction/tickets?limit=1&kind=consultation").json()
    assert [t["title"] for t in page["items"]] == ["<b>咨询</b>"] and page["items"][0][
        "state_title"
    ] == "待受理"
    tid = page["items"][0]["id"]
    assert duty.get(f"/api/t/360102/interaction/tickets/{tid}").status_code == 200
    make_staff(platform, "xihu_api", "360103", "interaction_officer")
    xihu = login(_app_client(app), "xihu_api")
    assert xihu.get(f"/api/t/360103/interaction/tickets/{tid}").status_code == 404
