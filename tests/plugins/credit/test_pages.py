"""Credit pages and API through real HTTP: public search, report, lists; staff entry, repair, lists;
permission and tenant boundaries; disabled tenants; demo data."""

from __future__ import annotations

import re
from datetime import timedelta

from credit_helpers import ACME, BETA, listed, penalty, switch
from factories import csrf_token, login, make_staff
from sqlalchemy import func, select

from core.db import Scope
from plugins.credit.dates import local_today
from plugins.credit.models import CreditListEntry, CreditRecord

D = "/t/360102/credit"


def _today_penalty(platform, code=ACME, tenant="360102", **kw):
    return penalty(platform, code, tenant, today=local_today(), **kw)


def test_public_search_report_and_lists(client, platform):
    _today_penalty(platform, name="江西洪城建设有限公司", number="洪罚1")
    listed(platform, ACME, "black", "360103", name="江西洪城建设有限公司", today=local_today())
    r = client.get(f"{D}/?q=洪城")
    assert r.status_code == 200 and "江西洪城建设有限公司" in r.text and f"{D}/subjects/{ACME}" in r.text
    rep = client.get(f"{D}/subjects/{ACME}")
    assert rep.status_code == 200
    for text in ("公共信用信息报告", "洪罚1", "黑名单", "西湖区"):
        assert text in rep.text
    assert 'href="/static/p/credit/report.css"' in rep.text and "data-print" in rep.text  # no inline script
    assert client.get("/static/p/credit/report.css").text.count("@media print") == 1
    assert client.get(f"{D}/subjects/{BETA}").status_code == 404
    lists = client.get(f"{D}/lists")
    assert lists.status_code == 200 and "江西洪城建设有限公司" in lists.text
    pub = client.get(f"{D}/publicity?kind=penalty")
    assert pub.status_code == 200 and "洪罚1" in pub.text
    en = client.get(f"{D}/subjects/{ACME}?lang=en")
    assert "Public credit report" in en.text
    api = client.get(f"/api{D}/search", params={"q": ACME})
    assert api.json() == {"items": [{"kind": "legal", "code": ACME, "name": "江西洪城建设有限公司"}],
                          "next_cursor": None}
    assert client.get(f"/api{D}/subjects/{ACME}").json()["penalties"][0]["decision_number"] == "洪罚1"


def test_the_public_does_not_see_unpublished_or_repaired_records(client, platform):
    _today_penalty(platform, severity="minor", number="minor1")
    assert client.get(f"{D}/subjects/{ACME}").status_code == 404
    assert "minor1" not in client.get(f"{D}/publicity").text


def test_tiles_and_sunshine_entries_and_disabled_tenant(client, platform):
    hall = client.get("/t/360102/")
    assert 'data-plugin="credit"' in hall.text and f'href="{D}/publicity"' in hall.text
    assert f'href="{D}/lists"' in hall.text
    switch(platform, "360102", "credit", "off")
    hall = client.get("/t/360102/")
    assert 'data-plugin="credit"' not in hall.text and "credit/publicity" not in hall.text
    for path in (f"{D}/", f"{D}/lists", f"{D}/subjects/{ACME}", f"/api{D}/search?q=x", f"{D}/records"):
        assert client.get(path).status_code == 404, path
    assert client.get("/t/360103/credit/").status_code == 200


def test_guests_are_sent_to_log_in_and_public_users_are_refused_staff_pages(client, platform):
    r = client.get(f"{D}/records")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert client.get(f"/api{D}/records").status_code == 401
    assert client.post(f"/api{D}/penalties", json={}).status_code == 401
    from factories import make_account

    make_account(platform, "person", "acme", id_number="11010519491231002X")
    login(client, "acme")
    assert client.get(f"{D}/records").status_code == 403
    assert client.get(f"{D}/").status_code == 200


def _account(platform, username):
    from core.identity.models import Account

    with platform.db.session(Scope.system()) as s:
        return s.scalars(select(Account).where(Account.username == username)).one()


