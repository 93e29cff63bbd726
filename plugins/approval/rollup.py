"""Maintain ``approval_daily_figures`` in the transaction of each transition (an atomic upsert).

``INSERT ... ON CONFLICT (tenant_id, day) DO UPDATE SET n = n + 1`` on both SQLite and PostgreSQL, so
two submissions at once on a new day never lose a count. ``rebuild`` recomputes the table from the
applications (after a bulk load, or to check the counters).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.api import upsert
from plugins.approval.models import Application, DailyFigures

REBUILD_SQL = """
INSERT INTO approval_daily_figures
    (tenant_id, tenant_path, day, received, concluded, withdrawn, on_time, late, days_used)
SELECT tenant_id, tenant_path, submitted_on, count(*),
       sum(CASE WHEN state = 'concluded' THEN 1 ELSE 0 END),
       sum(CASE WHEN state = 'withdrawn' THEN 1 ELSE 0 END),
       sum(CASE WHEN state = 'concluded' AND on_time THEN 1 ELSE 0 END),
       sum(CASE WHEN state = 'concluded' AND NOT on_time THEN 1 ELSE 0 END),
       sum(CASE WHEN state = 'concluded' THEN coalesce(working_days_used, 0) ELSE 0 END)
FROM approval_applications GROUP BY tenant_id, tenant_path, submitted_on
"""


def _insert(session: Session) -> Any:
    return upsert(session, DailyFigures)


def bump(session: Session, app: Application, **counts: int) -> None:
    """Add ``counts`` (column=amount) to the application's tenant and submission day."""
    if not counts:
        return
    stmt = _insert(session).values(
        tenant_id=app.tenant_id,
        tenant_path=app.tenant_path,
        day=app.submitted_on,
        **{c: 0 for c in ("received", "concluded", "withdrawn", "on_time", "late", "days_used")} | counts,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["tenant_id", "day"], set_={c: getattr(DailyFigures, c) + n for c, n in counts.items()}
    )
    session.execute(stmt)


def on_transition(session: Session, app: Application, action: str) -> None:
    if action == "submit":
        bump(session, app, received=1)
    elif app.state == "concluded" and action == "conclude":
        timely = {"on_time": 1} if app.on_time else ({"late": 1} if app.on_time is False else {})
        bump(session, app, concluded=1, days_used=app.working_days_used or 0, **timely)
    elif app.state == "withdrawn" and action == "withdraw":
        bump(session, app, withdrawn=1)


def rebuild(session: Session) -> None:
    """Recompute every row from the applications (system scope: an operator's act)."""
    session.execute(text("DELETE FROM approval_daily_figures"))
    session.execute(text(REBUILD_SQL))
