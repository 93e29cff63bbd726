"""Feeds through the data-sharing platform: the sending system is a registered exchange member with a
grant for the stream; the delivery is in exchange's signed message log and becomes a feed batch; no
grant, no delivery (and the refusal is logged too)."""

from __future__ import annotations

from sqlalchemy import select

from core.api import add_calendar_days, today
from plugins.exchange import services as xs
from plugins.exchange.models import LogEntry
from plugins.feeds import demo
from plugins.feeds.models import Batch

CODE = "360102"
URL = f"/api/t/{CODE}/exchange/x/feeds.fiscal.payment"


def _setup(platform):
    t = platform.directory.get(CODE)
    with platform.db.transaction(t.scope) as s:
        xs.sync_plugin_resources(s, platform, t)
        cred, secret = xs.create_system(s, t, "fgw", "treasury", "国库集中支付系统", actor="tests")
        res = xs.resource_by_code(s, t, "feeds.fiscal.payment")
        req = xs.request_access(
            s,
            platform,
            t,
            t,
            resource_code=res.code,
            department="fgw",
            purpose="向电子监察报送国库支付数据",
            fields=[f["name"] for f in res.fields],
            actor="tests",
        )
        xs.answer(
            s,
            platform,
            t,
            req.id,
            decision="approve",
            version=req.version,
            fields=[f["name"] for f in res.fields],
            expires_on=add_calendar_days(today(platform), 365),
            actor="tests",
        )
        return {"X-Exchange-Client": cred.client_id, "X-Exchange-Secret": secret}


def test_a_delivery_through_the_exchange_is_logged_and_becomes_a_batch(client, platform):
    headers = _setup(platform)
    rec = {
        "payment_no": "X1",
        "line_code": "L1",
        "supplier_code": demo.supplier(1),
        "supplier_name": "甲",
        "amount_cents": 100,
        "paid_on": "2026-11-01",
        "source_time": "2026-11-01T08:00:00+08:00",
    }
    r = client.post(
        URL, json={"records": [rec, {**rec, "payment_no": "X2", "amount_cents": 0}]}, headers=headers
    )
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["data"]["inserted"] == 1 and got["data"]["rejected"] == 1 and got["log_seq"]
    # Another stream: no grant, refused and logged.
    r = client.post(f"/api/t/{CODE}/exchange/x/feeds.judicial.case", json={"records": [{}]}, headers=headers)
    assert r.status_code == 403 and r.json()["error"]["code"] == "no_grant"
    assert client.post(URL, json={"records": [rec]}).status_code == 401
    t = platform.directory.get(CODE)
    with platform.db.session(t.scope) as s:
        log = [(e.resource_code, e.result) for e in s.scalars(select(LogEntry).order_by(LogEntry.seq))]
        batch = s.scalars(select(Batch).where(Batch.channel == "exchange")).one()
    assert ("feeds.fiscal.payment", "ok") in log and ("feeds.judicial.case", "no_grant") in log
    assert batch.sender.endswith(":fgw") and batch.inserted == 1