def _form(client, path):
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_officer_enters_a_penalty_and_bad_input_names_the_field(client, platform):
    make_staff(platform, "officer", "360102", "credit_officer")
    login(client, "officer")
    token = _form(client, f"{D}/records/new")
    data = {"csrf_token": token, "subject_kind": "legal", "subject_code": ACME[:-1] + "Y",
            "subject_name": "甲公司", "title": "无证经营", "decision_number": "洪罚2", "severity": "general",
            "source_department": "市场监管局", "decision_date": local_today().isoformat()}
    bad = client.post(f"{D}/records/new", data=data)
    assert bad.status_code == 422 and "subject_code" in bad.text and ACME[:-1] + "Y" in bad.text
    assert "统一社会信用代码或公民身份号码</strong>" in bad.text and "不是有效的统一社会信用代码" in bad.text
    bad = client.post(f"{D}/records/new", data={**data, "subject_code": ACME, "decision_date": "2026-02-30"})
    assert bad.status_code == 422 and "decision_date" in bad.text and "日期格式应为" in bad.text
    no_csrf = client.post(f"{D}/records/new", data={**data, "subject_code": ACME, "csrf_token": "x"})
    assert no_csrf.status_code == 403
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(func.count()).select_from(CreditRecord)) == 0
    ok = client.post(f"{D}/records/new", data={**data, "subject_code": ACME})
    assert ok.status_code == 303
    listing = client.get(f"{D}/records")
    assert "洪罚2" in listing.text
    # a second officer at Xihu sees neither the rows nor can act on Donghu
    client.post("/logout", data={"csrf_token": csrf_token(client, f"{D}/records")})
    make_staff(platform, "xihu", "360103", "credit_officer")
    login(client, "xihu")
    assert client.get(f"{D}/records").status_code == 403
    assert "洪罚2" not in client.get("/t/360103/credit/records").text
    assert client.get(f"/api{D}/records").status_code == 403
    assert client.get(f"/api/t/360103/credit/subjects/{ACME}/warning").json()["level"] == "attention"
    # ... unless granted there: a grant of credit_officer at Donghu opens Donghu's rows to the same account
    from core.access.grants import grant

    with platform.db.transaction(Scope.system()) as s:
        grant(s, platform, account_id=_account(platform, "xihu").id, role="credit_officer",
              tenant=platform.directory.get("360102"), subtree=False, actor="tests")
    platform.access.poll()
    assert "洪罚2" in client.get(f"{D}/records").text


def test_api_penalty_repair_conflict_and_list_entry(client, platform):
    make_staff(platform, "officer", "360102", "credit_officer")
    login(client, "officer")
    token = csrf_token(client, f"{D}/records")
    h = {"X-CSRF-Token": token}
    body = {"subject_kind": "legal", "subject_code": ACME, "subject_name": "甲公司", "title": "无证经营",
            "decision_number": "API1", "severity": "general", "source_department": "市场监管局",
            "decision_date": (local_today() - timedelta(days=120)).isoformat()}
    bad = client.post(f"/api{D}/penalties", json={**body, "severity": "huge", "subject_code": "1"}, headers=h)
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"severity"}
    bad = client.post(f"/api{D}/penalties", json={**body, "subject_code": "123"}, headers=h)
    assert bad.status_code == 422 and "'123'" in bad.json()["error"]["fields"]["subject_code"]
    created = client.post(f"/api{D}/penalties", json=body, headers=h)
    assert created.status_code == 201, created.text
    rec = created.json()
    assert client.post(f"/api{D}/penalties", json=body, headers=h).status_code == 409
    stale = client.post(f"/api{D}/records/{rec['id']}/repair", json={"reason": "已整改", "version": 9},
                        headers=h)
    assert stale.status_code == 409
    done = client.post(f"/api{D}/records/{rec['id']}/repair", json={"reason": "已整改", "version": 1},
                       headers=h)
    assert done.status_code == 200 and done.json()["repaired_on"] == local_today().isoformat()
    assert client.get(f"/api{D}/subjects/{ACME}").status_code == 404
    entry = {"list_type": "red", "subject_kind": "legal", "subject_code": BETA, "subject_name": "乙公司",
             "basis": "A级纳税人", "issuing_department": "税务局", "entered_on": local_today().isoformat()}
    assert client.post(f"/api{D}/lists", json=entry, headers=h).status_code == 201
    assert client.get(f"/api{D}/subjects/{BETA}/warning").json()["measures"] == ["green_channel"]
    second = client.post(f"/api{D}/penalties", json={**body, "decision_number": "API2"}, headers=h).json()
    page = client.get(f"/api{D}/records", params={"limit": 1}).json()
    assert [i["id"] for i in page["items"]] == [second["id"]] and page["next_cursor"]
    rest = client.get(f"/api{D}/records", params={"limit": 1, "cursor": page["next_cursor"]}).json()
    assert [i["id"] for i in rest["items"]] == [rec["id"]] and rest["next_cursor"] is None
    assert client.get(f"/api{D}/records", params={"cursor": "junk"}).status_code == 422


