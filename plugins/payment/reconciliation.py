"""Daily reconciliation: a provider's statement file (CSV) compared with the day's orders and refunds.

Every difference is listed, never summed away: a payment the statement has and we do not (or we hold as
unpaid), one we hold as paid that the statement lacks, an amount that differs, the same for refunds.
The statement's columns: ``reference,payment_id,amount_cents,kind,date`` (kind: payment or refund).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.api import Invalid, add_calendar_days, audit, days_before, local_date, publish
from plugins.payment.models import Order, Reconciliation, Refund

HEADER = ["reference", "payment_id", "amount_cents", "kind", "date"]
MAX_LINES = 200_000


def _bad(line: int, why_en: str, why_zh: str) -> Invalid:
    return Invalid(
        f"Statement line {line}: {why_en}",
        f"对账单第 {line} 行：{why_zh}",
        code="bad_statement",
        fields={"statement": f"line {line}: {why_en}"},
    )


def parse(text: str, day: date) -> list[dict[str, Any]]:
    """The statement's lines, each checked; the whole file is refused on the first bad line."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows or [c.strip() for c in rows[0]] != HEADER:
        raise _bad(1, "the header must be " + ",".join(HEADER), "表头须为 " + ",".join(HEADER))
    if len(rows) > MAX_LINES:
        raise _bad(MAX_LINES, "too many lines", "行数过多")
    out = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(HEADER):
            raise _bad(n, f"expected {len(HEADER)} columns", f"应有 {len(HEADER)} 列")
        ref, pid, amount, kind, when = (c.strip() for c in row)
        if not amount.isdigit() or not 0 < int(amount) <= 10**9:
            raise _bad(n, "amount_cents must be a positive whole number", "金额须为正整数（分）")
        if kind not in ("payment", "refund"):
            raise _bad(n, "kind must be payment or refund", "类型须为 payment 或 refund")
        if when != day.isoformat():
            raise _bad(n, f"date {when[:20]} is not the statement's day {day}", f"日期与对账日 {day} 不符")
        out.append(
            {"reference": ref[:40], "payment_id": pid[:100], "amount_cents": int(amount), "kind": kind}
        )
    return out


def _ours(
    session: Session, platform: Any, tenant: Any, provider: str, day: date
) -> tuple[dict[str, Order], dict[str, Refund]]:
    paid = {
        o.provider_payment_id: o
        for o in session.scalars(
            select(Order).where(
                Order.tenant_id == tenant.id,
                Order.provider == provider,
                Order.paid_on == day,
                Order.state == "success",
            )
        )
    }
    # Refunds by the halls' day: a window wide enough for any zone, then the day each happened there.
    start = datetime.combine(days_before(day, 1), time.min, UTC)
    end = datetime.combine(add_calendar_days(day, 2), time.min, UTC)
    refunds = {
        r.provider_refund_id: r
        for r in session.scalars(
            select(Refund)
            .join(Order, Order.id == Refund.order_id)
            .where(
                Refund.tenant_id == tenant.id,
                Refund.state == "done",  # a pending or refused refund has moved no money
                Order.provider == provider,
                Refund.created_at >= start,
                Refund.created_at < end,
            )
        )
        if local_date(platform, r.created_at) == day
    }
    return paid, refunds


def reconcile(
    session: Session, platform: Any, tenant: Any, *, provider: str, day: date, text: str, actor: str
) -> Reconciliation:
    lines = parse(text, day)
    paid, refunds = _ours(session, platform, tenant, provider, day)
    seen_pay: set[str] = set()
    seen_ref: set[str] = set()
    diffs: list[dict[str, Any]] = []
    for line in lines:
        pid, kind = line["payment_id"], line["kind"]
        ours: Any = paid.get(pid) if kind == "payment" else refunds.get(pid)
        (seen_pay if kind == "payment" else seen_ref).add(pid)
        if ours is None:
            order = (
                session.scalar(
                    select(Order).where(Order.tenant_id == tenant.id, Order.provider_payment_id == pid)
                )
                if kind == "payment"
                else None
            )
            diffs.append(
                {
                    "kind": f"{kind}_not_ours",
                    "reference": line["reference"],
                    "payment_id": pid,
                    "theirs_cents": line["amount_cents"],
                    "ours_cents": None,
                    "our_state": order.state if order else None,
                }
            )
        elif ours.amount_cents != line["amount_cents"]:
            diffs.append(
                {
                    "kind": f"{kind}_amount_differs",
                    "reference": line["reference"],
                    "payment_id": pid,
                    "theirs_cents": line["amount_cents"],
                    "ours_cents": ours.amount_cents,
                }
            )
    for pid, o in paid.items():
        if pid not in seen_pay:
            diffs.append(
                {
                    "kind": "payment_missing_from_statement",
                    "reference": o.reference,
                    "payment_id": pid,
                    "theirs_cents": None,
                    "ours_cents": o.amount_cents,
                }
            )
    for pid, r in refunds.items():
        if pid not in seen_ref:
            diffs.append(
                {
                    "kind": "refund_missing_from_statement",
                    "reference": "",
                    "payment_id": pid,
                    "theirs_cents": None,
                    "ours_cents": r.amount_cents,
                }
            )
    row = Reconciliation(
        tenant_id=tenant.id,
        tenant_path=tenant.path,
        provider=provider,
        statement_date=day,
        lines=len(lines),
        matched=len(lines) - sum(1 for d in diffs if d["theirs_cents"]),
        differences=diffs,
        actor=actor[:100],
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="payment.reconciliation.imported",
        tenant=tenant,
        target=f"payment.reconciliation:{row.id}",
        details={"day": day.isoformat(), "lines": len(lines), "differences": len(diffs)},
    )
    publish(
        session,
        tenant=tenant,
        type="payment.reconciliation.imported",
        actor=actor,
        payload={"reconciliation_id": row.id, "day": day.isoformat(), "differences": len(diffs)},
    )
    return row


def latest(session: Session, tenant: Any, limit: int = 30) -> list[Reconciliation]:
    return list(
        session.scalars(
            select(Reconciliation)
            .where(Reconciliation.tenant_id == tenant.id)
            .order_by(Reconciliation.id.desc())
            .limit(limit)
        )
    )
