"""Electronic supervision rules over the approval tables (consumed by the supervision plugin).

Each ``scan`` is one set-based query per tenant. Working-day limits cannot be computed in SQL (the
holiday calendar lives in Python), so each scan turns "more than N working days ago" into a boundary date
per distinct N first — a handful of dates — and compares columns against them in SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from core import calendar
from core.contracts import Event, Finding, SupervisionRule
from plugins.approval.models import Application, ServiceItem, Suspension, Task

OPEN = ("accepted", "in_review")  # a suspended clock is not running
LEVEL = {"prompt": "info", "yellow": "warning", "red": "serious"}
POWER = "administrative_approval"


def boundary(today: date, n: int) -> date:
    """The latest day X with more than ``n`` working days between X and ``today``."""
    x = today - timedelta(days=1)
    while calendar.workdays_between(x, today) <= n:
        x -= timedelta(days=1)
    return x


def _finding(rule: str, severity: str, app: Any, zh: str, en: str, **facts: Any) -> Finding:
    base = {
        "number": app.number,
        "item_code": app.item_code,
        "item_name": app.item_name,
        "department_code": facts.pop("department_code", app.department_code),
        "deadline": app.deadline.isoformat() if app.deadline else None,
    }
    return Finding(
        source="approval",
        code=rule,
        level=LEVEL[severity],
        message_zh=zh,
        message_en=en,  # type: ignore[arg-type]
        object_type="approval.application",
        object_id=str(app.id),
        tenant_id=app.tenant_id,
        facts={**base, **{k: (v.isoformat() if isinstance(v, date) else v) for k, v in facts.items()}},
    )


def _apps(session: Session, tenant: Any, *where: Any) -> list[Application]:
    return list(
        session.scalars(
            select(Application).where(Application.tenant_id == tenant.id, *where).order_by(Application.id)
        )
    )


def _today(kw: dict[str, Any]) -> date:
    return kw.get("today") or date.today()


def scan_prompt(*, platform: Any, session: Session, tenant: Any, **kw: Any) -> list[Finding]:
    today = _today(kw)
    due = calendar.add_workdays(today, 1)
    return [
        _finding(
            "approval.deadline_prompt",
            "prompt",
            a,
            f"办件 {a.number} 明天（{due}）到期，请抓紧办理",
            f"Application {a.number} is due tomorrow ({due})",
        )
        for a in _apps(session, tenant, Application.state.in_(OPEN), Application.deadline == due)
    ]


def scan_yellow(*, platform: Any, session: Session, tenant: Any, **kw: Any) -> list[Finding]:
    today = _today(kw)
    margin = int(platform.tenant_setting(tenant, "approval.yellow_margin_days"))
    edge = calendar.add_workdays(today, margin)
    rows = _apps(
        session,
        tenant,
        Application.state.in_(OPEN),
        Application.deadline >= today,
        Application.deadline <= edge,
    )
    return [
        _finding(
            "approval.deadline_near",
            "yellow",
            a,
            f"办件 {a.number} 距承诺时限不足 {margin} 个工作日",
            f"Application {a.number} is within {margin} working days of its deadline",
            margin=margin,
        )
        for a in rows
    ]


def scan_red(*, platform: Any, session: Session, tenant: Any, **kw: Any) -> list[Finding]:
    today = _today(kw)
    rows = _apps(session, tenant, Application.state.in_(OPEN), Application.deadline < today)
    return [
        _finding(
            "approval.overdue",
            "red",
            a,
            f"办件 {a.number} 已超过承诺时限（{a.deadline}）",
            f"Application {a.number} is past its deadline ({a.deadline})",
        )
        for a in rows
    ]


def scan_step_overdue(*, platform: Any, session: Session, tenant: Any, **kw: Any) -> list[Finding]:
    today = _today(kw)
    stmt = (
        select(Application, Task)
        .join(Task, Task.application_id == Application.id)
        .where(
            Application.tenant_id == tenant.id,
            Application.state.in_(OPEN),
            Application.deadline >= today,
            Task.state == "pending",
            Task.deadline < today,
        )
        .order_by(Task.id)
    )
    return [
        _finding(
            "approval.step_overdue",
            "yellow",
            a,
            f"办件 {a.number} 在{t.department_name or t.department_code}的环节已超时（{t.deadline}）",
            f"Step of {t.department_code} in {a.number} is overdue",
            department_code=t.department_code,
            step_deadline=t.deadline,
        )
        for a, t in session.execute(stmt)
    ]


def scan_acceptance_late(*, platform: Any, session: Session, tenant: Any, **kw: Any) -> list[Finding]:
    today = _today(kw)
    limits = set(
        session.scalars(
            select(ServiceItem.acceptance_days).where(ServiceItem.tenant_id == tenant.id).distinct()
        )
    )
    if not limits:
        return []
    late = or_(
        *(
            and_(ServiceItem.acceptance_days == n, Application.submitted_on <= boundary(today, n))
            for n in limits
        )
    )
    stmt = (
        select(Application, ServiceItem.acceptance_days)
        .join(ServiceItem, ServiceItem.id == Application.item_id)
        .where(Application.tenant_id == tenant.id, Application.state.in_(("submitted", "resubmitted")), late)
    )
    return [
        _finding(
            "approval.acceptance_late",
            "yellow",
            a,
            f"办件 {a.number} 超过 {n} 个工作日未作受理决定",
            f"Application {a.number} not accepted within {n} working days",
            acceptance_days=n,
        )
        for a, n in session.execute(stmt)
    ]


def accepted_late(*, event: Event, session: Session, **kw: Any) -> list[Finding]:
    """On ``accepted``: was the acceptance decision made later than the item's acceptance limit?"""
    app_id = event.payload.get("application_id")
    row = session.execute(
        select(Application, ServiceItem.acceptance_days)
        .join(ServiceItem, ServiceItem.id == Application.item_id)
        .where(Application.id == int(app_id or 0), Application.accepted_on.is_not(None))
    ).first()
    if row is None:
        return []
    app, n = row
    took = calendar.workdays_between(app.submitted_on, app.accepted_on)
    if took <= n:
        return []
    return [
        _finding(
            "approval.acceptance_late",
            "yellow",
            app,
            f"办件 {app.number} 受理用时 {took} 个工作日，超过 {n} 个工作日的受理时限",
            f"Application {app.number} was accepted after {took} working days (limit {n})",
            acceptance_days=n,
            took=took,
        )
    ]