def test_list_management_page_enters_and_exits(client, platform):
    make_staff(platform, "officer", "360102", "credit_officer")
    login(client, "officer")
    token = _form(client, f"{D}/lists/manage")
    form = {"csrf_token": token, "list_type": "black", "subject_kind": "legal", "subject_code": ACME,
            "subject_name": "甲公司", "basis": "严重失信", "issuing_department": "人社局",
            "entered_on": local_today().isoformat(), "exit_on": ""}
    bad = client.post(f"{D}/lists/manage", data={**form, "basis": ""})
    assert bad.status_code == 422 and "basis" in bad.text
    assert client.post(f"{D}/lists/manage", data=form).status_code == 303
    assert "甲公司" in client.get(f"{D}/lists").text
    with platform.db.session(Scope.system()) as s:
        entry = s.scalars(select(CreditListEntry)).one()
    r = client.post(f"{D}/lists/{entry.id}/exit", data={"csrf_token": token, "reason": "信用修复",
                                                        "version": "1"})
    assert r.status_code == 303
    assert "甲公司" not in client.get(f"{D}/lists").text


def test_warning_page_for_staff(client, platform):
    make_staff(platform, "handler", "360102", "item_handler")
    login(client, "handler")
    listed(platform, ACME, "black", today=local_today())
    r = client.get(f"{D}/warning", params={"code": ACME})
    assert r.status_code == 200 and 'data-level="serious"' in r.text
    assert 'data-measure="manual_review"' in r.text
    bad = client.get(f"{D}/warning", params={"code": "91360000XXXX"})
    assert bad.status_code == 422 and "91360000XXXX" in bad.text
    assert client.get(f"{D}/records").status_code == 403  # handlers see the level, not the raw rows


def test_demo_data_is_idempotent_and_levels_vary(platform):
    from plugins.credit.check import assess_subject
    from plugins.credit.demo import COMPANIES, load
    from plugins.credit.subjects import make_uscc

    for _ in range(2):
        with platform.db.transaction(Scope.system()) as s:
            load(s, platform.directory)
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(func.count()).select_from(CreditRecord)) == 8
        assert s.scalar(select(func.count()).select_from(CreditListEntry)) == 3
    donghu = platform.directory.get("360102")
    with platform.db.session(donghu.scope) as s:
        levels = {k: assess_subject(s, donghu, make_uscc(body)).level for k, _t, _n, body in COMPANIES}
    assert levels == {"hongcheng": "serious", "ganjiang": "warning", "huimin": "attention",
                      "chengxin": "none",
                      "lvyuan": "warning", "jiaolian": "serious"}
    with platform.db.session(donghu.scope) as s:  # the court-confirmed bid rigging is an exclusion
        assert assess_subject(s, donghu, make_uscc(COMPANIES[-1][3])).bid_rigging[0]["decision_number"] == (
            "洪发改罚〔2026〕18号")
