"""The power and responsibility lists (权责清单): editions (a new one supersedes the published one, the
history kept), the public list with its chart, the keepers' pages (bad input refused naming the field,
HTML escaped, a stale form answers 409, another hall's power 404), items linked through hooks only —
approval's service guide shows the power, the console lists powers without an item and items without a
power — and the lists alone when approval is off."""

from __future__ import annotations

from datetime import date

import pytest
from factories import csrf_token, login, make_staff
from starlette.testclient import TestClient

from core.api import Conflict
from core.db import Scope
from plugins.openness import powers
from plugins.openness.schemas import PowerIn

BASE = "/t/360102/openness"
XSS = "<script>alert(1)</script>"
ESC = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(autouse=True)
def _day(platform):
    platform.clock.set(date(2026, 11, 2))


def _power(**kw):
    return PowerIn.model_validate(
        {
            "code": "DH-XK-101",
            "department_code": "xzspj",
            "category": "licensing",
            "name": "食品经营许可",
            "legal_basis": "《中华人民共和国食品安全法》第三十五条",
            "responsibilities": "受理、审查、决定",
        }
        | kw
    )


def _client(app) -> TestClient:
    return TestClient(app, follow_redirects=False)


def _post(client, page: str, action: str, **data):
    return client.post(action, data={"csrf_token": csrf_token(client, page), **data})


def test_a_new_edition_supersedes_the_published_one_and_the_history_stays(platform):
    tenant = platform.directory.get("360102")
    with platform.db.transaction(tenant.scope) as s:
        first = powers.create(s, tenant, _power(), "keeper")
        powers.publish(s, platform, tenant, first, first.version, "keeper")
        with pytest.raises(Conflict):
            powers.create(s, tenant, _power(), "keeper")  # the code is taken
        draft = powers.revise(s, tenant, first, first.version, "keeper")
        with pytest.raises(Conflict) as e:
            powers.revise(s, tenant, first, first.version, "keeper")
        assert e.value.code == "draft_exists"
        assert [p.code for p in powers.published(s, tenant)] == ["DH-XK-101"]
        platform.clock.set(date(2026, 11, 9))
        powers.edit(s, tenant, draft, draft.version, _power(legal_basis="新依据"), "keeper")
        with pytest.raises(Conflict) as e:
            powers.publish(s, platform, tenant, draft, draft.version - 1, "keeper")
        assert e.value.code == "stale_version"
        powers.publish(s, platform, tenant, draft, draft.version, "keeper")
        history = powers.editions(s, tenant, "DH-XK-101")
        assert [(p.edition, p.state, p.ended_on) for p in history] == [
            (2, "published", None),
            (1, "superseded", date(2026, 11, 9)),
        ]
        assert powers.published(s, tenant)[0].legal_basis == "新依据"
        assert powers.by_category(s, tenant)["licensing"] == 1


def test_the_keepers_pages_public_list_escaping_and_a_stale_form(app, client, platform):
    make_staff(platform, "keeper", "360102", "power_list_officer")
    keeper = login(_client(app), "keeper")
    new = f"{BASE}/powers/manage/new"
    r = _post(
        keeper,
        new,
        new,
        code="bad code!",
        department_code="xzspj",
        category="licensing",
        name="",
        legal_basis="x" * 10001,
        responsibilities="",
    )
    assert r.status_code == 422
    for field in (
        "权力编码 (code)",
        "权力名称 (name)",
        "法律依据 (legal_basis)",
        "责任事项 (responsibilities)",
    ):
        assert field in r.text
    r = _post(
        keeper,
        new,
        new,
        code="DH-XK-101",
        department_code="nope",
        category="licensing",
        name="许可",
        legal_basis="依据",
        responsibilities="责任",
    )
    assert r.status_code == 422 and "没有该部门" in r.text
    r = _post(
        keeper,
        new,
        new,
        code="DH-XK-101",
        department_code="xzspj",
        category="licensing",
        name=f"食品经营许可{XSS}",
        legal_basis=f"依据{XSS}",
        responsibilities=f"责任{XSS}",
    )
    assert r.status_code == 303, r.text[:500]
    url = r.headers["location"]
    pid = int(url.rsplit("/", 1)[1])
    assert client.get(f"{BASE}/powers/{pid}").status_code == 404  # a draft is not public
    page = keeper.get(url)
    assert page.status_code == 200 and XSS not in page.text and ESC in page.text
    assert _post(keeper, url, f"{url}/publish", version="1").status_code == 303
    public = client.get(f"{BASE}/powers")
    assert public.status_code == 200 and "<svg" in public.text and f"食品经营许可{ESC}" in public.text
    assert XSS not in public.text and "行政许可" in public.text
    assert client.get(f"{BASE}/powers/{pid}").status_code == 200
    r = _post(keeper, url, f"{url}/revise", version="1")  # stale: publishing made it version 2
    assert r.status_code == 409 and "刷新" in r.text
    r = _post(keeper, url, f"{url}/revise", version="2")
    assert r.status_code == 303
    assert guest_cannot_manage(client, url)


