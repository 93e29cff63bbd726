"""Payment orders and their life: created -> started -> submitted -> success | failed | cancelled | error
(GOV.UK Pay's states), expiry, idempotent creation, refunds never above what was paid, receipts.

Each change is written to the order's history, audited and published (``payment.order.<state>``) in the
caller's transaction. ``version`` is SQLAlchemy's version_id_col: an update made on a stale copy fails,
and the caller gets a Conflict; refunds also lock the order row (PostgreSQL) so two refunds are serialised.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.api import Conflict, Invalid, NotFound, audit, notify, publish, today, utcnow
from plugins.payment.models import FINISHED, STAGES, Fee, Order, OrderChange, Receipt, Refund
from plugins.payment.providers import provider_for

UNFINISHED = ("created", "started", "submitted")
STATE_TITLES = {
    "created": ("待支付", "Awaiting payment"),
    "started": ("支付中", "Payment started"),
    "submitted": ("已提交支付", "Payment submitted"),
    "success": ("支付成功", "Paid"),
    "failed": ("支付失败", "Payment failed"),
    "cancelled": ("已取消", "Cancelled"),
    "error": ("支付异常", "Payment error"),
}
NOTE_TITLES = {  # the notes written to an order's history, as people read them
    "created": ("订单已生成", "Order created"),
    "gateway": ("支付平台通知", "Reported by the payment platform"),
    "expired": ("超过支付期限", "Expired"),
    "cancelled by the payer": ("缴费人取消", "Cancelled by the payer"),
    "gateway_attempt": ("正在提交支付平台", "Handing over to the payment platform"),
}
MAX_CENTS = 100_000_000  # one million yuan: no administrative fee comes near it


def yuan(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


@dataclass(frozen=True)
class Payer:
    account_id: int
    name: str
    label: str


def _now() -> datetime:
    return utcnow()


# --- fees -------------------------------------------------------------------------------------------------


def get_fee(session: Session, tenant: Any, item_code: str) -> Fee | None:
    return session.scalar(
        select(Fee).where(Fee.tenant_id == tenant.id, Fee.item_code == item_code, Fee.active.is_(True))
    )


def set_fee(
    session: Session,
    tenant: Any,
    *,
    item_code: str,
    item_name: str,
    amount_cents: int,
    legal_basis: str,
    stage: str,
    actor: str,
) -> Fee:
    """Create or change an item's fee (integer cents, with its legal basis and when it is due)."""
    if not 0 < amount_cents <= MAX_CENTS:
        raise Invalid(
            "The fee must be a positive amount in cents",
            "收费金额须为正整数（分）",
            code="bad_amount",
            fields={"amount_cents": "positive whole cents"},
        )
    if stage not in STAGES:
        raise Invalid("Unknown stage", "缴费时点无效", code="bad_stage", fields={"stage": ", ".join(STAGES)})
    if not legal_basis.strip():
        raise Invalid(
            "A fee needs its legal basis",
            "收费须注明依据",
            code="no_basis",
            fields={"legal_basis": "required"},
        )
    fee = session.scalar(select(Fee).where(Fee.tenant_id == tenant.id, Fee.item_code == item_code))
    before = None if fee is None else {"amount_cents": fee.amount_cents, "stage": fee.stage}
    if fee is None:
        fee = Fee(
            tenant_id=tenant.id, tenant_path=tenant.path, item_code=item_code, version=1, created_at=_now()
        )
        session.add(fee)
    fee.item_name, fee.amount_cents, fee.legal_basis = item_name, amount_cents, legal_basis.strip()
    fee.stage, fee.active = stage, True
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="payment.fee.set",
        tenant=tenant,
        target=f"payment.fee:{fee.id}",
        details={"item_code": item_code, "amount_cents": amount_cents, "stage": stage, "before": before},
    )
    return fee


# --- orders -----------------------------------------------------------------------------------------------


