"""Supervision rules over the exchange, in the set-based form approval uses: each scan is one SELECT over
the whole subtree of the session's scope (``scan_subtree=True``), with periods turned into boundary
values in Python first (the legal clock lives there).

* ``exchange.request_late`` — a conditional request still unanswered after its ten working days.
* ``exchange.no_grant_access`` — a system called a resource it holds no grant for (or asked for fields not
  granted), grouped per (resource, consumer) over the last seven days.
* ``exchange.expired_grant_use`` — a system kept calling after its grant expired.
* ``exchange.stale_resource`` — a resource not updated within its declared update cycle.

One card per (rule, object, occurrence): re-scans issue nothing twice (supervision inserts-or-ignores).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from core.api import Finding, Scope, add_calendar_days, days_before, local_date, today, utcnow
from plugins.exchange.models import CYCLES, AccessRequest, LogEntry, Resource

POWER = "livelihood_conduct"  # conduct of the departments (作风): answering on time, using data as granted
BASIS = "《政务信息资源共享管理暂行办法》（国发〔2016〕51号）第十四条"
WINDOW_DAYS = 7


def _scope(session: Session) -> Scope:
    scope = session.info.get("scope")
    assert isinstance(scope, Scope), "exchange rules need a scoped session"
    return scope


def _today(platform: Any, kw: dict[str, Any]) -> date:
    return kw.get("today") or today(platform)


def late_requests(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    day = _today(platform, kw)
    R = AccessRequest
    rows = session.execute(
        select(R.id, R.tenant_id, R.resource_code, R.resource_name, R.consumer_name, R.due_on, R.submitted_on)
        .where(_scope(session).predicate(R.tenant_path), R.state == "pending", R.due_on < day)
        .order_by(R.id)
    ).all()
    return [
        Finding(
            source="exchange",
            code="exchange.request_late",
            level="serious",
            message_zh=f"{r.consumer_name}申请的“{r.resource_name}”超过答复期限（{r.due_on}）仍未答复",
            message_en=f"The request for {r.resource_code} by {r.consumer_name} is unanswered past its "
            f"limit ({r.due_on})",
            object_type="exchange.request",
            object_id=str(r.id),
            tenant_id=r.tenant_id,
            facts={
                "occurrence": r.due_on.isoformat(),
                "deadline": r.due_on.isoformat(),
                "submitted_on": r.submitted_on.isoformat(),
                "href": "exchange/queue",
                "basis": BASIS,
            },
        )
        for r in rows
    ]


def _attempts(
    platform: Any,
    session: Session,
    kw: dict[str, Any],
    results: tuple[str, ...],
    code: str,
    level: str,
    zh: str,
    en: str,
) -> list[Finding]:
    day = _today(platform, kw)
    since = datetime.combine(days_before(day, WINDOW_DAYS), datetime.min.time()).astimezone()
    L = LogEntry
    rows = session.execute(
        select(
            L.tenant_id,
            L.resource_code,
            L.consumer_identifier,
            func.count().label("n"),
            func.max(L.at).label("last"),
        )
        .where(_scope(session).predicate(L.tenant_path), L.result.in_(results), L.at >= since)
        .group_by(L.tenant_id, L.resource_code, L.consumer_identifier)
        .order_by(L.tenant_id, L.resource_code, L.consumer_identifier)
    ).all()
    out = []
    for r in rows:
        last = local_date(platform, r.last)
        out.append(
            Finding(
                source="exchange",
                code=code,
                level=level,  # type: ignore[arg-type]
                message_zh=zh.format(consumer=r.consumer_identifier, resource=r.resource_code, n=r.n),
                message_en=en.format(consumer=r.consumer_identifier, resource=r.resource_code, n=r.n),
                object_type="exchange.access",
                object_id=f"{r.resource_code}|{r.consumer_identifier}"[:200],
                tenant_id=r.tenant_id,
                facts={
                    "occurrence": last.isoformat(),
                    "attempts": r.n,
                    "href": "exchange/log",
                    "basis": BASIS,
                },
            )
        )
    return out


def no_grant_access(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    return _attempts(
        platform,
        session,
        kw,
        ("no_grant", "field_not_granted", "not_shared"),
        "exchange.no_grant_access",
        "warning",
        "{consumer} 在未获授权的情况下调用“{resource}”{n} 次",
        "{consumer} called {resource} {n} time(s) without a grant",
    )


def expired_grant_use(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    return _attempts(
        platform,
        session,
        kw,
        ("grant_expired", "grant_revoked"),
        "exchange.expired_grant_use",
        "warning",
        "{consumer} 在授权过期或撤销后仍调用“{resource}”{n} 次",
        "{consumer} called {resource} {n} time(s) after its grant expired or was revoked",
    )


def stale_resources(*, platform: Any, session: Session, **kw: Any) -> list[Finding]:
    now = kw.get("now") or utcnow()
    R = Resource
    stale = or_(
        *(
            and_(R.update_cycle == name, R.last_updated_at < now - timedelta(days=days))
            for name, (_zh, _en, days) in CYCLES.items()
            if days
        )
    )
    rows = session.execute(
        select(R.id, R.tenant_id, R.code, R.name, R.update_cycle, R.last_updated_at, R.provider_department)
        .where(_scope(session).predicate(R.tenant_path), R.active.is_(True), stale)
        .order_by(R.id)
    ).all()
    out = []
    for r in rows:
        zh_cycle, en_cycle, days = CYCLES[r.update_cycle]
        last = local_date(platform, r.last_updated_at)
        due = add_calendar_days(last, days)
        out.append(
            Finding(
                source="exchange",
                code="exchange.stale_resource",
                level="attention",
                message_zh=f"数据资源“{r.name}”应{zh_cycle}更新，最近更新于 {last}",
                message_en=f"Resource {r.code} should be updated {en_cycle.lower()}; last updated {last}",
                object_type="exchange.resource",
                object_id=str(r.id),
                tenant_id=r.tenant_id,
                facts={
                    "occurrence": due.isoformat(),
                    "department_code": r.provider_department,
                    "href": "exchange/catalogue",
                    "basis": BASIS,
                },
            )
        )
    return out


def _rule(rid: str, severity: str, zh: str, en: str, scan: Any) -> dict[str, Any]:
    """A rule as the plain mapping supervision reads (docs/hooks.md, ``govhall_supervision_rules``)."""
    return dict(
        id=rid,
        version=1,
        kind_of_power=POWER,
        severity=severity,  # type: ignore[arg-type]
        title_zh=zh,
        title_en=en,
        scan=scan,
        scan_subtree=True,
    )


RULES = [
    _rule(
        "exchange.request_late",
        "red",
        "共享申请超过十个工作日未答复",
        "Data-sharing request unanswered after ten working days",
        late_requests,
    ),
    _rule(
        "exchange.no_grant_access",
        "yellow",
        "未获授权调用共享数据",
        "Shared data called without a grant",
        no_grant_access,
    ),
    _rule(
        "exchange.expired_grant_use",
        "yellow",
        "授权过期或撤销后仍调用共享数据",
        "Shared data called after the grant expired or was revoked",
        expired_grant_use,
    ),
    _rule(
        "exchange.stale_resource",
        "prompt",
        "数据资源未按更新周期更新",
        "Data resource not updated within its cycle",
        stale_resources,
    ),
]
