"""Approval's supervision rules scan a whole subtree in one query: same findings as hall by hall, each
tenant's own yellow margin (a per-tenant setting) applied in SQL, and a link to the application."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from approval_helpers import FOOD, ctx, food_uploads, in_scope, who

from core import calendar
from core.db import Scope
from plugins.approval import catalogue, handling, rules, services
from plugins.approval.schemas import ItemIn

STAFF = who("staff", 100, label="staff:h")


def _set_margin(platform: Any, code: str, days: int) -> None:
    from core.tenancy.service import set_tenant_setting

    with platform.db.transaction(Scope.system()) as s:
        set_tenant_setting(s, platform.directory.get(code), rules.MARGIN, days, actor="tests")
    platform.refresh(force=True)


def _accepted_at(platform: Any, tenant: Any) -> tuple[int, Any]:
    with platform.db.transaction(tenant.scope) as s:
        catalogue.create_item(s, tenant, ItemIn.model_validate(FOOD))
    with in_scope(platform, tenant) as s:
        app = services.submit(s, ctx(platform, tenant, who()), FOOD["code"], {"shop_name": "x"},
                              food_uploads())
        handling.accept(s, ctx(platform, tenant, STAFF), app.id, app.version)
        return app.id, app.deadline


def _scan(platform: Any, scope: Scope, tenant: Any, rule_id: str, today: Any) -> list[Any]:
    rule = next(r for r in rules.RULES if r["id"] == rule_id)
    with platform.db.session(scope) as s:
        return rule["scan"](platform=platform, session=s, tenant=tenant, today=today)


@pytest.fixture
def two_halls(platform: Any) -> dict[str, Any]:
    donghu, xihu = platform.directory.get("360102"), platform.directory.get("360103")
    (d_id, due), (x_id, x_due) = _accepted_at(platform, donghu), _accepted_at(platform, xihu)
    assert due == x_due
    return {"donghu": donghu, "xihu": xihu, "nanchang": platform.directory.get("360100"),
            "ids": {donghu.id: str(d_id), xihu.id: str(x_id)}, "due": due}


def _key(f: Any) -> tuple[Any, ...]:
    return (f.code, f.object_id, f.tenant_id, f.level, f.message_zh, tuple(sorted(f.facts.items())))


def test_every_rule_scans_the_subtree(two_halls: dict[str, Any]) -> None:
    assert all(r["scan_subtree"] for r in rules.RULES)


@pytest.mark.parametrize("rule_id", ["approval.deadline_prompt", "approval.deadline_near",
                                     "approval.overdue"])
def test_a_subtree_scan_finds_what_the_halls_find(platform: Any, two_halls: dict[str, Any],
                                                  rule_id: str) -> None:
    h, due = two_halls, two_halls["due"]
    for today in (calendar.add_workdays(due, -1), due + timedelta(days=1)):
        whole = _scan(platform, h["nanchang"].subtree_scope, h["nanchang"], rule_id, today)
        halls = [f for t in (h["donghu"], h["xihu"]) for f in _scan(platform, t.scope, t, rule_id, today)]
        assert sorted(map(_key, whole)) == sorted(map(_key, halls))
    red = _scan(platform, h["nanchang"].subtree_scope, h["nanchang"], "approval.overdue",
                due + timedelta(days=1))
    assert {f.tenant_id: f.object_id for f in red} == h["ids"]
    assert {f.facts["href"] for f in red} == {f"approval/workbench/{i}" for i in h["ids"].values()}


def test_each_hall_keeps_its_own_yellow_margin(platform: Any, two_halls: dict[str, Any]) -> None:
    h, due = two_halls, two_halls["due"]
    _set_margin(platform, "360103", 4)  # Xihu warns 4 working days ahead; Donghu inherits 2
    three_before = calendar.add_workdays(due, -3)
    assert calendar.add_workdays(three_before, 3) == due
    found = _scan(platform, h["nanchang"].subtree_scope, h["nanchang"], "approval.deadline_near",
                  three_before)
    assert [(f.tenant_id, f.facts["margin"]) for f in found] == [(h["xihu"].id, 4)]
    one_before = calendar.add_workdays(due, -1)
    found = _scan(platform, h["nanchang"].subtree_scope, h["nanchang"], "approval.deadline_near", one_before)
    assert sorted((f.tenant_id, f.facts["margin"]) for f in found) == sorted(
        [(h["donghu"].id, 2), (h["xihu"].id, 4)])


def test_margins_group_tenants_by_their_effective_setting(platform: Any) -> None:
    _set_margin(platform, "360100", 3)  # Nanchang and below
    _set_margin(platform, "360103", 2)  # back to the province's value for Xihu
    province = platform.directory.get("360000")
    by_id, overrides, top = rules.margins(platform, province.subtree_scope)
    d = platform.directory
    assert top == 2 and by_id[d.get("360102").id] == 3 and by_id[d.get("360103").id] == 2
    assert by_id[d.get("360200").id] == 2
    assert overrides == [(d.get("360103").path, 2), (d.get("360100").path, 3)]  # deepest first
