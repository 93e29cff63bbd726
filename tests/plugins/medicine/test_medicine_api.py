"""Sunshine medicine over HTTP: the public price search, a hospital's order through the distributor to
payment with the refusals in the error shape (422 naming the field, 409 stale or paid twice), the staff's
price import, and the boundaries (guest, the other party, another tenant, the plugin off)."""

from __future__ import annotations

import pytest
from factories import make_account, make_staff
from medicine_helpers import DIST, HOSPITAL, OTHER_DIST, world
from routes import token_for
from starlette.testclient import TestClient

BASE = "/api/t/360102/medicine"


@pytest.fixture
def http(app, platform):
    w = world(platform)
    make_staff(platform, "dh_med_admin", "360102", "comprehensive_admin")
    make_staff(platform, "nc_med_admin", "360100", "comprehensive_admin")
    accounts = {
        "hospital": make_account(platform, "legal", "med_hospital", id_number=HOSPITAL),
        "dist": make_account(platform, "legal", "med_dist", id_number=DIST),
        "other_dist": make_account(platform, "legal", "med_other", id_number=OTHER_DIST),
    }
    from core.db import Scope
    from core.identity.service import account_by_username

    with platform.db.session(Scope.system()) as s:
        accounts["admin"] = account_by_username(s, "dh_med_admin")
        accounts["other_admin"] = account_by_username(s, "nc_med_admin")
    clients = {
        k: TestClient(app, headers={"Authorization": f"Bearer {token_for(platform, a)}"})
        for k, a in accounts.items()
    }
    clients["guest"] = TestClient(app)
    yield w, clients
    for c in clients.values():
        c.close()
    platform.clock.set(None)


def _line(w, i=0, qty=10, price=1260):
    return {"product_id": w.products[i], "quantity": qty, "price_cents": price}


def test_a_hospital_order_through_the_distributor_to_payment(http):
    w, c = http
    prices = c["guest"].get(f"{BASE}/prices", params={"q": "阿莫西林"}).json()["items"]
    assert prices[0]["listed"]["price_cents"] == 1260 and prices[0]["listed"]["tier_name"] == "江西省"
    assert c["guest"].post(f"{BASE}/orders", json={"lines": [_line(w)]}).status_code == 401
    r = c["hospital"].post(f"{BASE}/orders", json={"lines": [_line(w, price=1300)]})
    assert r.status_code == 422 and "lines.0.price_cents" in r.json()["error"]["fields"]
    r = c["hospital"].post(f"{BASE}/orders", json={"lines": [_line(w, qty=0)]})
    assert r.status_code == 422 and r.json()["error"]["fields"]
    o = c["hospital"].post(f"{BASE}/orders", json={"lines": [_line(w), _line(w, 1, 4, 890)]})
    assert o.status_code == 201, o.text
    o = o.json()
    oid, lines = o["id"], [ln["id"] for ln in o["lines"]]
    assert o["status"] == "draft" and o["total_cents"] == 10 * 1260 + 4 * 890 and o["distributor"]
    act = f"{BASE}/orders/{oid}"
    assert c["dist"].post(f"{act}/submit", json={"version": o["version"]}).status_code == 404  # not the buyer
    o = c["hospital"].post(f"{act}/submit", json={"version": o["version"]}).json()
    stale = c["hospital"].post(f"{act}/submit", json={"version": 1})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    assert c["other_dist"].get(act).status_code == 404
    assert [x["id"] for x in c["dist"].get(f"{BASE}/orders").json()["items"]] == [oid]
    o = (
        c["dist"]
        .post(
            f"{act}/respond",
            json={
                "version": o["version"],
                "lines": [
                    {"line_id": lines[0], "confirm": True},
                    {"line_id": lines[1], "confirm": False, "reason": "缺货"},
                ],
            },
        )
        .json()
    )
    assert o["status"] == "confirmed" and o["total_cents"] == 12600
    over = c["dist"].post(
        f"{act}/ship",
        json={
            "version": o["version"],
            "delivery_note": "SHD-9",
            "lines": [{"line_id": lines[0], "quantity": 11}],
        },
    )
    assert over.status_code == 422 and over.json()["error"]["code"] == "over_delivery"
    o = (
        c["dist"]
        .post(
            f"{act}/ship",
            json={
                "version": o["version"],
                "delivery_note": "SHD-9",
                "lines": [{"line_id": lines[0], "quantity": 8}],
            },
        )
        .json()
    )
    more = c["hospital"].post(
        f"{act}/accept",
        json={"version": o["version"], "lines": [{"line_id": lines[0], "quantity": 9, "batch": "B"}]},
    )
    assert more.status_code == 422 and more.json()["error"]["code"] == "over_acceptance"
    o = (
        c["hospital"]
        .post(
            f"{act}/accept",
            json={"version": o["version"], "lines": [{"line_id": lines[0], "quantity": 8, "batch": "B7"}]},
        )
        .json()
    )
    assert o["status"] == "accepted" and o["accepted_cents"] == 8 * 1260 and o["due_on"] == "2026-12-31"
    o = (
        c["dist"]
        .post(f"{act}/invoices", json={"version": o["version"], "number": "FP1", "amount_cents": 9000})
        .json()
    )
    o = (
        c["dist"]
        .post(f"{act}/invoices", json={"version": o["version"], "number": "FP2", "amount_cents": 10080})
        .json()
    )
    third = c["dist"].post(
        f"{act}/invoices", json={"version": o["version"], "number": "FP3", "amount_cents": 1}
    )
    assert o["status"] == "invoiced" and len(o["invoices"]) == 2 and third.status_code == 409
    paid = c["hospital"].post(f"{act}/pay", json={"version": o["version"], "amount_cents": 10080})
    assert paid.status_code == 200 and paid.json()["amount_cents"] == 10080
    again = c["hospital"].post(f"{act}/pay", json={"version": o["version"] + 1, "amount_cents": 10080})
    assert again.status_code == 409 and again.json()["error"]["code"] == "paid_twice"
    record = c["guest"].get(f"{BASE}/payment-record").json()["hospitals"]
    assert (
        record[0]["name"] == "南昌市东湖区人民医院"
        and record[0]["on_time"] == 1
        and record[0]["rate"] == 100.0
    )


