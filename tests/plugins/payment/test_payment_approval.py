"""Payment and approval through events and the gate check only: an item whose fee is due before
acceptance opens an order on submission and holds acceptance until it is paid; with payment off, approval
goes ahead unchanged; the applicant is told once, even when the event is redelivered."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from factories import make_account
from payment_helpers import FEE, gateway_call
from sqlalchemy import delete, select, update

from core import events
from core.api import Conflict
from core.db import Scope
from core.messages import Message
from plugins.payment import services
from plugins.payment.models import Order

approval = pytest.importorskip("plugins.approval.services")
from plugins.approval import catalogue, handling  # noqa: E402
from plugins.approval.schemas import ItemIn  # noqa: E402

# The applications are submitted now: ones submitted before a fee took effect are not held for it.
NOW = date.today()
ITEM = {
    "code": "DH-GA-903",
    "name": "居民身份证换领",
    "item_type": "public_service",
    "section": "public_service",
    "entrance": "personal",
    "department_code": "gaj",
    "statutory_days": 60,
    "promised_days": 20,
    "fee_cents": 2000,
    "legal_basis": "《中华人民共和国居民身份证法》",
    "materials": [],
}


def _ctx(platform: Any, who: Any) -> Any:
    return approval.Ctx(platform=platform, tenant=platform.directory.get("360102"), who=who, today=NOW)


def _who(account: Any) -> Any:
    return approval.Who(
        label=f"{account.kind}:{account.id}",
        account_id=account.id,
        kind=account.kind,
        allowed=lambda p: True,
        departments=None,
        name=account.display_name,
        id_number=account.id_number or "",
    )


@pytest.fixture
def applied(paying: Any) -> tuple[Any, int]:
    donghu = paying.directory.get("360102")
    with paying.db.transaction(donghu.scope) as s:
        catalogue.create_item(s, donghu, ItemIn.model_validate(ITEM))
        services.set_fee(
            s, donghu, actor="tests", **{**FEE, "item_code": ITEM["code"], "stage": "before_acceptance"}
        )
    person = make_account(paying, "person")
    with paying.db.transaction(donghu.scope) as s:
        app = approval.submit(s, _ctx(paying, _who(person)), ITEM["code"], {}, [])
        app_id = app.id
    events.dispatch_pending(paying)
    return person, app_id


def _accept(platform: Any, app_id: int) -> Any:
    clerk = make_account(platform, "staff")
    donghu = platform.directory.get("360102")
    with platform.db.transaction(donghu.scope) as s:
        app = approval.load(s, app_id)
        return handling.accept(s, _ctx(platform, _who(clerk)), app.id, app.version).state


def test_submission_opens_an_order_and_acceptance_waits_for_payment(paying, gateway, applied):
    person, app_id = applied
    with paying.db.session(Scope.system()) as s:
        [order] = s.scalars(select(Order).where(Order.application_id == app_id)).all()
        due = s.scalars(select(Message).where(Message.to_account_id == person.id)).all()
    assert order.payer_account_id == person.id and order.stage == "before_acceptance"
    assert [m.kind for m in due] == ["payment.created"] and due[0].href == f"payment/my/{order.id}"
    with pytest.raises(Conflict) as held:
        _accept(paying, app_id)
    assert held.value.code == "held_by_payment" and "20.00" in held.value.message_zh
    donghu = paying.directory.get("360102")
    started = services.start(paying, donghu, order.id, return_url="http://hall/r", actor="tests")
    pid = started.provider_payment_id
    gateway_call(gateway, "POST", f"/v1/payments/{pid}/outcome", body={"outcome": "success"})
    services.sync(paying, donghu, order.id, actor="tests")
    assert _accept(paying, app_id) == "accepted"


def test_a_redelivered_submission_opens_nothing_more(paying, gateway, applied):
    person, app_id = applied
    with paying.db.transaction(Scope.system()) as s:
        s.execute(delete(events.EventDelivery).where(events.EventDelivery.plugin == "payment"))
        s.execute(update(events.OutboxEvent).values(dispatched_at=None))
    events.dispatch_pending(paying)
    with paying.db.session(Scope.system()) as s:
        assert len(s.scalars(select(Order).where(Order.application_id == app_id)).all()) == 1
        assert len(s.scalars(select(Message).where(Message.kind == "payment.created")).all()) == 1


def test_with_payment_off_approval_goes_ahead(paying, gateway):
    from core.tenancy.service import set_plugin_state

    donghu = paying.directory.get("360102")
    with paying.db.transaction(Scope.system()) as s:
        set_plugin_state(s, paying.directory, donghu, "payment", "off", actor="tests")
    paying.refresh(force=True)
    with paying.db.transaction(donghu.scope) as s:
        catalogue.create_item(s, donghu, ItemIn.model_validate(ITEM))
        services.set_fee(
            s, donghu, actor="tests", **{**FEE, "item_code": ITEM["code"], "stage": "before_acceptance"}
        )
    person = make_account(paying, "person")
    with paying.db.transaction(donghu.scope) as s:
        app_id = approval.submit(s, _ctx(paying, _who(person)), ITEM["code"], {}, []).id
    events.dispatch_pending(paying)
    assert _accept(paying, app_id) == "accepted"
    with paying.db.session(Scope.system()) as s:
        assert s.scalars(select(Order)).all() == []
    assert _facts(paying, app_id, "staff") == []  # approval's pages show no payment


def _facts(platform: Any, app_id: int, viewer: str) -> list[dict[str, Any]]:
    from plugins.approval.facts import case_facts

    donghu = platform.directory.get("360102")
    with platform.db.session(donghu.scope) as s:
        return case_facts(platform, donghu, approval.load(s, app_id), viewer, s)


def test_the_clerk_and_the_applicant_see_the_payment_on_the_application(paying, gateway, applied):
    person, app_id = applied
    [mine] = _facts(paying, app_id, "applicant")
    with paying.db.session(Scope.system()) as s:
        order_id = s.scalar(select(Order.id).where(Order.application_id == app_id))
    assert mine["value_zh"] == "20.00 元 · 待支付" and mine["level"] == "warning"
    assert mine["href"] == f"/t/360102/payment/my/{order_id}" and mine["link_zh"] == "去缴费"
    [staff] = _facts(paying, app_id, "staff")
    assert staff["href"] == f"/t/360102/payment/orders/{order_id}"
    donghu = paying.directory.get("360102")
    started = services.start(paying, donghu, order_id, return_url="http://hall/r", actor="tests")
    pid = started.provider_payment_id
    gateway_call(gateway, "POST", f"/v1/payments/{pid}/outcome", body={"outcome": "success"})
    services.sync(paying, donghu, order_id, actor="tests")
    [paid] = _facts(paying, app_id, "staff")
    assert paid["value_en"] == "20.00 yuan · paid" and paid["level"] == "ok"
