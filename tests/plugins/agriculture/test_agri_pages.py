"""Agriculture pages and API through the ASGI app: the public code lookup (friendly 404 for malformed
and unknown codes, never a 500), a farmer's registration confirmed by the bureau, lots and events from
the producer's page, the boundaries (another farmer's lot, a tenant where the plugin is off)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from agri_helpers import event, lot, producer
from factories import csrf_token, login, make_account, make_staff

from core.web.i18n import Catalogue
from plugins.agriculture import codes
from tests.core.web.test_i18n import template_msgids

PLUGIN = Path(__file__).resolve().parents[3] / "plugins" / "agriculture"


def _csrf(client) -> dict[str, str]:
    return {"X-CSRF-Token": csrf_token(client, "/t/360102/agriculture/trace")}


@pytest.fixture(autouse=True)
def _today(platform):
    platform.clock.set(date(2026, 11, 2))


def test_every_agriculture_msgid_has_a_chinese_translation():
    msgids = template_msgids(PLUGIN / "templates")
    missing = [m for m in msgids if Catalogue([PLUGIN / "locale"]).missing([m])]
    assert not missing, f"add to plugins/agriculture/locale/zh_CN/LC_MESSAGES/messages.po: {missing}"


def test_a_guest_resolves_a_code_to_product_producer_certificate_and_chain(client, platform):
    p = producer(platform)
    x = lot(platform, p.id, product="南丰蜜桔")
    event(platform, x.id, kind="harvest")
    out = event(platform, x.id, kind="processing", outputs=[{"product": "蜜桔礼盒", "quantity": "20"}])
    page = client.get(f"/t/360102/agriculture/t/{x.code}")
    assert page.status_code == 200 and "南丰蜜桔" in page.text and "东湖绿源蔬菜专业合作社" in page.text
    assert "蜜桔礼盒" in page.text and "13900000001" not in page.text
    qr = client.get(f"/t/360102/agriculture/qr/{x.code}")
    assert qr.status_code == 200 and qr.content.startswith(b"<svg")
    assert client.get("/t/360102/agriculture/qr/123").status_code == 404
    api = client.get(f"/api/t/360102/agriculture/trace/{out.data['outputs'][0]['code']}").json()
    assert api["product"] == "蜜桔礼盒" and api["chain"] == [
        {
            "code": x.code,
            "product": "南丰蜜桔",
            "hops": 1,
            "direction": "upstream",
            "producer_name": "东湖绿源蔬菜专业合作社",
            "county": "东湖区",
            "foreign": False,
            "certificate": None,
            "events": [
                {"kind": "harvest", "kind_title": "采收", "occurred_on": "2026-10-12"},
                {"kind": "processing", "kind_title": "加工分装", "occurred_on": "2026-10-12"},
            ],
        }
    ]
    for bad, text in (
        ("12345", "19 位数字"),
        (codes.new_code("360102"), "没有找到这个追溯码"),
        ("<script>", "只含数字"),
        ("%E4%B8%AD" * 30, "只含数字"),
    ):
        r = client.get(f"/t/360102/agriculture/t/{bad}")
        assert r.status_code == 404 and text in r.text, bad
    r = client.get("/api/t/360102/agriculture/trace/12345")
    assert r.status_code == 404 and r.json()["error"]["code"] == "bad_code"
    assert client.get("/t/360102/agriculture/trace?code=12%2034").headers["location"].endswith("/t/1234")


def test_a_farmer_registers_the_bureau_confirms_and_the_farmer_records_a_lot(client, platform):
    make_account(platform, "person", "farmer")
    make_staff(platform, "agri_officer", "360102", "agri_officer")
    login(client, "farmer")
    token = csrf_token(client, "/t/360102/agriculture/producer")
    bad = client.post(
        "/t/360102/agriculture/producer",
        data={
            "csrf_token": token,
            "action": "register",
            "name": "东湖向阳家庭农场",
            "kind": "family_farm",
            "phone": "12345",
        },
    )
    assert bad.status_code == 422 and "landline" in bad.text
    r = client.post(
        "/t/360102/agriculture/producer",
        data={
            "csrf_token": token,
            "action": "register",
            "name": "东湖向阳家庭农场",
            "kind": "family_farm",
            "phone": "13800000002",
        },
    )
    assert r.status_code == 303
    client.cookies.clear()
    login(client, "agri_officer")
    page = client.get("/t/360102/agriculture/bureau")
    assert "东湖向阳家庭农场" in page.text and "13800000002" in page.text
    pid = re.search(r'name="producer_id" value="(\d+)"', page.text).group(1)
    token = csrf_token(client, "/t/360102/agriculture/bureau")
    r = client.post(
        "/t/360102/agriculture/bureau",
        data={"csrf_token": token, "producer_id": pid, "version": "1", "confirm": "yes"},
    )
    assert r.status_code == 303
    stale = client.post(
        f"/api/t/360102/agriculture/producers/{pid}/decision",
        json={"confirm": True, "version": 1},
        headers=_csrf(client),
    )
    assert stale.status_code in (409, 422)
    client.cookies.clear()
    login(client, "farmer")
    token = csrf_token(client, "/t/360102/agriculture/producer")
    r = client.post(
        "/t/360102/agriculture/producer",
        data={"csrf_token": token, "action": "lot", "producer_id": pid, "product": "芹菜", "quantity": "300"},
    )
    assert r.status_code == 303
    home = client.get("/t/360102/agriculture/producer")
    lot_id = re.search(r'/agriculture/lots/(\d+)"', home.text).group(1)
    token = csrf_token(client, f"/t/360102/agriculture/lots/{lot_id}")
    r = client.post(
        f"/t/360102/agriculture/lots/{lot_id}",
        data={
            "csrf_token": token,
            "action": "event",
            "kind": "shipment",
            "occurred_on": "2026-10-12",
            "buyer": "超市",
        },
    )
    assert r.status_code == 422 and "尚未采收" in r.text
    r = client.post(
        f"/t/360102/agriculture/lots/{lot_id}",
        data={"csrf_token": token, "action": "event", "kind": "harvest", "occurred_on": "2026-10-12"},
    )
    assert r.status_code == 303
    r = client.post(
        f"/api/t/360102/agriculture/lots/{lot_id}/events",
        headers=_csrf(client),
        json={"kind": "test", "occurred_on": "2026-10-13", "passed": True, "lab": "县检测站"},
    )
    assert r.status_code == 201, r.text
    r = client.post(f"/api/t/360102/agriculture/lots/{lot_id}/certificate", headers=_csrf(client))
    assert r.status_code == 201, r.text
    assert "HG360102" in client.get(f"/t/360102/agriculture/lots/{lot_id}").text


def test_boundaries_other_farmers_lot_other_county_and_plugin_off(client, platform):
    p = producer(platform)
    x = lot(platform, p.id)
    make_account(platform, "person", "nosy")
    login(client, "nosy")
    assert client.get(f"/t/360102/agriculture/lots/{x.id}").status_code == 404
    r = client.post(
        f"/api/t/360102/agriculture/lots/{x.id}/events",
        headers=_csrf(client),
        json={"kind": "harvest", "occurred_on": "2026-10-12"},
    )
    assert r.status_code == 404
    assert client.get(f"/t/360103/agriculture/t/{x.code}").status_code == 404
    assert client.get("/api/t/360102/agriculture/producers").status_code == 403
    from core.db import Scope
    from core.tenancy.service import set_plugin_state

    with platform.db.transaction(Scope.system()) as s:
        set_plugin_state(
            s, platform.directory, platform.directory.get("360102"), "agriculture", "off", actor="tests"
        )
    platform.refresh(force=True)
    assert client.get(f"/t/360102/agriculture/t/{x.code}").status_code == 404


def test_works_unchanged_where_supervision_is_off(client, platform):
    from core.db import Scope
    from core.tenancy.service import set_plugin_state

    p = producer(platform)
    x = lot(platform, p.id)
    assert client.get("/t/360102/supervision/").status_code != 404
    with platform.db.transaction(Scope.system()) as s:
        set_plugin_state(s, platform.directory, platform.directory.get("360000"), "supervision", "off",
                         actor="tests")
    platform.refresh(force=True)
    assert client.get("/t/360102/supervision/").status_code == 404  # supervision is off here
    assert client.get(f"/t/360102/agriculture/t/{x.code}").status_code == 200
    assert client.get("/t/360102/agriculture/prices").status_code == 200
