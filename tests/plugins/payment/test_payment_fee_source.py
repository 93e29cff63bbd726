"""One fee, not two (issue #16): where payment is on, the fee it charges is the fee approval's service
guide shows, stamps on a new application and checks in its ``approval.fee_mismatch`` rule; with payment
off, approval's own column is the fee."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from factories import make_account
from sqlalchemy import update

from core.db import Scope
from plugins.payment import services

approval = pytest.importorskip("plugins.approval.services")
from plugins.approval import catalogue, fees, rules  # noqa: E402
from plugins.approval.models import Application  # noqa: E402
from plugins.approval.schemas import ItemIn  # noqa: E402

NOW = date.today()
ITEM = {
    "code": "DH-GT-902",
    "name": "个体工商户登记",
    "item_type": "licence",
    "section": "approval",
    "entrance": "personal",
    "department_code": "scj",
    "statutory_days": 15,
    "promised_days": 3,
    "fee_cents": 0,  # the guide's own column says free
    "legal_basis": "《促进个体工商户发展条例》",
    "materials": [],
}
CHARGED = {
    "item_code": ITEM["code"],
    "item_name": ITEM["name"],
    "amount_cents": 1000,
    "legal_basis": "演示收费依据 10元/件",
    "stage": "on_demand",
}


def _who(account: Any) -> Any:
    return approval.Who(
        label=f"{account.kind}:{account.id}", account_id=account.id, kind=account.kind,
        allowed=lambda p: True, departments=None, name=account.display_name,
        id_number=account.id_number or "",
    )


@pytest.fixture
def item(platform: Any) -> Any:
    """Approval's item says free; payment charges 10.00 for it at Donghu."""
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:
        catalogue.create_item(s, donghu, ItemIn.model_validate(ITEM))
        services.set_fee(s, donghu, actor="tests", **CHARGED)
    return donghu


def _payment_off(platform: Any, tenant: Any) -> None:
    from core.tenancy.service import set_plugin_state

    with platform.db.transaction(Scope.system()) as s:
        set_plugin_state(s, platform.directory, tenant, "payment", "off", actor="tests")
    platform.refresh(force=True)


def _submit(platform: Any, tenant: Any) -> int:
    person = make_account(platform, "person")
    ctx = approval.Ctx(platform=platform, tenant=tenant, who=_who(person), today=NOW)
    with platform.db.transaction(tenant.scope) as s:
        return int(approval.submit(s, ctx, ITEM["code"], {}, []).id)


def _mismatches(platform: Any, tenant: Any) -> list[Any]:
    rule = next(r for r in rules.RULES if r["id"] == "approval.fee_mismatch")
    with platform.db.session(tenant.scope) as s:
        return list(rule["scan"](platform=platform, session=s, tenant=tenant, today=NOW))


def test_the_guide_shows_and_the_application_carries_the_charged_fee(platform, client, item):
    page = client.get(f"/t/360102/approval/items/{ITEM['code']}")
    assert page.status_code == 200
    assert "10.00" in page.text and CHARGED["legal_basis"] in page.text
    assert client.get(f"/api/t/360102/approval/items/{ITEM['code']}").json()["fee"] == 10.0
    app_id = _submit(platform, item)
    with platform.db.session(item.scope) as s:
        assert s.get(Application, app_id).fee_cents == 1000
    assert _mismatches(platform, item) == []  # the rule sees the charged fee as the standard
    with platform.db.transaction(item.scope) as s:  # charged the guide's old "free" instead
        s.execute(update(Application).where(Application.id == app_id).values(fee_cents=0))
    found = _mismatches(platform, item)
    assert [(f.object_id, f.facts["standard_fee"]) for f in found] == [(str(app_id), 10.0)]


def test_with_payment_off_the_guide_and_rule_use_approvals_own_fee(platform, client, item):
    _payment_off(platform, item)
    with platform.db.session(item.scope) as s:
        fee = fees.item_fee(platform, item, catalogue.get_item(s, ITEM["code"]), s)
    assert (fee.cents, fee.charged) == (0, False)
    page = client.get(f"/t/360102/approval/items/{ITEM['code']}")
    assert page.status_code == 200 and "10.00" not in page.text
    app_id = _submit(platform, item)
    assert _mismatches(platform, item) == []
    with platform.db.transaction(item.scope) as s:
        s.execute(update(Application).where(Application.id == app_id).values(fee_cents=1000))
    assert [f.facts["standard_fee"] for f in _mismatches(platform, item)] == [0.0]


def test_an_item_payment_does_not_charge_for_is_free_where_payment_is_on(platform, item):
    with platform.db.session(item.scope) as s:
        got = fees.charged_fees(platform, item, [ITEM["code"], "DH-NOPE-1"], s)
    assert (got["DH-NOPE-1"].cents, got[ITEM["code"]].cents) == (0, 1000)
