"""The sunshine_medicine supervision rules on the real database, through supervision's own scan: each
finds what it should (over imported rows too) and nothing else, one card per occurrence; volume
procurement completion and the insurance prepayment; prescriptions pushed and their findings; the
dashboard shows the kind covered."""

from __future__ import annotations

from datetime import date

import pytest
from medicine_helpers import DAY, HOSPITAL, order_to, world
from sqlalchemy import select

from core.api import Conflict
from core.db import Scope
from plugins.medicine import catalogue, rules, vbp
from plugins.medicine.models import Invoice, OrderLine


def _cards(platform, today):
    from plugins.supervision import scan
    from plugins.supervision.models import Card

    scan.run_scan(platform, today=today)
    with platform.db.session(Scope.system()) as s:
        return sorted(
            s.execute(
                select(Card.rule_id, Card.object_id).where(Card.kind_of_power == "sunshine_medicine")
            ).all()
        )


def test_order_rules_unpaid_third_invoice_and_price_above_listed(platform):
    w = world(platform)
    late = order_to(w, "invoiced")
    paid = order_to(w, "paid")
    imported = order_to(w, "accepted")
    d = w.donghu
    with platform.db.transaction(d.scope) as s:  # rows as a bad import would leave them
        line = s.scalars(select(OrderLine).where(OrderLine.order_id == imported)).first()
        line.price_cents = line.listed_cents = 1300
        for seq in (1, 2, 3):
            s.add(
                Invoice(
                    tenant_id=d.id,
                    tenant_path=d.path,
                    order_id=imported,
                    seq=seq,
                    issuer_code="x",
                    receiver_code="y",
                    number=f"I{seq}",
                    amount_cents=1,
                    issued_on=DAY,
                )
            )
    assert _cards(platform, date(2026, 12, 31)) == sorted(
        [("medicine.price_above_listed", str(line.id)), ("medicine.third_invoice", str(imported))]
    )
    cards = _cards(platform, date(2027, 1, 1))  # the due day passed: both unpaid orders, not the paid one
    assert ("medicine.unpaid_overdue", str(late)) in cards and (
        "medicine.unpaid_overdue",
        str(imported),
    ) in cards
    assert ("medicine.unpaid_overdue", str(paid)) not in cards and len(cards) == 4
    assert _cards(platform, date(2027, 1, 2)) == cards  # a re-scan issues nothing twice


def test_volume_procurement_completion_prepayment_and_lagging(platform):
    w = world(platform)
    with platform.db.transaction(Scope.system()) as s:
        r = vbp.create_round(
            s,
            w.province,
            name="第十批集采",
            starts_on=DAY,
            ends_on=date(2027, 11, 30),
            prepay_percent=30,
            products=[(w.products[0], 1000)],
            actor="t",
        )
        rid = r.id
    with platform.db.transaction(w.donghu.scope) as s:
        c = vbp.commit(
            s, w.donghu, rid, hospital_id=w.hospital_id, product_id=w.products[0], annual_qty=1200, actor="t"
        )
        assert c.prepaid_cents == 1200 * 1000 * 30 // 100
        with pytest.raises(Conflict):
            vbp.commit(
                s, w.donghu, rid, hospital_id=w.hospital_id, product_id=w.products[0], annual_qty=1, actor="t"
            )
    order_to(w, "accepted", qty=100)  # product 0: 100 accepted in December
    with platform.db.session(w.donghu.subtree_scope) as s:
        done = vbp.completion(s, rid, w.donghu, date(2027, 2, 1))[0]
        assert (done.done_qty, done.expected_qty, done.monthly) == (100, 200, [("2026-12", 100)])
    # Two months in, 100 of the 200 expected: lagging (below 80 %); one month in it is too early to say.
    assert ("medicine.vbp_lagging", str(c.id)) not in _cards(platform, date(2027, 1, 5))
    assert ("medicine.vbp_lagging", str(c.id)) in _cards(platform, date(2027, 2, 5))


def test_prescription_findings(platform):
    w = world(platform)
    a, b = w.products
    P = vbp.PrescriptionIn  # noqa: N806
    items = [
        P("R1", "甲", a, 1, 8, "outpatient", DAY, trace_code="T1"),  # 8 days outpatient, no reason
        P("R2", "乙", a, 1, 4, "emergency", DAY, reason="外地患者", trace_code="T2"),  # with a reason: fine
        P("R3", "丙", a, 1, 4, "emergency", DAY, trace_code="T3"),  # 4 days emergency: over 3
        P("R4", "丁", b, 1, 7, "outpatient", DAY, trace_code="T1"),  # T1 a second time
        P("R5", "甲", b, 40, 3, "outpatient", DAY),
        P("R6", "乙", b, 5, 3, "outpatient", DAY),
        P("R7", "丙", b, 6, 3, "outpatient", DAY),  # 甲 40 against peers' 5.5 average of drug b
    ]
    with platform.db.transaction(w.donghu.scope) as s:
        h = catalogue.hospital_of(s, w.donghu, HOSPITAL)
        assert vbp.push(s, w.donghu, h, items, actor="t") == 7
        with pytest.raises(Conflict):
            vbp.push(s, w.donghu, h, items[:1], actor="t")
    with platform.db.session(w.donghu.scope) as s:
        long = {f.object_id for f in rules.scan_long_supply(session=s)}
        outliers = [f.object_id for f in rules.scan_doctor_outlier(session=s, today=DAY)]
        twice = [f.object_id for f in rules.scan_trace_twice(session=s)]
    ids = dict(_ids(platform))
    assert long == {ids["R1"], ids["R3"]}
    assert outliers == [f"{w.hospital_id}:{b}:甲"] and twice == ["T1"]


def _ids(platform):
    from plugins.medicine.models import Prescription

    with platform.db.session(Scope.system()) as s:
        return [(e, str(i)) for e, i in s.execute(select(Prescription.external_id, Prescription.id))]


def test_the_dashboard_shows_sunshine_medicine_covered(platform):
    from plugins.supervision.dashboard import kinds_of_power

    t = platform.directory.get("360102")
    with platform.db.session(t.subtree_scope) as s:
        items = {i["kind"]: i for i in kinds_of_power(platform, s, t, t.subtree_scope)["items"]}
    assert items["sunshine_medicine"]["covered"] is True
