"""The fiscal pack (财政收支): payments above their budget line, purchases split just under the
procurement threshold, payments to suppliers on the credit black list, special funds paid late."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from core.api import Finding, add_calendar_days
from plugins.feeds.models import BudgetLine, Payment
from plugins.feeds.rules import Names, finding, rule, where, yuan

P = Payment.__table__.c
L = BudgetLine.__table__.c
PACK = "fiscal"


def scan_over_budget(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    paid = (
        select(P.tenant_id, P.line_code, func.sum(P.amount_cents).label("paid"), func.count().label("n"))
        .where(*where(platform, session, PACK, Payment.__table__))
        .group_by(P.tenant_id, P.line_code)
        .subquery()
    )
    stmt = (
        select(L.tenant_id, L.line_code, L.title, L.department_code, L.amount_cents, paid.c.paid, paid.c.n)
        .join_from(
            BudgetLine.__table__, paid, and_(paid.c.tenant_id == L.tenant_id, paid.c.line_code == L.line_code)
        )
        .where(*where(platform, session, PACK, BudgetLine.__table__), paid.c.paid > L.amount_cents)
        .order_by(L.tenant_id, L.line_code)
    )
    names = Names(session)
    return [
        finding(
            "feeds.fiscal.over_budget",
            "red",
            r.tenant_id,
            "feeds.budget_line",
            r.line_code,
            f"{names(r.tenant_id, r.department_code)}预算指标“{r.title}”已支付 {yuan(r.paid)} 元，"
            f"超过指标 {yuan(r.amount_cents)} 元",
            f"Budget line '{r.title}' paid {yuan(r.paid)} yuan, above its {yuan(r.amount_cents)} yuan",
            "fiscal.budget_line",
            department_code=r.department_code,
            department_name=names(r.tenant_id, r.department_code),
            paid_yuan=yuan(r.paid),
            budget_yuan=yuan(r.amount_cents),
            payments=int(r.n),
        )
        for r in session.execute(stmt)
    ]


def scan_split_purchase(*, platform: Any, session: Session, tenant: Any = None, **kw: Any) -> list[Finding]:
    """Candidates (payments in the band just under the threshold) come from one query; grouping them into
    windows of calendar days is done on that small set through the legal clock."""
    threshold = int(platform.settings["feeds.procurement_threshold_yuan"]) * 100
    margin = int(platform.settings["feeds.split_margin_percent"])
    window = int(platform.settings["feeds.split_window_days"])
    low = threshold - threshold * margin // 100
    stmt = (
        select(
            P.tenant_id,
            P.department_code,
            P.supplier_code,
            P.supplier_name,
            P.payment_no,
            P.amount_cents,
            P.paid_on,
        )
        .where(
            *where(platform, session, PACK, Payment.__table__),
            P.amount_cents >= low,
            P.amount_cents < threshold,
        )
        .order_by(P.tenant_id, P.department_code, P.supplier_code, P.paid_on, P.payment_no)
    )
    names = Names(session)
    out: list[Finding] = []
    group: list[Any] = []

    def flush() -> None:
        if len(group) >= 2:
            first = group[0]
            total = sum(g.amount_cents for g in group)
            nos = [g.payment_no for g in group]
            out.append(
                finding(
                    "feeds.fiscal.split_purchase",
                    "yellow",
                    first.tenant_id,
                    "feeds.payment",
                    first.payment_no,
                    f"{names(first.tenant_id, first.department_code)}在 {window} 日内"
                    f"向{first.supplier_name}支付 {len(group)} 笔、"
                    f"均略低于采购限额 {yuan(threshold)} 元，"
                    f"合计 {yuan(total)} 元，疑似拆分采购",
                    f"{len(group)} payments to {first.supplier_name} within {window} days, each just "
                    f"under the procurement threshold of {yuan(threshold)} yuan (total {yuan(total)}): "
                    "a split purchase?",
                    "fiscal.payment",
                    department_code=first.department_code,
                    department_name=names(first.tenant_id, first.department_code),
                    supplier=first.supplier_name,
                    payments=nos,
                    total_yuan=yuan(total),
                    first_paid_on=first.paid_on,
                )
            )

    for r in session.execute(stmt):
        same = group and (group[0].tenant_id, group[0].department_code, group[0].supplier_code) == (
            r.tenant_id,
            r.department_code,
            r.supplier_code,
        )
        if same and r.paid_on <= add_calendar_days(group[0].paid_on, window):
            group.append(r)
            continue
        flush()
        group = [r]
    flush()
    return out


def _black_listed(
    platform: Any, session: Session, tenant_id: int, code: str, name: str, cache: dict[tuple[int, str], bool]
) -> bool:
    """Ask whoever answers ``credit.subject`` at the payer's tenant (the credit plugin, when it is on
    there); nobody answering means not known to be black-listed."""
    if (tenant_id, code) in cache:
        return cache[(tenant_id, code)]
    tenant = platform.directory.by_id[tenant_id]
    batches = platform.hooks(tenant).govhall_checks(
        check="credit.subject",
        subject={"kind": "legal", "id_number": code, "name": name, "purpose": "feeds.fiscal_payment"},
        tenant=tenant,
        session=session,
    )
    listed = any(
        "black" in (f.facts.get("lists") or []) for b in batches for f in (b or []) if f.source == "credit"
    )
    cache[(tenant_id, code)] = listed
    return listed


def scan_black_listed_supplier(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    scope = where(platform, session, PACK, Payment.__table__)
    suppliers = session.execute(
        select(P.tenant_id, P.supplier_code, func.min(P.supplier_name))
        .where(*scope)
        .group_by(P.tenant_id, P.supplier_code)
    ).all()
    cache: dict[tuple[int, str], bool] = {}
    listed = [
        (t, c)
        for t, c, n in suppliers
        if "credit" in platform.enabled(platform.directory.by_id[t])
        and _black_listed(platform, session, t, c, n, cache)
    ]
    if not listed:
        return []
    names = Names(session)
    out = []
    for tid, code in listed:
        stmt = (
            select(P.tenant_id, P.payment_no, P.department_code, P.supplier_name, P.amount_cents, P.paid_on)
            .where(*scope, P.tenant_id == tid, P.supplier_code == code)
            .order_by(P.payment_no)
        )
        out += [
            finding(
                "feeds.fiscal.black_listed_supplier",
                "red",
                r.tenant_id,
                "feeds.payment",
                r.payment_no,
                f"{names(r.tenant_id, r.department_code)}向严重失信主体（黑名单）{r.supplier_name}支付 "
                f"{yuan(r.amount_cents)} 元",
                f"Payment of {yuan(r.amount_cents)} yuan to {r.supplier_name}, on the credit black list",
                "fiscal.payment",
                department_code=r.department_code,
                department_name=names(r.tenant_id, r.department_code),
                supplier=r.supplier_name,
                amount_yuan=yuan(r.amount_cents),
                paid_on=r.paid_on,
            )
            for r in session.execute(stmt)
        ]
    return out


def scan_special_fund_late(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    stmt = (
        select(P.tenant_id, P.payment_no, P.department_code, P.amount_cents, P.paid_on, L.title, L.deadline)
        .join_from(
            Payment.__table__,
            BudgetLine.__table__,
            and_(L.tenant_id == P.tenant_id, L.line_code == P.line_code),
        )
        .where(
            *where(platform, session, PACK, Payment.__table__),
            L.special_fund.is_(True),
            L.deadline.is_not(None),
            P.paid_on > L.deadline,
        )
        .order_by(P.tenant_id, P.payment_no)
    )
    names = Names(session)
    return [
        finding(
            "feeds.fiscal.special_fund_late",
            "yellow",
            r.tenant_id,
            "feeds.payment",
            r.payment_no,
            f"专项资金“{r.title}”于 {r.paid_on} 支付 {yuan(r.amount_cents)} 元，晚于支付期限 {r.deadline}",
            f"Special fund '{r.title}' paid on {r.paid_on}, after its deadline {r.deadline}",
            "fiscal.payment",
            department_code=r.department_code,
            department_name=names(r.tenant_id, r.department_code),
            paid_on=r.paid_on,
            deadline=r.deadline,
        )
        for r in session.execute(stmt)
    ]


RULES = [
    rule(
        PACK,
        "feeds.fiscal.over_budget",
        "red",
        "支付超预算指标",
        "Payments above the budget line",
        scan_over_budget,
    ),
    rule(
        PACK,
        "feeds.fiscal.split_purchase",
        "yellow",
        "化整为零、规避政府采购",
        "Purchase split under the threshold",
        scan_split_purchase,
    ),
    rule(
        PACK,
        "feeds.fiscal.black_listed_supplier",
        "red",
        "向失信黑名单主体支付",
        "Payment to a black-listed supplier",
        scan_black_listed_supplier,
    ),
    rule(
        PACK,
        "feeds.fiscal.special_fund_late",
        "yellow",
        "专项资金逾期支付",
        "Special fund paid after its deadline",
        scan_special_fund_late,
    ),
]