def guest_cannot_manage(client, url) -> bool:
    return client.get(url).status_code in (401, 403, 303)


def _linkable(platform, code="360102"):
    tenant = platform.directory.get(code)
    with platform.db.transaction(tenant.scope) as s:
        p = powers.create(s, tenant, _power(code="DH-XK-201"), "keeper")
        powers.publish(s, platform, tenant, p, p.version, "keeper")
        orphan = powers.create(
            s, tenant, _power(code="DH-CF-201", category="penalty", name="某处罚"), "keeper"
        )
        powers.publish(s, platform, tenant, orphan, orphan.version, "keeper")
        return p.id, orphan.id


def test_items_link_through_hooks_the_guide_shows_the_power_and_the_console_the_gaps(demo_platform):
    from core.app import create_app

    platform = demo_platform
    app = create_app(platform=platform)
    pid, _orphan = _linkable(platform)
    make_staff(platform, "keeper2", "360102", "power_list_officer")
    keeper = login(_client(app), "keeper2")
    url = f"{BASE}/powers/manage/{pid}"
    page = keeper.get(url)
    assert "食品经营许可" in page.text and 'value="DH-SP-001"' in page.text  # approval's items, by the hook
    r = _post(keeper, url, f"{url}/link", item_code="NOPE-1")
    assert r.status_code == 422 and "没有该办事事项" in r.text
    assert _post(keeper, url, f"{url}/link", item_code="DH-SP-001").status_code == 303
    guide = _client(app).get("/t/360102/approval/items/DH-SP-001")
    assert guide.status_code == 200 and "行使的权力（权责清单）" in guide.text
    assert f"/t/360102/openness/powers/{pid}" in guide.text
    gaps = keeper.get(f"{BASE}/powers/gaps")
    assert gaps.status_code == 200
    without_item = gaps.text.split('id="powers-without-item"')[1].split("</table>")[0]
    without_power = gaps.text.split('id="items-without-power"')[1].split("</table>")[0]
    assert "某处罚" in without_item and "DH-XK-201" not in without_item
    assert "食品经营许可" not in without_power and "生育登记" in without_power
    assert keeper.get(f"/t/360103/openness/powers/manage/{pid}").status_code in (403, 404)

    from core.tenancy.service import set_plugin_state

    with platform.db.transaction(Scope.system()) as s:
        set_plugin_state(
            s, platform.directory, platform.directory.get("360102"), "approval", "off", actor="t"
        )
    platform.refresh(force=True)
    alone = keeper.get(f"{BASE}/powers/gaps")
    assert alone.status_code == 200 and "本级未开通办事事项目录" in alone.text
    assert _client(app).get(f"{BASE}/powers").status_code == 200
    assert "本级未开通办事事项目录" in keeper.get(url).text


def test_another_halls_power_is_not_found(app, platform):
    pid, _ = _linkable(platform)
    make_staff(platform, "xihu_keeper", "360103", "power_list_officer")
    xihu = login(_client(app), "xihu_keeper")
    assert xihu.get(f"/t/360103/openness/powers/manage/{pid}").status_code == 404
    assert xihu.get(f"/t/360103/openness/powers/{pid}").status_code == 404
    r = _post(
        xihu,
        "/t/360103/openness/powers/manage",
        f"/t/360103/openness/powers/manage/{pid}/repeal",
        version="2",
        note="取消",
    )
    assert r.status_code == 404
    tenant = platform.directory.get("360102")
    with platform.db.session(tenant.scope) as s:
        assert powers.get(s, tenant, pid).state == "published"
