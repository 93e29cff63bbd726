"""The bidding JSON API end to end (staff, bidders, the public), the OCDS releases and records validated
against the published OCDS 1.1.5 schemas (tests/plugins/bidding/ocds/), and the boundaries."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from bidding_helpers import BEFORE, DEADLINE, TENDERER
from factories import make_account, make_staff
from starlette.testclient import TestClient

from core.db import Scope
from plugins.bidding import sealing

SCHEMAS = Path(__file__).parent / "ocds"
BASE = "/api/t/360102/bidding"


def _token_client(app, platform, username: str) -> TestClient:
    from core.identity.service import account_by_username
    from core.identity.sessions import create_token

    with platform.db.transaction(Scope.system()) as s:
        account = account_by_username(s, username)
        _row, raw = create_token(s, account, name="tests", scopes=["*"], days=1, known_permissions=set())
    return TestClient(app, headers={"Authorization": f"Bearer {raw}"}, follow_redirects=False)


def _validator(name: str):
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    docs = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in SCHEMAS.glob("*.json")}
    registry = Registry().with_resources(
        (d["id"], Resource.from_contents(d, default_specification=DRAFT4)) for d in docs.values()
    )
    return Draft4Validator(docs[name], registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


def _errors(validator, doc) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


TENDER = {
    "title": "东湖区老旧小区改造工程施工",
    "tenderer_name": "南昌市东湖区住房和城乡建设局",
    "tenderer_code": TENDERER,
    "estimated_cents": 100_000_000,
    "bond_cents": 0,
    "documents_from": "2026-12-01",
    "documents_until": "2026-12-08",
    "deadline": "2026-12-22T09:30:00+08:00",
}


@pytest.fixture
def world(app, platform):
    platform.clock.set(BEFORE)
    make_staff(platform, "dh_bid_admin", "360102", "comprehensive_admin")
    make_staff(platform, "nc_bid_admin", "360100", "comprehensive_admin")
    legal = [
        make_account(platform, "legal", f"bidder{i}", display_name=f"江西投标{i}有限公司") for i in range(4)
    ]
    clients = {
        "admin": _token_client(app, platform, "dh_bid_admin"),
        "other_admin": _token_client(app, platform, "nc_bid_admin"),
        **{f"b{i}": _token_client(app, platform, f"bidder{i}") for i in range(4)},
        "guest": TestClient(app, follow_redirects=False),
    }
    yield platform, clients, legal
    for c in clients.values():
        c.close()
    platform.clock.set(None)


def test_schedule_errors_name_the_field_and_the_rule(world):
    _platform, c, _ = world
    r = c["admin"].post(f"{BASE}/tenders", json={**TENDER, "deadline": "2026-12-18T09:30:00+08:00"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert (
        err["code"] == "period_too_short" and "deadline" in err["fields"] and "第二十四条" in err["message"]
    )
    r = c["admin"].post(f"{BASE}/tenders", json={**TENDER, "deadline": "2026-12-22T09:30:00"})
    assert r.status_code == 422 and "deadline" in r.json()["error"]["fields"]
    assert c["admin"].get(f"{BASE}/tenders").json()["items"] == []


def test_the_whole_open_tender_over_http_and_ocds_valid(world):
    platform, c, legal = world
    r = c["admin"].post(f"{BASE}/tenders", json=TENDER)
    assert r.status_code == 201, r.text
    t = r.json()
    tid, ocid = t["id"], t["ocid"]
    assert t["status"] == "draft"
    # A draft is not public.
    assert c["guest"].get(f"{BASE}/tenders/{tid}").status_code == 404
    r = c["admin"].post(
        f"{BASE}/tenders/{tid}/publish", json={"version": t["version"], "documents": "招标文件正文"}
    )
    assert r.status_code == 200 and r.json()["status"] == "published"
    detail = c["guest"].get(f"{BASE}/tenders/{tid}").json()
    assert {p["code"] for p in detail["periods"]} >= {"documents", "bid_deadline", "document_objection"}
    assert any("第二十四条" in p["basis_zh"] for p in detail["periods"])

    keys = {}
    for i in range(4):
        who = c[f"b{i}"]
        assert who.post(f"{BASE}/tenders/{tid}/register", json={}).status_code == 201
        sealed = sealing.seal(ocid, legal[i].id_number, 90_000_000 + i * 1_000_000)
        keys[i] = sealed.key
        if i == 3:
            continue  # bidder 3 registered but does not bid
        r = who.post(f"{BASE}/tenders/{tid}/bids", json={**sealed.request(), "device": f"d{i}"})
        assert r.status_code == 201, r.text
        receipt = json.loads(r.json()["receipt"])
        assert receipt["tender"] == ocid and receipt["ciphertext_sha256"] == sealing.sha256(sealed.ciphertext)
    again = c["b0"].post(
        f"{BASE}/tenders/{tid}/bids", json=sealing.seal(ocid, legal[0].id_number, 1).request()
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "duplicate"
    # Sealed: before the opening nobody sees a price, staff included.
    assert c["admin"].get(f"{BASE}/tenders/{tid}").json()["opening"] == []
    assert c["admin"].get(f"{BASE}/tenders/{tid}/bidders").json()["items"][0]["bid_status"] == "sealed"

    platform.clock.set(DEADLINE)
    late = c["b3"].post(
        f"{BASE}/tenders/{tid}/bids", json=sealing.seal(ocid, legal[3].id_number, 5).request()
    )
    assert late.status_code == 422 and late.json()["error"]["code"] == "late"
    platform.clock.set(DEADLINE + timedelta(minutes=3))
    wrong = c["b0"].post(f"{BASE}/tenders/{tid}/key", json={"key": sealing.b64(b"\x02" * 32)})
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "wrong_key"
    for i in range(3):
        r = c[f"b{i}"].post(f"{BASE}/tenders/{tid}/key", json={"key": sealing.b64(keys[i])})
        assert r.status_code == 200 and r.json()["status"] == "opened", r.text
    detail = c["guest"].get(f"{BASE}/tenders/{tid}").json()
    assert detail["status"] == "evaluation"
    assert sorted(o["price_cents"] for o in detail["opening"]) == [90_000_000, 91_000_000, 92_000_000]

    releases = c["guest"].get(f"{BASE}/ocds/releases")
    assert releases.status_code == 200
    pkg = releases.json()
    assert _errors(_validator("release-package-schema.json"), pkg) == []
    tags = [r["tag"][0] for r in pkg["releases"] if r["ocid"] == ocid]
    assert tags == ["tender", "tenderUpdate"]
    record = c["guest"].get(f"{BASE}/ocds/records/{tid}").json()
    assert _errors(_validator("record-package-schema.json"), record) == []
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["tender"]["numberOfTenderers"] == 3 and compiled["ocid"] == ocid


def test_boundaries_another_tenant_and_plugin_off(world):
    platform, c, _ = world
    tid = c["admin"].post(f"{BASE}/tenders", json=TENDER).json()["id"]
    missing = c["other_admin"].post(f"/api/t/360100/bidding/tenders/{10**9}/publish", json={"version": 1})
    theirs = c["other_admin"].post(f"/api/t/360100/bidding/tenders/{tid}/publish", json={"version": 1})
    assert missing.status_code == theirs.status_code == 404 and missing.content == theirs.content
    assert c["guest"].post(f"{BASE}/tenders", json=TENDER).status_code in (401, 403)
    assert c["b0"].post(f"{BASE}/tenders", json=TENDER).status_code == 403

    from core.tenancy.service import set_plugin_state

    tenant = platform.directory.get("360102")
    with platform.db.transaction(Scope.system()) as s:
        set_plugin_state(s, platform.directory, tenant, "bidding", "off", actor="tests")
    platform.refresh(force=True)
    assert c["admin"].get(f"{BASE}/tenders").status_code == 404


def test_the_city_lists_its_districts_published_tenders(world):
    _platform, c, _ = world
    t = c["admin"].post(f"{BASE}/tenders", json=TENDER).json()
    c["admin"].post(f"{BASE}/tenders/{t['id']}/publish", json={"version": t["version"]})
    city = c["guest"].get("/api/t/360100/bidding/tenders").json()["items"]
    assert [x["id"] for x in city] == [t["id"]] and city[0]["tenant_code"] == "360102"
    assert c["guest"].get(f"/api/t/360100/bidding/tenders/{t['id']}").status_code == 200
    assert c["guest"].get(f"/api/t/360103/bidding/tenders/{t['id']}").status_code == 404
    assert isinstance(datetime.fromisoformat(city[0]["deadline"]), datetime)
