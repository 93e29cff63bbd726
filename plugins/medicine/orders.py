"""A hospital's order as a state machine, on a tenant-scoped session (no HTTP).

draft → submitted → (each line confirmed or declined by the distributor) confirmed | declined →
shipped (delivery note, quantities per line) → accepted (per line: quantity and batch; payment falls due
30 calendar days later, by the core legal clock) → invoiced (the two invoices of the chain recorded:
manufacturer → distributor, distributor → hospital) → paid (once).

Who acts is explicit: the hospital (its legal person's credit code) drafts, submits, accepts and pays; the
order's distributor responds, ships and records the invoices. Every act takes the order's ``version``
(409 ``stale_version``), writes the audit chain and an event, and refuses bad input with an error naming
the field, changing nothing. Money is integer cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from core.api import Conflict, NotFound, add_calendar_days, audit, publish, today
from plugins.medicine import catalogue, settings
from plugins.medicine.catalogue import invalid
from plugins.medicine.models import Choice, Company, Hospital, Invoice, Order, OrderLine, Payment, Product

PAYMENT_DAYS = 30  # 《关于做好当前药品价格管理工作的意见》: the default of the setting medicine.payment_days


@dataclass(frozen=True)
class LineIn:
    product_id: int
    quantity: int
    price_cents: int


def load(s: Session, tenant: Any, order_id: int, version: int | None = None) -> Order:
    o = s.scalar(select(Order).where(Order.id == order_id, Order.tenant_id == tenant.id))
    if o is None:
        raise NotFound("No such order here", "本级没有该订单", code="not_found")
    if version is not None and o.version != version:
        raise Conflict(
            "The order was changed meanwhile: reload and try again",
            "订单已被他人修改，请刷新后重试",
            code="stale_version",
            fields={"version": "stale"},
        )
    return o


def lines_of(s: Session, order_id: int) -> list[OrderLine]:
    return list(s.scalars(select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.id)))


def _state(o: Order, allowed: tuple[str, ...], zh: str, en: str) -> None:
    if o.status not in allowed:
        raise Conflict(en, zh, code="wrong_state", fields={"status": o.status})


def as_hospital(s: Session, o: Order, code: str) -> Hospital:
    """Only the ordering hospital's legal person; to anyone else the order does not exist."""
    h = s.get(Hospital, o.hospital_id)
    if h is None or h.credit_code != (code or "").upper():
        raise NotFound("No such order here", "本级没有该订单", code="not_found")
    return h


def as_distributor(s: Session, o: Order, code: str) -> Company:
    d = s.get(Company, o.distributor_id)
    if d is None or d.credit_code != (code or "").upper():
        raise NotFound("No such order here", "本级没有该订单", code="not_found")
    return d


def _emit(s: Session, tenant: Any, o: Order, verb: str, actor: str, **details: Any) -> None:
    payload = {"order_id": o.id, "number": o.number, "status": o.status, **details}
    audit.record(
        s,
        actor=actor,
        action=f"medicine.order.{verb}",
        tenant=tenant,
        target=f"medicine.order:{o.id}",
        details=payload,
    )
    publish(s, tenant=tenant, type=f"medicine.order.{verb}", payload=payload, actor=actor)


# --- the hospital drafts and submits ----------------------------------------------------------------------


def _line_field(i: int, name: str) -> str:
    return f"lines.{i}.{name}"


