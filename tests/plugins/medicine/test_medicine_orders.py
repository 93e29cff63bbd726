"""The order state machine on the real database: the whole chain, who may act, refusals that change
nothing (price above listed, unknown product, over-delivery, accepting more than shipped, a third invoice,
paying twice), stale versions, the 30-day due day through the legal clock, and the daily reconciliation
of accepted against paid balancing to the cent."""

from __future__ import annotations

from datetime import date

import pytest
from medicine_helpers import DAY, DIST, HOSPITAL, order_to, world
from sqlalchemy import func, select

from core.api import Conflict, Invalid, NotFound
from core.db import Scope
from plugins.medicine import catalogue, orders
from plugins.medicine.models import Invoice, Order, OrderLine, Payment


def _order(platform, oid):
    with platform.db.session(Scope.system()) as s:
        o = s.get(Order, oid)
        s.expunge(o)
        return o


def _count(platform, model):
    with platform.db.session(Scope.system()) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_the_whole_chain_with_its_due_day_and_audit(platform):
    w = world(platform)
    oid = order_to(w, "paid", qty=10)
    o = _order(platform, oid)
    assert o.status == "paid" and o.accepted_cents == 10 * 1260 + 10 * 800
    assert o.accepted_on == DAY and o.due_on == date(2026, 12, 31) and o.paid_on == DAY
    with platform.db.session(Scope.system()) as s:
        inv = s.scalars(select(Invoice).where(Invoice.order_id == oid).order_by(Invoice.seq)).all()
        assert [(i.seq, i.receiver_code) for i in inv] == [(1, DIST), (2, HOSPITAL)]
        from core.audit import AuditEntry

        acts = s.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.target == f"medicine.order:{oid}")
            .order_by(AuditEntry.seq)
        ).all()
    assert acts == [
        "medicine.order.created",
        "medicine.order.submitted",
        "medicine.order.responded",
        "medicine.order.shipped",
        "medicine.order.accepted",
        "medicine.order.invoiced",
        "medicine.order.invoiced",
        "medicine.order.paid",
    ]


def test_refusals_name_the_field_and_change_nothing(platform):
    w = world(platform)
    p, t = platform, w.donghu
    with p.db.transaction(t.scope) as s:
        h = catalogue.hospital_of(s, t, HOSPITAL)
        with pytest.raises(Invalid) as e:
            orders.create(s, p, t, h, [orders.LineIn(w.products[0], 5, 1261)], actor="t")
        assert e.value.code == "above_listed_price" and "lines.0.price_cents" in e.value.fields
        with pytest.raises(Invalid) as e:
            orders.create(
                s, p, t, h, [orders.LineIn(w.products[0], 5, 1), orders.LineIn(10**9, 1, 1)], actor="t"
            )
        assert e.value.code == "unknown_product" and "lines.1.product_id" in e.value.fields
    assert _count(p, Order) == 0
    oid = order_to(w, "confirmed", qty=5)
    with p.db.transaction(t.scope) as s:
        o = orders.load(s, t, oid)
        ids = [ln.id for ln in orders.lines_of(s, oid)]
        with pytest.raises(Invalid) as e:
            orders.ship(
                s, p, t, oid, o.version, delivery_note="SHD", quantities={ids[0]: 6}, code=DIST, actor="t"
            )
        assert e.value.code == "over_delivery" and f"lines.{ids[0]}.quantity" in e.value.fields
        with pytest.raises(NotFound):  # the hospital cannot ship: to it this act's order does not exist
            orders.ship(
                s, p, t, oid, o.version, delivery_note="SHD", quantities={ids[0]: 1}, code=HOSPITAL, actor="t"
            )
        orders.ship(
            s,
            p,
            t,
            oid,
            o.version,
            delivery_note="SHD",
            quantities={ids[0]: 3, ids[1]: 5},
            code=DIST,
            actor="t",
        )
    with p.db.transaction(t.scope) as s:
        o = orders.load(s, t, oid)
        with pytest.raises(Invalid) as e:
            orders.accept(
                s, p, t, oid, o.version, {ids[0]: (4, "B1"), ids[1]: (5, "B2")}, code=HOSPITAL, actor="t"
            )
        assert e.value.code == "over_acceptance" and f"lines.{ids[0]}.quantity" in e.value.fields
    with p.db.session(t.scope) as s:
        assert orders.load(s, t, oid).status == "shipped"
        assert s.scalar(select(func.sum(OrderLine.accepted_qty))) == 0


