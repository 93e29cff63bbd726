"""The exchange's staff pages: a project filed, reviewed, disclosed, its buyers' deposits taken and
confirmed, the auction arranged, the contract, payment, result notice and certificate recorded — all in
HTML forms; a relisting below 90% with the consent uploaded; refusals in Chinese with English beside,
changing nothing; the plugin gate, the permissions and another exchange's 404."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from equity_helpers import BUYERS, NAMES, SELLER
from factories import login, make_staff
from sqlalchemy import func, select

from core.db import Scope
from plugins.equity import bidding, buyers, services
from plugins.equity.models import Buyer, Change, Deal, Project

BASE = "/t/360102/equity/manage"
FORM = {
    "title": "东湖区某国有企业所持股权转让",
    "target": "江西某科技有限公司 40% 股权",
    "seller_name": "南昌市东湖区国有资产经营有限公司",
    "seller_code": SELLER,
    "seller_representative": "刘一",
    "supervisor_name": "东湖区国资办",
    "appraisal_yuan": "5,000,000.00",
    "appraisal_approved_by": "东湖区国资办",
    "appraisal_approved_on": "2026-11-20",
    "listing_yuan": "5000000",
    "increment_yuan": "50000",
    "deposit_yuan": "500000",
    "conditions": "依法设立并有效存续的企业法人",
}


def token(client, path):
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code, page.text[:300])
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1), page


def post(client, path, data, files=None):
    return client.post(path, data=data, files=files)


def version(platform, pid):
    with platform.db.session(Scope.system()) as s:
        return s.get(Project, pid).version


def count(platform, model):
    with platform.db.session(Scope.system()) as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def staff(client, platform):
    platform.clock.set(date(2026, 12, 1))
    make_staff(platform, "dh_equity", "360102", "equity_officer")
    login(client, "dh_equity")
    return client


def _file(staff, platform, **over):
    csrf, page = token(staff, f"{BASE}/new")
    assert "《企业国有资产交易监督管理办法》第十三条" in page.text
    r = post(staff, f"{BASE}/new", {**FORM, **over, "csrf_token": csrf})
    assert r.status_code == 303, r.text[:500]
    return int(re.search(r"/projects/(\d+)", r.headers["location"]).group(1)), csrf


def test_the_whole_procedure_through_the_staff_pages(staff, platform):
    csrf, _ = token(staff, BASE)
    # a listing below the appraisal: refused naming the rule, nothing filed
    bad = post(staff, f"{BASE}/new", {**FORM, "listing_yuan": "4999999.99", "csrf_token": csrf})
    assert bad.status_code == 422 and "首次挂牌价不得低于经核准或备案的评估结果" in bad.text
    assert "listing price may not be below" in bad.text and count(platform, Project) == 0
    assert (
        "金额最多两位小数"
        in post(staff, f"{BASE}/new", {**FORM, "listing_yuan": "1.001", "csrf_token": csrf}).text
    )

    pid, csrf = _file(staff, platform)
    page = staff.get(f"{BASE}/projects/{pid}?done=filed")
    assert "待审核" in page.text and "转让项目已登记" in page.text
    r = post(
        staff,
        f"{BASE}/projects/{pid}/review",
        {"csrf_token": csrf, "version": version(platform, pid), "fair": "1"},
    )
    assert r.status_code == 303
    # a disclosure shorter than 20 working days: refused, still a draft
    short = post(
        staff,
        f"{BASE}/projects/{pid}/disclose",
        {
            "csrf_token": csrf,
            "version": version(platform, pid),
            "kind": "formal",
            "start": "2026-12-01",
            "end": "2026-12-10",
        },
    )
    assert short.status_code == 422 and "不得少于 20 个工作日" in short.text and "working days" in short.text
    r = post(
        staff,
        f"{BASE}/projects/{pid}/disclose",
        {"csrf_token": csrf, "version": version(platform, pid), "kind": "formal", "start": "2026-12-01"},
    )
    assert r.status_code == 303
    t = platform.directory.get("360102")
    with platform.db.transaction(t.scope) as s:
        for code, name in zip(BUYERS[:3], NAMES[:3], strict=True):
            buyers.register(s, platform, t, pid, credit_code=code, name=name, actor="tests")
    with platform.db.session(Scope.system()) as s:
        ids = list(s.scalars(select(Buyer.id).where(Buyer.project_id == pid).order_by(Buyer.id)))
    wrong = post(
        staff,
        f"{BASE}/projects/{pid}/deposit",
        {"csrf_token": csrf, "buyer_id": ids[0], "yuan": "1.00", "on": "2026-12-01"},
    )
    assert wrong.status_code == 422 and "保证金应为 500000.00 元" in wrong.text
    for b in ids:
        r = post(
            staff,
            f"{BASE}/projects/{pid}/deposit",
            {"csrf_token": csrf, "buyer_id": b, "yuan": "500,000.00", "on": "2026-12-01"},
        )
        assert r.status_code == 303, r.text[:400]
    platform.clock.set(date(2027, 1, 4))
    page = staff.get(f"{BASE}/projects/{pid}")
    assert "资格确认中" in page.text and 'data-act="qualify"' in page.text
    with platform.db.session(Scope.system()) as s:
        vers = {b.id: b.version for b in s.scalars(select(Buyer).where(Buyer.project_id == pid))}
    no_reason = post(
        staff,
        f"{BASE}/projects/{pid}/confirm",
        {"csrf_token": csrf, "buyer_id": ids[2], "version": vers[ids[2]], "qualified": "0"},
    )
    assert no_reason.status_code == 422 and "请说明不符合资格条件的理由" in no_reason.text
    for b in ids[:2]:
        r = post(
            staff,
            f"{BASE}/projects/{pid}/confirm",
            {"csrf_token": csrf, "buyer_id": b, "version": vers[b], "qualified": "1"},
        )
        assert r.status_code == 303
    r = post(
        staff,
        f"{BASE}/projects/{pid}/confirm",
        {
            "csrf_token": csrf,
            "buyer_id": ids[2],
            "version": vers[ids[2]],
            "qualified": "0",
            "reason": "净资产不足",
        },
    )
    assert r.status_code == 303
    r = post(
        staff,
        f"{BASE}/projects/{pid}/proceed",
        {
            "csrf_token": csrf,
            "version": version(platform, pid),
            "starts_date": "2027-01-15",
            "starts_time": "10:00",
            "free_minutes": "30",
            "countdown_seconds": "60",
        },
    )
    assert r.status_code == 303, r.text[:500]
    starts = datetime(2027, 1, 15, 2, 0, tzinfo=UTC)
    with platform.db.transaction(t.scope) as s:
        for i, code in enumerate([BUYERS[0], BUYERS[1], BUYERS[0]]):
            bidding.place_bid(
                s,
                platform,
                t,
                pid,
                credit_code=code,
                amount_cents=500_000_000 + i * 5_000_000,
                actor="t",
                now=starts + timedelta(minutes=i + 1),
            )
    platform.clock.set(datetime(2027, 1, 15, 4, 0, tzinfo=UTC))
    page = staff.get(f"{BASE}/projects/{pid}")
    assert "竞得人签约期限" in page.text and NAMES[0] in page.text and 'id="contract"' in page.text
    # the third buyer was rejected: its deposit may go back now; the second bidder's waits
    assert page.text.count('data-act="refund"') == 1
    r = post(
        staff,
        f"{BASE}/projects/{pid}/contract",
        {
            "csrf_token": csrf,
            "version": version(platform, pid),
            "contract_no": "CQ-1",
            "signed_on": "2027-01-15",
            "mode": "instalment",
            "down_yuan": "1000000",
            "rest_due": "2027-06-30",
        },
    )
    assert r.status_code == 422 and "首期不低于 30%" in r.text
    with platform.db.session(Scope.system()) as s:
        assert s.scalar(select(func.count()).select_from(Deal)) == 0
    r = post(
        staff,
        f"{BASE}/projects/{pid}/contract",
        {
            "csrf_token": csrf,
            "version": version(platform, pid),
            "contract_no": "CQ-1",
            "signed_on": "2027-01-15",
            "mode": "full",
        },
    )
    assert r.status_code == 303, r.text[:500]
    cert = post(staff, f"{BASE}/projects/{pid}/certificate", {"csrf_token": csrf})
    assert cert.status_code == 422 and "交易价款未全部付清" in cert.text
    r = post(
        staff,
        f"{BASE}/projects/{pid}/payments",
        {"csrf_token": csrf, "yuan": "5,100,000.00", "on": "2027-01-15"},
    )
    assert r.status_code == 303
    r = post(staff, f"{BASE}/projects/{pid}/notice", {"csrf_token": csrf, "start": "2027-01-15"})
    assert r.status_code == 303
    page = staff.get(f"{BASE}/projects/{pid}")
    assert page.text.count('data-act="refund"') == 2  # the losing bidder's too, after the deal
    r = post(
        staff, f"{BASE}/projects/{pid}/refund", {"csrf_token": csrf, "buyer_id": ids[1], "on": "2027-01-15"}
    )
    assert r.status_code == 303
    platform.clock.set(date(2027, 1, 25))
    r = post(staff, f"{BASE}/projects/{pid}/certificate", {"csrf_token": csrf})
    assert r.status_code == 303
    page = staff.get(f"{BASE}/projects/{pid}?done=certificate")
    assert "交易凭证已出具" in page.text and "已出具交易凭证" in page.text and "已退还" in page.text
    en = staff.get(f"{BASE}/projects/{pid}?lang=en")
    assert "Certificate issued" in en.text and "Refunded" in en.text
    listing = staff.get(BASE)
    assert "东湖区某国有企业所持股权转让" in listing.text and "<svg" in listing.text


def test_relisting_below_ninety_percent_needs_the_uploaded_consent(staff, platform):
    pid, csrf = _file(staff, platform)
    t = platform.directory.get("360102")
    with platform.db.transaction(t.scope) as s:
        p = services.load(s, t, pid)
        services.review_conditions(s, platform, t, pid, p.version, fair=True, reason="", actor="t")
        services.disclose(s, platform, t, pid, p.version, kind="formal", start=date(2026, 12, 1), actor="t")
    data = {
        "csrf_token": csrf,
        "version": version(platform, pid),
        "listing_yuan": "4000000.00",
        "reason": "无人受让，降价重新挂牌",
    }
    r = staff.post(f"{BASE}/projects/{pid}/change", data=data, files={"consent": ("", b"")})
    assert r.status_code == 422 and "须经转让行为批准单位书面同意" in r.text
    assert count(platform, Change) == 0
    r = staff.post(
        f"{BASE}/projects/{pid}/change", data=data, files={"consent": ("同意函.pdf", b"%PDF-1.4 consent")}
    )
    assert r.status_code == 303, r.text[:500]
    page = staff.get(f"{BASE}/projects/{pid}")
    assert "4,000,000.00" in page.text and "同意函.pdf" in page.text and "降价重新挂牌" in page.text
    stale = staff.post(f"{BASE}/projects/{pid}/change", data=data, files={"consent": ("", b"")})
    assert stale.status_code == 409 and "数据已被他人修改" in stale.text


def test_gate_permissions_and_other_exchanges(client, platform):
    make_staff(platform, "dh_super", "360102", "supervisor")
    make_staff(platform, "xh_equity", "360103", "equity_officer")
    t = platform.directory.get("360102")
    from equity_helpers import filed

    pid = filed(platform)
    assert client.get(BASE).status_code in (302, 303, 401)
    login(client, "dh_super")
    assert client.get(f"{BASE}/projects/{pid}").status_code == 200
    csrf, _ = token(client, BASE)
    r = client.post(f"{BASE}/projects/{pid}/review", data={"csrf_token": csrf, "version": 1, "fair": "1"})
    assert r.status_code == 403
    no_csrf = client.post(f"{BASE}/projects/{pid}/review", data={"version": 1, "fair": "1"})
    assert no_csrf.status_code == 403
    client.get("/logout")
    client.cookies.clear()
    login(client, "xh_equity")
    assert client.get(f"/t/360103/equity/manage/projects/{pid}").status_code == 404
    assert client.get(f"/t/360103/equity/manage/projects/{pid}999").status_code == 404
    client.get("/logout")
    client.cookies.clear()
    login(client, "dh_super")
    from core.tenancy.service import set_plugin_state

    with platform.db.transaction(Scope.system()) as s:
        set_plugin_state(s, platform.directory, t, "equity", "off", actor="tests")
    platform.refresh(force=True)
    assert client.get(f"{BASE}/projects/{pid}").status_code == 404
    assert client.get(BASE).status_code == 404


def test_shareholders_entered_on_the_workbench(staff, platform):
    pid, csrf = _file(staff, platform)
    url = f"{BASE}/projects/{pid}/shareholders"
    bad = staff.post(
        url, data={"csrf_token": csrf, "owner": "seller", "name": "某集团", "credit_code": "123"}
    )
    assert bad.status_code == 422 and "统一社会信用代码无效" in bad.text and "not a valid" in bad.text
    stranger = staff.post(url, data={"csrf_token": csrf, "owner": "999999", "name": "某集团"})
    assert stranger.status_code == 422 and "本项目没有该意向受让方" in stranger.text
    r = staff.post(url, data={"csrf_token": csrf, "owner": "seller", "name": "江西某国资集团"})
    assert r.status_code == 303
    again = staff.post(url, data={"csrf_token": csrf, "owner": "seller", "name": "江西某国资集团"})
    assert again.status_code == 409 and "该股东已登记" in again.text
    page = staff.get(f"{BASE}/projects/{pid}?done=shareholders")
    assert "股东信息已登记" in page.text and "江西某国资集团" in page.text and "交易机构录入" in page.text