def _check_lines(
    s: Session, tenant: Any, hospital: Hospital, lines: list[LineIn], on: date
) -> tuple[int, list[Any]]:
    if not lines:
        raise invalid("no_lines", "订单至少需要一个品种", "an order needs at least one line", "lines")
    ids = [ln.product_id for ln in lines]
    known = set(s.scalars(select(Product.id).where(Product.id.in_(ids))))
    choices = dict(
        s.execute(
            select(Choice.product_id, Choice.distributor_id).where(
                Choice.hospital_id == hospital.id, Choice.product_id.in_(ids)
            )
        ).all()
    )
    prices = catalogue.listed_prices(s, ids, tenant.path, on)
    out: list[tuple[int, int, int, int]] = []
    distributors: set[int] = set()
    for i, ln in enumerate(lines):
        if ln.product_id not in known:
            raise invalid(
                "unknown_product",
                "目录中没有该产品",
                "no such product in the catalogue",
                _line_field(i, "product_id"),
            )
        if ln.product_id in {x[0] for x in out}:
            raise invalid(
                "duplicate_line",
                "同一产品在订单中重复",
                "the product appears twice",
                _line_field(i, "product_id"),
            )
        lp = prices.get(ln.product_id)
        if lp is None:
            raise invalid(
                "not_listed",
                "该产品在本地区未挂网",
                "the product has no listed price here",
                _line_field(i, "product_id"),
            )
        if ln.price_cents > lp.price_cents:
            raise invalid(
                "above_listed_price",
                f"采购价高于挂网价（{lp.price_cents / 100:.2f} 元）",
                f"the price is above the listed price ({lp.price_cents} cents)",
                _line_field(i, "price_cents"),
            )
        if ln.product_id not in choices:
            raise invalid(
                "no_distributor",
                "尚未为该产品选择配送企业",
                "no distributor chosen for this product",
                _line_field(i, "product_id"),
            )
        distributors.add(choices[ln.product_id])
        out.append((ln.product_id, ln.quantity, ln.price_cents, lp.price_cents))
    if len(distributors) > 1:
        raise invalid(
            "several_distributors",
            "一张订单只能发给一家配送企业",
            "one order goes to one distributor",
            "lines",
        )
    return distributors.pop(), out


def create(
    s: Session, platform: Any, tenant: Any, hospital: Hospital, lines: list[LineIn], *, actor: str
) -> Order:
    on = today(platform, tenant)
    distributor_id, rows = _check_lines(s, tenant, hospital, lines, on)
    distributor = s.get(Company, distributor_id)
    assert distributor is not None
    catalogue.refuse_blacklisted(s, platform, tenant, distributor, "lines")
    # A manufacturer black-listed since the choice was made has its listing suspended: no new orders.
    makers = s.scalars(
        select(Company)
        .join(Product, Product.manufacturer_id == Company.id)
        .where(Product.id.in_([r[0] for r in rows]))
    ).unique()
    for maker in makers:
        catalogue.refuse_blacklisted(s, platform, tenant, maker, "lines")
    seq = (s.scalar(select(func.count()).select_from(Order).where(Order.tenant_id == tenant.id)) or 0) + 1
    o = Order(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        number=f"YP{tenant.code}-{on:%Y%m%d}-{seq:06d}",
        hospital_id=hospital.id,
        distributor_id=distributor_id,
        status="draft",
        ordered_on=on,
        total_cents=sum(q * p for _pid, q, p, _l in rows),
        created_by=actor,
    )
    s.add(o)
    s.flush()
    s.add_all(
        OrderLine(
            tenant_id=tenant.id,
            tenant_path=tenant.path,
            order_id=o.id,
            product_id=pid,
            quantity=q,
            price_cents=p,
            listed_cents=listed,
        )
        for pid, q, p, listed in rows
    )
    s.flush()
    _emit(s, tenant, o, "created", actor, hospital=hospital.credit_code, total_cents=o.total_cents)
    return o


def submit(
    s: Session, platform: Any, tenant: Any, order_id: int, version: int, *, code: str, actor: str
) -> Order:
    o = load(s, tenant, order_id, version)
    as_hospital(s, o, code)
    _state(o, ("draft",), "只有草稿可以提交", "Only a draft can be submitted")
    # Prices may have been lowered since the draft: check again on the day it is sent.
    on = today(platform, tenant)
    prices = catalogue.listed_prices(s, [ln.product_id for ln in lines_of(s, o.id)], tenant.path, on)
    for i, ln in enumerate(lines_of(s, o.id)):
        lp = prices.get(ln.product_id)
        if lp is None or ln.price_cents > lp.price_cents:
            raise invalid(
                "above_listed_price",
                "采购价高于当前挂网价，请修改订单",
                "the price is above today's listed price",
                _line_field(i, "price_cents"),
            )
        ln.listed_cents = lp.price_cents
    o.status, o.ordered_on = "submitted", on
    s.flush()
    _emit(s, tenant, o, "submitted", actor)
    return o


# --- the distributor responds and ships -------------------------------------------------------------------


