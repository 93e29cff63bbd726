"""Electronic supervision rules over the approval tables (consumed by the supervision plugin).

Every ``scan`` is ``scan_subtree``: one set-based Core ``SELECT`` per rule for the whole subtree of the
session's scope (a province in one statement, not one per hall), returning only the columns a finding
needs. Working-day limits cannot be computed in SQL (the holiday calendar lives in Python), so a scan
first turns each distinct limit into a boundary date in Python — a handful of dates — and compares
columns against them in SQL. The yellow margin is a per-tenant setting: tenants are grouped by their
effective value and the boundary is chosen per path range by a ``CASE`` (deepest override first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from sqlalchemy import and_, case, false, func, literal, literal_column, or_, select
from sqlalchemy.orm import Session

from core.api import (
    Event,
    Finding,
    Scope,
    add_working_days,
    latest_start_over,
    working_days_between,
)
from core.api import today as clock_today
from plugins.approval.fees import charged_fees
from plugins.approval.models import Application, ServiceItem, Suspension, Task

OPEN = ("accepted", "in_review")  # a suspended clock is not running
WAITING = ("submitted", "resubmitted")  # an acceptance decision is due
LEVEL = {"prompt": "info", "yellow": "warning", "red": "serious"}
POWER = "administrative_approval"
MARGIN = "approval.yellow_margin_days"

A = Application.__table__.c
I = ServiceItem.__table__.c  # noqa: E741 - the items table, as in the SQL
T = Task.__table__.c
S = Suspension.__table__.c
# What every finding reports about its application.
BASE = (A.id, A.tenant_id, A.number, A.item_code, A.item_name, A.department_code, A.deadline)


def boundary(today: date, n: int) -> date:
    """The latest day X with more than ``n`` working days between X and ``today``."""
    return latest_start_over(today, n)


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


def _finding(rule: str, severity: str, row: Any, zh: str, en: str, **facts: Any) -> Finding:
    """One finding from a result row carrying the ``BASE`` columns. ``href`` is the application's staff
    page relative to its tenant (supervision links the card to ``/t/<tenant code>/<href>``)."""
    base = {
        "number": row.number,
        "item_code": row.item_code,
        "item_name": row.item_name,
        "department_code": facts.pop("department_code", row.department_code),
        "deadline": _iso(row.deadline),
        "href": f"approval/workbench/{row.id}",
    }
    return Finding(
        source="approval",
        code=rule,
        level=LEVEL[severity],  # type: ignore[arg-type]
        message_zh=zh,
        message_en=en,
        object_type="approval.application",
        object_id=str(row.id),
        tenant_id=row.tenant_id,
        facts={**base, **{k: _iso(v) for k, v in facts.items()}},
    )


def _scope(session: Session) -> Scope:
    scope = session.info.get("scope")
    assert isinstance(scope, Scope), "approval rules need a scoped session"
    return scope


def _where_scope(session: Session, kw: dict[str, Any]) -> list[Any]:
    """The session's tenant or subtree as a path range (index-friendly), narrowed to one application
    when evaluating an event."""
    where = [_scope(session).predicate(A.tenant_path)]
    app_id = kw.get("application_id")
    if app_id is not None:
        where.append(A.id == int(app_id))
    return where


def _today(kw: dict[str, Any]) -> date:
    return kw.get("today") or clock_today(kw.get("platform"))


def scan_prompt(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    today = _today(kw)
    due = add_working_days(today, 1)
    stmt = select(*BASE).where(*_where_scope(session, kw), A.state.in_(OPEN), A.deadline == due)
    return [
        _finding("approval.deadline_prompt", "prompt", r, f"办件 {r.number} 明天（{due}）到期，请抓紧办理",
                 f"Application {r.number} is due tomorrow ({due})")
        for r in session.execute(stmt.order_by(A.id))
    ]


def margins(platform: Any, scope: Scope) -> tuple[dict[int, int], list[tuple[str, int]], int]:
    """The yellow margin for every tenant in ``scope``: ({tenant id: margin}, [(path, margin)] for the
    tenants whose margin differs from their parent's, deepest first, and the margin at the top)."""
    directory = platform.directory
    tenants = sorted((t for t in directory.by_id.values() if scope.covers(t.path)), key=lambda t: t.path)
    by_id = {t.id: int(platform.tenant_setting(t, MARGIN)) for t in tenants}
    top = by_id[tenants[0].id] if tenants else int(platform.settings[MARGIN])
    overrides = []
    for t in tenants:
        parent = by_id.get(t.parent_id) if t.parent_id else None
        inherited = top if parent is None else parent
        if by_id[t.id] != inherited:
            overrides.append((t.path, by_id[t.id]))
    overrides.sort(key=lambda pm: -pm[0].count("/"))
    return by_id, overrides, top


def _edge(overrides: list[tuple[str, int]], top: int, edges: dict[int, date]) -> Any:
    """The last deadline date that earns a yellow card, per path range (a constant when uniform)."""
    if not overrides:
        return literal(edges[top])
    whens = [(Scope.below(0, path).predicate(A.tenant_path), literal(edges[m])) for path, m in overrides]
    return case(*whens, else_=literal(edges[top]))


def scan_yellow(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    today = _today(kw)
    by_id, overrides, top = margins(platform, _scope(session))
    edges = {m: add_working_days(today, m) for m in {top, *by_id.values()}}
    stmt = select(*BASE).where(
        *_where_scope(session, kw), A.state.in_(OPEN), A.deadline >= today,
        A.deadline <= max(edges.values()),  # the index range; the CASE below picks each tenant's edge
        A.deadline <= _edge(overrides, top, edges),
    )
    out = []
    for r in session.execute(stmt.order_by(A.id)):
        m = by_id.get(r.tenant_id, top)
        out.append(_finding("approval.deadline_near", "yellow", r,
                            f"办件 {r.number} 距承诺时限不足 {m} 个工作日",
                            f"Application {r.number} is within {m} working days of its deadline",
                            margin=m))
    return out


def scan_red(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    today = _today(kw)
    stmt = select(*BASE).where(*_where_scope(session, kw), A.state.in_(OPEN), A.deadline < today)
    return [
        _finding("approval.overdue", "red", r, f"办件 {r.number} 已超过承诺时限（{r.deadline}）",
                 f"Application {r.number} is past its deadline ({r.deadline})")
        for r in session.execute(stmt.order_by(A.id))
    ]


def scan_step_overdue(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    today = _today(kw)
    stmt = (
        select(*BASE, T.department_code.label("step_department"), T.department_name, T.deadline.label("step"))
        .join_from(Application.__table__, Task.__table__, T.application_id == A.id)
        .where(*_where_scope(session, kw), A.state.in_(OPEN), A.deadline >= today,
               T.state == "pending", T.deadline < today)
        .order_by(T.id)
    )
    return [
        _finding("approval.step_overdue", "yellow", r,
                 f"办件 {r.number} 在{r.department_name or r.step_department}的环节已超时（{r.step}）",
                 f"Step of {r.step_department} in {r.number} is overdue",
                 department_code=r.step_department, step_deadline=r.step)
        for r in session.execute(stmt)
    ]


def _limits(session: Session, column: Any) -> set[int]:
    """Distinct working-day limits in the scope (a handful), each to become one boundary date."""
    table = column.table
    got = session.scalars(select(column).where(_scope(session).predicate(table.c.tenant_path)).distinct())
    return {n for n in got if n is not None}


def scan_acceptance_late(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    today = _today(kw)
    limits = _limits(session, I.acceptance_days)
    if not limits:
        return []
    late = or_(*(and_(I.acceptance_days == n, A.submitted_on <= boundary(today, n)) for n in limits))
    stmt = (
        select(*BASE, I.acceptance_days)
        .join_from(Application.__table__, ServiceItem.__table__, I.id == A.item_id)
        .where(*_where_scope(session, kw), A.state.in_(WAITING),
               A.submitted_on <= max(boundary(today, n) for n in limits), late)
        .order_by(A.id)
    )
    return [
        _finding("approval.acceptance_late", "yellow", r,
                 f"办件 {r.number} 超过 {r.acceptance_days} 个工作日未作受理决定",
                 f"Application {r.number} not accepted within {r.acceptance_days} working days",
                 acceptance_days=r.acceptance_days)
        for r in session.execute(stmt)
    ]


def accepted_late(*, event: Event, session: Session, platform: Any = None, **kw: Any) -> list[Finding]:
    """On ``accepted``: was the acceptance decision made later than the item's acceptance limit?"""
    app_id = event.payload.get("application_id")
    row = session.execute(
        select(*BASE, A.submitted_on, A.accepted_on, I.acceptance_days)
        .join_from(Application.__table__, ServiceItem.__table__, I.id == A.item_id)
        .where(*_where_scope(session, {"application_id": int(app_id or 0)}), A.accepted_on.is_not(None))
    ).first()
    if row is None:
        return []
    n = row.acceptance_days
    took = working_days_between(row.submitted_on, row.accepted_on)
    if took <= n:
        return []
    return [
        _finding("approval.acceptance_late", "yellow", row,
                 f"办件 {row.number} 受理用时 {took} 个工作日，超过 {n} 个工作日的受理时限",
                 f"Application {row.number} was accepted after {took} working days (limit {n})",
                 acceptance_days=n, took=took)
    ]


def scan_suspension_too_long(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    today = _today(kw)
    caps = _limits(session, S.max_days) - {0}
    running = or_(false(), *(and_(S.max_days == m, S.started_on <= boundary(today, m)) for m in caps))
    too_long = or_(
        and_(S.ended_on.is_(None), running),
        and_(S.workdays.is_not(None), S.workdays > S.max_days),
    )
    stmt = (
        select(*BASE, S.procedure, S.started_on, S.max_days)
        .join_from(Application.__table__, Suspension.__table__, S.application_id == A.id)
        .where(*_where_scope(session, kw), too_long)
        .order_by(S.id)
    )
    return [
        _finding("approval.suspension_too_long", "yellow", r,
                 f"办件 {r.number} 的特别程序“{r.procedure}”超过 {r.max_days} 个工作日",
                 f"Special procedure of {r.number} exceeds {r.max_days} working days",
                 procedure=r.procedure, started_on=r.started_on, max_days=r.max_days)
        for r in session.execute(stmt)
    ]


def standard_fee(platform: Any, session: Session, kw: dict[str, Any]) -> Any:
    """The fee an application should carry, as a SQL expression: what a plugin charges for the item at
    the application's tenant (``govhall_approval_item_fees``, asked once per tenant with applications in
    scope — a handful of calls), else the item's own column (plugins/approval/fees.py)."""
    pairs = session.execute(select(A.tenant_id, A.item_code).where(*_where_scope(session, kw)).distinct())
    by_tenant: dict[int, set[str]] = {}
    for tenant_id, code in pairs:
        by_tenant.setdefault(tenant_id, set()).add(code)
    whens = []
    by_id = getattr(getattr(platform, "directory", None), "by_id", {})
    for tenant_id, codes in sorted(by_tenant.items()):
        tenant = by_id.get(tenant_id)
        if tenant is None:
            continue
        by_cents: dict[int, list[str]] = {}  # one WHEN per tenant and amount, not per item
        for code, fee in sorted(charged_fees(platform, tenant, codes, session).items()):
            by_cents.setdefault(fee.cents, []).append(code)
        whens += [(and_(A.tenant_id == tenant_id, A.item_code.in_(cs)), literal(cents))
                  for cents, cs in sorted(by_cents.items())]
    return case(*whens, else_=I.fee_cents) if whens else I.fee_cents


def scan_fee_mismatch(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    standard = standard_fee(platform, session, kw)
    stmt = (
        select(*BASE, A.fee_cents, standard.label("standard"))
        .join_from(Application.__table__, ServiceItem.__table__, I.id == A.item_id)
        .where(*_where_scope(session, kw), A.fee_cents != standard)
        .order_by(A.id)
    )
    return [
        _finding("approval.fee_mismatch", "red", r,
                 f"办件 {r.number} 收费 {r.fee_cents / 100:.2f} 元，与事项标准 {r.standard / 100:.2f} 元不符",
                 f"Fee of {r.number} differs from the item's standard",
                 fee=r.fee_cents / 100, standard_fee=r.standard / 100)
        for r in session.execute(stmt)
    ]


# The literal '' (not a bound parameter) lets PostgreSQL match the partial index of approval_0003.
NO_REASON = func.coalesce(func.trim(A.decision_reason), literal_column("''")) == literal_column("''")


def scan_decision_without_reason(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    stmt = (
        select(*BASE, A.decision)
        .join_from(Application.__table__, ServiceItem.__table__, I.id == A.item_id)
        .where(*_where_scope(session, kw), A.decision.is_not(None), NO_REASON,
               I.decision_requires_reason.is_(True))
        .order_by(A.id)
    )
    return [
        _finding("approval.decision_without_reason", "yellow", r, f"办件 {r.number} 的审批决定未说明理由",
                 f"The decision on {r.number} states no reason", decision=r.decision)
        for r in session.execute(stmt)
    ]


def _on_event(scan: Callable[..., list[Finding]]) -> Callable[..., list[Finding]]:
    """Event evaluation runs the scan's query for the one application the event is about (the session
    is scoped to the event's tenant)."""

    def evaluate(*, event: Event, session: Session, platform: Any = None, **kw: Any) -> list[Finding]:
        return scan(platform=platform, session=session, application_id=event.payload.get("application_id"))

    return evaluate


def _rule(rid: str, severity: str, zh: str, en: str, scan: Callable[..., list[Finding]],
          events: Iterable[str] = (),
          evaluate: Callable[..., list[Finding]] | None = None) -> dict[str, Any]:
    events = tuple(events)
    return dict(
        id=rid,
        version=1,
        kind_of_power=POWER,
        severity=severity,  # type: ignore[arg-type]
        title_zh=zh,
        title_en=en,
        scan=scan,
        on_events=events,
        evaluate_event=evaluate or (_on_event(scan) if events else None),
        scan_subtree=True,
    )


RULES = [
    _rule("approval.deadline_prompt", "prompt", "办件到期前一个工作日提醒", "Due in one working day",
          scan_prompt),
    _rule("approval.deadline_near", "yellow", "临近承诺时限（黄牌）", "Near the promised deadline",
          scan_yellow),
    _rule("approval.overdue", "red", "超过承诺时限（红牌）", "Past the promised deadline", scan_red),
    _rule("approval.step_overdue", "yellow", "环节超时", "A step is overdue", scan_step_overdue),
    # The scan finds applications still waiting past the limit; the accepted event, an acceptance made
    # later than the limit.
    _rule("approval.acceptance_late", "yellow", "超时未受理", "Acceptance later than its limit",
          scan_acceptance_late, ("approval.application.accepted",), accepted_late),
    _rule("approval.suspension_too_long", "yellow", "特别程序超时", "Suspension longer than allowed",
          scan_suspension_too_long),
    _rule("approval.fee_mismatch", "red", "收费与标准不符", "Fee differs from the standard",
          scan_fee_mismatch, ("approval.application.submitted", "approval.application.accepted")),
    _rule("approval.decision_without_reason", "yellow", "审批决定未说明理由", "Decision without a reason",
          scan_decision_without_reason, ("approval.application.approved", "approval.application.denied")),
]
