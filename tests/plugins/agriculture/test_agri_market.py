"""Prices (entry, all-or-nothing import with row errors, anomalies by the tenant's band, the city's
subtree, charts), supply and demand (matches nearest first, contact by message, no phone for guests) and
the 12316 desk (photos checked, the working-day limit, escalation to the city, the knowledge base)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from factories import csrf_token, login, make_account, make_staff
from sqlalchemy import select

from core.api import ImportFile, RowsRefused
from core.db import Scope
from core.errors import Conflict, Invalid
from core.messages import Message
from plugins.agriculture import desk, market, prices, rules
from plugins.agriculture.models import Question
from plugins.agriculture.schemas import AnswerIn, PostIn, PriceIn, QuestionIn

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TODAY = date(2026, 11, 2)  # a Monday


@pytest.fixture(autouse=True)
def _today(platform):
    platform.clock.set(TODAY)


def _prices(platform, code, product, series, market_name="市场"):
    tenant = platform.directory.get(code)
    with platform.db.transaction(tenant.scope) as s:
        for day, price in series:
            prices.add(
                s,
                tenant,
                PriceIn(day=day, product=product, market=market_name, price=Decimal(price)),
                actor="tests",
            )


def test_anomalies_follow_each_tenants_band_and_the_city_reads_its_counties(platform):
    _prices(
        platform,
        "360102",
        "芹菜",
        [(date(2026, 10, 1), "4.00"), (date(2026, 10, 2), "4.50"), (date(2026, 10, 3), "6.00")],
    )
    _prices(platform, "360103", "芹菜", [(date(2026, 10, 1), "4.00"), (date(2026, 10, 2), "4.90")])
    city = platform.directory.get("360100")
    with platform.db.session(city.subtree_scope) as s:
        found = prices.anomalous_rows(s, platform)
    assert [(str(r["price"]), r["band"]) for r in found] == [("6.00", 30)]  # +33%; +12.5% and +22.5% pass
    with pytest.raises(Conflict, match="already has a price"):
        _prices(platform, "360102", "芹菜", [(date(2026, 10, 1), "4.10")])
    rule = rules.price_anomalies
    with platform.db.session(city.subtree_scope) as s:
        assert len(rule(session=s, platform=platform)) == 1
    with platform.db.session(platform.directory.get("360103").scope) as s:
        assert rule(session=s, platform=platform) == []


def test_an_import_with_one_bad_row_imports_nothing_and_names_the_rows(platform):
    tenant = platform.directory.get("360102")
    rows = [
        (2, {"day": "2026-10-01", "product": "芹菜", "market": "甲", "price": "4.2"}),
        (3, {"day": "2026-10-01", "product": "芹菜", "market": "甲", "price": "4.3"}),
        (4, {"day": "2026-13-01", "product": "芹菜", "market": "乙", "price": "-1"}),
    ]
    with platform.db.transaction(tenant.scope) as s, pytest.raises(RowsRefused) as err:
        prices.import_file(s, tenant, ImportFile("p.csv", rows), actor="tests")
    assert {(e.row, e.field) for e in err.value.errors} >= {(3, "day"), (4, "day"), (4, "price")}
    with platform.db.session(tenant.scope) as s:
        assert prices.recent(s, "", date(2026, 1, 1)) == []
    with platform.db.transaction(tenant.scope) as s:
        assert prices.import_file(s, tenant, ImportFile("p.csv", rows[:1]), actor="tests") == 1


def test_the_prices_page_charts_counties_and_the_bureau_imports_a_csv(client, platform, tmp_path):
    _prices(platform, "360102", "芹菜", [(date(2026, 10, 20), "4.00"), (date(2026, 10, 21), "6.00")])
    _prices(platform, "360103", "芹菜", [(date(2026, 10, 20), "4.40")])
    page = client.get("/t/360100/agriculture/prices?product=芹菜")
    assert page.status_code == 200 and page.text.count("<svg") >= 2 and "东湖区" in page.text
    assert "异常" in page.text
    make_staff(platform, "officer", "360102", "agri_officer")
    login(client, "officer")
    token = csrf_token(client, "/t/360102/agriculture/prices")
    bad = "day,product,market,price\n2026-10-22,芹菜,东湖市场,4.1\n2026-10-22,芹菜,东湖市场,abc\n"
    r = client.post(
        "/t/360102/agriculture/prices",
        data={"csrf_token": token, "action": "import"},
        files={"file": ("p.csv", bad.encode("gbk"), "text/csv")},
    )
    assert r.status_code == 422 and "row 3" in r.text
    good = "day,product,market,price\n2026-10-22,芹菜,东湖市场,4.1\n"
    r = client.post(
        "/t/360102/agriculture/prices",
        data={"csrf_token": token, "action": "import"},
        files={"file": ("p.csv", good.encode(), "text/csv")},
    )
    assert r.status_code == 303
    api = client.get("/api/t/360102/agriculture/prices?product=芹菜&days=60").json()["items"]
    assert len(api) == 3 and [x["anomaly"] for x in api if x["price"] == "6.00"] == [True]


def test_matches_are_nearest_first_and_contact_is_a_message_without_the_phone(client, platform):
    a, b, c = (make_account(platform, "person", n) for n in ("seller", "near", "far"))
    donghu = platform.directory.get("360102")
    town = next(t for t in platform.directory.by_id.values() if t.parent_id == donghu.id)
    spots = {"360102": a, town.code: b, "360103": c}
    ids = {}
    for code, acc in spots.items():
        tenant = platform.directory.get(code)
        with platform.db.transaction(tenant.scope) as s:
            kind = "supply" if acc is a else "demand"
            ids[code] = market.create(
                s,
                tenant,
                PostIn(kind=kind, product="芹菜", quantity=Decimal(10), phone="13900000009"),
                account_id=acc.id,
                name=acc.display_name,
            ).id
    root = platform.directory.get("360000")
    with platform.db.session(root.subtree_scope) as s:
        found = market.matches(s, market.get(s, ids["360102"]))
    assert [(p.id, d) for p, d in found] == [(ids[town.code], 1), (ids["360103"], 2)]
    page = client.get(f"/t/360102/agriculture/posts/{ids['360102']}")
    assert page.status_code == 200 and "13900000009" not in page.text and "请登录" in page.text
    assert "13900000009" not in client.get("/api/t/360102/agriculture/posts").text
    login(client, "far")
    token = csrf_token(client, f"/t/360102/agriculture/posts/{ids['360102']}")
    r = client.post(
        f"/t/360102/agriculture/posts/{ids['360102']}", data={"csrf_token": token, "message": "要 500 斤"}
    )
    assert r.status_code == 200 and "已发送" in r.text
    with platform.db.session(Scope.system()) as s:
        msg = s.scalars(select(Message).where(Message.to_account_id == a.id)).one()
    assert msg.body_zh == "要 500 斤" and "13900000009" not in msg.body_zh


def test_photos_are_checked_and_overdue_questions_go_up_to_the_city(platform):
    farmer = make_account(platform, "person", "asker")
    county, city = platform.directory.get("360102"), platform.directory.get("360100")
    with pytest.raises(Invalid) as err:
        desk.check_photos(
            [desk.Upload("a.png", b"GIF89a...."), desk.Upload("b.jpg", b"\xff\xd8\xff" + b"0" * 3_000_000)]
        )
    assert set(err.value.fields) == {"photos.0", "photos.1"}
    with platform.db.transaction(county.scope) as s:
        q = desk.ask(
            s,
            platform,
            county,
            QuestionIn(title="稻瘟病怎么防？", body="叶片有褐色病斑"),
            [desk.Upload("leaf.png", PNG)],
            account_id=farmer.id,
            name="农户",
        )
        qid, due = q.id, q.due_on
    assert due == date(2026, 11, 5)  # three working days after Monday
    platform.clock.set(date(2026, 11, 6))
    with platform.db.session(county.subtree_scope) as s:
        assert [f.object_id for f in rules.questions_overdue(session=s, platform=platform)] == [str(qid)]
    with platform.db.transaction(county.scope) as s:
        assert desk.escalate(s, platform, county) == 1
        assert desk.escalate(s, platform, county) == 0
    with platform.db.transaction(city.subtree_scope) as s:
        assert [x.id for x in desk.for_experts(s, city)] == [qid]
        desk.answer(
            s,
            platform,
            city,
            qid,
            AnswerIn(answer="发病初期喷施三环唑。", version=2, publish=True),
            actor="市专家",
        )
    with platform.db.transaction(city.subtree_scope) as s, pytest.raises(Conflict):
        desk.answer(s, platform, city, qid, AnswerIn(answer="again", version=3), actor="x")
    with platform.db.session(platform.directory.get("360000").subtree_scope) as s:
        assert [x.id for x in desk.knowledge(s, "三环唑")] == [qid]
        assert desk.knowledge(s, "100%_") == []
    with platform.db.session(Scope.system()) as s:
        assert s.get(Question, qid).escalated_path == city.path


def test_the_desk_pages_take_photos_and_the_expert_answers(client, platform):
    make_account(platform, "person", "asker2")
    make_staff(platform, "expert", "360102", "agri_expert")
    login(client, "asker2")
    token = csrf_token(client, "/t/360102/agriculture/ask")
    r = client.post(
        "/t/360102/agriculture/ask",
        data={"csrf_token": token, "title": "茄子烂果", "body": "怎么办"},
        files={"photos": ("x.png", b"not an image", "image/png")},
    )
    assert r.status_code == 422 and "PNG" in r.text
    r = client.post(
        "/t/360102/agriculture/ask",
        data={"csrf_token": token, "title": "茄子烂果", "body": "怎么办"},
        files={"photos": ("x.png", PNG, "image/png")},
    )
    assert r.status_code == 303
    client.cookies.clear()
    login(client, "expert")
    desk_page = client.get("/t/360102/agriculture/desk")
    assert "茄子烂果" in desk_page.text
    with platform.db.session(Scope.system()) as s:
        q = s.scalars(select(Question).where(Question.title == "茄子烂果")).one()
    view = client.get(f"/t/360102/agriculture/desk/{q.id}")
    src = f"/t/360102/agriculture/desk/{q.id}/photos/"
    assert src in view.text
    photo = client.get(view.text.split(src)[1].split('"')[0].join([src, ""]))
    assert photo.headers["content-type"] == "image/png"
    token = csrf_token(client, f"/t/360102/agriculture/desk/{q.id}")
    r = client.post(
        f"/t/360102/agriculture/desk/{q.id}",
        data={"csrf_token": token, "answer": "摘除病果", "version": str(q.version), "publish": "yes"},
    )
    assert r.status_code == 303
    client.cookies.clear()
    assert "摘除病果" in client.get("/t/360102/agriculture/ask?q=烂果").text
    assert client.get(f"/t/360102/agriculture/desk/{q.id}").status_code in (303, 401, 403)
