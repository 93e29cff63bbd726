"""Staff pages of sunshine medicine on the demo data: the catalogue with the prices in force, a product's
price versions and a price change from its effective day, the CSV import as a page upload (row errors
shown, nothing imported), volume-procurement rounds and commitments; refusals in Chinese with English
beside, nothing changed; behind the permission and CSRF; English on request."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from core.api import today
from core.db import Scope
from core.identity.demo import DEMO_PASSWORD
from plugins.medicine.models import Commitment, ListedPrice, Product, Round
from tests.factories import csrf_token, login

BASE = "/t/360100/medicine"


def _staff(client):
    return login(client, "nanchang_admin", DEMO_PASSWORD)


def _amoxicillin(platform):
    with platform.db.session(Scope.system()) as s:
        return s.scalar(select(Product.id).where(Product.generic_name == "阿莫西林胶囊"))


def _versions(platform):
    with platform.db.session(Scope.system()) as s:
        return s.scalar(select(func.count()).select_from(ListedPrice))


def test_the_pages_are_behind_the_permission(demo_client, demo_platform):
    pid = _amoxicillin(demo_platform)
    for path in ("/manage", f"/manage/products/{pid}", "/manage/rounds"):
        r = demo_client.get(BASE + path)
        assert r.status_code in (302, 303, 401, 403), (path, r.status_code)
    login(demo_client, "donghu_handler", DEMO_PASSWORD)
    assert demo_client.get("/t/360102/medicine/manage").status_code == 403


def test_the_pages_are_behind_the_plugin_gate(demo_client, demo_platform):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "credit"))
    import credit_helpers

    _staff(demo_client)
    assert demo_client.get(f"{BASE}/manage").status_code == 200
    credit_helpers.switch(demo_platform, "360100", "medicine", "off")
    assert demo_client.get(f"{BASE}/manage").status_code == 404
    assert demo_client.get(f"{BASE}/manage/rounds").status_code == 404


def test_a_price_change_on_the_staff_page(demo_client, demo_platform):
    pid = _amoxicillin(demo_platform)
    _staff(demo_client)
    page = demo_client.get(f"{BASE}/manage?q=阿莫西林")
    assert page.status_code == 200 and "阿莫西林胶囊" in page.text and "挂网目录与价格" in page.text
    assert 'class="list stack"' in page.text
    prod = demo_client.get(f"{BASE}/manage/products/{pid}")
    assert prod.status_code == 200 and "价格版本" in prod.text and "执行中" in prod.text
    token = csrf_token(demo_client, f"{BASE}/manage/products/{pid}")
    on = today(demo_platform) + timedelta(days=10)
    before = _versions(demo_platform)
    # Bad input: refused in both languages, nothing changed.
    for price, day, zh in (
        ("abc", on, "挂网价（元）"),
        ("11.20", on - timedelta(days=30), "生效日期不能早于今天"),
    ):
        bad = demo_client.post(
            f"{BASE}/manage/products/{pid}",
            data={"csrf_token": token, "price": price, "effective_from": day.isoformat(), "note": ""},
        )
        assert bad.status_code == 422 and zh in bad.text and 'lang="en"' in bad.text
    assert _versions(demo_platform) == before
    assert (
        demo_client.post(
            f"{BASE}/manage/products/{pid}", data={"price": "11.20", "effective_from": on.isoformat()}
        ).status_code
        == 403
    )  # no CSRF token
    ok = demo_client.post(
        f"{BASE}/manage/products/{pid}",
        data={
            "csrf_token": token,
            "price": "11.20",
            "effective_from": on.isoformat(),
            "note": "集采联动降价",
        },
    )
    assert ok.status_code == 303
    after = demo_client.get(ok.headers["location"])
    assert "11.20" in after.text and "待生效" in after.text and "集采联动降价" in after.text
    assert _versions(demo_platform) == before + 1
    again = demo_client.post(
        f"{BASE}/manage/products/{pid}",
        data={"csrf_token": token, "price": "11.10", "effective_from": on.isoformat()},
    )
    assert again.status_code == 409 and "该日期已有挂网价格版本" in again.text
    en = demo_client.get(f"{BASE}/manage/products/{pid}?lang=en")
    assert "Price versions" in en.text and "Scheduled" in en.text


def test_the_price_import_as_a_page_upload(demo_client, demo_platform):
    _staff(demo_client)
    with demo_platform.db.session(Scope.system()) as s:
        codes = list(s.scalars(select(Product.code).order_by(Product.id).limit(2)))
    on = (today(demo_platform) + timedelta(days=20)).isoformat()
    token = csrf_token(demo_client, f"{BASE}/manage")
    before = _versions(demo_platform)
    bad = f"product_code,price_cents,effective_from\n{codes[0]},1100,{on}\nNOPE,abc,{on}\n"
    r = demo_client.post(
        f"{BASE}/manage",
        data={"csrf_token": token, "action": "import"},
        files={"file": ("prices.csv", bad.encode(), "text/csv")},
    )
    assert r.status_code == 422 and 'id="row-errors"' in r.text and "未知产品" in r.text
    assert _versions(demo_platform) == before
    good = f"product_code,price_cents,effective_from\n{codes[0]},1100,{on}\n{codes[1]},700,{on}\n"
    r = demo_client.post(
        f"{BASE}/manage",
        data={"csrf_token": token, "action": "import"},
        files={"file": ("prices.csv", good.encode(), "text/csv")},
    )
    assert r.status_code == 303 and "imported=2" in r.headers["location"]
    assert _versions(demo_platform) == before + 2
    none = demo_client.post(f"{BASE}/manage", data={"csrf_token": token, "action": "import"})
    assert none.status_code == 422 and "请选择 CSV 文件" in none.text


def test_a_round_and_a_commitment_from_the_pages(demo_client, demo_platform):
    pid = _amoxicillin(demo_platform)
    _staff(demo_client)
    page = demo_client.get(f"{BASE}/manage/rounds")
    assert page.status_code == 200 and "新建批次" in page.text
    token = csrf_token(demo_client, f"{BASE}/manage/rounds")
    start = today(demo_platform)
    form = {
        "csrf_token": token,
        "name": "南昌市第二批带量采购",
        "starts_on": start.isoformat(),
        "ends_on": (start - timedelta(days=1)).isoformat(),
        "prepay_percent": "30",
        f"win_{pid}": "9.80",
    }
    with demo_platform.db.session(Scope.system()) as s:
        rounds = s.scalar(select(func.count()).select_from(Round))
    bad = demo_client.post(f"{BASE}/manage/rounds", data=form)
    assert bad.status_code == 422 and "结束日期应晚于开始日期" in bad.text
    ok = demo_client.post(
        f"{BASE}/manage/rounds", data={**form, "ends_on": (start + timedelta(days=364)).isoformat()}
    )
    assert ok.status_code == 303
    rid = int(ok.headers["location"].rsplit("/", 1)[1])
    with demo_platform.db.session(Scope.system()) as s:
        assert s.scalar(select(func.count()).select_from(Round)) == rounds + 1
    round_page = demo_client.get(ok.headers["location"])
    assert round_page.status_code == 200 and "约定年采购量" in round_page.text
    hid = round_page.text.split('name="hospital_id"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    token = csrf_token(demo_client, ok.headers["location"])
    zero = demo_client.post(
        f"{BASE}/rounds/{rid}/commitments",
        data={"csrf_token": token, "hospital_id": hid, "product_id": pid, "annual_qty": "0"},
    )
    assert zero.status_code == 422
    done = demo_client.post(
        f"{BASE}/rounds/{rid}/commitments",
        data={"csrf_token": token, "hospital_id": hid, "product_id": pid, "annual_qty": "1200"},
    )
    assert done.status_code == 303
    with demo_platform.db.session(Scope.system()) as s:
        assert s.scalar(select(Commitment.annual_qty).where(Commitment.round_id == rid)) == 1200
    # Another tenant's round is missing here.
    assert demo_client.get(f"/t/360402/medicine/rounds/{rid}").status_code == 404