def scan_suspension_too_long(*, platform: Any, session: Session, tenant: Any, **kw: Any) -> list[Finding]:
    today = _today(kw)
    caps = {
        m
        for m in session.scalars(
            select(Suspension.max_days).where(Suspension.tenant_id == tenant.id).distinct()
        )
        if m
    }
    running = (
        or_(*(and_(Suspension.max_days == m, Suspension.started_on <= boundary(today, m)) for m in caps))
        if caps
        else False
    )
    too_long = or_(
        and_(Suspension.ended_on.is_(None), running),
        and_(Suspension.workdays.is_not(None), Suspension.workdays > Suspension.max_days),
    )
    stmt = (
        select(Application, Suspension)
        .join(Suspension, Suspension.application_id == Application.id)
        .where(Application.tenant_id == tenant.id, too_long)
        .order_by(Suspension.id)
    )
    return [
        _finding(
            "approval.suspension_too_long",
            "yellow",
            a,
            f"办件 {a.number} 的特别程序“{s.procedure}”超过 {s.max_days} 个工作日",
            f"Special procedure of {a.number} exceeds {s.max_days} working days",
            procedure=s.procedure,
            started_on=s.started_on,
            max_days=s.max_days,
        )
        for a, s in session.execute(stmt)
    ]


def scan_fee_mismatch(*, platform: Any, session: Session, tenant: Any, **kw: Any) -> list[Finding]:
    stmt = (
        select(Application, ServiceItem.fee_cents)
        .join(ServiceItem, ServiceItem.id == Application.item_id)
        .where(Application.tenant_id == tenant.id, Application.fee_cents != ServiceItem.fee_cents)
    )
    stmt = _only(stmt, kw)
    return [
        _finding(
            "approval.fee_mismatch",
            "red",
            a,
            f"办件 {a.number} 收费 {a.fee_cents / 100:.2f} 元，与事项标准 {std / 100:.2f} 元不符",
            f"Fee of {a.number} differs from the item's standard",
            fee=a.fee_cents / 100,
            standard_fee=std / 100,
        )
        for a, std in session.execute(stmt)
    ]


