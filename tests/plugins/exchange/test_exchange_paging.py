"""The province searches the catalogue of its whole tree page by page: every resource exactly once; lists
longer than the old 500-row cap (grants, the queue, the log viewer) page on with core.api's cursors."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from exchange_helpers import PROVIDER, sync
from factories import login, make_staff
from sqlalchemy import func, select

from core.api import Scope, today
from plugins.exchange.models import AccessRequest, Grant, Resource

PROVINCE = "360000"


def _walk(client, url: str, **params) -> list[dict]:
    items, cursor = [], None
    for _ in range(200):
        r = client.get(url, params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        body = r.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("the cursor never ended")


def test_the_province_pages_through_its_trees_catalogue_each_resource_once(client, platform):
    for code in (PROVINCE, PROVIDER, "360102", "360121"):
        sync(platform, code)
    root = platform.directory.get(PROVINCE)
    with platform.db.session(Scope.below(root.id, root.path)) as s:
        every = set(s.scalars(select(Resource.id).where(Resource.active.is_(True))))
    assert len(every) > 20
    make_staff(platform, "prov_x", PROVINCE, "exchange_officer")
    login(client, "prov_x")
    url = f"/api/t/{PROVINCE}/exchange/catalogue"
    got = [r["id"] for r in _walk(client, url, limit=7)]
    assert len(got) == len(set(got)) and set(got) == every  # each once, none lost
    same = _walk(client, url, q="credit", limit=2)
    assert len(same) == 4 and len({r["id"] for r in same}) == 4  # one per tenant that offers it
    bad = client.get(url, params={"cursor": "nope"})
    assert bad.status_code == 422 and "cursor" in bad.json()["error"]["fields"]
    assert client.get(url, params={"limit": "101"}).status_code == 422
    # the page: a "More" link carries the search on
    page = client.get(f"/t/{PROVINCE}/exchange/catalogue", params={"q": "", "limit": "5"})
    assert page.status_code == 200 and "cursor=" in page.text and page.text.count('class="xcard"') == 5


def test_more_than_500_grants_and_requests_page_on(client, platform):
    sync(platform)
    provider = platform.directory.get(PROVIDER)
    day = today(platform)
    with platform.db.transaction(provider.scope) as s:
        res = s.scalars(select(Resource).where(Resource.tenant_id == provider.id)).first()
        common = {
            "resource_id": res.id,
            "resource_code": res.code,
            "resource_name": res.name,
            "consumer_tenant_id": provider.id,
            "consumer_identifier": "GOV:360000/360100:fgw",
            "consumer_name": "发改委",
            "tenant_id": provider.id,
            "tenant_path": provider.path,
        }
        s.add_all(Grant(granted_on=day, expires_on=day + timedelta(days=30), **common) for _ in range(520))
        s.add_all(
            AccessRequest(purpose="核查", submitted_on=day, due_on=day + timedelta(days=n % 9), **common)
            for n in range(510)
        )
    with platform.db.session(provider.scope) as s:
        assert s.scalar(select(func.count()).select_from(Grant)) == 520
    make_staff(platform, "nanchang_x", PROVIDER, "exchange_officer", "fgw")
    login(client, "nanchang_x")
    grants = _walk(client, f"/api/t/{PROVIDER}/exchange/grants", limit=500)
    assert len(grants) == 520 and len({g["id"] for g in grants}) == 520
    queue = _walk(client, f"/api/t/{PROVIDER}/exchange/queue", limit=200)
    assert len(queue) == 510 and len({r["id"] for r in queue}) == 510
    assert [r["due_on"] for r in queue] == sorted(r["due_on"] for r in queue)  # by due day across pages
    page = client.get(f"/t/{PROVIDER}/exchange/queue")
    assert page.status_code == 200 and "gcursor=" in page.text and "?cursor=" in page.text


def test_the_log_viewer_and_api_page_with_the_verification_of_each_page(client, platform):
    from plugins.exchange import msglog

    t = platform.directory.get(PROVIDER)
    for i in range(7):
        msglog.record(
            platform,
            t,
            resource="credit.report",
            consumer=f"GOV:x:{i}",
            result="ok",
            status=200,
            facts={"request_digest": msglog.digest({"i": i})},
        )
    make_staff(platform, "nanchang_x", PROVIDER, "exchange_officer", "fgw")
    login(client, "nanchang_x")
    seqs, cursor = [], None
    while True:
        r = client.get(
            f"/api/t/{PROVIDER}/exchange/log", params={"limit": 3, **({"cursor": cursor} if cursor else {})}
        )
        assert r.status_code == 200 and r.json()["verified"] is True, r.text
        seqs += [e["seq"] for e in r.json()["items"]]
        if not (cursor := r.json()["next_cursor"]):
            break
    assert seqs == list(range(1, 8))
    first = client.get(f"/t/{PROVIDER}/exchange/log", params={"limit": 5})
    assert first.status_code == 200 and "?cursor=" in first.text and 'data-label="#">7<' in first.text
    cursor = first.text.split("?cursor=")[1].split('"')[0]
    older = client.get(f"/t/{PROVIDER}/exchange/log", params={"cursor": cursor})
    assert (
        older.status_code == 200
        and 'data-label="#">2<' in older.text
        and 'data-label="#">7<' not in older.text
    )
    assert "✓" in older.text  # that page's slice verifies too


def test_the_consumers_requests_and_grants_page_on_past_500(client, platform):
    """The "mine" page and API of the consumer (Donghu) used to stop at 500 rows of each list."""
    sync(platform)
    provider, consumer = platform.directory.get(PROVIDER), platform.directory.get("360102")
    day = today(platform)
    with platform.db.transaction(provider.scope) as s:
        res = s.scalars(select(Resource).where(Resource.tenant_id == provider.id)).first()
        common = {
            "resource_id": res.id,
            "resource_code": res.code,
            "resource_name": res.name,
            "consumer_tenant_id": consumer.id,
            "consumer_identifier": "GOV:360000/360100/360102:xzspj",
            "consumer_name": "行政审批局",
            "tenant_id": provider.id,
            "tenant_path": provider.path,
        }
        s.add_all(Grant(granted_on=day, expires_on=day + timedelta(days=30), **common) for _ in range(530))
        s.add_all(AccessRequest(purpose="核查", submitted_on=day, due_on=day, **common) for _ in range(505))
    make_staff(platform, "donghu_x", "360102", "exchange_officer", "xzspj")
    login(client, "donghu_x")
    reqs = _walk(client, "/api/t/360102/exchange/mine/requests", limit=200)
    assert len(reqs) == 505 and len({r["id"] for r in reqs}) == 505
    assert [r["id"] for r in reqs] == sorted((r["id"] for r in reqs), reverse=True)  # newest first
    grants = _walk(client, "/api/t/360102/exchange/mine/grants", limit=500)
    assert len(grants) == 530 and len({g["id"] for g in grants}) == 530
    first = client.get("/api/t/360102/exchange/mine").json()
    assert len(first["requests"]) == 50 and first["next_requests_cursor"] and first["next_grants_cursor"]
    assert client.get("/api/t/360102/exchange/mine/grants", params={"limit": "501"}).status_code == 422
    # the page: 50 of each, a "More" link for each list, and the next page of grants keeps the requests' place
    page = client.get("/t/360102/exchange/mine")
    assert page.status_code == 200 and "gcursor=" in page.text and "?cursor=" in page.text
    seen, url, rounds = set(), "/t/360102/exchange/mine", 0
    while url and rounds < 20:
        text = client.get(url).text
        seen |= {int(x.split('"')[0]) for x in text.split('data-grant="')[1:]}
        more = re.search(r'id="more-grants" href="\?([^"]+)"', text)
        url = "/t/360102/exchange/mine?" + html.unescape(more.group(1)) if more else ""
        rounds += 1
    assert len(seen) == 530


def test_mine_pages_merge_several_roots_by_id(platform, monkeypatch):
    """With more than one root (two trees), each root's page is read in its own scope and the pages are
    merged newest first: every row once, in id order, whatever the page size."""
    from core.api import PageParams, decode_cursor
    from plugins.exchange import services

    sync(platform)
    consumer = platform.directory.get("360102")
    cities = [t for t in platform.directory.by_id.values() if t.level == "city"][:2]
    assert len(cities) == 2 and not cities[1].path.startswith(cities[0].path)
    day = today(platform)
    for city in cities * 3:  # interleaved ids across the two "roots"
        with platform.db.transaction(city.scope) as s:
            s.add(Grant(resource_id=1, resource_code="x", resource_name="x", consumer_tenant_id=consumer.id,
                        consumer_identifier="GOV:x", consumer_name="x", granted_on=day,
                        expires_on=day + timedelta(days=9), tenant_id=city.id, tenant_path=city.path))
    roots = [Scope.below(c.id, c.path) for c in cities]
    monkeypatch.setattr(services, "network_roots", lambda _p: iter(roots))
    with platform.db.session(Scope.system()) as s:
        ids = s.scalars(select(Grant.id).where(Grant.consumer_tenant_id == consumer.id))
        want = sorted(ids, reverse=True)
    assert len(want) == 6
    for limit in (1, 2, 4, 6, 7):
        got, params = [], PageParams(limit=limit)
        for _ in range(10):
            page = services.mine_grants(platform, consumer, params)
            got += [g.id for g in page.items]
            if not page.next_cursor:
                break
            params = PageParams(limit=limit, after=decode_cursor(page.next_cursor))
        assert got == want, limit