def load(session: Session, tenant: Any, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None or order.tenant_id != tenant.id:
        raise NotFound("No such payment order here", "本级没有这个缴费订单", code="unknown_order")
    return order


def own(session: Session, tenant: Any, order_id: int, account_id: int | None) -> Order:
    """The payer's own order; anyone else's answers like a missing one."""
    order = load(session, tenant, order_id)
    if order.payer_account_id != account_id:
        raise NotFound("No such payment order here", "本级没有这个缴费订单", code="unknown_order")
    return order


def _digest(*parts: Any) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def create_order(
    session: Session,
    platform: Any,
    tenant: Any,
    *,
    payer: Payer,
    item_code: str,
    amount_cents: int,
    idempotency_key: str,
    application_id: int | None = None,
    application_number: str = "",
) -> tuple[Order, bool]:
    """A payment order for ``item_code``'s fee; returns (order, created). The same idempotency key with
    the same request returns the first order; with a different request it is refused (409). The amount
    must be the item's fee; a second order for what is paid or being paid is refused (409)."""
    key = idempotency_key.strip()
    if not key or len(key) > 100:
        raise Invalid(
            "idempotency_key must be 1-100 characters",
            "幂等键须为 1-100 个字符",
            code="bad_idempotency_key",
            fields={"idempotency_key": "1-100 characters"},
        )
    digest = _digest(payer.account_id, item_code, amount_cents, application_id or "")
    found = session.scalar(select(Order).where(Order.tenant_id == tenant.id, Order.idempotency_key == key))
    if found is not None:
        return _same_request(found, digest), False
    fee = get_fee(session, tenant, item_code)
    if fee is None:
        raise Invalid(
            f"Item {item_code} charges no fee here",
            f"本级事项 {item_code} 不收费",
            code="no_fee",
            fields={"item_code": "no fee for this item"},
        )
    if amount_cents != fee.amount_cents:
        raise Invalid(
            f"The fee of {item_code} is {yuan(fee.amount_cents)} yuan, not {yuan(amount_cents)}",
            f"该事项收费 {yuan(fee.amount_cents)} 元，金额 {yuan(amount_cents)} 元不符",
            code="wrong_amount",
            fields={"amount_cents": f"must be {fee.amount_cents}"},
        )
    _no_double_payment(session, tenant, payer, item_code, application_id)
    minutes = int(platform.tenant_setting(tenant, "payment.expiry_minutes"))
    now = _now()
    order = Order(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        reference=_reference(tenant, now),
        idempotency_key=key,
        request_digest=digest,
        payer_account_id=payer.account_id,
        payer_name=payer.name[:100],
        item_code=item_code,
        item_name=fee.item_name,
        legal_basis=fee.legal_basis,
        stage=fee.stage,
        application_id=application_id,
        application_number=application_number[:40],
        amount_cents=amount_cents,
        refunded_cents=0,
        state="created",
        failure_code="",
        provider=str(platform.tenant_setting(tenant, "payment.provider")),
        provider_payment_id="",
        next_url="",
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
        version=1,
    )
    try:
        with session.begin_nested():  # a concurrent creation with the same key: the first one wins
            session.add(order)
    except IntegrityError:
        found = session.scalar(
            select(Order).where(Order.tenant_id == tenant.id, Order.idempotency_key == key)
        )
        if found is None:
            raise
        return _same_request(found, digest), False
    _changed(session, tenant, order, "", payer.label, "created")
    return order, True


def _same_request(order: Order, digest: str) -> Order:
    if order.request_digest != digest:
        raise Conflict(
            "This idempotency key was used for a different payment",
            "该幂等键已用于另一笔缴费",
            code="idempotency_key_reused",
        )
    return order


def _no_double_payment(
    session: Session, tenant: Any, payer: Payer, item_code: str, application_id: int | None
) -> None:
    q = select(Order.state).where(Order.tenant_id == tenant.id, Order.state.in_(("success", *UNFINISHED)))
    if application_id is not None:
        q = q.where(Order.application_id == application_id)
    else:  # a fee paid on demand: one unfinished order per payer and item at a time
        q = q.where(
            Order.payer_account_id == payer.account_id,
            Order.item_code == item_code,
            Order.application_id.is_(None),
            Order.state.in_(UNFINISHED),
        )
    state = session.scalar(q.limit(1))
    if state == "success":
        raise Conflict("This fee is already paid", "该费用已缴纳，请勿重复缴费", code="already_paid")
    if state is not None:
        raise Conflict(
            "A payment of this fee is already under way",
            "该费用已有未完成的缴费订单",
            code="payment_in_progress",
        )


def _reference(tenant: Any, now: datetime) -> str:
    return f"{tenant.code}{now:%Y%m%d}{uuid.uuid4().hex[:10].upper()}"


def _changed(session: Session, tenant: Any, order: Order, before: str, actor: str, note: str = "") -> None:
    session.add(
        OrderChange(
            tenant_id=tenant.id,
            tenant_path=tenant.path,
            order_id=order.id,
            from_state=before,
            to_state=order.state,
            note=note[:200],
            actor=actor[:100],
            at=_now(),
        )
    )
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            f"Order {order.reference} was changed meanwhile; reload and try again",
            f"缴费订单 {order.reference} 已被更新，请刷新后重试",
            code="stale_version",
        ) from None
    audit.record(
        session,
        actor=actor,
        action=f"payment.order.{order.state}",
        tenant=tenant,
        target=f"payment.order:{order.id}",
        details={
            "reference": order.reference,
            "from": before,
            "to": order.state,
            "amount_cents": order.amount_cents,
            "note": note,
        },
    )
    publish(
        session,
        tenant=tenant,
        type=f"payment.order.{order.state}",
        actor=actor,
        payload={
            "order_id": order.id,
            "reference": order.reference,
            "item_code": order.item_code,
            "amount_cents": order.amount_cents,
            "application_id": order.application_id,
            "payer_account_id": order.payer_account_id,
            "failure_code": order.failure_code or None,
        },
    )


