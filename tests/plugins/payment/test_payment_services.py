"""Payment orders against the simulated gateway over real HTTP: states, idempotency, wrong amounts, double
payments, refunds never above what was paid, expiry, receipts, reconciliation and the T+1 rule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from factories import make_account
from payment_helpers import FEE, gateway_call
from sqlalchemy import func, select, update

from core.api import Conflict, Invalid, today, utcnow
from core.db import Scope
from core.messages import Message
from plugins.payment import reconciliation, rules, services
from plugins.payment.models import Order, OrderChange, Receipt, Reconciliation, Refund


def _payer(platform: Any) -> services.Payer:
    acc = make_account(platform, "person")
    return services.Payer(acc.id, acc.display_name, f"person:{acc.id}")


def _in(platform: Any, fn: Any, code: str = "360102") -> Any:
    tenant = platform.directory.get(code)
    with platform.db.transaction(tenant.scope) as s:
        return fn(s, tenant)


def _order(platform: Any, payer: services.Payer, key: str = "k1", cents: int = 2000) -> Order:
    return _in(
        platform,
        lambda s, t: services.create_order(
            s, platform, t, payer=payer, item_code=FEE["item_code"], amount_cents=cents, idempotency_key=key
        )[0],
    )


def _start(platform: Any, order_id: int) -> Order:
    donghu = platform.directory.get("360102")
    return services.start(platform, donghu, order_id, return_url="http://hall/return", actor="tests")


def _sync(platform: Any, order_id: int) -> Order:
    return services.sync(platform, platform.directory.get("360102"), order_id, actor="tests")


def _pay(platform: Any, gateway: str, order_id: int, outcome: str = "success") -> Order:
    started = _start(platform, order_id)
    assert started.state == "started" and started.next_url.startswith(gateway + "/pay/")
    page = started.next_url.removeprefix(gateway)
    status, html = gateway_call(gateway, "GET", page)
    assert status == 200 and "¥20.00" in html
    status, _ = gateway_call(gateway, "POST", page, form={"outcome": outcome})
    assert status == 303  # back to the hall's return URL
    return _sync(platform, order_id)


def _count(platform: Any, model: Any) -> int:
    with platform.db.session(Scope.system()) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_payment_goes_through_the_gateway_and_gets_a_receipt(paying, gateway):
    payer = _payer(paying)
    order = _order(paying, payer)
    assert order.state == "created" and order.amount_cents == 2000 and order.legal_basis == FEE["legal_basis"]
    paid = _pay(paying, gateway, order.id)
    assert paid.state == "success" and paid.paid_on == today(paying)
    with paying.db.session(Scope.system()) as s:
        states = [(c.to_state, c.note) for c in s.scalars(select(OrderChange).order_by(OrderChange.id))]
        receipt = s.scalar(select(Receipt))
        told = [m.kind for m in s.scalars(select(Message).where(Message.to_account_id == payer.account_id))]
    # the attempt is recorded before the gateway is called, the outcome after, each in its own transaction
    assert states == [("created", "created"), ("created", "gateway_attempt"), ("started", ""),
                      ("success", "gateway")]
    assert receipt is not None and receipt.amount_cents == 2000 and receipt.number == f"R{order.reference}"
    assert told == ["payment.success"]
    assert _sync(paying, order.id).state == "success"  # a finished order stays as it is


def test_creation_is_idempotent_and_refuses_wrong_amounts_and_double_payments(paying, gateway):
    payer = _payer(paying)
    first = _order(paying, payer, key="same")
    assert _order(paying, payer, key="same").id == first.id
    with pytest.raises(Conflict) as reused:  # same key, different request
        _order(paying, payer, key="same", cents=1999)
    assert reused.value.code == "idempotency_key_reused"
    with pytest.raises(Invalid) as wrong:
        _order(paying, payer, key="other", cents=1999)
    assert wrong.value.code == "wrong_amount" and "amount_cents" in wrong.value.fields
    with pytest.raises(Conflict) as twice:  # the first one is still unfinished
        _order(paying, payer, key="second")
    assert twice.value.code == "payment_in_progress"
    assert _count(paying, Order) == 1
    with pytest.raises(Invalid) as unknown:
        _in(
            paying,
            lambda s, t: services.create_order(
                s, paying, t, payer=payer, item_code="NO-FEE-1", amount_cents=100, idempotency_key="x"
            ),
        )
    assert unknown.value.code == "no_fee" and _count(paying, Order) == 1


def test_an_application_is_paid_once(paying, gateway):
    payer = _payer(paying)

    def for_app(key: str) -> Order:
        return _in(
            paying,
            lambda s, t: services.create_order(
                s,
                paying,
                t,
                payer=payer,
                item_code=FEE["item_code"],
                amount_cents=2000,
                idempotency_key=key,
                application_id=77,
            )[0],
        )

    order = for_app("a1")
    _pay(paying, gateway, order.id)
    with pytest.raises(Conflict) as again:
        for_app("a2")
    assert again.value.code == "already_paid" and _count(paying, Order) == 1


def test_refunds_never_exceed_what_was_paid(paying, gateway):
    order = _order(paying, _payer(paying))
    _pay(paying, gateway, order.id)

    def refund(cents: int, key: str) -> Refund:
        return services.refund(
            paying, paying.directory.get("360102"), order.id, amount_cents=cents, reason="多收",
            idempotency_key=key, actor="tests",
        )

    first = refund(500, "r1")
    assert refund(500, "r1").id == first.id  # a repeat returns the first refund
    with pytest.raises(Invalid) as over:
        refund(1501, "r2")
    assert over.value.code == "refund_too_large" and "amount_cents" in over.value.fields
    with pytest.raises(Invalid):
        refund(0, "r3")
    refund(1500, "r4")
    with pytest.raises(Invalid):
        refund(1, "r5")
    with paying.db.session(Scope.system()) as s:
        assert s.get(Order, order.id).refunded_cents == 2000
        assert [r.amount_cents for r in s.scalars(select(Refund).order_by(Refund.id))] == [500, 1500]
    status, state = gateway_call(
        gateway, "GET", f"/v1/payments/{_sync(paying, order.id).provider_payment_id}"
    )
    assert status == 200 and state["refunded"] == 2000


def test_an_unpaid_order_cannot_be_refunded(paying, gateway):
    order = _order(paying, _payer(paying))
    with pytest.raises(Conflict) as refused:
        services.refund(
            paying, paying.directory.get("360102"), order.id, amount_cents=100, reason="x",
            idempotency_key="r", actor="tests",
        )
    assert refused.value.code == "not_paid" and _count(paying, Refund) == 0


def test_declined_cancelled_and_expired(paying, gateway):
    payer = _payer(paying)
    declined = _pay(paying, gateway, _order(paying, payer, key="d").id, outcome="decline")
    assert declined.state == "failed"
    cancelled = _in(
        paying,
        lambda s, t: services.cancel(
            s, paying, t, services.load(s, t, _order(paying, payer, key="c").id), actor="tests"
        ),
    )
    assert cancelled.state == "cancelled"
    stale = _order(paying, payer, key="e")
    _start(paying, stale.id)
    with paying.db.transaction(Scope.system()) as s:
        s.execute(
            update(Order).where(Order.id == stale.id).values(expires_at=utcnow() - timedelta(minutes=1))
        )
    expired = _sync(paying, stale.id)
    assert (expired.state, expired.failure_code) == ("failed", "expired")
    with pytest.raises(Conflict):
        _start(paying, expired.id)


def test_the_periodic_task_learns_outcomes_without_the_payer_returning(paying, gateway):
    order = _order(paying, _payer(paying))
    started = _start(paying, order.id)
    status, _ = gateway_call(
        gateway, "POST", f"/v1/payments/{started.provider_payment_id}/outcome", body={"outcome": "success"}
    )
    assert status == 200
    with paying.db.transaction(Scope.system()) as s:
        rules.sync_task(platform=paying, tenant=None, session=s)
    with paying.db.session(Scope.system()) as s:
        assert s.get(Order, order.id).state == "success"


def test_an_unreachable_gateway_changes_nothing(paying):
    from core.tenancy import service

    root = paying.directory.get("360000")
    with paying.db.transaction(Scope.system()) as s:
        service.set_tenant_setting(s, root, "payment.gateway_url", "http://127.0.0.1:9", actor="tests")
    paying.refresh(force=True)
    order = _order(paying, _payer(paying))
    with pytest.raises(Conflict) as away:
        _start(paying, order.id)
    assert away.value.code == "gateway_unavailable"
    with paying.db.session(Scope.system()) as s:
        assert s.get(Order, order.id).state == "created"


def test_reconciliation_lists_every_difference_and_the_t1_rule(paying, gateway):
    payer = _payer(paying)
    a = _pay(paying, gateway, _order(paying, payer, key="a").id)
    day = a.paid_on
    status, statement = gateway_call(gateway, "GET", f"/v1/statements/{day.isoformat()}")
    assert status == 200 and a.reference in statement
    ours = [line for line in statement.splitlines() if a.reference in line or line.startswith("reference")]
    clean = _in(
        paying,
        lambda s, t: reconciliation.reconcile(
            s, paying, t, provider="sim", day=day, text="\n".join(ours), actor="tests"
        ),
    )
    assert clean.differences == [] and clean.lines == 1
    tampered = "\n".join(
        [ours[0], ours[1].replace(",2000,", ",1900,"), f"FOREIGN1,zz999,500,payment,{day.isoformat()}"]
    )
    diff = _in(
        paying,
        lambda s, t: reconciliation.reconcile(
            s, paying, t, provider="sim", day=day, text=tampered, actor="tests"
        ),
    )
    assert sorted(d["kind"] for d in diff.differences) == ["payment_amount_differs", "payment_not_ours"]
    missing = _in(
        paying,
        lambda s, t: reconciliation.reconcile(
            s, paying, t, provider="sim", day=day, text=ours[0], actor="tests"
        ),
    )
    assert [d["kind"] for d in missing.differences] == ["payment_missing_from_statement"]
    with pytest.raises(Invalid) as bad:
        _in(
            paying,
            lambda s, t: reconciliation.reconcile(
                s, paying, t, provider="sim", day=day, text="a,b\n1,2", actor="tests"
            ),
        )
    assert bad.value.code == "bad_statement"
    assert _count(paying, Reconciliation) == 3

    def scan(on: Any) -> list[Any]:
        with paying.db.session(Scope.below(paying.directory.get("360000").id, "360000")) as s:
            return rules.scan_reconciliation(platform=paying, session=s, today=on)

    assert scan(day + timedelta(days=2)) == []  # reconciled
    with paying.db.transaction(Scope.system()) as s:
        s.execute(Reconciliation.__table__.delete())
    assert scan(day + timedelta(days=1)) == []  # T+1 is still the due day
    [late] = scan(day + timedelta(days=2))
    assert late.code == "payment.reconciliation_overdue" and late.facts["payments"] == 1
