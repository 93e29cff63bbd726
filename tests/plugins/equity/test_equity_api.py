"""The equity JSON API end to end (the exchange, two buyers, the public): a project from filing to the
verified certificate, bad input naming the field and changing nothing, stale versions, bids refused by
rule, and the tenant boundary (another exchange's staff see nothing)."""

from __future__ import annotations

from datetime import date

import pytest
from equity_helpers import SELLER
from factories import credit_code, make_account, make_staff
from starlette.testclient import TestClient

from core.db import Scope

BASE = "/api/t/360102/equity"
PROJECT = {
    "title": "东湖区某国有企业所持股权转让",
    "target": "江西某科技有限公司 40% 股权",
    "seller_name": "南昌市东湖区国有资产经营有限公司",
    "seller_code": SELLER,
    "seller_representative": "刘一",
    "supervisor_name": "东湖区国资办",
    "appraisal_cents": 500_000_000,
    "appraisal_approved_by": "东湖区国资办",
    "appraisal_approved_on": "2026-11-20",
    "listing_cents": 500_000_000,
    "increment_cents": 5_000_000,
    "deposit_cents": 50_000_000,
    "conditions": "依法设立并有效存续的企业法人",
}


def _token_client(app, platform, username: str) -> TestClient:
    from core.identity.service import account_by_username
    from core.identity.sessions import create_token

    with platform.db.transaction(Scope.system()) as s:
        account = account_by_username(s, username)
        _row, raw = create_token(s, account, name="tests", scopes=["*"], days=1, known_permissions=set())
    return TestClient(app, headers={"Authorization": f"Bearer {raw}"}, follow_redirects=False)


@pytest.fixture
def world(app, platform):
    platform.clock.set(date(2026, 12, 1))
    make_staff(platform, "dh_eq_admin", "360102", "comprehensive_admin")
    make_staff(platform, "nc_eq_admin", "360100", "comprehensive_admin")
    for i in range(2):
        make_account(
            platform,
            "legal",
            f"eqbuyer{i}",
            display_name=f"江西受让{i}有限公司",
            representative_name=f"代表{i}",
        )
    clients = {
        "admin": _token_client(app, platform, "dh_eq_admin"),
        "other": _token_client(app, platform, "nc_eq_admin"),
        "b0": _token_client(app, platform, "eqbuyer0"),
        "b1": _token_client(app, platform, "eqbuyer1"),
        "guest": TestClient(app, follow_redirects=False),
    }
    yield platform, clients
    for c in clients.values():
        c.close()


def test_bad_input_names_the_field_and_changes_nothing(world):
    platform, c = world
    r = c["admin"].post(f"{BASE}/projects", json={**PROJECT, "listing_cents": 400_000_000})
    assert r.status_code == 422 and r.json()["error"]["code"] == "below_appraisal"
    assert "listing_cents" in r.json()["error"]["fields"]
    r = c["admin"].post(f"{BASE}/projects", json={**PROJECT, "increment_cents": "lots"})
    assert r.status_code == 422 and "increment_cents" in r.json()["error"]["fields"]
    assert c["admin"].get(f"{BASE}/projects").json()["items"] == []
    assert c["b0"].post(f"{BASE}/projects", json=PROJECT).status_code == 403