def _move(
    session: Session,
    platform: Any,
    tenant: Any,
    order: Order,
    to: str,
    actor: str,
    note: str = "",
    failure: str = "",
) -> Order:
    if order.state == to or order.finished:
        return order
    before = order.state
    order.state, order.failure_code = to, failure
    if to in FINISHED:
        order.finished_at = _now()
    if to == "success":
        order.paid_on = today(platform, tenant)
    _changed(session, tenant, order, before, actor, note)
    if to == "success":
        issue_receipt(session, tenant, order)
    _tell_payer(session, tenant, order)
    return order


# --- talking to the gateway: never inside a database transaction ----------------------------------------
#
# Each call that reaches the gateway is three steps: a short transaction checks the order and records the
# attempt; the HTTP call, with no transaction open (a slow or hanging gateway holds no row, lock or pooled
# connection); a new transaction records the outcome on a freshly read order. Every step is idempotent,
# so a crash or a timeout between them is repaired by doing it again: the gateway creates one payment per
# order reference (the merchant order number) and one refund per idempotency key.


def _get(session: Session, tenant: Any, order_id: int, account_id: int | None) -> Order:
    if account_id is None:
        return load(session, tenant, order_id)
    return own(session, tenant, order_id, account_id)


def _expired(order: Order) -> bool:
    return _now() >= _aware(order.expires_at)


def start(
    platform: Any,
    tenant: Any,
    order_id: int,
    *,
    return_url: str,
    actor: str,
    account_id: int | None = None,
) -> Order:
    """Hand the order to the gateway; the payer is then sent to ``order.next_url``. ``account_id``: only
    the payer's own order (anyone else's answers like a missing one)."""
    db = platform.db
    with db.transaction(tenant.scope) as s:
        order = _get(s, tenant, order_id, account_id)
        if order.state == "created" and _expired(order):
            return _move(s, platform, tenant, order, "failed", actor, "expired", failure="expired")
        if order.state in ("started", "submitted"):
            return order
        if order.state != "created":
            title = STATE_TITLES[order.state]
            raise Conflict(
                f"This order is {title[1].lower()}; it cannot be paid",
                f"该订单{title[0]}，不能支付",
                code="order_finished",
            )
        _attempt(s, tenant, order, actor)
        amount, reference = order.amount_cents, order.reference
        description = f"{order.item_name} {yuan(order.amount_cents)}元"
    made = provider_for(platform, tenant).create(
        platform,
        tenant,
        amount_cents=amount,
        reference=reference,
        description=description,
        return_url=return_url,
    )
    with db.transaction(tenant.scope) as s:
        order = load(s, tenant, order_id)
        if order.state != "created":  # recorded by a concurrent click, or cancelled meanwhile
            return order
        order.provider_payment_id, order.next_url = made.payment_id, made.next_url
        return _move(s, platform, tenant, order, "started", actor)