def respond(
    s: Session,
    tenant: Any,
    order_id: int,
    version: int,
    decisions: dict[int, tuple[bool, str]],
    *,
    code: str,
    actor: str,
) -> Order:
    """Confirm or decline each line (a decline needs a reason). Once no line is pending the order is
    ``confirmed`` (some line confirmed) or ``declined`` (all declined)."""
    o = load(s, tenant, order_id, version)
    as_distributor(s, o, code)
    _state(o, ("submitted",), "订单不在待确认状态", "The order is not awaiting the distributor")
    lines = {ln.id: ln for ln in lines_of(s, o.id)}
    for line_id, (ok, reason) in decisions.items():
        ln = lines.get(line_id)
        if ln is None:
            raise invalid(
                "unknown_line", "订单中没有该明细", "no such line on this order", f"lines.{line_id}"
            )
        if ln.status != "pending":
            raise Conflict(
                "The line was answered already",
                "该明细已确认或拒绝",
                code="wrong_state",
                fields={f"lines.{line_id}": ln.status},
            )
        if not ok and not reason.strip():
            raise invalid(
                "reason_required", "拒绝须说明理由", "a decline needs a reason", f"lines.{line_id}.reason"
            )
        ln.status, ln.decline_reason = ("confirmed", "") if ok else ("declined", reason.strip())
    states = {ln.status for ln in lines.values()}
    if "pending" not in states:
        o.status = "confirmed" if "confirmed" in states else "declined"
        if o.status == "declined":
            o.total_cents = 0
        else:
            o.total_cents = sum(
                ln.quantity * ln.price_cents for ln in lines.values() if ln.status == "confirmed"
            )
    flag_modified(o, "status")  # a partial answer changes the order too: its version moves
    s.flush()
    _emit(
        s,
        tenant,
        o,
        "responded",
        actor,
        lines={str(k): ("confirmed" if v[0] else "declined") for k, v in decisions.items()},
    )
    return o


def ship(
    s: Session,
    platform: Any,
    tenant: Any,
    order_id: int,
    version: int,
    *,
    delivery_note: str,
    quantities: dict[int, int],
    code: str,
    actor: str,
) -> Order:
    o = load(s, tenant, order_id, version)
    as_distributor(s, o, code)
    _state(o, ("confirmed",), "订单尚未确认，不能发货", "Only a confirmed order can be shipped")
    if not delivery_note.strip():
        raise invalid(
            "delivery_note_required",
            "须填写随货同行单号",
            "a delivery note number is required",
            "delivery_note",
        )
    lines = {ln.id: ln for ln in lines_of(s, o.id)}
    for line_id, qty in quantities.items():
        ln = lines.get(line_id)
        if ln is None or ln.status != "confirmed":
            raise invalid(
                "unknown_line", "订单中没有该已确认明细", "no such confirmed line", f"lines.{line_id}"
            )
        if qty > ln.quantity:
            raise invalid(
                "over_delivery",
                f"发货数量超过订购数量（{ln.quantity}）",
                f"more than ordered ({ln.quantity})",
                f"lines.{line_id}.quantity",
            )
        ln.shipped_qty = qty
    if not any(ln.shipped_qty for ln in lines.values()):
        raise invalid("nothing_shipped", "至少发出一个品种", "ship at least one line", "lines")
    o.status, o.delivery_note, o.shipped_on = "shipped", delivery_note.strip(), today(platform, tenant)
    s.flush()
    _emit(s, tenant, o, "shipped", actor, delivery_note=o.delivery_note)
    return o


# --- the hospital accepts ------------------------------------------------------------------------------


