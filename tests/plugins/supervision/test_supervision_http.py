"""Supervision through real HTTP: who sees which cards, who may do what, pages and dashboards."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sv_test_plugin as tp
from factories import actor_of, csrf_token, login, make_staff
from sqlalchemy import select

from core.calendar import add_workdays
from core.db import Scope
from plugins.supervision import scan, services
from plugins.supervision.models import Card

TODAY = date(2026, 11, 28)


@pytest.fixture
def world(sv: Any) -> dict[str, Any]:
    """Staff around Nanchang and Jingdezhen, and one red card each at Donghu (xzspj) and Jingdezhen."""
    people = {
        "dh_handler": make_staff(sv, "dh_handler", "360102", "item_handler", department="xzspj"),
        "dh_fgw": make_staff(sv, "dh_fgw", "360102", "item_handler", department="fgw"),
        "xh_handler": make_staff(sv, "xh_handler", "360103", "item_handler"),
        "dh_sup": make_staff(sv, "dh_sup", "360102", "supervisor", subtree=True),
        "nc_sup": make_staff(sv, "nc_sup", "360100", "supervisor", subtree=True),
        "nc_tier": make_staff(sv, "nc_tier", "360100", "supervisor", subtree=False),
        "jdz_sup": make_staff(sv, "jdz_sup", "360200", "supervisor", subtree=True),
    }
    dh = tp.add_case(sv, "360102", date(2026, 11, 20), department="xzspj")
    jdz = tp.add_case(sv, "360200", date(2026, 11, 20), department="fgw")
    scan.run_scan(sv, today=TODAY)
    with sv.db.session(Scope.system()) as s:
        ids = {c.object_id: c.id for c in s.scalars(select(Card))}
    return {"people": people, "dh": ids[str(dh)], "jdz": ids[str(jdz)]}


def _as(client: Any, username: str) -> Any:
    client.cookies.clear()
    return login(client, username)


def _ids(r: Any) -> set[int]:
    assert r.status_code == 200, r.text
    return {c["id"] for c in r.json()["items"]}


def _post(client: Any, code: str, card_id: int, action: str, version: int, note: str = "") -> Any:
    return client.post(f"/api/t/{code}/supervision/cards/{card_id}/{action}",
                       json={"version": version, "note": note},
                       headers={"x-csrf-token": csrf_token(client, "/my/")})  # a session-cookie client


def test_a_xihu_department_cannot_see_donghu_cards(sv_client: Any, world: dict[str, Any]) -> None:
    c = _as(sv_client, "xh_handler")
    assert _ids(c.get("/api/t/360103/supervision/cards")) == set()
    assert c.get(f"/api/t/360103/supervision/cards/{world['dh']}").status_code == 404
    assert c.get("/api/t/360102/supervision/cards").status_code == 403
    assert _post(c, "360103", world["dh"], "acknowledge", 1).status_code == 404


def test_a_department_sees_only_its_own_work(sv_client: Any, world: dict[str, Any]) -> None:
    c = _as(sv_client, "dh_fgw")
    assert _ids(c.get("/api/t/360102/supervision/cards")) == set()
    assert _post(c, "360102", world["dh"], "acknowledge", 1).status_code == 404
    c = _as(sv_client, "dh_handler")
    assert _ids(c.get("/api/t/360102/supervision/cards")) == {world["dh"]}


def test_a_city_supervisor_sees_its_subtree_only(sv_client: Any, world: dict[str, Any]) -> None:
    c = _as(sv_client, "nc_sup")
    seen = _ids(c.get("/api/t/360100/supervision/cards"))
    assert world["dh"] in seen and world["jdz"] not in seen
    card = c.get(f"/api/t/360100/supervision/cards/{world['dh']}").json()
    assert card["tenant_code"] == "360102"
    assert card["object_href"] == f"/t/360102/sv_test/cases/{card['object_id']}"
    assert card["may_respond"] == [] and card["may_act"] == []  # issued: nothing to decide yet
    assert c.get(f"/api/t/360100/supervision/cards/{world['jdz']}").status_code == 404
    assert c.get("/api/t/360200/supervision/cards").status_code == 403
    c = _as(sv_client, "jdz_sup")
    assert _ids(c.get("/api/t/360200/supervision/cards")) == {world["jdz"]}


def test_supervisors_act_only_on_cards(sv: Any, sv_client: Any, world: dict[str, Any]) -> None:
    registry = sv.registry
    sup = actor_of(world["people"]["nc_sup"])
    donghu = sv.directory.get("360102")
    # Every non-read permission a Nanchang supervisor actually holds at Donghu, whichever plugin declared it.
    acting = {name for name, perm in registry.permissions.items()
              if not perm.read_only and sv.access.check(sup, donghu, name).allowed}
    assert acting <= {"supervision:card:act", "hall:account:self"}, acting
    for perm in ("approval:application:accept", "approval:application:decide", "supervision:card:respond"):
        if perm in registry.permissions:
            assert not sv.access.check(sup, donghu, perm).allowed, perm
    assert sv.access.check(sup, donghu, "supervision:card:act").allowed
    c = _as(sv_client, "nc_sup")
    refused = _post(c, "360102", world["dh"], "acknowledge", 1)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    if "approval" in sv.enabled(donghu):  # the approval plugin's own action endpoint refuses too
        assert c.post("/api/t/360102/approval/applications/1/accept", json={}).status_code in (403, 404)


def test_card_workflow_with_versions_and_clear_errors(sv_client: Any, world: dict[str, Any]) -> None:
    card = world["dh"]
    c = _as(sv_client, "dh_handler")
    r = _post(c, "360102", card, "resolve", 1)
    assert r.status_code == 403  # departments respond, supervisors resolve
    r = _post(c, "360102", card, "acknowledge", 1)
    assert r.status_code == 200 and r.json()["state"] == "acknowledged" and r.json()["version"] == 2
    stale = _post(c, "360102", card, "appeal", 1, note="理由")
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "version_conflict"
    assert "已被他人修改" in stale.json()["error"]["message"]
    no_note = _post(c, "360102", card, "appeal", 2)
    assert no_note.status_code == 422 and no_note.json()["error"]["fields"] == {"note": "required"}
    bad = c.post(f"/api/t/360102/supervision/cards/{card}/appeal", json={"version": "two"},
                 headers={"x-csrf-token": csrf_token(c, "/my/")})
    assert bad.status_code == 422 and "version" in bad.json()["error"]["fields"]
    s = _as(sv_client, "dh_sup")
    wrong = _post(s, "360102", card, "revoke", 2, note="x")
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "bad_transition"
    assert "不能撤销" in wrong.json()["error"]["message"]
    done = _post(s, "360102", card, "resolve", 2)
    assert done.status_code == 200 and done.json()["state"] == "resolved"
    history = s.get(f"/api/t/360102/supervision/cards/{card}").json()["history"]
    assert [h["action"] for h in history] == ["issue", "acknowledge", "resolve"]


def test_escalated_cards_move_to_the_parent_tier(sv: Any, sv_client: Any, world: dict[str, Any]) -> None:
    card = world["dh"]
    c = _as(sv_client, "nc_tier")  # a Nanchang supervisor without a subtree grant
    assert card not in _ids(c.get("/api/t/360100/supervision/cards"))
    with sv.db.session(Scope.system()) as s:
        due = s.get(Card, card).feedback_due
    with sv.db.transaction(Scope.system()) as s:
        assert card in services.escalate_overdue(sv, s, today=add_workdays(due, 1))
    assert _ids(c.get("/api/t/360100/supervision/cards?owned=true")) == {card}
    body = c.get(f"/api/t/360100/supervision/cards/{card}").json()
    assert (body["state"], body["owner_tenant_code"], body["escalation_level"]) == ("escalated", "360100", 1)
    d = _as(sv_client, "dh_handler")  # the department still sees it and answers it
    assert _post(d, "360102", card, "acknowledge", 2).status_code == 200
    s = _as(sv_client, "dh_sup")  # the county supervisor no longer owns it
    assert card in _ids(s.get("/api/t/360102/supervision/cards"))
    assert _post(s, "360102", card, "resolve", 3).status_code == 403
    c = _as(sv_client, "nc_tier")
    assert _post(c, "360100", card, "resolve", 3).status_code == 200


def test_pages_are_chinese_first_and_forms_work(sv_client: Any, world: dict[str, Any]) -> None:
    c = _as(sv_client, "dh_handler")
    page = c.get("/t/360102/supervision/")
    assert page.status_code == 200 and "电子监察" in page.text and "红牌" in page.text
    detail = c.get(f"/t/360102/supervision/cards/{world['dh']}")
    assert "触发事实" in detail.text and "签收" in detail.text and 'name="csrf_token"' in detail.text
    token = csrf_token(c, f"/t/360102/supervision/cards/{world['dh']}")
    r = c.post(f"/t/360102/supervision/cards/{world['dh']}/acknowledge",
               data={"csrf_token": token, "version": "1", "note": ""})
    assert r.status_code == 303
    assert "已签收" in c.get(f"/t/360102/supervision/cards/{world['dh']}").text
    english = c.get("/t/360102/supervision/?lang=en")
    assert "Electronic supervision" in english.text and "Red card" in english.text


def test_dashboards_json_and_charts(sv: Any, sv_client: Any, world: dict[str, Any]) -> None:
    tp.add_case(sv, "360103", date(2026, 11, 30), concluded_on=date(2026, 11, 27))  # on time
    tp.add_case(sv, "360102", date(2026, 11, 10), concluded_on=date(2026, 11, 20))  # late
    c = _as(sv_client, "nc_sup")
    data = c.get("/api/t/360100/supervision/dashboard").json()
    assert data["subtree"] is True and data["cards"]["total"] == 1  # Donghu's; Jingdezhen's is outside
    assert data["cards"]["by_severity"]["red"] == 1
    rates = {i["tenant_code"]: i for i in data["rates"]["items"]}
    assert rates["360102"]["received"] == 2 and rates["360102"]["on_time_rate"] == 0.0
    assert rates["360103"]["on_time_rate"] == 1.0 and rates["360103"]["completion_rate"] == 1.0
    order = [i["tenant_code"] for i in data["rates"]["items"]]
    assert order.index("360102") < order.index("360103")  # worst first
    kinds = {k["kind"]: k for k in data["kinds"]["items"]}
    assert len(kinds) == 7 and kinds["administrative_approval"]["covered"] is True
    assert kinds["administrative_approval"]["open_cards"] == 1
    assert kinds["cadre_personnel"]["covered"] is False
    assert sum(data["trend"]["cards"]["red"]) == 1 and len(data["trend"]["weeks"]) == 12
    for part in ("cards", "rates", "trend", "kinds"):
        assert c.get(f"/api/t/360100/supervision/dashboard/{part}").status_code == 200
        svg = c.get(f"/t/360100/supervision/dashboard/{part}.svg")
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert c.get("/api/t/360100/supervision/dashboard/nope").status_code == 404
    own = c.get("/api/t/360100/supervision/dashboard?subtree=0").json()
    assert own["subtree"] is False and own["cards"]["total"] == 0
    page = c.get("/t/360100/supervision/dashboard")
    assert page.status_code == 200 and "<svg" in page.text
    assert "七类权力" in page.text and "未接入" in page.text
    assert _as(sv_client, "dh_handler").get("/api/t/360102/supervision/dashboard").status_code == 403


def test_the_api_is_in_the_openapi_document(sv_client: Any) -> None:
    doc = sv_client.get("/api/openapi.json").json()
    paths = [p for p in doc["paths"] if "/supervision/" in p]
    assert any(p.endswith("/supervision/cards") for p in paths), paths
    assert any(p.endswith("/acknowledge") for p in paths) and any(p.endswith("/dashboard") for p in paths)
