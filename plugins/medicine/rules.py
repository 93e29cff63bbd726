"""Supervision rules of sunshine medicine (kind of power ``sunshine_medicine``), consumed by the
supervision plugin through its ``govhall_supervision_rules`` hook.

Every rule is ``scan_subtree``: one set-based SELECT over the whole subtree of the session's scope (a
province in one statement), returning only the columns a finding needs. Day boundaries (30 days after
acceptance, a month of prescriptions) are computed once in Python through the core legal clock and
compared in SQL. One card per object and occurrence, so re-scans issue nothing twice.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import Session

from core.api import Finding, days_before
from core.api import today as clock_today
from plugins.medicine import settings as S
from plugins.medicine.models import (
    Commitment,
    Hospital,
    Invoice,
    ListedPrice,
    Order,
    OrderLine,
    Prescription,
    Product,
    Round,
)
from plugins.medicine.vbp import accepted_qty, months_between

POWER = "sunshine_medicine"
LEVEL: dict[str, Literal["info", "warning", "serious"]] = {
    "prompt": "info",
    "yellow": "warning",
    "red": "serious",
}
# The thresholds are tenant settings (plugins/medicine/settings.py); these are their defaults.
LAG_PERCENT = S.DEFAULTS[S.LAG_PERCENT]  # completion below 80 % of the months elapsed is lagging
OUTLIER_FACTOR = S.DEFAULTS[S.PEER_FACTOR]  # a doctor over three times the peers' average of a drug
OUTLIER_WINDOW_DAYS = 30
SUPPLY_LIMIT = {  # 《处方管理办法》第十九条
    "outpatient": S.DEFAULTS[S.OUTPATIENT_DAYS],
    "emergency": S.DEFAULTS[S.EMERGENCY_DAYS],
}


def _today(kw: dict[str, Any]) -> date:
    return kw.get("today") or clock_today(kw.get("platform"))


def _finding(
    rule: str, severity: str, obj: str, oid: Any, tenant_id: int, zh: str, en: str, **facts: Any
) -> Finding:
    return Finding(
        source="medicine",
        code=rule,
        level=LEVEL[severity],
        message_zh=zh,
        message_en=en,
        object_type=obj,
        object_id=str(oid),
        tenant_id=tenant_id,
        facts={k: (v.isoformat() if isinstance(v, date) else v) for k, v in facts.items()},
    )


def _limits(platform: Any, session: Session, key: str) -> tuple[dict[int, int], int, int]:
    """({tenant id: the setting there}, the lowest, the highest) over the tenants the session covers. A
    rule's one SELECT filters by the loosest bound; each row is then held to its own tenant's value."""
    by_id = S.per_tenant(platform, session, key)
    values = set(by_id.values()) or {S.DEFAULTS[key]}
    return by_id, min(values), max(values)


def _listed_at_order() -> Any:
    """SQL: the listed price in force for the line's product where and when the order was placed — the
    deepest tier that is the order's tenant or an ancestor of it, the latest version by then."""
    lp = ListedPrice.__table__.c
    tier_covers = or_(Order.tenant_path == lp.tier_path, Order.tenant_path.like(lp.tier_path + literal("/%")))
    return (
        select(lp.price_cents)
        .where(lp.product_id == OrderLine.product_id, lp.effective_from <= Order.ordered_on, tier_covers)
        .order_by(func.length(lp.tier_path).desc(), lp.effective_from.desc())
        .limit(1)
        .correlate(Order, OrderLine)
        .scalar_subquery()
    )


