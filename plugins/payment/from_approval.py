"""Payment and approval, through events and the checks hook only (neither imports the other):

* ``approval.application.submitted`` for an item whose fee is due before acceptance, and
  ``approval.application.approved`` for one due before conclusion, open a payment order for the
  applicant (idempotency key per application and stage, so a redelivered event opens nothing more) and
  tell them payment is due;
* approval's ``approval.gate`` check: before accepting (or concluding) an application of such an item,
  an unpaid fee is a ``serious`` finding, which holds the step; the finding says the order's state.

With approval off nothing here runs; with payment off approval's gate has no finding and goes ahead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Conflict, Event, Finding
from plugins.payment import services
from plugins.payment.models import Fee

OPENS = {
    "approval.application.submitted": "before_acceptance",
    "approval.application.approved": "before_conclusion",
}
GATE_STAGE = {"acceptance": "before_acceptance", "conclusion": "before_conclusion"}


def handle_event(event: Event, session: Session) -> services.Order | None:
    stage = OPENS.get(event.type)
    platform = session.info.get("platform")
    if stage is None or platform is None:
        return None
    tenant = platform.directory.by_id.get(event.tenant_id)
    p = event.payload
    fee = services.get_fee(session, tenant, str(p.get("item_code", "")))
    account = p.get("applicant_account_id")
    if fee is None or fee.stage != stage or not isinstance(account, int) or tenant is None:
        return None
    app_id = int(p["application_id"])
    payer = services.Payer(account, str(p.get("applicant_name", "")), "system:payment")
    try:
        order, created = services.create_order(
            session,
            platform,
            tenant,
            payer=payer,
            item_code=fee.item_code,
            amount_cents=fee.amount_cents,
            idempotency_key=f"approval:{app_id}:{stage}",
            application_id=app_id,
            application_number=str(p.get("number", "")),
        )
    except Conflict:  # already paid or being paid (e.g. paid before a correction): nothing to open
        return None
    if created:
        services.tell_created(session, tenant, order)
    return order


def _before(submitted: Any, fee_from: datetime) -> bool:
    """The application was submitted before the fee took effect: it is not held for it."""
    try:
        at = datetime.fromisoformat(str(submitted))
    except ValueError:
        return False
    return _aware(at) < _aware(fee_from)


def _aware(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def gate(subject: dict[str, Any], tenant: Any, session: Session) -> list[Finding]:
    stage = GATE_STAGE.get(str(subject.get("stage", "")))
    app_id = subject.get("application_id")
    if stage is None or not isinstance(app_id, int):
        return []
    fee = services.get_fee(session, tenant, str(subject.get("item_code", "")))
    if fee is None or fee.stage != stage or _before(subject.get("submitted_at"), fee.created_at):
        return []
    orders = services.for_application(session, tenant, app_id)
    if any(o.state == "success" for o in orders):
        return []
    state = orders[-1].state if orders else "none"
    zh, en = services.STATE_TITLES.get(state, ("未生成缴费订单", "No payment order"))
    amount = services.yuan(fee.amount_cents)
    return [
        Finding(
            source="payment",
            code="payment.unpaid",
            level="serious",
            message_zh=f"申请人尚未缴纳 {amount} 元（{fee.item_name}），缴费状态：{zh}",
            message_en=f"The applicant has not paid the {amount} yuan fee yet; payment state: {en.lower()}",
            object_type="approval.application",
            object_id=str(app_id),
            tenant_id=tenant.id,
            facts={
                "state": state,
                "amount_cents": fee.amount_cents,
                "order_id": orders[-1].id if orders else None,
            },
        )
    ]


def item_fees(tenant: Any, item_codes: list[str], session: Session) -> dict[str, dict[str, Any]]:
    """Approval's ``govhall_approval_item_fees``: what payment charges is the fee (issue #16) — an item's
    active fee here, and nothing (0) for an item payment has no fee for, so approval's guide, the fee on
    a new application and its ``fee_mismatch`` rule show what is actually charged."""
    codes = sorted({str(c) for c in item_codes})
    out: dict[str, dict[str, Any]] = {c: {"cents": 0, "basis": ""} for c in codes}
    for i in range(0, len(codes), 500):  # bounded IN lists
        rows = session.execute(
            select(Fee.item_code, Fee.amount_cents, Fee.legal_basis).where(
                Fee.tenant_id == tenant.id, Fee.item_code.in_(codes[i : i + 500]), Fee.active.is_(True)
            )
        )
        for code, cents, basis in rows:
            out[code] = {"cents": int(cents), "basis": basis}
    return out


STAGE_TITLES = {
    "before_acceptance": ("受理前缴纳", "due before acceptance"),
    "before_conclusion": ("批准后、办结前缴纳", "due once approved, before conclusion"),
    "on_demand": ("按需缴纳", "paid on demand"),
}


def case_facts(
    tenant: Any, application: dict[str, Any], viewer: str, session: Session
) -> list[dict[str, Any]]:
    """Approval's ``govhall_approval_case_facts``: the fee and the state of its payment, so the clerk sees
    whether the applicant has paid and the applicant finds the way to pay from their application."""
    app_id = application.get("id")
    if not isinstance(app_id, int):
        return []
    fee = services.get_fee(session, tenant, str(application.get("item_code", "")))
    orders = services.for_application(session, tenant, app_id)
    if fee is None and not orders:
        return []
    shown = next((o for o in orders if o.state == "success"), orders[-1] if orders else None)
    if shown is None:
        assert fee is not None
        amount = services.yuan(fee.amount_cents)
        when_zh, when_en = STAGE_TITLES.get(fee.stage, ("", ""))
        return [
            {
                "label_zh": "收费",
                "label_en": "Fee",
                "value_zh": f"{amount} 元（{when_zh}），尚未生成缴费订单",
                "value_en": f"{amount} yuan ({when_en}); no payment order yet",
                "level": "warning",
            }
        ]
    zh, en = services.STATE_TITLES[shown.state]
    unpaid = shown.state in services.UNFINISHED
    base = f"/t/{tenant.code}/payment"
    if viewer == "applicant":
        href = f"{base}/my/{shown.id}"
        link = ("去缴费", "Pay now") if unpaid else ("查看缴费订单", "View the payment")
    else:
        href = f"{base}/orders/{shown.id}"
        link = ("查看缴费订单", "View the payment order")
    refunded = (
        (
            f"，已退 {services.yuan(shown.refunded_cents)} 元",
            f", {services.yuan(shown.refunded_cents)} refunded",
        )
        if shown.refunded_cents
        else ("", "")
    )
    return [
        {
            "label_zh": "缴费",
            "label_en": "Payment",
            "value_zh": f"{services.yuan(shown.amount_cents)} 元 · {zh}{refunded[0]}",
            "value_en": f"{services.yuan(shown.amount_cents)} yuan · {en.lower()}{refunded[1]}",
            "href": href,
            "link_zh": link[0],
            "link_en": link[1],
            "level": "ok" if shown.state == "success" else "warning",
        }
    ]
