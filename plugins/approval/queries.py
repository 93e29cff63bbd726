"""Read-side queries: the handler's workbench queue, one case as the handler reads it, and published
decisions (公示).

The queue is served by ``ix_approval_applications_queue`` (tenant_path, department_code, state, deadline)
for the lead department, and ``ix_approval_tasks_queue`` for co-departments' pending tasks. The case read
(``case``) is one statement built once per dialect, with the tenant filter written in and only the
columns the answer needs: the hottest authenticated read.
"""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, bindparam, func, literal_column, or_, select, union
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from core.api import Scope, add_working_days
from core.api import today as clock_today
from plugins.approval.models import AcceptanceFinding, Application, Task
from plugins.approval.services import OPEN_STATES

QUEUE_STATES = (*OPEN_STATES, "approved", "denied")
DUE_FILTERS = ("overdue", "soon")


def queue(
    session: Session,
    departments: frozenset[str] | None,
    *,
    state: str | None = None,
    due: str | None = None,
    today: date | None = None,
    limit: int = 50,
    after_id: int | None = None,
    q: str = "",
    states: tuple[str, ...] | None = None,
) -> list[Application]:
    """Applications waiting for these departments (all of the tenant's when ``departments`` is None),
    soonest deadline first; ``due`` narrows to overdue or due within three working days; ``q`` finds an
    application by its number, or by a part of the item's or the applicant's name; ``states`` narrows
    to some of the queue's states (the workbench reads new cases, which have no deadline yet, first)."""
    today = today or clock_today()
    states = (state,) if state in QUEUE_STATES else (states or QUEUE_STATES)
    order = (Application.deadline.asc().nulls_last(), Application.id)
    filters: list[ColumnElement[bool]] = [Application.state.in_(states)]
    q = q.strip()[:100]
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        filters.append(or_(Application.number == q, Application.item_name.like(like, escape="\\"),
                           Application.applicant_name.like(like, escape="\\")))
    if due == "overdue":
        filters.append(Application.deadline < today)
    elif due == "soon":
        filters += [Application.deadline >= today, Application.deadline <= add_working_days(today, 3)]
    if after_id is not None:
        filters.append(Application.id > after_id)
    stmt = select(Application).where(*filters)
    if departments is not None:
        deps = sorted(departments)
        # A UNION rather than "department OR has a task": each branch uses its own index. The lead branch
        # keeps only its first ``limit`` by the page's own order (ix_approval_applications_queue_due
        # reads them in that order), so the page costs the same at any number of applications: a row of
        # the page that is the lead's is among the lead's first ``limit``.
        first = (select(Application.id).where(Application.department_code.in_(deps), *filters)
                 .order_by(*order).limit(limit).subquery())
        co = select(Task.application_id).where(Task.department_code.in_(deps), Task.state == "pending")
        stmt = stmt.where(Application.id.in_(union(select(first.c.id), co)))
    stmt = stmt.order_by(*order).limit(limit)
    return list(session.scalars(stmt))


def publicity(session: Session, limit: int = 50, before_id: int | None = None) -> list[dict[str, Any]]:
    """Decisions published on the hall: what the law allows to show — the number, the item, the holder's
    name for a legal person only (a natural person's name is masked), the decision and its date; never
    ID numbers, form contents or materials."""
    stmt = (
        select(Application)
        .where(Application.decision.is_not(None))
        .order_by(Application.decided_at.desc(), Application.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        stmt = stmt.where(Application.id < before_id)
    return [public_view(a) for a in session.scalars(stmt)]


def public_view(a: Application) -> dict[str, Any]:
    """What may be shown of one decision (see ``publicity``)."""
    holder = a.applicant_name if a.applicant_kind == "legal" else (a.applicant_name[:1] + "**")
    return {
        "id": a.id,
        "number": a.number,
        "item_code": a.item_code,
        "item_name": a.item_name,
        "holder": holder,
        "decision": a.decision,
        "decided_on": a.decided_at.date().isoformat() if a.decided_at else None,
        "department_code": a.department_code,
    }


_A, _T, _F = Application.__table__, Task.__table__, AcceptanceFinding.__table__
_CASE_COLUMNS = (
    _A.c.id, _A.c.number, _A.c.item_code, _A.c.item_name, _A.c.state, _A.c.version, _A.c.submitted_at,
    _A.c.accepted_at, _A.c.deadline, _A.c.decision_reason, _A.c.department_code,
)
_TASK_COLUMNS = (_T.c.department_code, _T.c.role, _T.c.state, _T.c.deadline, _T.c.reason)
_FINDING_COLUMNS = (_F.c.source, _F.c.code, _F.c.level, _F.c.message_zh)
_case_statements: dict[str, Any] = {}


def _json_rows(dialect: str, table: Any, columns: tuple[Any, ...]) -> Any:
    """A scalar subquery: the rows of ``table`` for the case, as a JSON array of arrays, in id order."""
    where = (table.c.application_id == bindparam("app_id"), table.c.tenant_path == bindparam("path"))
    if dialect == "postgresql":
        rows = func.json_agg(aggregate_order_by(func.json_build_array(*columns), table.c.id))
        return select(func.coalesce(rows, literal_column("'[]'::json"))).where(*where).scalar_subquery()
    inner = select(func.json_array(*columns).label("j")).where(*where).order_by(table.c.id).subquery()
    return select(func.json_group_array(func.json(inner.c.j))).scalar_subquery()


def _case_statement(dialect: str) -> Any:
    """Built once per dialect: the application's columns, its tasks and its findings in one statement."""
    stmt = _case_statements.get(dialect)
    if stmt is None:
        stmt = _case_statements[dialect] = select(
            *_CASE_COLUMNS,
            _json_rows(dialect, _T, _TASK_COLUMNS).label("tasks"),
            _json_rows(dialect, _F, _FINDING_COLUMNS).label("findings"),
        ).where(_A.c.id == bindparam("app_id"), _A.c.tenant_path == bindparam("path"))
    return stmt


def _rows(value: Any, columns: tuple[Any, ...]) -> list[SimpleNamespace]:
    items = json.loads(value) if isinstance(value, str) else (value or [])
    return [SimpleNamespace(**{c.name: v for c, v in zip(columns, item, strict=True)}) for item in items]


CaseRows = tuple[Row[Any], list[SimpleNamespace], list[SimpleNamespace]]


def case(conn: Connection, scope: Scope, app_id: int) -> CaseRows | None:
    """One application of the tenant ``scope`` with its tasks and acceptance findings (dates as ISO text)
    in one statement — one round trip — or None. The tenant filter is written in: the ORM guard only adds
    it to ORM entities."""
    assert not scope.subtree, "a case is read in its own tenant's scope"
    row = conn.execute(_case_statement(conn.dialect.name), {"app_id": app_id, "path": scope.path}).first()
    if row is None:
        return None
    return row, _rows(row.tasks, _TASK_COLUMNS), _rows(row.findings, _FINDING_COLUMNS)