def accept(
    s: Session,
    platform: Any,
    tenant: Any,
    order_id: int,
    version: int,
    received: dict[int, tuple[int, str]],
    *,
    code: str,
    actor: str,
) -> Order:
    """Accept per line: the quantity received (at most what was shipped) and its batch. Payment falls due
    ``medicine.payment_days`` (the tenant's setting, 30 by default) calendar days after acceptance."""
    o = load(s, tenant, order_id, version)
    as_hospital(s, o, code)
    _state(o, ("shipped",), "订单尚未发货，不能验收", "Only a shipped order can be accepted")
    on = today(platform, tenant)
    lines = {ln.id: ln for ln in lines_of(s, o.id)}
    for line_id, (qty, batch) in received.items():
        ln = lines.get(line_id)
        if ln is None or ln.shipped_qty == 0:
            raise invalid(
                "unknown_line", "订单中没有该已发货明细", "no such shipped line", f"lines.{line_id}"
            )
        if qty > ln.shipped_qty:
            raise invalid(
                "over_acceptance",
                f"验收数量超过发货数量（{ln.shipped_qty}）",
                f"more than shipped ({ln.shipped_qty})",
                f"lines.{line_id}.quantity",
            )
        if qty and not batch.strip():
            raise invalid(
                "batch_required", "须填写批号", "the batch number is required", f"lines.{line_id}.batch"
            )
        ln.accepted_qty, ln.batch, ln.accepted_on = qty, batch.strip(), on
    missing = [ln.id for ln in lines.values() if ln.shipped_qty and ln.accepted_on is None]
    if missing:
        raise invalid(
            "line_not_accepted",
            "每个已发货品种都须验收（可填 0）",
            "answer every shipped line (0 allowed)",
            f"lines.{missing[0]}",
        )
    o.accepted_cents = sum(ln.accepted_qty * ln.price_cents for ln in lines.values())
    o.status, o.accepted_on = "accepted", on
    o.due_on = add_calendar_days(on, settings.value(platform, tenant, settings.PAYMENT_DAYS))
    s.flush()
    _emit(s, tenant, o, "accepted", actor, accepted_cents=o.accepted_cents, due_on=o.due_on.isoformat())
    return o


# --- two invoices, one payment --------------------------------------------------------------------------


def record_invoice(
    s: Session,
    platform: Any,
    tenant: Any,
    order_id: int,
    version: int,
    *,
    number: str,
    amount_cents: int,
    code: str,
    actor: str,
) -> Invoice:
    """The distributor records the chain: first the manufacturer's invoice to it, then its own invoice to the
    hospital for the accepted amount. A third invoice is refused (两票制)."""
    o = load(s, tenant, order_id, version)
    d = as_distributor(s, o, code)
    _state(o, ("accepted",), "订单验收后才能登记发票", "Invoices are recorded after acceptance")
    seq = (s.scalar(select(func.count()).select_from(Invoice).where(Invoice.order_id == o.id)) or 0) + 1
    if seq > 2:
        raise Conflict(
            "Two invoices at most: manufacturer → distributor → hospital",
            "两票制：不得出现第三张发票",
            code="third_invoice",
        )
    if not number.strip():
        raise invalid("number_required", "须填写发票号码", "the invoice number is required", "number")
    h = s.get(Hospital, o.hospital_id)
    assert h is not None
    if seq == 1:
        maker = s.scalar(
            select(Company)
            .join(Product, Product.manufacturer_id == Company.id)
            .join(OrderLine, OrderLine.product_id == Product.id)
            .where(OrderLine.order_id == o.id)
            .limit(1)
        )
        assert maker is not None
        issuer, receiver = maker.credit_code, d.credit_code
    else:
        issuer, receiver = d.credit_code, h.credit_code
        if amount_cents != o.accepted_cents:
            raise invalid(
                "amount_mismatch",
                f"发票金额应等于验收金额 {o.accepted_cents / 100:.2f} 元",
                f"the amount must equal the accepted amount ({o.accepted_cents} cents)",
                "amount_cents",
            )
    if amount_cents <= 0:
        raise invalid(
            "bad_amount", "金额应为正整数（分）", "a positive whole number of cents", "amount_cents"
        )
    inv = Invoice(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        order_id=o.id,
        seq=seq,
        issuer_code=issuer,
        receiver_code=receiver,
        number=number.strip(),
        amount_cents=amount_cents,
        issued_on=today(platform, tenant),
    )
    s.add(inv)
    if seq == 2:
        o.status = "invoiced"
    flag_modified(
        o, "status"
    )  # an invoice changes the order: its version moves even when the status does not
    s.flush()
    _emit(
        s, tenant, o, "invoiced", actor, seq=seq, issuer=issuer, receiver=receiver, amount_cents=amount_cents
    )
    return inv