def scan_above_listed(*, session: Session, **_: Any) -> list[Finding]:
    """Order lines above the listed price (impossible through the service; checked over imported data)."""
    listed = _listed_at_order()
    rows = session.execute(
        select(
            OrderLine.id,
            OrderLine.price_cents,
            listed.label("listed"),
            Order.id.label("order_id"),
            Order.number,
            Order.tenant_id,
            Order.ordered_on,
            Product.generic_name,
        )
        .join(Order, Order.id == OrderLine.order_id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(
            Order.status != "draft",
            or_(OrderLine.price_cents > OrderLine.listed_cents, OrderLine.price_cents > listed),
        )
    ).all()
    return [
        _finding(
            "medicine.price_above_listed",
            "red",
            "medicine.order_line",
            r.id,
            r.tenant_id,
            f"订单 {r.number} 中 {r.generic_name} 采购价 {r.price_cents / 100:.2f} 元高于挂网价"
            f"{'' if r.listed is None else f' {r.listed / 100:.2f} 元'}",
            f"Order {r.number}: {r.generic_name} bought at {r.price_cents} cents, above the listed price "
            f"({r.listed} cents)",
            occurrence=r.ordered_on,
            href=f"medicine/orders/{r.order_id}",
            price_cents=r.price_cents,
            listed_cents=r.listed,
        )
        for r in rows
    ]


def scan_third_invoice(*, session: Session, **_: Any) -> list[Finding]:
    rows = session.execute(
        select(
            Order.id,
            Order.number,
            Order.tenant_id,
            func.count(Invoice.id).label("n"),
            func.max(Invoice.issued_on).label("last"),
        )
        .join(Invoice, Invoice.order_id == Order.id)
        .group_by(Order.id, Order.number, Order.tenant_id)
        .having(func.count(Invoice.id) > 2)
    ).all()
    return [
        _finding(
            "medicine.third_invoice",
            "red",
            "medicine.order",
            r.id,
            r.tenant_id,
            f"订单 {r.number} 的发票链有 {r.n} 张发票，违反两票制",
            f"Order {r.number} has {r.n} invoices in its chain: more than the two allowed",
            occurrence=r.last,
            href=f"medicine/orders/{r.id}",
            invoices=r.n,
        )
        for r in rows
    ]


def scan_unpaid(*, session: Session, **kw: Any) -> list[Finding]:
    """Accepted orders still unpaid after their due day (the payment term after acceptance, set by
    ``medicine.payment_days`` when the hospital accepted: 30 days by default)."""
    today = _today(kw)
    rows = session.execute(
        select(
            Order.id,
            Order.number,
            Order.tenant_id,
            Order.accepted_on,
            Order.due_on,
            Order.accepted_cents,
            Hospital.name,
        )
        .join(Hospital, Hospital.id == Order.hospital_id)
        .where(Order.status.in_(("accepted", "invoiced")), Order.due_on < today)
    ).all()
    return [
        _finding(
            "medicine.unpaid_overdue",
            "red",
            "medicine.order",
            r.id,
            r.tenant_id,
            f"{r.name}订单 {r.number} 于 {r.accepted_on} 验收，应于 {r.due_on} 前回款 "
            f"{r.accepted_cents / 100:.2f} 元，至今未付",
            f"{r.name}: order {r.number} accepted on {r.accepted_on}, {r.accepted_cents} cents due by "
            f"{r.due_on}, still unpaid",
            occurrence=r.due_on,
            href=f"medicine/orders/{r.id}",
            due_on=r.due_on,
            accepted_cents=r.accepted_cents,
        )
        for r in rows
    ]


def scan_vbp_lagging(*, session: Session, **kw: Any) -> list[Finding]:
    """Commitments whose completion is below ``medicine.vbp_lag_percent`` (80 by default) of the share of
    the year elapsed (from the third month of a round on). One statement per active round (a handful a
    year)."""
    today = _today(kw)
    lags, _low, high = _limits(kw.get("platform"), session, S.LAG_PERCENT)
    out: list[Finding] = []
    for r in session.scalars(select(Round).where(Round.starts_on <= today, Round.ends_on >= today)):
        months = min(months_between(r.starts_on, today), 12)
        if months < 2:
            continue
        done = accepted_qty(r, today).label("done")
        rows = session.execute(
            select(
                Commitment.id,
                Commitment.tenant_id,
                Commitment.annual_qty,
                Hospital.name,
                Product.generic_name,
                done,
            )
            .join(Hospital, Hospital.id == Commitment.hospital_id)
            .join(Product, Product.id == Commitment.product_id)
            .where(Commitment.round_id == r.id, done * 12 * 100 < Commitment.annual_qty * months * high)
        ).all()
        rows = [
            c for c in rows if c.done * 12 * 100 < c.annual_qty * months * lags.get(c.tenant_id, LAG_PERCENT)
        ]
        out += [
            _finding(
                "medicine.vbp_lagging",
                "yellow",
                "medicine.commitment",
                c.id,
                c.tenant_id,
                f"{c.name}{r.name}中选产品{c.generic_name}已采购 {c.done}，约定年采购量 {c.annual_qty}，"
                f"进度落后（已过 {months} 个月）",
                f"{c.name}: {c.generic_name} in {r.name} — {c.done} of {c.annual_qty} bought after "
                f"{months} months: behind schedule",
                occurrence=f"{today:%Y-%m}",
                href=f"medicine/rounds/{r.id}",
                done=int(c.done),
                annual_qty=c.annual_qty,
                months=months,
            )
            for c in rows
        ]
    return out


def scan_long_supply(*, session: Session, **kw: Any) -> list[Finding]:
    """Supply over the tenant's limit without a reason (``medicine.outpatient_supply_days``, 7 by default;
    ``medicine.emergency_supply_days``, 3)."""
    platform = kw.get("platform")
    limits = {
        "outpatient": _limits(platform, session, S.OUTPATIENT_DAYS),
        "emergency": _limits(platform, session, S.EMERGENCY_DAYS),
    }

    def limit(visit: str, tenant_id: int) -> int:
        return limits[visit][0].get(tenant_id, SUPPLY_LIMIT[visit])

    too_long = or_(
        and_(Prescription.visit == "outpatient", Prescription.days_supply > limits["outpatient"][1]),
        and_(Prescription.visit == "emergency", Prescription.days_supply > limits["emergency"][1]),
    )
    rows = session.execute(
        select(
            Prescription.id,
            Prescription.tenant_id,
            Prescription.external_id,
            Prescription.doctor,
            Prescription.visit,
            Prescription.days_supply,
            Prescription.dispensed_on,
            Hospital.name,
        )
        .join(Hospital, Hospital.id == Prescription.hospital_id)
        .where(too_long, Prescription.reason == "")
    ).all()
    rows = [r for r in rows if r.days_supply > limit(r.visit, r.tenant_id)]
    return [
        _finding(
            "medicine.rx_long_supply",
            "yellow",
            "medicine.prescription",
            r.id,
            r.tenant_id,
            f"{r.name}处方 {r.external_id}（医师 {r.doctor}）{'门诊' if r.visit == 'outpatient' else '急诊'}"
            f"用量 {r.days_supply} 日，超过 {limit(r.visit, r.tenant_id)} 日且未注明理由",
            f"{r.name}: prescription {r.external_id} (Dr {r.doctor}) supplies {r.days_supply} days "
            f"({r.visit}, limit {limit(r.visit, r.tenant_id)}) without a reason",
            occurrence=r.dispensed_on,
            days_supply=r.days_supply,
            visit=r.visit,
            limit=limit(r.visit, r.tenant_id),
        )
        for r in rows
    ]


def scan_doctor_outlier(*, session: Session, **kw: Any) -> list[Finding]:
    """A doctor's quantity of a drug over the last 30 days above ``medicine.peer_volume_factor`` (3 by
    default) times the average of the other doctors of the same hospital prescribing it (at least two
    peers)."""
    today = _today(kw)
    factors, low, _high = _limits(kw.get("platform"), session, S.PEER_FACTOR)
    since = days_before(today, OUTLIER_WINDOW_DAYS)
    per_doctor = (
        select(
            Prescription.tenant_id,
            Prescription.hospital_id,
            Prescription.product_id,
            Prescription.doctor,
            func.sum(Prescription.quantity).label("qty"),
        )
        .where(Prescription.dispensed_on > since, Prescription.dispensed_on <= today)
        .group_by(
            Prescription.tenant_id, Prescription.hospital_id, Prescription.product_id, Prescription.doctor
        )
        .subquery()
    )
    totals = (
        select(
            per_doctor.c.hospital_id,
            per_doctor.c.product_id,
            func.sum(per_doctor.c.qty).label("total"),
            func.count().label("doctors"),
        )
        .group_by(per_doctor.c.hospital_id, per_doctor.c.product_id)
        .subquery()
    )
    d, t = per_doctor.c, totals.c
    rows = session.execute(
        select(
            d.tenant_id,
            d.hospital_id,
            d.product_id,
            d.doctor,
            d.qty,
            t.total,
            t.doctors,
            Hospital.name,
            Product.generic_name,
        )
        .join(totals, and_(t.hospital_id == d.hospital_id, t.product_id == d.product_id))
        .join(Hospital, Hospital.id == d.hospital_id)
        .join(Product, Product.id == d.product_id)
        .where(t.doctors >= 3, d.qty * (t.doctors - 1) > low * (t.total - d.qty))
    ).all()
    rows = [
        r
        for r in rows
        if r.qty * (r.doctors - 1) > factors.get(r.tenant_id, OUTLIER_FACTOR) * (r.total - r.qty)
    ]
    return [
        _finding(
            "medicine.rx_doctor_outlier",
            "yellow",
            "medicine.doctor",
            f"{r.hospital_id}:{r.product_id}:{r.doctor}",
            r.tenant_id,
            f"{r.name}医师 {r.doctor} 近 {OUTLIER_WINDOW_DAYS} 日开具{r.generic_name} {r.qty}，"
            f"远高于同院其他医师平均 {(r.total - r.qty) / (r.doctors - 1):.0f}",
            f"{r.name}: Dr {r.doctor} prescribed {r.qty} of {r.generic_name} in {OUTLIER_WINDOW_DAYS} days, "
            f"far above the peers' average of {(r.total - r.qty) / (r.doctors - 1):.0f}",
            occurrence=f"{today:%Y-%m}",
            quantity=int(r.qty),
            peers=int(r.doctors) - 1,
            factor=factors.get(r.tenant_id, OUTLIER_FACTOR),
        )
        for r in rows
    ]


def scan_trace_twice(*, session: Session, **_: Any) -> list[Finding]:
    rows = session.execute(
        select(
            Prescription.trace_code,
            func.min(Prescription.tenant_id).label("tenant_id"),
            func.count().label("n"),
            func.max(Prescription.dispensed_on).label("last"),
        )
        .where(Prescription.trace_code != "")
        .group_by(Prescription.trace_code)
        .having(func.count() > 1)
    ).all()
    return [
        _finding(
            "medicine.rx_trace_twice",
            "red",
            "medicine.trace_code",
            r.trace_code,
            r.tenant_id,
            f"药品追溯码 {r.trace_code} 被重复销售 {r.n} 次",
            f"Traceability code {r.trace_code} dispensed {r.n} times",
            occurrence=r.last,
            dispensed=int(r.n),
        )
        for r in rows
    ]


def _rule(rid: str, severity: str, zh: str, en: str, scan: Any) -> dict[str, Any]:
    return dict(
        id=rid,
        version=1,
        kind_of_power=POWER,
        severity=severity,
        title_zh=zh,
        title_en=en,
        scan=scan,
        scan_subtree=True,
    )


RULES = [
    _rule(
        "medicine.price_above_listed",
        "red",
        "采购价高于挂网价",
        "Bought above the listed price",
        scan_above_listed,
    ),
    _rule(
        "medicine.third_invoice",
        "red",
        "发票链出现第三张发票（违反两票制）",
        "A third invoice in the chain",
        scan_third_invoice,
    ),
    _rule(
        "medicine.unpaid_overdue",
        "red",
        "验收后超过回款期限（默认 30 日）未回款",
        "Unpaid past the payment term (30 days after acceptance by default)",
        scan_unpaid,
    ),
    _rule(
        "medicine.vbp_lagging",
        "yellow",
        "带量采购完成进度落后",
        "Volume procurement behind schedule",
        scan_vbp_lagging,
    ),
    _rule(
        "medicine.rx_long_supply",
        "yellow",
        "处方用量超过规定天数且未注明理由",
        "Prescription supply over the limit without a reason",
        scan_long_supply,
    ),
    _rule(
        "medicine.rx_doctor_outlier",
        "yellow",
        "医师用药量远高于同院同行",
        "A doctor's volume far above peers",
        scan_doctor_outlier,
    ),
    _rule(
        "medicine.rx_trace_twice",
        "red",
        "同一追溯码重复销售",
        "The same traceability code dispensed twice",
        scan_trace_twice,
    ),
]
