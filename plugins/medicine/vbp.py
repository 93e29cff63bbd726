"""Volume-based procurement (带量采购) and prescription monitoring, on a session (no HTTP).

A round run by a tier names its winning products at their winning prices; each hospital below commits an
annual quantity per product, and the insurance fund prepays ``prepay_percent`` of that year's amount.
Completion is the quantity the hospital accepted since the round began, month by month.

Hospitals push prescription summaries (doctor, product, quantity, days of supply, visit, traceability
code); the supervision rules read them set-based (rules.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import String, func, select
from sqlalchemy.orm import Session

from core.api import Conflict, NotFound, audit, publish
from plugins.medicine import catalogue
from plugins.medicine.catalogue import invalid
from plugins.medicine.models import (
    VISITS,
    Commitment,
    Hospital,
    Order,
    OrderLine,
    Prescription,
    Product,
    Round,
    RoundProduct,
)


def months_between(start: date, on: date) -> int:
    """Whole months from ``start`` to ``on`` (0 in the first month), by calendar fields."""
    m = (on.year - start.year) * 12 + on.month - start.month
    return max(0, m - (1 if on.day < start.day else 0))


def create_round(
    s: Session,
    tier: Any,
    *,
    name: str,
    starts_on: date,
    ends_on: date,
    prepay_percent: int,
    products: list[tuple[int, int]],
    actor: str,
) -> Round:
    if ends_on <= starts_on:
        raise invalid("bad_period", "结束日期应晚于开始日期", "the round must end after it starts", "ends_on")
    if not 0 <= prepay_percent <= 100:
        raise invalid(
            "bad_percent", "预付比例应在 0 到 100 之间", "a percentage from 0 to 100", "prepay_percent"
        )
    if not products:
        raise invalid("no_products", "至少一个中选产品", "at least one winning product", "products")
    for i, (pid, cents) in enumerate(products):
        if s.get(Product, pid) is None:
            raise invalid(
                "unknown_product", "目录中没有该产品", "no such product", f"products.{i}.product_id"
            )
        if cents <= 0:
            raise invalid(
                "bad_price",
                "价格应为正整数（分）",
                "a positive whole number of cents",
                f"products.{i}.price_cents",
            )
    r = Round(
        name=name,
        tier_tenant_id=tier.id,
        tier_path=tier.path,
        starts_on=starts_on,
        ends_on=ends_on,
        prepay_percent=prepay_percent,
    )
    s.add(r)
    s.flush()
    s.add_all(RoundProduct(round_id=r.id, product_id=pid, price_cents=cents) for pid, cents in products)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="medicine.round.create",
        tenant=tier,
        target=f"medicine.round:{r.id}",
        details={"name": name, "products": len(products), "prepay_percent": prepay_percent},
    )
    return r


def round_here(s: Session, tenant: Any, round_id: int) -> Round:
    r = s.get(Round, round_id)
    if r is None or r.tier_path not in catalogue.ancestor_paths(tenant.path):
        raise NotFound("No such procurement round here", "本地区没有该带量采购批次", code="not_found")
    return r


def commit(
    s: Session,
    tenant: Any,
    round_id: int,
    *,
    hospital_id: int,
    product_id: int,
    annual_qty: int,
    actor: str,
) -> Commitment:
    """A hospital's committed annual quantity of a winning product; the prepayment is the share of it."""
    r = round_here(s, tenant, round_id)
    h = s.get(Hospital, hospital_id)
    if h is None or h.tenant_id != tenant.id:
        raise invalid("unknown_hospital", "本级没有该医疗机构", "no such hospital here", "hospital_id")
    price = s.scalar(
        select(RoundProduct.price_cents).where(
            RoundProduct.round_id == r.id, RoundProduct.product_id == product_id
        )
    )
    if price is None:
        raise invalid(
            "not_winning", "该产品不是本批次中选产品", "not a winning product of this round", "product_id"
        )
    if annual_qty <= 0:
        raise invalid("bad_quantity", "约定采购量应为正整数", "a positive whole quantity", "annual_qty")
    if (
        s.scalar(
            select(Commitment.id).where(
                Commitment.round_id == r.id,
                Commitment.hospital_id == h.id,
                Commitment.product_id == product_id,
            )
        )
        is not None
    ):
        raise Conflict(
            "Committed already",
            "已报送该产品的约定采购量",
            code="duplicate",
            fields={"product_id": "duplicate"},
        )
    c = Commitment(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        round_id=r.id,
        hospital_id=h.id,
        product_id=product_id,
        annual_qty=annual_qty,
        prepaid_cents=annual_qty * price * r.prepay_percent // 100,
    )
    s.add(c)
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="medicine.commitment.add",
        tenant=tenant,
        target=f"medicine.commitment:{c.id}",
        details={
            "round_id": r.id,
            "product_id": product_id,
            "annual_qty": annual_qty,
            "prepaid_cents": c.prepaid_cents,
        },
    )
    return c


