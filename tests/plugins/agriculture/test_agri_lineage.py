"""Lineage across counties: a Donghu lot shipped to a Xihu buyer who receives it and processes it into
new lots. The public page of either county resolves the chain both ways, showing of the other county's
lots only their public fields; staff and producers of one county still cannot see or change the other's
lots; the receipt is refused with its reason when the lot was not shipped, is unknown, or was received."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from agri_helpers import DAY, certificate, event, lot, producer
from factories import csrf_token, login, make_account, make_staff
from sqlalchemy import func, select

from core.db import Scope
from core.errors import Conflict, Invalid
from plugins.agriculture import codes, producers, trace
from plugins.agriculture.models import LotEvent
from plugins.agriculture.schemas import ReceiveIn

XIHU = "360103"
# Donghu's details (the lab, the pesticide, the field, the grower's phone): never on Xihu's pages.
PRIVATE = ("东湖检测站甲", "吡虫啉", "扬子洲3号棚", "13900000001")


@pytest.fixture(autouse=True)
def _today(platform):
    platform.clock.set(date(2026, 11, 2))


def _receive(platform, producer_id, source_code, **fields):
    tenant = platform.directory.get(XIHU)
    with platform.db.transaction(tenant.scope) as s:
        p = producers.get(s, tenant, producer_id)
        data = ReceiveIn.model_validate(
            {"source_code": source_code, "occurred_on": date(2026, 10, 15), "quantity": "400", **fields}
        )
        row = trace.receive(s, platform, tenant, p, data, actor="tests")
        s.expunge(row)
        return row


def _chain(platform, buyer_account=None):
    """A Donghu lot (inputs, harvest, test, certificate, shipment to Xihu) received and processed at Xihu."""
    grower = producer(platform)
    raw = lot(platform, grower.id, product="芹菜", origin="扬子洲3号棚")
    event(
        platform,
        raw.id,
        kind="input",
        input_kind="pesticide",
        material="吡虫啉",
        phi_days=7,
        occurred_on=date(2026, 9, 20),
        place="扬子洲3号棚",
    )
    event(platform, raw.id, kind="harvest", place="扬子洲3号棚")
    event(platform, raw.id, kind="test", passed=True, lab="东湖检测站甲")
    cert = certificate(platform, raw.id)
    buyer = producer(platform, buyer_account, XIHU, "西湖区农贸有限公司")
    return grower, raw, cert, buyer


def test_a_lot_shipped_to_another_county_is_received_processed_and_traced_both_ways(client, platform):
    grower, raw, cert, buyer = _chain(platform)
    with pytest.raises(Invalid, match="not shipped"):
        _receive(platform, buyer.id, raw.code)  # no shipment yet
    event(platform, raw.id, kind="shipment", buyer="西湖区农贸有限公司", occurred_on=date(2026, 10, 14))
    got = _receive(platform, buyer.id, raw.code, place="西湖区农贸公司仓库")
    assert got.code.startswith(XIHU) and got.product == "芹菜" and got.tenant_id != raw.tenant_id
    out = event(
        platform,
        got.id,
        XIHU,
        kind="processing",
        occurred_on=date(2026, 10, 16),
        outputs=[{"product": "芹菜净菜", "quantity": "350"}],
    )
    washed = out.data["outputs"][0]["code"]

    # Xihu's public page of its washed celery: two hops up, the second in Donghu (public fields only).
    page = client.get(f"/t/{XIHU}/agriculture/t/{washed}")
    assert page.status_code == 200
    assert "东湖绿源蔬菜专业合作社" in page.text and cert.number in page.text and "东湖区" in page.text
    assert raw.code in page.text and "西湖区农贸有限公司" in page.text
    for secret in PRIVATE:
        assert secret not in page.text, secret
    api = client.get(f"/api/t/{XIHU}/agriculture/trace/{washed}").json()
    up = {c["hops"]: c for c in api["chain"]}
    assert [c["direction"] for c in api["chain"]] == ["upstream", "upstream"]
    assert up[1]["code"] == got.code and up[1]["foreign"] is False
    assert up[2]["code"] == raw.code and up[2]["foreign"] is True and up[2]["county"] == "东湖区"
    assert (
        up[2]["producer_name"] == "东湖绿源蔬菜专业合作社" and up[2]["certificate"]["number"] == cert.number
    )
    assert [e["kind"] for e in up[2]["events"]] == ["input", "harvest", "test", "shipment"]
    assert set(up[2]["events"][0]) == {"kind", "kind_title", "occurred_on"}
    assert not any(s in str(api) for s in PRIVATE)

    # Donghu's public page of the raw lot: downstream into Xihu, two hops.
    page = client.get(f"/t/360102/agriculture/t/{raw.code}")
    assert page.status_code == 200 and "芹菜净菜" in page.text and washed in page.text
    assert "西湖区农贸公司仓库" not in page.text  # the Xihu receipt's place stays with Xihu
    api = client.get(f"/api/t/360102/agriculture/trace/{raw.code}").json()
    assert [(c["direction"], c["hops"], c["foreign"]) for c in api["chain"]] == [
        ("downstream", 1, True),
        ("downstream", 2, True),
    ]
    # A hall resolves codes of its own subtree; the province's resolves both.
    assert client.get(f"/t/360102/agriculture/t/{washed}").status_code == 404
    assert client.get(f"/t/360000/agriculture/t/{washed}").status_code == 200
    with platform.db.session(platform.directory.get("360102").scope) as s:  # the source is unchanged
        assert s.scalar(select(func.count()).select_from(LotEvent).where(LotEvent.lot_id == raw.id)) == 4


def test_a_receipt_is_refused_with_its_reason_and_changes_nothing(platform):
    grower, raw, cert, buyer = _chain(platform)
    event(platform, raw.id, kind="shipment", buyer="西湖区农贸有限公司", occurred_on=date(2026, 10, 14))
    cases = [
        ({"source_code": "12345"}, Invalid, "19"),
        ({"source_code": codes.new_code("360102")}, Invalid, "No lot has this trace code"),
        ({"occurred_on": date(2026, 10, 13)}, Invalid, "not shipped on or before"),
        ({"occurred_on": date(2026, 12, 1)}, Invalid, "future"),
    ]
    for fields, error, text in cases:
        with pytest.raises(error, match=text):
            _receive(platform, buyer.id, fields.pop("source_code", raw.code), **fields)
    _receive(platform, buyer.id, raw.code, quantity=Decimal("100"), product="芹菜（西湖分拣）")
    with pytest.raises(Conflict, match="already received"):
        _receive(platform, buyer.id, raw.code)
    xihu = platform.directory.get(XIHU)
    with platform.db.session(xihu.scope) as s:
        assert [x.product for x in trace.lots_of(s, xihu)] == ["芹菜（西湖分拣）"]


def test_staff_and_producers_of_one_county_cannot_see_or_change_the_others_lots(client, platform):
    buyer_account = make_account(platform, "person", "xihu_buyer")
    grower, raw, cert, buyer = _chain(platform, buyer_account.id)
    event(platform, raw.id, kind="shipment", buyer="西湖区农贸有限公司", occurred_on=date(2026, 10, 14))
    make_staff(platform, "xihu_officer", XIHU, "agri_officer")
    make_staff(platform, "donghu_officer", "360102", "agri_officer")

    # The Xihu buyer receives through the page, by the code on the delivery.
    login(client, "xihu_buyer")
    token = csrf_token(client, f"/t/{XIHU}/agriculture/producer")
    form = {
        "csrf_token": token,
        "action": "receive",
        "producer_id": str(buyer.id),
        "quantity": "400",
        "occurred_on": "2026-10-15",
    }
    r = client.post(f"/t/{XIHU}/agriculture/producer", data={**form, "source_code": "360102"})
    assert r.status_code == 422 and "追溯码" in r.text
    r = client.post(f"/t/{XIHU}/agriculture/producer", data={**form, "source_code": raw.code})
    assert r.status_code == 303
    home = client.get(f"/t/{XIHU}/agriculture/producer")
    got_id = int(home.text.split("/agriculture/lots/")[1].split('"')[0])
    own = client.get(f"/t/{XIHU}/agriculture/lots/{got_id}")
    assert own.status_code == 200 and raw.code in own.text and "东湖检测站甲" not in own.text
    for url in (f"/t/{XIHU}/agriculture/lots/{raw.id}", f"/t/360102/agriculture/lots/{raw.id}"):
        assert client.get(url).status_code == 404, url
    r = client.post(
        f"/api/t/{XIHU}/agriculture/lots/{raw.id}/events",
        headers={"X-CSRF-Token": token},
        json={"kind": "receipt", "occurred_on": "2026-10-15", "buyer": "x"},
    )
    assert r.status_code == 404

    # Xihu's bureau sees its lot, not Donghu's; Donghu's bureau not Xihu's.
    client.cookies.clear()
    login(client, "xihu_officer")
    token = csrf_token(client, f"/t/{XIHU}/agriculture/trace")
    r = client.post(
        f"/api/t/{XIHU}/agriculture/lots/{raw.id}/events",
        headers={"X-CSRF-Token": token},
        json={"kind": "correction", "occurred_on": "2026-10-15", "corrects_id": 1, "reason": "x"},
    )
    assert r.status_code in (403, 404)  # the bureau records no events, and never on another county's lot
    assert client.get("/t/360102/agriculture/bureau").status_code in (403, 404)
    client.cookies.clear()
    login(client, "donghu_officer")
    token = csrf_token(client, "/t/360102/agriculture/trace")
    r = client.post(
        f"/api/t/360102/agriculture/lots/{got_id}/events",
        headers={"X-CSRF-Token": token},
        json={"kind": "test", "occurred_on": "2026-10-16", "passed": False, "lab": "x"},
    )
    assert r.status_code in (403, 404)
    r = client.post(f"/api/t/360102/agriculture/lots/{got_id}/certificate", headers={"X-CSRF-Token": token})
    assert r.status_code in (403, 404)
    assert client.get(f"/t/360102/agriculture/lots/{got_id}").status_code in (403, 404)
    with platform.db.session(Scope.system()) as s:  # the receipt only, on either lot nothing new
        assert s.scalar(select(func.count()).select_from(LotEvent).where(LotEvent.lot_id == got_id)) == 1
        assert s.scalar(select(func.count()).select_from(LotEvent).where(LotEvent.lot_id == raw.id)) == 4


def test_the_receipt_api_refuses_another_countys_producer_and_a_bad_code(client, platform):
    buyer_account = make_account(platform, "person", "xihu_buyer2")
    grower, raw, cert, buyer = _chain(platform, buyer_account.id)
    event(platform, raw.id, kind="shipment", buyer="西湖区", occurred_on=date(2026, 10, 14))
    login(client, "xihu_buyer2")
    headers = {"X-CSRF-Token": csrf_token(client, f"/t/{XIHU}/agriculture/trace")}
    body = {"source_code": raw.code, "occurred_on": "2026-10-15", "quantity": 10}
    assert (
        client.post(
            f"/api/t/360102/agriculture/producers/{grower.id}/receipts", headers=headers, json=body
        ).status_code
        == 404
    )
    r = client.post(
        f"/api/t/{XIHU}/agriculture/producers/{buyer.id}/receipts",
        headers=headers,
        json={**body, "source_code": "abc"},
    )
    assert r.status_code == 422 and "source_code" in r.json()["error"]["fields"]
    r = client.post(f"/api/t/{XIHU}/agriculture/producers/{buyer.id}/receipts", headers=headers, json=body)
    assert r.status_code == 201 and r.json()["tenant_code"] == XIHU, r.text
    assert DAY  # the helpers' default event day


def test_the_demo_traces_donghu_celery_into_a_xihu_salad_box(demo_client, demo_platform):
    from plugins.agriculture.models import Lot

    with demo_platform.db.session(Scope.system()) as s:
        box = s.scalar(select(Lot.code).where(Lot.product == "芹菜沙拉轻食盒"))
        celery = s.scalar(select(Lot.code).where(Lot.product == "芹菜"))
    page = demo_client.get(f"/t/{XIHU}/agriculture/t/{box}")
    assert page.status_code == 200 and celery in page.text and "东湖区扬子洲蔬菜专业合作社" in page.text
    assert "东湖区农产品质量安全检测站" not in page.text and "扬子洲镇3号棚" not in page.text
    page = demo_client.get(f"/t/360102/agriculture/t/{celery}")
    assert page.status_code == 200 and box in page.text and "西湖区绳金塔鲜食工坊" in page.text
    assert "西湖区中央厨房" not in page.text
