"""Equity pages on the demo data: the exchange's list with its chart, a project with its periods and legal
basis (Chinese and English), the live auction page and its polled state, a verified certificate, the
legal person registering, bad bids answered in JSON naming the rule; another exchange answers 404."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from core.db import Scope
from core.web.i18n import Catalogue
from plugins.equity.models import Deal, Project
from tests.core.web.test_i18n import template_msgids

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "equity"


def test_every_equity_msgid_has_a_chinese_translation():
    msgids = template_msgids(PLUGIN / "templates")
    assert len(msgids) > 50
    assert [m for m in msgids if Catalogue([PLUGIN / "locale"]).missing([m])] == []


def _ids(platform, code):
    tenant = platform.directory.get(code)
    with platform.db.session(Scope.system()) as s:
        rows = s.scalars(select(Project).where(Project.tenant_id == tenant.id).order_by(Project.id)).all()
        deal = s.scalars(select(Deal).where(Deal.tenant_id == tenant.id)).one()
        return {p.status: p.id for p in rows}, deal.certificate_no


def test_the_exchange_in_both_languages(demo_client, demo_platform):
    ids, number = _ids(demo_platform, "360102")
    assert set(ids) == {"concluded", "auction", "disclosure"}
    index = demo_client.get("/t/360102/equity/")
    assert (
        index.status_code == 200
        and "东湖区文旅发展有限公司 30% 股权转让" in index.text
        and "<svg" in index.text
    )
    page = demo_client.get(f"/t/360102/equity/projects/{ids['disclosure']}")
    assert "《企业国有资产交易监督管理办法》第十三条" in page.text and "正式信息披露" in page.text
    en = demo_client.get(f"/t/360102/equity/projects/{ids['concluded']}?lang=en")
    assert "Formal disclosure" in en.text and "Result notice" in en.text and number in en.text
    live = demo_client.get(f"/t/360102/equity/projects/{ids['auction']}/auction?lang=zh-CN")
    assert live.status_code == 200 and "自由报价期" in live.text and "auction.js" in live.text
    state = demo_client.get(f"/t/360102/equity/projects/{ids['auction']}/auction/state").json()
    assert state["phase"] == "free" and state["current_cents"] is None and not state["can_bid"]
    verified = demo_client.get(f"/t/360102/equity/verify?number={number}")
    assert "电子签名验证通过" in verified.text and "南昌示例科技有限公司" in verified.text
    assert "没有出具过" in demo_client.get("/t/360102/equity/verify?number=JY0").text


def test_another_exchange_answers_404(demo_client, demo_platform):
    ids, _ = _ids(demo_platform, "360102")
    theirs = demo_client.get(f"/t/360103/equity/projects/{ids['disclosure']}")
    missing = demo_client.get("/t/360103/equity/projects/999999")
    assert theirs.status_code == missing.status_code == 404


def _login(client, username):
    from core.identity.demo import DEMO_PASSWORD

    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
    assert r.status_code in (302, 303), r.text


def test_the_enterprise_registers_and_bids_with_clear_refusals(demo_client, demo_platform):
    ids, _ = _ids(demo_platform, "360100")
    _login(demo_client, "enterprise")
    page = demo_client.get(f"/t/360100/equity/projects/{ids['disclosure']}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = demo_client.post(
        f"/t/360100/equity/projects/{ids['disclosure']}/register",
        data={"csrf_token": token, "qualification": "营业执照"},
    )
    assert r.status_code == 303
    assert "已登记" in demo_client.get(f"/t/360100/equity/projects/{ids['disclosure']}").text
    live = demo_client.get(f"/t/360100/equity/projects/{ids['auction']}/auction")
    assert 'id="bid-form"' in live.text
    url = f"/t/360100/equity/projects/{ids['auction']}/auction/bid"
    json = {"Accept": "application/json"}
    r = demo_client.post(url, data={"csrf_token": token, "amount_yuan": "abc"}, headers=json)
    assert r.status_code == 422 and "amount_yuan" in r.json()["error"]["fields"]
    r = demo_client.post(url, data={"csrf_token": token, "amount_yuan": "12000000.50"}, headers=json)
    assert r.status_code == 422 and r.json()["error"]["code"] == "off_increment"
    r = demo_client.post(url, data={"csrf_token": token, "amount_yuan": "12000000.00"}, headers=json)
    assert r.status_code == 200 and r.json()["you_lead"] is True
    state = demo_client.get(f"/t/360100/equity/projects/{ids['auction']}/auction/state").json()
    assert state["you_lead"] and state["can_bid"] and state["current_cents"] == 12_000_000_00