def accepted_qty(round_: Round, on: date) -> Any:
    """SQL: the quantity a commitment's hospital accepted of its product since the round began."""
    return (
        select(func.coalesce(func.sum(OrderLine.accepted_qty), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.hospital_id == Commitment.hospital_id,
            OrderLine.product_id == Commitment.product_id,
            OrderLine.accepted_on >= round_.starts_on,
            OrderLine.accepted_on <= min(on, round_.ends_on),
        )
        .correlate(Commitment)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class Completion:
    commitment_id: int
    hospital: str
    product: str
    annual_qty: int
    prepaid_cents: int
    done_qty: int
    expected_qty: int
    monthly: list[tuple[str, int]]

    @property
    def percent(self) -> float:
        return round(100 * self.done_qty / self.annual_qty, 1) if self.annual_qty else 0.0


def completion(s: Session, round_id: int, tenant: Any, on: date) -> list[Completion]:
    """Per commitment of the session's scope: done so far, the share of the year expected by now, and the
    accepted quantity per month (one grouped query for the months)."""
    r = round_here(s, tenant, round_id)
    months = months_between(r.starts_on, on)
    rows = s.execute(
        select(Commitment, Hospital.name, Product.generic_name, accepted_qty(r, on))
        .join(Hospital, Hospital.id == Commitment.hospital_id)
        .join(Product, Product.id == Commitment.product_id)
        .where(Commitment.round_id == r.id)
        .order_by(Hospital.name, Product.generic_name)
    ).all()
    month = func.substr(func.cast(OrderLine.accepted_on, String()), 1, 7)
    per_month = s.execute(
        select(Order.hospital_id, OrderLine.product_id, month, func.sum(OrderLine.accepted_qty))
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.accepted_on >= r.starts_on, OrderLine.accepted_on <= min(on, r.ends_on))
        .group_by(Order.hospital_id, OrderLine.product_id, month)
    ).all()
    by: dict[tuple[int, int], list[tuple[str, int]]] = {}
    for hid, pid, m, q in per_month:
        by.setdefault((hid, pid), []).append((str(m), int(q or 0)))
    return [
        Completion(
            c.id,
            hname,
            pname,
            c.annual_qty,
            c.prepaid_cents,
            int(done or 0),
            c.annual_qty * min(months, 12) // 12,
            sorted(by.get((c.hospital_id, c.product_id), [])),
        )
        for c, hname, pname, done in rows
    ]


# --- prescriptions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrescriptionIn:
    external_id: str
    doctor: str
    product_id: int
    quantity: int
    days_supply: int
    visit: str
    dispensed_on: date
    reason: str = ""
    trace_code: str = ""


def push(s: Session, tenant: Any, hospital: Hospital, items: list[PrescriptionIn], *, actor: str) -> int:
    """Store a batch of prescription summaries (all or none); a re-sent ``external_id`` is refused."""
    ids = {it.product_id for it in items}
    known = set(s.scalars(select(Product.id).where(Product.id.in_(ids))))
    seen = set(
        s.scalars(
            select(Prescription.external_id).where(
                Prescription.hospital_id == hospital.id,
                Prescription.external_id.in_({it.external_id for it in items}),
            )
        )
    )
    for i, it in enumerate(items):
        if it.product_id not in known:
            raise invalid("unknown_product", "目录中没有该产品", "no such product", f"items.{i}.product_id")
        if it.visit not in VISITS:
            raise invalid(
                "bad_visit", "就诊类型应为门诊或急诊", "outpatient or emergency", f"items.{i}.visit"
            )
        if it.external_id in seen:
            raise Conflict(
                "This prescription was pushed already",
                "该处方已上传",
                code="duplicate",
                fields={f"items.{i}.external_id": "duplicate"},
            )
        seen.add(it.external_id)
    s.add_all(
        Prescription(
            tenant_id=tenant.id,
            tenant_path=tenant.path,
            hospital_id=hospital.id,
            external_id=it.external_id,
            doctor=it.doctor,
            product_id=it.product_id,
            quantity=it.quantity,
            days_supply=it.days_supply,
            visit=it.visit,
            reason=it.reason,
            trace_code=it.trace_code,
            dispensed_on=it.dispensed_on,
        )
        for it in items
    )
    s.flush()
    audit.record(
        s,
        actor=actor,
        action="medicine.prescriptions.push",
        tenant=tenant,
        target=f"medicine.hospital:{hospital.id}",
        details={"items": len(items)},
    )
    publish(
        s,
        tenant=tenant,
        type="medicine.prescriptions.pushed",
        payload={"hospital_id": hospital.id, "items": len(items)},
        actor=actor,
    )
    return len(items)
