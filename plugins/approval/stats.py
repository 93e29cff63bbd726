"""Statistics over applications: received, concluded, completion rate, on-time rate, working days.

Definitions (shown on the page too): completion rate (办结率) = concluded ÷ (received − withdrawn);
on-time rate = concluded on time ÷ concluded; average working days = mean working days used by concluded
applications, suspensions that do not count excluded. Figures are sums over ``approval_daily_figures``
(one row per tenant and submission day, kept by the transitions: see rollup.py), so a province costs
~tenants × days rows, not every application; the session's scope (one tenant, or a subtree granted to a
supervisor) bounds it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.api import today as clock_today
from plugins.approval.models import Application
from plugins.approval.models import DailyFigures as D

OPEN = ("accepted", "in_review", "suspended")

_COLS = (
    func.sum(D.received).label("received"),
    func.sum(D.concluded).label("concluded"),
    func.sum(D.withdrawn).label("withdrawn"),
    func.sum(D.on_time).label("on_time"),
    func.sum(D.late).label("late"),
    func.sum(D.days_used).label("days"),
)


def _figures(row: Any) -> dict[str, Any]:
    """Rates from summed counts; ``row`` is a mapping (a result row's ``_mapping`` or a dict)."""
    received, concluded = int(row["received"] or 0), int(row["concluded"] or 0)
    base = received - int(row["withdrawn"] or 0)
    return {
        "received": received,
        "concluded": concluded,
        "completion_rate": round(concluded / base, 4) if base else 0.0,
        "on_time_rate": round(int(row["on_time"] or 0) / concluded, 4) if concluded else 0.0,
        "average_working_days": round(int(row["days"] or 0) / concluded, 2) if concluded else None,
    }


def _where(stmt: Any, scope: Any, since: date | None, until: date | None) -> Any:
    stmt = stmt.where(scope.predicate(D.tenant_path))
    if since:
        stmt = stmt.where(D.day >= since)
    if until:
        stmt = stmt.where(D.day <= until)
    return stmt


def summary(
    session: Session, scope: Any, since: date | None = None, until: date | None = None
) -> dict[str, Any]:
    return _figures(session.execute(_where(select(*_COLS), scope, since, until)).one()._mapping)


def by_child(
    session: Session,
    scope: Any,
    directory: Any,
    root: Any,
    since: date | None = None,
    until: date | None = None,
) -> list[dict[str, Any]]:
    """Figures per child of ``root`` (its own hall counted as itself), for the subtree chart."""
    stmt = _where(select(D.tenant_path, *_COLS), scope, since, until).group_by(D.tenant_path)
    acc: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    depth = root.path.count("/") + 1
    for row in session.execute(stmt):
        parts = row.tenant_path.split("/")
        key = "/".join(parts[: depth + 1]) if len(parts) > depth else root.path
        for col in ("received", "concluded", "withdrawn", "on_time", "late", "days"):
            acc[key][col] += int(getattr(row, col) or 0)
    out = []
    for path, vals in sorted(acc.items()):
        tenant = directory.get(path.rsplit("/", 1)[-1])
        out.append(
            {
                "code": tenant.code if tenant else path,
                "name": tenant.name if tenant else path,
                **_figures(vals),
            }
        )
    return out


def weekly(
    session: Session, scope: Any, since: date | None = None, until: date | None = None
) -> list[dict[str, Any]]:
    """Received and concluded per ISO week (grouped by day in SQL, folded to weeks here: portable SQL)."""
    stmt = _where(select(D.day, *_COLS), scope, since, until).group_by(D.day)
    weeks: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in session.execute(stmt):
        y, w, _ = row.day.isocalendar()
        for col in ("received", "concluded"):
            weeks[f"{y}-W{w:02d}"][col] += int(getattr(row, col) or 0)
    return [{"week": k, **v} for k, v in sorted(weeks.items())]


def supervision_metrics(session: Session, scope: Any) -> list[dict[str, Any]]:
    """govhall_supervision_metrics: received/concluded/on_time/overdue per tenant path and ISO week of
    submission. Counts come from the daily figures; "overdue" adds late conclusions to applications
    still open past their deadline (a second, index-backed query over open states only)."""
    today = clock_today()
    acc: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = session.execute(
        _where(select(D.tenant_path, D.day, *_COLS), scope, None, None).group_by(D.tenant_path, D.day)
    )
    for row in rows:
        a = acc[(row.tenant_path, _week(row.day))]
        for col in ("received", "concluded", "on_time"):
            a[col] += int(getattr(row, col) or 0)
        a["overdue"] += int(row.late or 0)
    open_late = (
        select(Application.tenant_path, Application.submitted_on, func.count().label("n"))
        .where(
            scope.predicate(Application.tenant_path),
            Application.state.in_(OPEN),
            Application.deadline < today,
        )
        .group_by(Application.tenant_path, Application.submitted_on)
    )
    for row in session.execute(open_late):
        acc[(row.tenant_path, _week(row.submitted_on))]["overdue"] += int(row.n)
    return [
        {
            "tenant_path": p,
            "kind_of_power": "administrative_approval",
            "week": wk,
            "received": 0,
            "concluded": 0,
            "on_time": 0,
            "overdue": 0,
            **dict(v),
        }
        for (p, wk), v in sorted(acc.items())
    ]


def _week(day: date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"