def test_stale_versions_are_409_and_the_invoice_chain_stops_at_two_and_paying_twice_is_refused(platform):
    w = world(platform)
    p, t = platform, w.donghu
    oid = order_to(w, "accepted")
    with p.db.transaction(t.scope) as s:
        o = orders.load(s, t, oid)
        stale = o.version
        orders.record_invoice(s, p, t, oid, o.version, number="FP1", amount_cents=100, code=DIST, actor="t")
    with p.db.transaction(t.scope) as s, pytest.raises(Conflict) as e:
        orders.record_invoice(s, p, t, oid, stale, number="FP2", amount_cents=100, code=DIST, actor="t")
    assert e.value.code == "stale_version"
    with p.db.transaction(t.scope) as s:
        o = orders.load(s, t, oid)
        with pytest.raises(Invalid) as e:
            orders.record_invoice(s, p, t, oid, o.version, number="FP2", amount_cents=1, code=DIST, actor="t")
        assert e.value.code == "amount_mismatch"
        orders.record_invoice(
            s, p, t, oid, o.version, number="FP2", amount_cents=o.accepted_cents, code=DIST, actor="t"
        )
    with p.db.transaction(t.scope) as s, pytest.raises(Conflict):
        o = orders.load(s, t, oid)
        orders.record_invoice(s, p, t, oid, o.version, number="FP3", amount_cents=1, code=DIST, actor="t")
    assert _count(p, Invoice) == 2
    with p.db.transaction(t.scope) as s:
        o = orders.load(s, t, oid)
        orders.pay(
            s, p, t, oid, o.version, amount_cents=o.accepted_cents, reference="1", code=HOSPITAL, actor="t"
        )
    with p.db.transaction(t.scope) as s, pytest.raises(Conflict) as e:
        o = orders.load(s, t, oid)
        orders.pay(
            s, p, t, oid, o.version, amount_cents=o.accepted_cents, reference="2", code=HOSPITAL, actor="t"
        )
    assert e.value.code == "paid_twice" and _count(p, Payment) == 1


def test_another_tenant_sees_no_order(platform):
    w = world(platform)
    oid = order_to(w, "submitted")
    with platform.db.session(w.nanchang.scope) as s, pytest.raises(NotFound):
        orders.load(s, w.nanchang, oid)
    with platform.db.session(w.nanchang.scope) as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 0


def test_daily_reconciliation_balances_to_the_cent(platform):
    w = world(platform)
    p = platform
    paid_ids = []
    days = [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 4)]
    for n, day in enumerate(days):
        p.clock.set(day)
        paid_ids.append(order_to(w, "invoiced", qty=3 + n * 7))  # odd quantities: odd cents
    p.clock.set(date(2026, 12, 5))
    for oid in paid_ids[:2]:
        with p.db.transaction(w.donghu.scope) as s:
            o = orders.load(s, w.donghu, oid)
            orders.pay(
                s,
                p,
                w.donghu,
                oid,
                o.version,
                amount_cents=o.accepted_cents,
                reference="r",
                code=HOSPITAL,
                actor="t",
            )
    with p.db.session(w.donghu.scope) as s:
        ledger = orders.daily_ledger(s, w.hospital_id, date(2026, 11, 30), date(2026, 12, 6))
        for a, b in zip(ledger, ledger[1:], strict=False):
            assert a.closing_cents == b.opening_cents
        for day in ledger:
            assert day.closing_cents == day.opening_cents + day.accepted_cents - day.paid_cents
            assert day.closing_cents == orders.outstanding(s, w.hospital_id, day.day)
        accepted = sum(d.accepted_cents for d in ledger)
        paid = sum(d.paid_cents for d in ledger)
        unpaid = s.scalar(select(Order.accepted_cents).where(Order.id == paid_ids[2]))
        assert accepted - paid == unpaid == ledger[-1].closing_cents
        assert isinstance(accepted, int) and accepted == sum(
            s.scalars(select(Order.accepted_cents).where(Order.id.in_(paid_ids)))
        )
