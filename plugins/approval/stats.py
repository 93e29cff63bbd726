"""Statistics over applications: received, concluded, completion rate, on-time rate, working days.

Definitions (shown on the page too): completion rate (办结率) = concluded ÷ (received − withdrawn);
on-time rate = concluded on time ÷ concluded; average working days = mean working days used by concluded
applications, suspensions that do not count excluded. One aggregate query per figure set, grouped by
tenant path, over the (tenant_path, submitted_on, state) index; the session's scope (one tenant, or a
subtree granted to a supervisor) bounds it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from plugins.approval.models import Application

_COLS = (
    func.count().label("received"),
    func.sum(case((Application.state == "concluded", 1), else_=0)).label("concluded"),
    func.sum(case((Application.state == "withdrawn", 1), else_=0)).label("withdrawn"),
    func.sum(case((Application.on_time.is_(True), 1), else_=0)).label("on_time"),
    func.sum(case((Application.on_time.is_(False), 1), else_=0)).label("late"),
    func.sum(func.coalesce(Application.working_days_used, 0)).label("days"),
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
    stmt = stmt.where(scope.predicate(Application.tenant_path))
    if since:
        stmt = stmt.where(Application.submitted_on >= since)
    if until:
        stmt = stmt.where(Application.submitted_on <= until)
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
    stmt = _where(select(Application.tenant_path, *_COLS), scope, since, until).group_by(
        Application.tenant_path
    )
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
    stmt = _where(select(Application.submitted_on, *_COLS), scope, since, until).group_by(
        Application.submitted_on
    )
    weeks: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in session.execute(stmt):
        y, w, _ = row.submitted_on.isocalendar()
        for col in ("received", "concluded"):
            weeks[f"{y}-W{w:02d}"][col] += int(getattr(row, col) or 0)
    return [{"week": k, **v} for k, v in sorted(weeks.items())]


def supervision_metrics(session: Session, scope: Any) -> list[dict[str, Any]]:
    """govhall_supervision_metrics: received/concluded/on_time/overdue per tenant path and ISO week."""
    today = date.today()
    open_overdue = case(
        ((Application.state.in_(("accepted", "in_review", "suspended"))) & (Application.deadline < today), 1),
        else_=0,
    )
    stmt = (
        select(
            Application.tenant_path,
            Application.submitted_on,
            *_COLS,
            func.sum(open_overdue).label("overdue_open"),
        )
        .where(scope.predicate(Application.tenant_path))
        .group_by(Application.tenant_path, Application.submitted_on)
    )
    acc: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in session.execute(stmt):
        y, w, _ = row.submitted_on.isocalendar()
        a = acc[(row.tenant_path, f"{y}-W{w:02d}")]
        a["received"] += int(row.received or 0)
        a["concluded"] += int(row.concluded or 0)
        a["on_time"] += int(row.on_time or 0)
        a["overdue"] += int(row.late or 0) + int(row.overdue_open or 0)
    return [
        {"tenant_path": p, "kind_of_power": "administrative_approval", "week": wk, **dict(v)}
        for (p, wk), v in sorted(acc.items())
    ]
