"""The bulk API and the operators' pages through the app: the sending system's credential, per-record
results, a revoked or foreign credential, the boundaries (another tenant, the plugin off, no permission)."""

from __future__ import annotations

import pytest
from factories import login, make_staff
from starlette.testclient import TestClient

from core.db import Scope
from plugins.feeds import demo, services

URL = "/api/t/360102/feeds/batches"
T1 = "2026-11-01T08:00:00+08:00"


def payment(no: str, cents: int = 100_00):
    return {
        "payment_no": no,
        "line_code": "L1",
        "supplier_code": demo.supplier(1),
        "supplier_name": "供应商甲",
        "amount_cents": cents,
        "paid_on": "2026-11-01",
        "source_time": T1,
    }


@pytest.fixture
def source(platform):
    t = platform.directory.get("360102")
    with platform.db.transaction(t.scope) as s:
        row, secret = services.create_source(
            s, t, department="fgw", title="国库支付系统", streams=["fiscal.payment"], actor="tests"
        )
        return {"X-Feed-Client": row.client_id, "X-Feed-Secret": secret, "id": row.id}


def _h(src):
    return {k: v for k, v in src.items() if k.startswith("X-")}


def test_push_answers_per_record_and_resending_changes_nothing(client, source):
    body = {"stream": "fiscal.payment", "records": [payment("P1"), payment("P2", -1), payment("P3")]}
    r = client.post(URL, json=body, headers=_h(source))
    assert r.status_code == 201, r.text
    got = r.json()
    assert (got["inserted"], got["rejected"]) == (2, 1)
    assert [x["status"] for x in got["results"]] == ["inserted", "rejected", "inserted"]
    assert got["results"][1]["errors"][0]["field"] == "amount_cents"
    again = client.post(URL, json=body, headers=_h(source)).json()
    assert (again["inserted"], again["unchanged"], again["rejected"]) == (0, 2, 1)


def test_credentials(client, platform, source):
    body = {"stream": "fiscal.payment", "records": [payment("P1")]}
    assert client.post(URL, json=body).status_code == 401
    assert client.post(URL, json=body, headers={**_h(source), "X-Feed-Secret": "wrong"}).status_code == 401
    # The credential belongs to Donghu: Nanchang does not know it.
    assert client.post("/api/t/360100/feeds/batches", json=body, headers=_h(source)).status_code == 401
    r = client.post(URL, json={"stream": "judicial.case", "records": [{}]}, headers=_h(source))
    assert r.status_code == 403 and r.json()["error"]["code"] == "stream_not_allowed"
    r = client.post(URL, json={"stream": "nope", "records": [{}]}, headers=_h(source))
    assert r.status_code in (403, 422)
    t = platform.directory.get("360102")
    with platform.db.transaction(t.scope) as s:
        services.revoke_source(s, t, source["id"], 1, actor="tests")
    r = client.post(URL, json=body, headers=_h(source))
    assert r.status_code == 403 and r.json()["error"]["code"] == "revoked_source"


def test_bad_body_names_the_field(client, source):
    r = client.post(URL, json={"stream": "fiscal.payment", "records": []}, headers=_h(source))
    assert r.status_code == 422 and "records" in r.text


def test_operators_pages_and_api_with_their_boundaries(app, platform, cli):
    with platform.db.transaction(Scope.system()) as s:
        s.info["platform"] = platform
        demo.load(s, platform.directory)
    make_staff(platform, "fdh", "360102", "comprehensive_admin")
    make_staff(platform, "fnc", "360100", "comprehensive_admin")
    with TestClient(app, follow_redirects=False) as c:
        assert c.get("/api/t/360102/feeds/batches").status_code in (401, 403)
        login(c, "fdh")
        page = c.get("/t/360102/feeds/")
        assert page.status_code == 200 and "国库支付" in page.text and "<svg" in page.text
        batches = c.get("/api/t/360102/feeds/batches").json()["items"]
        assert batches and {b["channel"] for b in batches} == {"demo"}
        bid = batches[0]["id"]
        assert c.get(f"/t/360102/feeds/batches/{bid}").status_code == 200
        assert c.get(f"/api/t/360102/feeds/batches/{bid}").status_code == 200
        rec = c.get("/t/360102/feeds/records/fiscal.payment?key=DH-P001")
        assert rec.status_code == 200 and "DH-P001" in rec.text
        assert c.get("/api/t/360102/feeds/sources").json()["items"][0]["client_id"] == demo.DEMO_CLIENT
    with TestClient(app, follow_redirects=False) as c:
        login(c, "fnc")
        # Nanchang's administrator does not see Donghu's batch by its id.
        assert c.get(f"/api/t/360100/feeds/batches/{bid}").status_code == 404
    assert cli("plugins", "disable", "feeds", "--tenant", "360102").exit_code == 0
    platform.refresh(force=True)
    with TestClient(app, follow_redirects=False) as c:
        login(c, "fdh")
        assert c.get("/t/360102/feeds/").status_code == 404