def scan_decision_without_reason(*, platform: Any, session: Session, tenant: Any, **kw: Any) -> list[Finding]:
    stmt = (
        select(Application)
        .join(ServiceItem, ServiceItem.id == Application.item_id)
        .where(
            Application.tenant_id == tenant.id,
            Application.decision.is_not(None),
            ServiceItem.decision_requires_reason.is_(True),
            func.coalesce(func.trim(Application.decision_reason), "") == "",
        )
    )
    stmt = _only(stmt, kw)
    return [
        _finding(
            "approval.decision_without_reason",
            "yellow",
            a,
            f"办件 {a.number} 的审批决定未说明理由",
            f"The decision on {a.number} states no reason",
            decision=a.decision,
        )
        for a in session.scalars(stmt)
    ]


def _only(stmt: Any, kw: dict[str, Any]) -> Any:
    """Narrow a scan to one application when evaluating a single event."""
    app_id = kw.get("application_id")
    return stmt if app_id is None else stmt.where(Application.id == int(app_id))


def _on_event(scan: Callable[..., list[Finding]]) -> Callable[..., list[Finding]]:
    """Event evaluation runs the scan's query for the one application the event is about."""

    def evaluate(*, event: Event, session: Session, platform: Any = None, **kw: Any) -> list[Finding]:
        tenant = SimpleNamespace(id=event.tenant_id)
        return scan(
            platform=platform,
            session=session,
            tenant=tenant,
            application_id=event.payload.get("application_id"),
        )

    return evaluate


def _rule(
    rid: str,
    severity: str,
    zh: str,
    en: str,
    scan: Callable[..., list[Finding]],
    events: tuple[str, ...] = (),
) -> SupervisionRule:
    return SupervisionRule(
        id=rid,
        version=1,
        kind_of_power=POWER,
        severity=severity,  # type: ignore[arg-type]
        title_zh=zh,
        title_en=en,
        scan=scan,
        on_events=events,
        evaluate_event=_on_event(scan) if events else None,
    )


RULES = [
    _rule(
        "approval.deadline_prompt",
        "prompt",
        "办件到期前一个工作日提醒",
        "Due in one working day",
        scan_prompt,
    ),
    _rule(
        "approval.deadline_near", "yellow", "临近承诺时限（黄牌）", "Near the promised deadline", scan_yellow
    ),
    _rule("approval.overdue", "red", "超过承诺时限（红牌）", "Past the promised deadline", scan_red),
    _rule("approval.step_overdue", "yellow", "环节超时", "A step is overdue", scan_step_overdue),
    SupervisionRule(
        id="approval.acceptance_late",
        version=1,
        kind_of_power=POWER,
        severity="yellow",
        title_zh="超时未受理",
        title_en="Acceptance later than its limit",
        scan=scan_acceptance_late,  # still waiting past the limit
        on_events=("approval.application.accepted",),
        evaluate_event=accepted_late,  # accepted, but later than the limit
    ),
    _rule(
        "approval.suspension_too_long",
        "yellow",
        "特别程序超时",
        "Suspension longer than allowed",
        scan_suspension_too_long,
    ),
    _rule(
        "approval.fee_mismatch",
        "red",
        "收费与标准不符",
        "Fee differs from the standard",
        scan_fee_mismatch,
        ("approval.application.submitted", "approval.application.accepted"),
    ),
    _rule(
        "approval.decision_without_reason",
        "yellow",
        "审批决定未说明理由",
        "Decision without a reason",
        scan_decision_without_reason,
        ("approval.application.approved", "approval.application.denied"),
    ),
]