def pay(
    s: Session,
    platform: Any,
    tenant: Any,
    order_id: int,
    version: int,
    *,
    amount_cents: int,
    reference: str,
    code: str,
    actor: str,
) -> Payment:
    o = load(s, tenant, order_id, version)
    as_hospital(s, o, code)
    if o.status == "paid" or s.scalar(select(Payment.id).where(Payment.order_id == o.id)) is not None:
        raise Conflict("This order is paid already", "该订单已付款，不能重复付款", code="paid_twice")
    _state(o, ("invoiced",), "收到两张发票后才能付款", "Pay once both invoices are recorded")
    if amount_cents != o.accepted_cents:
        raise invalid(
            "amount_mismatch",
            f"付款金额应等于验收金额 {o.accepted_cents / 100:.2f} 元",
            f"the amount must equal the accepted amount ({o.accepted_cents} cents)",
            "amount_cents",
        )
    on = today(platform, tenant)
    p = Payment(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        order_id=o.id,
        amount_cents=amount_cents,
        paid_on=on,
        reference=reference.strip(),
        recorded_by=actor,
    )
    s.add(p)
    o.status, o.paid_on = "paid", on
    s.flush()
    _emit(s, tenant, o, "paid", actor, amount_cents=amount_cents, on_time=bool(o.due_on and on <= o.due_on))
    return p


# --- reconciliation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    opening_cents: int
    accepted_cents: int
    paid_cents: int
    closing_cents: int


def daily_ledger(s: Session, hospital_id: int, start: date, end: date) -> list[Day]:
    """Per day from ``start`` to ``end``: what the hospital owed at the start, accepted, paid, and owed at the
    end (all integer cents). Each day's closing is the next day's opening."""
    accepted: dict[date, int] = dict(
        s.execute(  # type: ignore[arg-type]  # accepted_on IS NOT NULL
            select(Order.accepted_on, func.sum(Order.accepted_cents))
            .where(Order.hospital_id == hospital_id, Order.accepted_on.is_not(None), Order.accepted_on <= end)
            .group_by(Order.accepted_on)
        ).all()
    )
    paid: dict[date, int] = dict(
        s.execute(
            select(Payment.paid_on, func.sum(Payment.amount_cents))
            .join(Order, Order.id == Payment.order_id)
            .where(Order.hospital_id == hospital_id, Payment.paid_on <= end)
            .group_by(Payment.paid_on)
        ).all()
    )
    balance = sum(int(v) for d, v in accepted.items() if d < start) - sum(
        int(v) for d, v in paid.items() if d < start
    )
    out: list[Day] = []
    day = start
    while day <= end:
        a, p = int(accepted.get(day) or 0), int(paid.get(day) or 0)
        out.append(Day(day, balance, a, p, balance + a - p))
        balance += a - p
        day = add_calendar_days(day, 1)
    return out


def outstanding(s: Session, hospital_id: int, on: date) -> int:
    """What the hospital owes at the end of ``on``, summed order by order (the ledger's check)."""
    rows = s.execute(
        select(Order.accepted_cents, Payment.amount_cents, Payment.paid_on)
        .outerjoin(Payment, Payment.order_id == Order.id)
        .where(Order.hospital_id == hospital_id, Order.accepted_on.is_not(None), Order.accepted_on <= on)
    ).all()
    return sum(int(a) - (int(p) if p is not None and paid_on <= on else 0) for a, p, paid_on in rows)


def payment_record(s: Session, on: date) -> list[dict[str, Any]]:
    """Per hospital in the session's scope: orders due by ``on``, paid on time, paid late, still unpaid
    past due, and the on-time rate (one grouped query)."""
    due = Order.due_on.is_not(None) & (Order.due_on < on)
    on_time = func.sum(((Order.paid_on.is_not(None)) & (Order.paid_on <= Order.due_on)).cast(Integer))
    late = func.sum(((Order.paid_on.is_not(None)) & (Order.paid_on > Order.due_on)).cast(Integer))
    unpaid = func.sum((Order.paid_on.is_(None)).cast(Integer))
    rows = s.execute(
        select(Hospital.id, Hospital.name, Hospital.tenant_path, func.count(Order.id), on_time, late, unpaid)
        .join(Order, Order.hospital_id == Hospital.id)
        .where(due | Order.paid_on.is_not(None))
        .group_by(Hospital.id, Hospital.name, Hospital.tenant_path)
        .order_by(Hospital.name)
    ).all()
    out = []
    for hid, name, path, n, ok, lt, up in rows:
        ok, lt, up = int(ok or 0), int(lt or 0), int(up or 0)
        out.append(
            {
                "hospital_id": hid,
                "name": name,
                "tenant_path": path,
                "orders": int(n),
                "on_time": ok,
                "late": lt,
                "unpaid_overdue": up,
                "rate": round(100 * ok / n, 1) if n else None,
            }
        )
    return out