def test_a_project_from_filing_to_the_verified_certificate(world):
    platform, c = world
    admin = c["admin"]
    p = admin.post(f"{BASE}/projects", json=PROJECT).json()
    pid = p["id"]
    assert c["guest"].get(f"{BASE}/projects/{pid}").status_code == 404  # a draft is not public
    assert c["other"].get(f"/api/t/360102/equity/projects/{pid}").status_code in (403, 404)
    assert c["other"].get(f"/api/t/360100/equity/projects/{pid}").status_code == 404
    p = admin.post(f"{BASE}/projects/{pid}/review", json={"version": p["version"], "fair": True}).json()
    r = admin.post(
        f"{BASE}/projects/{pid}/disclose",
        json={"version": p["version"], "kind": "formal", "start": "2026-12-01", "end": "2026-12-20"},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "disclosure_too_short"
    p = admin.post(
        f"{BASE}/projects/{pid}/disclose",
        json={"version": p["version"], "kind": "formal", "start": "2026-12-01"},
    ).json()
    assert (p["status"], p["formal_end"]) == ("disclosure", "2026-12-29")
    stale = admin.post(f"{BASE}/projects/{pid}/review", json={"version": p["version"] - 1, "fair": True})
    assert stale.status_code == 409
    buyers = [
        c[f"b{i}"].post(f"{BASE}/projects/{pid}/register", json={"qualification": "营业执照"}).json()
        for i in range(2)
    ]
    assert c["b0"].post(f"{BASE}/projects/{pid}/register", json={}).status_code == 409
    buyers = [
        admin.post(
            f"/api/t/360102/equity/buyers/{b['id']}/deposit", json={"cents": 50_000_000, "on": "2026-12-01"}
        ).json()
        for b in buyers
    ]
    platform.clock.set(date(2027, 1, 4))
    for b in buyers:
        r = admin.post(
            f"/api/t/360102/equity/buyers/{b['id']}/confirm",
            json={"version": b["version"], "qualified": True},
        )
        assert r.status_code == 200, r.text
    p = admin.get(f"{BASE}/projects/{pid}").json()
    p = admin.post(
        f"{BASE}/projects/{pid}/proceed",
        json={
            "version": p["version"],
            "starts_at": "2027-01-04T10:00:00+08:00",
            "free_minutes": 10,
            "countdown_seconds": 60,
        },
    ).json()
    assert p["status"] == "auction"
    from datetime import datetime
    from zoneinfo import ZoneInfo

    platform.clock.set(datetime(2027, 1, 4, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai")))
    r = c["b0"].post(f"{BASE}/projects/{pid}/bids", json={"amount_cents": 502_500_000})
    assert r.status_code == 422 and r.json()["error"]["code"] == "off_increment"
    assert "amount_cents" in r.json()["error"]["fields"]
    r = c["b0"].post(f"{BASE}/projects/{pid}/bids", json={"amount_cents": 500_000_000})
    assert r.status_code == 201 and r.json()["you_lead"]
    r = c["b1"].post(f"{BASE}/projects/{pid}/bids", json={"amount_cents": 510_000_000})
    assert r.status_code == 201 and r.json()["you_lead"]
    state = c["b0"].get(f"{BASE}/projects/{pid}/auction").json()
    assert (state["phase"], state["current_cents"], state["you_lead"], state["leader_no"]) == (
        "free",
        510_000_000,
        False,
        2,
    )
    assert c["guest"].get(f"{BASE}/projects/{pid}/auction").json()["accepted"] == 2
    platform.clock.set(datetime(2027, 1, 4, 10, 20, tzinfo=ZoneInfo("Asia/Shanghai")))
    r = c["b0"].post(f"{BASE}/projects/{pid}/bids", json={"amount_cents": 520_000_000})
    assert r.status_code == 422 and r.json()["error"]["code"] == "closed"
    assert c["guest"].get(f"{BASE}/projects/{pid}/auction").json()["phase"] == "closed"
    p = admin.get(f"{BASE}/projects/{pid}").json()
    d = admin.post(
        f"{BASE}/projects/{pid}/contract",
        json={"version": p["version"], "contract_no": "DH-2027-1", "signed_on": "2027-01-04"},
    ).json()
    assert (d["buyer_name"], d["price_cents"], d["down_due"]) == (
        "江西受让1有限公司",
        510_000_000,
        "2027-01-11",
    )
    admin.post(f"{BASE}/projects/{pid}/payments", json={"cents": 510_000_000, "on": "2027-01-04"})
    admin.post(f"{BASE}/projects/{pid}/notice", json={"start": "2027-01-04"})
    d = admin.post(f"{BASE}/projects/{pid}/certificate", json={}).json()
    v = c["guest"].get(f"{BASE}/certificates/{d['certificate_no']}").json()
    assert v["signature_ok"] and v["document"]["price_cents"] == 510_000_000
    assert c["guest"].get("/api/t/360100/equity/certificates/" + d["certificate_no"]).status_code == 404


def test_shareholders_default_and_refund_through_the_api(world):
    """Declared and entered shareholders feed the related-buyer rule; the winner's default moves the
    award to the second bidder (the deposit forfeited); a losing deposit is refunded after the deal."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from plugins.equity import rules

    platform, c = world
    admin = c["admin"]
    p = admin.post(f"{BASE}/projects", json=PROJECT).json()
    pid = p["id"]
    p = admin.post(f"{BASE}/projects/{pid}/review", json={"version": p["version"], "fair": True}).json()
    p = admin.post(
        f"{BASE}/projects/{pid}/disclose",
        json={"version": p["version"], "kind": "formal", "start": "2026-12-01"},
    ).json()
    group = credit_code(990)
    bad = c["b0"].post(
        f"{BASE}/projects/{pid}/register", json={"shareholders": [{"name": "某集团", "credit_code": "12"}]}
    )
    assert bad.status_code == 422 and "credit_code" in bad.json()["error"]["fields"]
    b0 = (
        c["b0"]
        .post(
            f"{BASE}/projects/{pid}/register",
            json={"shareholders": [{"name": "江西某集团", "credit_code": group}]},
        )
        .json()
    )
    b1 = c["b1"].post(f"{BASE}/projects/{pid}/register", json={}).json()
    p = admin.get(f"{BASE}/projects/{pid}").json()
    r = admin.post(f"{BASE}/projects/{pid}/shareholders", json={"name": "江西某集团", "credit_code": group})
    assert r.status_code == 200, r.text
    t = platform.directory.get("360102")
    with platform.db.session(Scope.below(t.id, t.path)) as s:
        found = rules.related_buyer(session=s)
    assert [(f.facts["occurrence"], f.facts["relation"]) for f in found] == [
        (f"buyer-{b0['id']}", "common_holder")
    ]
    for b in (b0, b1):
        admin.post(
            f"/api/t/360102/equity/buyers/{b['id']}/deposit", json={"cents": 50_000_000, "on": "2026-12-01"}
        )
    platform.clock.set(date(2027, 1, 4))
    for b in admin.get(f"{BASE}/projects/{pid}/buyers").json()["items"]:
        admin.post(
            f"/api/t/360102/equity/buyers/{b['id']}/confirm",
            json={"version": b["version"], "qualified": True},
        )
    p = admin.get(f"{BASE}/projects/{pid}").json()
    admin.post(
        f"{BASE}/projects/{pid}/proceed",
        json={
            "version": p["version"],
            "starts_at": "2027-01-04T10:00:00+08:00",
            "free_minutes": 10,
            "countdown_seconds": 60,
        },
    )
    platform.clock.set(datetime(2027, 1, 4, 10, 5, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert c["b0"].post(f"{BASE}/projects/{pid}/bids", json={"amount_cents": 500_000_000}).status_code == 201
    assert c["b1"].post(f"{BASE}/projects/{pid}/bids", json={"amount_cents": 505_000_000}).status_code == 201
    platform.clock.set(datetime(2027, 1, 4, 11, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    early = admin.post(f"/api/t/360102/equity/buyers/{b0['id']}/refund", json={"on": "2027-01-04"})
    assert early.status_code == 422 and early.json()["error"]["code"] == "deposit_held"
    assert admin.get(f"{BASE}/projects/{pid}/auction").json()["phase"] == "closed"
    p = admin.get(f"{BASE}/projects/{pid}").json()
    r = admin.post(
        f"{BASE}/projects/{pid}/default", json={"version": p["version"], "reason": "竞得人书面放弃"}
    )
    assert r.status_code == 200 and r.json()["status"] == "auction"
    items = {b["id"]: b for b in admin.get(f"{BASE}/projects/{pid}/buyers").json()["items"]}
    assert items[b1["id"]]["deposit_state"] == "forfeited"
    p = admin.get(f"{BASE}/projects/{pid}").json()
    d = admin.post(
        f"{BASE}/projects/{pid}/contract",
        json={"version": p["version"], "contract_no": "HT-9", "signed_on": "2027-01-04"},
    ).json()
    assert (d["buyer_name"], d["price_cents"]) == (b0["name"], 500_000_000)
    r = admin.post(f"/api/t/360102/equity/buyers/{b1['id']}/refund", json={"on": "2027-01-04"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "forfeited"
    other = c["other"].post(f"/api/t/360100/equity/buyers/{b0['id']}/refund", json={"on": "2027-01-04"})
    assert other.status_code == 404