def _attempt(session: Session, tenant: Any, order: Order, actor: str) -> None:
    """The attempt to reach the gateway, in the order's history before the call is made."""
    session.add(
        OrderChange(
            tenant_id=tenant.id,
            tenant_path=tenant.path,
            order_id=order.id,
            from_state=order.state,
            to_state=order.state,
            note="gateway_attempt",
            actor=actor[:100],
            at=_now(),
        )
    )


def sync(platform: Any, tenant: Any, order_id: int, *, actor: str, account_id: int | None = None) -> Order:
    """Learn the order's state from the gateway (after the payer returns, and from the periodic task);
    an unfinished order past its expiry fails with ``expired``."""
    with platform.db.session(tenant.scope) as s:
        order = _get(s, tenant, order_id, account_id)
        if order.finished:
            return order
        payment_id = order.provider_payment_id
    state = provider_for(platform, tenant).state(platform, tenant, payment_id) if payment_id else None
    with platform.db.transaction(tenant.scope) as s:
        order = load(s, tenant, order_id)
        if order.finished:
            return order
        if state in FINISHED or state == "submitted":
            return _move(s, platform, tenant, order, str(state), actor, "gateway")
        if _expired(order):
            return _move(s, platform, tenant, order, "failed", actor, "expired", failure="expired")
        return order


def cancel(session: Session, platform: Any, tenant: Any, order: Order, *, actor: str) -> Order:
    if order.state not in ("created", "started"):
        raise Conflict(
            "Only an order not yet submitted can be cancelled",
            "只能取消尚未提交支付的订单",
            code="cannot_cancel",
        )
    return _move(session, platform, tenant, order, "cancelled", actor, "cancelled by the payer")


def _aware(at: datetime) -> datetime:
    from datetime import UTC

    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


# --- refunds and receipts ---------------------------------------------------------------------------------


def refund(
    platform: Any,
    tenant: Any,
    order_id: int,
    *,
    amount_cents: int,
    reason: str,
    idempotency_key: str,
    actor: str,
) -> Refund:
    """Give back part or all of a successful payment; the refunds together never exceed what was paid.

    The refund is reserved first (a ``pending`` row, the order's ``refunded_cents`` raised under the
    order's row lock), committed, then asked of the gateway with no transaction open, then recorded as
    ``done`` — or, when the gateway refuses it, ``refused`` and the reservation given back. When the
    gateway cannot be reached it stays ``pending``: the same request again (same idempotency key), or
    the periodic task, completes it; the gateway refunds once per key."""
    key = idempotency_key.strip()
    if not key or len(key) > 100:
        raise Invalid(
            "idempotency_key must be 1-100 characters",
            "幂等键须为 1-100 个字符",
            code="bad_idempotency_key",
            fields={"idempotency_key": "1-100 characters"},
        )
    with platform.db.transaction(tenant.scope) as s:
        row = _reserve_refund(s, tenant, order_id, amount_cents, reason, key, actor)
        if row.state != "pending":
            return row
        ask = (row.id, _payment_id(s, row))
    return finish_refund(platform, tenant, ask[0], ask[1], actor=actor)


def _payment_id(session: Session, row: Refund) -> str:
    order = session.get(Order, row.order_id)
    assert order is not None
    return order.provider_payment_id


