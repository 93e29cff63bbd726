"""Prescription summaries through the data-sharing platform: a member's system with a grant for
``medicine.prescriptions`` delivers them, the delivery is in exchange's signed message log and the
summaries are stored as the API stores them (all or none); without a grant nothing is taken; with exchange
off the API push works unchanged and the resource is not offered."""

from __future__ import annotations

import sys
from pathlib import Path

from factories import make_account
from medicine_helpers import HOSPITAL, world
from routes import token_for
from sqlalchemy import func, select
from starlette.testclient import TestClient

from core.api import add_calendar_days, today
from plugins.exchange import services as xs
from plugins.exchange.models import LogEntry
from plugins.medicine.models import Prescription

CODE = "360102"
URL = f"/api/t/{CODE}/exchange/x/medicine.prescriptions"


def _grant(platform):
    t = platform.directory.get(CODE)
    with platform.db.transaction(t.scope) as s:
        xs.sync_plugin_resources(s, platform, t)
        cred, secret = xs.create_system(s, t, "fgw", "hip", "全民健康信息平台", actor="tests")
        res = xs.resource_by_code(s, t, "medicine.prescriptions")
        fields = [f["name"] for f in res.fields]
        req = xs.request_access(
            s,
            platform,
            t,
            t,
            resource_code=res.code,
            department="fgw",
            purpose="向阳光医药监测报送处方摘要",
            fields=fields,
            actor="tests",
        )
        xs.answer(
            s,
            platform,
            t,
            req.id,
            decision="approve",
            version=req.version,
            fields=fields,
            expires_on=add_calendar_days(today(platform), 365),
            actor="tests",
        )
        return {"X-Exchange-Client": cred.client_id, "X-Exchange-Secret": secret}


def _item(w, n, **kw):
    return {
        "hospital_code": HOSPITAL,
        "external_id": f"X{n}",
        "doctor": "王医生",
        "product_id": w.products[0],
        "quantity": 2,
        "days_supply": 5,
        "visit": "outpatient",
        "dispensed_on": "2026-11-30",
        **kw,
    }


def _count(platform):
    t = platform.directory.get(CODE)
    with platform.db.session(t.scope) as s:
        return s.scalar(select(func.count()).select_from(Prescription))


def test_prescriptions_delivered_through_the_exchange_are_logged_and_stored(client, platform):
    w = world(platform)
    headers = _grant(platform)
    body = {"records": [_item(w, 1), _item(w, 2, days_supply=10)]}
    r = client.post(URL, json=body, headers=headers)
    assert r.status_code == 200, r.text
    got = r.json()
    assert (
        got["data"]["stored"] == 2 and got["data"]["hospitals"] == ["南昌市东湖区人民医院"] and got["log_seq"]
    )
    # Bad input: refused whole, nothing stored, the refusal logged.
    bad = {"records": [_item(w, 3), _item(w, 4, visit="home")]}
    r = client.post(URL, json=bad, headers=headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"
    again = client.post(URL, json={"records": [_item(w, 1)]}, headers=headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate"
    assert _count(platform) == 2
    # No credentials: not taken.
    assert client.post(URL, json=body).status_code == 401
    t = platform.directory.get(CODE)
    with platform.db.session(t.scope) as s:
        log = [(e.resource_code, e.result) for e in s.scalars(select(LogEntry).order_by(LogEntry.seq))]
        actors = set(s.scalars(select(Prescription.doctor)))
    assert log[0] == ("medicine.prescriptions", "ok") and len(log) == 4
    assert actors == {"王医生"}


def test_a_hospital_of_another_tenant_is_refused(client, platform):
    w = world(platform)
    headers = _grant(platform)
    from medicine_helpers import NC_HOSPITAL

    from plugins.medicine import catalogue

    nanchang = platform.directory.get("360100")
    with platform.db.transaction(nanchang.scope) as s:
        catalogue.add_hospital(
            s, nanchang, credit_code=NC_HOSPITAL, name="南昌市第一医院", grade="", actor="t"
        )
    r = client.post(
        URL, json={"records": [_item(w, 1), _item(w, 2, hospital_code=NC_HOSPITAL)]}, headers=headers
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_a_hospital"
    assert _count(platform) == 0


def test_with_exchange_off_the_api_push_works_and_no_resource_is_offered(app, platform):
    sys.path.insert(0, str(Path(__file__).parents[1] / "credit"))
    import credit_helpers

    w = world(platform)
    credit_helpers.switch(platform, CODE, "exchange", "off")
    assert "exchange" not in platform.enabled(platform.directory.get(CODE))
    hospital = make_account(platform, "legal", "med_hospital", id_number=HOSPITAL)
    with TestClient(app, headers={"Authorization": f"Bearer {token_for(platform, hospital)}"}) as c:
        r = c.post(
            f"/api/t/{CODE}/medicine/prescriptions",
            json={"items": [{k: v for k, v in _item(w, 9).items() if k != "hospital_code"}]},
        )
        assert r.status_code == 201 and r.json() == {"stored": 1}
        gone = c.post(URL, json={"records": [_item(w, 10)]})
        assert gone.status_code == 404
    assert _count(platform) == 1