def test_staff_import_and_the_boundaries(http, platform):
    w, c = http
    bad = c["admin"].post(
        f"{BASE}/prices/import",
        json={
            "rows": [
                {"product_code": "YP0000", "price_cents": "1000", "effective_from": "2027-01-01"},
                {"product_code": "NOPE", "price_cents": "x", "effective_from": "2027-01-01"},
            ]
        },
    )
    assert bad.status_code == 422 and {"row 2.product_code", "row 2.price_cents"} <= set(
        bad.json()["error"]["fields"]
    )
    good = c["admin"].post(
        f"{BASE}/prices/import",
        json={"rows": [{"product_code": "YP0000", "price_cents": "1000", "effective_from": "2027-01-01"}]},
    )
    assert good.status_code == 201 and good.json() == {"imported": 1}
    history = c["guest"].get(f"{BASE}/products/{w.products[0]}/prices").json()["versions"]
    assert [(v["price_cents"], v["tier_name"]) for v in history] == [(1000, "东湖区"), (1260, "江西省")]
    assert (
        c["hospital"].post(f"{BASE}/prices/import", json={"rows": [{"product_code": "YP0000"}]}).status_code
        == 403
    )
    oid = c["hospital"].post(f"{BASE}/orders", json={"lines": [_line(w)]}).json()["id"]
    assert c["admin"].get(f"{BASE}/orders/{oid}").status_code == 200  # overseers see every order here
    missing = c["other_admin"].get(f"/api/t/360100/medicine/orders/{10**9}")
    theirs = c["other_admin"].get(f"/api/t/360100/medicine/orders/{oid}")
    assert missing.status_code == theirs.status_code == 404 and missing.content == theirs.content
    from core.db import Scope
    from core.tenancy.service import set_plugin_state

    with platform.db.transaction(Scope.system()) as s:
        set_plugin_state(s, platform.directory, w.donghu, "medicine", "off", actor="tests")
    platform.refresh(force=True)
    assert c["guest"].get(f"{BASE}/prices").status_code == 404


def test_volume_procurement_and_prescriptions_over_http(http):
    w, c = http
    r = c["admin"].post(
        f"{BASE}/rounds",
        json={
            "name": "东湖区集采",
            "starts_on": "2026-12-01",
            "ends_on": "2027-11-30",
            "prepay_percent": 30,
            "products": [{"product_id": w.products[0], "price_cents": 1000}],
        },
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    assert r.json()["tier_name"] == "东湖区"
    bad = c["admin"].post(
        f"{BASE}/rounds/{rid}/commitments",
        json={"hospital_id": w.hospital_id, "product_id": w.products[1], "annual_qty": 10},
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "not_winning"
    ok = c["admin"].post(
        f"{BASE}/rounds/{rid}/commitments",
        json={"hospital_id": w.hospital_id, "product_id": w.products[0], "annual_qty": 1200},
    )
    assert ok.status_code == 201 and ok.json()["prepaid_cents"] == 360_000
    done = c["guest"].get(f"{BASE}/rounds/{rid}/completion").json()
    assert done["commitments"][0]["annual_qty"] == 1200 and done["round"]["prepay_percent"] == 30
    assert (
        c["guest"].get(f"/api/t/360100/medicine/rounds/{rid}/completion").status_code == 404
    )  # Donghu's own
    item = {
        "external_id": "RX1",
        "doctor": "刘医生",
        "product_id": w.products[0],
        "quantity": 2,
        "days_supply": 5,
        "visit": "outpatient",
        "dispensed_on": "2026-12-01",
        "trace_code": "81890001",
    }
    wrong = c["hospital"].post(f"{BASE}/prescriptions", json={"items": [item, {**item, "visit": "ward"}]})
    assert wrong.status_code == 422 and "items.1.visit" in wrong.json()["error"]["fields"]
    assert (
        c["dist"].post(f"{BASE}/prescriptions", json={"items": [item]}).status_code == 404
    )  # not a hospital
    stored = c["hospital"].post(f"{BASE}/prescriptions", json={"items": [item]})
    assert stored.status_code == 201 and stored.json() == {"stored": 1}
    assert c["hospital"].post(f"{BASE}/prescriptions", json={"items": [item]}).status_code == 409