def _reserve_refund(
    session: Session, tenant: Any, order_id: int, amount_cents: int, reason: str, key: str, actor: str
) -> Refund:
    done = session.scalar(select(Refund).where(Refund.tenant_id == tenant.id, Refund.idempotency_key == key))
    if done is not None:
        if (done.order_id, done.amount_cents) != (order_id, amount_cents):
            raise Conflict(
                "This idempotency key was used for a different refund",
                "该幂等键已用于另一笔退款",
                code="idempotency_key_reused",
            )
        return done
    order = session.scalar(
        select(Order).where(Order.id == order_id, Order.tenant_id == tenant.id).with_for_update()
    )
    if order is None:
        raise NotFound("No such payment order here", "本级没有这个缴费订单", code="unknown_order")
    if order.state != "success":
        raise Conflict(
            "Only a successful payment can be refunded", "只有支付成功的订单可以退款", code="not_paid"
        )
    left = order.amount_cents - order.refunded_cents  # pending refunds are reserved in refunded_cents
    if not 0 < amount_cents <= left:
        raise Invalid(
            f"A refund must be between 0.01 and {yuan(left)} yuan (paid {yuan(order.amount_cents)}, "
            f"refunded {yuan(order.refunded_cents)})",
            f"退款金额须在 0.01 元至 {yuan(left)} 元之间（已付 {yuan(order.amount_cents)} 元，"
            f"已退 {yuan(order.refunded_cents)} 元）",
            code="refund_too_large" if amount_cents > left else "bad_amount",
            fields={"amount_cents": f"at most {left}"},
        )
    if not reason.strip():
        raise Invalid(
            "A refund needs a reason", "退款须说明理由", code="no_reason", fields={"reason": "required"}
        )
    order.refunded_cents += amount_cents
    row = Refund(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        order_id=order.id,
        idempotency_key=key,
        amount_cents=amount_cents,
        reason=reason.strip()[:500],
        provider_refund_id="",
        state="pending",
        actor=actor[:100],
        created_at=_now(),
    )
    session.add(row)
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(
            "The order changed meanwhile; reload and try again",
            "订单已被更新，请刷新后重试",
            code="stale_version",
        ) from None
    return row


def finish_refund(platform: Any, tenant: Any, refund_id: int, payment_id: str, *, actor: str) -> Refund:
    """Ask the gateway for a reserved refund (idempotent by its key) and record the answer."""
    with platform.db.session(tenant.scope) as s:
        row = s.get(Refund, refund_id)
        assert row is not None and row.tenant_id == tenant.id
        if row.state != "pending":
            return row
        key, amount = row.idempotency_key, row.amount_cents
    try:
        provider_refund_id = provider_for(platform, tenant).refund(
            platform, tenant, payment_id, amount_cents=amount, key=key
        )
    except Invalid:
        with platform.db.transaction(tenant.scope) as s:
            _settle_refund(s, tenant, refund_id, "refused", "", actor)
        raise
    with platform.db.transaction(tenant.scope) as s:
        return _settle_refund(s, tenant, refund_id, "done", provider_refund_id, actor)


def _settle_refund(
    session: Session, tenant: Any, refund_id: int, state: str, provider_refund_id: str, actor: str
) -> Refund:
    row = session.get(Refund, refund_id)
    assert row is not None
    if row.state != "pending":
        return row
    order = session.scalar(select(Order).where(Order.id == row.order_id).with_for_update())
    assert order is not None
    row.state, row.provider_refund_id = state, provider_refund_id
    if state == "refused":
        order.refunded_cents -= row.amount_cents  # the reservation is given back
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="payment.order.refunded" if state == "done" else "payment.refund.refused",
        tenant=tenant,
        target=f"payment.order:{order.id}",
        details={
            "amount_cents": row.amount_cents,
            "refunded_cents": order.refunded_cents,
            "reason": row.reason,
            "refund_id": row.id,
        },
    )
    if state == "done":
        publish(
            session,
            tenant=tenant,
            type="payment.order.refunded",
            actor=actor,
            payload={"order_id": order.id, "amount_cents": row.amount_cents, "refund_id": row.id},
        )
    return row


def pending_refunds(session: Session, limit: int = 200) -> list[tuple[int, int, str]]:
    """(tenant id, refund id, gateway payment id) of refunds reserved but not yet answered by the gateway."""
    q = (
        select(Refund.tenant_id, Refund.id, Order.provider_payment_id)
        .join(Order, Order.id == Refund.order_id)
        .where(Refund.state == "pending")
        .order_by(Refund.id)
        .limit(limit)
    )
    return [(int(t), int(r), str(p)) for t, r, p in session.execute(q)]


