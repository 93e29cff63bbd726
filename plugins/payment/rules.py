"""Supervision rules of the payment plugin (fiscal kind of power) and its periodic tasks.

``payment.reconciliation_overdue`` (T+1): a day's successful payments must be reconciled against the
provider's statement by the next day; on the day after that, each unreconciled (tenant, day) is a yellow
card. Set-based like approval's rules: one ``SELECT`` per root of the tree over the session's subtree,
bounded to the last ``WINDOW_DAYS`` days.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session

from core.api import Conflict, DomainError, Finding, Scope, days_before, today
from plugins.payment import services
from plugins.payment.models import Order, Reconciliation

O = Order.__table__.c  # noqa: E741
R = Reconciliation.__table__.c
WINDOW_DAYS = 31
RULE = "payment.reconciliation_overdue"


def scan_reconciliation(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    scope = session.info.get("scope")
    assert isinstance(scope, Scope), "payment rules need a scoped session"
    day: date = kw.get("today") or today(platform)
    due_before = days_before(day, 1)  # day D is due on D+1: from D+2 on it is overdue
    reconciled = exists().where(and_(R.tenant_id == O.tenant_id, R.statement_date == O.paid_on))
    stmt = (
        select(O.tenant_id, O.paid_on, func.count().label("n"), func.sum(O.amount_cents).label("cents"))
        .where(
            scope.predicate(O.tenant_path),
            O.state == "success",
            O.paid_on < due_before,
            O.paid_on >= days_before(day, WINDOW_DAYS),
            ~reconciled,
        )
        .group_by(O.tenant_id, O.paid_on)
    )
    return [_finding(r) for r in session.execute(stmt)]


def _finding(row: Any) -> Finding:
    on = row.paid_on.isoformat()
    amount = services.yuan(int(row.cents or 0))
    return Finding(
        source="payment",
        code=RULE,
        level="warning",
        message_zh=f"{on} 的 {row.n} 笔缴费（{amount} 元）未按 T+1 对账",
        message_en=f"{row.n} payments of {on} ({amount} yuan) were not reconciled by the next day (T+1)",
        object_type="payment.day",
        object_id=f"{row.tenant_id}:{on}",
        tenant_id=row.tenant_id,
        facts={
            "occurrence": f"reconciliation:{on}",
            "department_code": "",
            "step": "reconciliation",
            "href": "payment/reconciliations",
            "day": on,
            "payments": int(row.n),
        },
    )


# Supervision's rule contract as plain data (plugins/supervision/hookspecs.py): no import of supervision.
RULES: list[dict[str, Any]] = [
    {
        "id": RULE,
        "version": 1,
        "kind_of_power": "fiscal",
        "severity": "yellow",
        "title_zh": "缴费未按 T+1 对账",
        "title_en": "Payments not reconciled by T+1",
        "scan": scan_reconciliation,
        "scan_subtree": True,
    },
]


def sync_task(*, platform: Any, tenant: Any, session: Session) -> None:
    """Learn unfinished orders' states from the gateway, expire the stale ones and complete refunds left
    pending: one installation-wide run over the oldest. The gateway is called with no transaction open
    (services.sync and services.finish_refund open their own short ones), so the task's own session is
    left unused and holds no connection while a slow gateway answers."""
    with platform.db.session(Scope.system()) as s:
        orders = [(o.tenant_id, o.id) for o in services.unfinished_everywhere(s)]
        refunds = services.pending_refunds(s)
    for tenant_id, order_id in orders:
        here = platform.directory.by_id.get(tenant_id)
        if here is None or "payment" not in platform.enabled(here):
            continue
        try:
            services.sync(platform, here, order_id, actor="system:payment")
        except Conflict:  # the gateway is away (or the order changed meanwhile): the next run asks again
            continue
    for tenant_id, refund_id, payment_id in refunds:
        here = platform.directory.by_id.get(tenant_id)
        if here is None or "payment" not in platform.enabled(here):
            continue
        try:
            services.finish_refund(platform, here, refund_id, payment_id, actor="system:payment")
        except DomainError:  # away again, or refused (recorded): nothing more to do now
            continue
