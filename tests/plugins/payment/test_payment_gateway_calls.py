"""The gateway is called with no database transaction open, and every step survives a crash between the
call and the recording of its outcome: the attempt is recorded first, the gateway creates one payment per
order reference and one refund per key, and the periodic task finishes what was left half done."""

from __future__ import annotations

from typing import Any

import pytest
from payment_helpers import gateway_call
from test_payment_services import _order, _pay, _payer

from core.api import Conflict
from core.db import Scope
from plugins.payment import rules, services
from plugins.payment.models import Order, OrderChange, Refund
from plugins.payment.providers import ProviderUnavailable, provider_for


class Watched:
    """The real provider, checking at each call that the caller holds no pooled connection (so no
    transaction), and able to fail once before or after the real call (a timeout, a crash)."""

    def __init__(self, platform: Any, real: Any) -> None:
        self.platform, self.real = platform, real
        self.calls: list[str] = []
        self.fail_after: set[str] = set()
        self.away: set[str] = set()

    def _check(self, name: str) -> None:
        assert self.platform.db.engine.pool.checkedout() == 0, f"{name}: called inside a transaction"
        self.calls.append(name)
        if name in self.away:
            raise ProviderUnavailable("test: away")

    def create(self, platform: Any, tenant: Any, **kw: Any) -> Any:
        self._check("create")
        made = self.real.create(platform, tenant, **kw)
        if "create" in self.fail_after:
            self.fail_after.discard("create")
            self.lost = made
            raise RuntimeError("crashed after the gateway answered")
        return made

    def state(self, platform: Any, tenant: Any, payment_id: str) -> str:
        self._check("state")
        return str(self.real.state(platform, tenant, payment_id))

    def refund(self, platform: Any, tenant: Any, payment_id: str, **kw: Any) -> str:
        self._check("refund")
        return str(self.real.refund(platform, tenant, payment_id, **kw))


@pytest.fixture
def watched(paying: Any, monkeypatch: pytest.MonkeyPatch) -> Watched:
    w = Watched(paying, provider_for(paying, paying.directory.get("360102")))
    monkeypatch.setattr(services, "provider_for", lambda platform, tenant: w)
    return w


def test_a_crash_after_the_gateway_created_the_payment_is_repaired_by_trying_again(paying, gateway, watched):
    donghu = paying.directory.get("360102")
    order = _order(paying, _payer(paying))
    watched.fail_after.add("create")
    with pytest.raises(RuntimeError):
        services.start(paying, donghu, order.id, return_url="http://hall/r", actor="tests")
    with paying.db.session(Scope.system()) as s:
        left = s.get(Order, order.id)
        notes = [c.note for c in s.query(OrderChange).filter_by(order_id=order.id).order_by(OrderChange.id)]
    assert left.state == "created" and left.provider_payment_id == ""  # nothing recorded but the attempt
    assert notes == ["created", "gateway_attempt"]
    again = services.start(paying, donghu, order.id, return_url="http://hall/r", actor="tests")
    assert again.state == "started" and again.provider_payment_id == watched.lost.payment_id  # the same one
    assert watched.calls == ["create", "create"]


def test_a_payer_who_paid_while_the_hall_was_away_is_found_by_the_periodic_task(paying, gateway, watched):
    donghu = paying.directory.get("360102")
    order = _order(paying, _payer(paying))
    started = services.start(paying, donghu, order.id, return_url="http://hall/r", actor="tests")
    gateway_call(
        gateway, "POST", f"/v1/payments/{started.provider_payment_id}/outcome", body={"outcome": "success"}
    )
    with paying.db.transaction(Scope.system()) as s:  # the task's own session, as the job runner gives it
        rules.sync_task(platform=paying, tenant=None, session=s)
    with paying.db.session(Scope.system()) as s:
        assert s.get(Order, order.id).state == "success"
    assert watched.calls == ["create", "state"]


def test_a_refund_the_gateway_could_not_be_asked_for_stays_reserved_and_is_completed_once(
    paying, gateway, watched
):
    donghu = paying.directory.get("360102")
    order = _pay(paying, gateway, _order(paying, _payer(paying)).id)
    watched.away.add("refund")
    with pytest.raises(Conflict) as away:
        services.refund(
            paying, donghu, order.id, amount_cents=1500, reason="多收", idempotency_key="k", actor="tests"
        )
    assert away.value.code == "gateway_unavailable"
    with paying.db.session(Scope.system()) as s:
        [pending] = s.query(Refund).all()
        assert pending.state == "pending" and s.get(Order, order.id).refunded_cents == 1500  # reserved
    with pytest.raises(Exception) as over:  # the reservation counts: 6.00 more would exceed what was paid
        services.refund(
            paying, donghu, order.id, amount_cents=600, reason="x", idempotency_key="k2", actor="tests"
        )
    assert getattr(over.value, "code", "") == "refund_too_large"
    watched.away.clear()
    with paying.db.transaction(Scope.system()) as s:
        rules.sync_task(platform=paying, tenant=None, session=s)
    again = services.refund(
        paying, donghu, order.id, amount_cents=1500, reason="多收", idempotency_key="k", actor="tests"
    )  # the same request again: the finished refund, not a second
    assert again.state == "done" and again.provider_refund_id
    _, at_gateway = gateway_call(gateway, "GET", f"/v1/payments/{order.provider_payment_id}")
    assert at_gateway["refunded"] == 1500


def test_a_refund_the_gateway_refuses_gives_the_reservation_back(paying, gateway, watched, monkeypatch):
    donghu = paying.directory.get("360102")
    order = _pay(paying, gateway, _order(paying, _payer(paying)).id)
    from core.api import Invalid

    def refuse(*a: Any, **k: Any) -> str:
        raise Invalid("refused", "拒绝", code="refund_refused")

    monkeypatch.setattr(watched, "refund", refuse)
    with pytest.raises(Invalid):
        services.refund(
            paying, donghu, order.id, amount_cents=500, reason="x", idempotency_key="r", actor="tests"
        )
    with paying.db.session(Scope.system()) as s:
        assert [r.state for r in s.query(Refund).all()] == ["refused"]
        assert s.get(Order, order.id).refunded_cents == 0