def issue_receipt(session: Session, tenant: Any, order: Order) -> Receipt:
    """The electronic receipt of a successful order (one per order)."""
    found = session.scalar(select(Receipt).where(Receipt.order_id == order.id))
    if found is not None:
        return found
    number = f"R{order.reference}"[:40]
    issued = _now()
    digest = _digest(
        number,
        order.reference,
        order.amount_cents,
        order.payer_name,
        order.item_name,
        order.legal_basis,
        issued.isoformat(),
    )
    row = Receipt(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        order_id=order.id,
        number=number,
        amount_cents=order.amount_cents,
        payer_name=order.payer_name,
        item_name=order.item_name,
        legal_basis=order.legal_basis,
        issued_at=issued,
        digest=digest,
    )
    session.add(row)
    session.flush()
    return row


def receipt_of(session: Session, order: Order) -> Receipt | None:
    return session.scalar(select(Receipt).where(Receipt.order_id == order.id))


def history(session: Session, order: Order) -> list[OrderChange]:
    return list(
        session.scalars(select(OrderChange).where(OrderChange.order_id == order.id).order_by(OrderChange.id))
    )


def refunds_of(session: Session, order: Order) -> list[Refund]:
    """Every refund of the order, including reserved (``pending``) and ``refused`` ones."""
    return list(session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)))


# --- messages to the payer --------------------------------------------------------------------------------

_TOLD = {
    "created": (
        "请缴费：{item}",
        "Payment due: {item}",
        "应缴 {amount} 元。依据：{basis}",
        "{amount} yuan is due. Legal basis: {basis}",
    ),
    "success": (
        "缴费成功：{item}",
        "Payment received: {item}",
        "已收到 {amount} 元，电子票据已开具。",
        "{amount} yuan received; the electronic receipt is issued.",
    ),
    "failed": (
        "缴费未成功：{item}",
        "Payment not completed: {item}",
        "订单未完成支付，可重新缴费。",
        "The payment was not completed; you may pay again.",
    ),
}


def _tell_payer(session: Session, tenant: Any, order: Order) -> None:
    spec = _TOLD.get(order.state)
    if spec is None:
        return
    values = {"item": order.item_name, "amount": yuan(order.amount_cents), "basis": order.legal_basis}
    tzh, ten, bzh, ben = (s.format(**values) for s in spec)
    notify(
        session,
        tenant=tenant,
        to_account=order.payer_account_id,
        kind=f"payment.{order.state}",
        title_zh=tzh[:200],
        title_en=ten[:200],
        body_zh=bzh,
        body_en=ben,
        href=f"payment/my/{order.id}",
        dedupe_key=f"payment.{order.state}:{order.id}",
    )


def tell_created(session: Session, tenant: Any, order: Order) -> None:
    _tell_payer(session, tenant, order)


# --- what clerks and supervision read ---------------------------------------------------------------------


def for_application(session: Session, tenant: Any, application_id: int) -> list[Order]:
    return list(
        session.scalars(
            select(Order)
            .where(Order.tenant_id == tenant.id, Order.application_id == application_id)
            .order_by(Order.id)
        )
    )


def unfinished(session: Session, tenant: Any, limit: int = 200) -> list[Order]:
    return list(
        session.scalars(
            select(Order)
            .where(Order.tenant_id == tenant.id, Order.state.in_(UNFINISHED))
            .order_by(Order.id)
            .limit(limit)
        )
    )


def unfinished_everywhere(session: Session, limit: int = 500) -> list[Order]:
    """The oldest unfinished orders of the session's scope (the system scope for the periodic task)."""
    q = select(Order).where(Order.state.in_(UNFINISHED)).order_by(Order.id).limit(limit)
    return list(session.scalars(q))


def count_by_state(session: Session, tenant: Any) -> dict[str, int]:
    q = select(Order.state, func.count()).where(Order.tenant_id == tenant.id).group_by(Order.state)
    return {str(s): int(n) for s, n in session.execute(q)}
