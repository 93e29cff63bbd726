"""Read-side queries: the handler's workbench queue, one case as the handler reads it, and published
decisions (公示).

The queue (``queue``) is served by ``ix_approval_applications_queue_due`` /
``ix_approval_applications_queue`` for the lead department and ``ix_approval_tasks_queue`` for
co-departments' pending tasks. It and the case read (``case``) are Core statements built once per shape,
with the tenant filter written in and only the columns the answer needs: the hottest authenticated reads.
"""

from __future__ import annotations

import json
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Row,
    Select,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    union,
)
from sqlalchemy import (
    case as sql_case,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from core.api import Scope, add_working_days
from core.api import today as clock_today
from plugins.approval.models import AcceptanceFinding, Application, Task
from plugins.approval.services import OPEN_STATES

QUEUE_STATES = (*OPEN_STATES, "approved", "denied")
NEW_STATES = ("submitted", "resubmitted")  # waiting for the acceptance decision: no deadline yet
DUE_FILTERS = ("overdue", "soon")


_A, _T, _F = Application.__table__, Task.__table__, AcceptanceFinding.__table__
# What a queue row carries: the workbench page's columns and the API's ``handling.application_view``.
_QUEUE_COLUMNS = (
    _A.c.id, _A.c.number, _A.c.item_code, _A.c.item_name, _A.c.applicant_name, _A.c.state, _A.c.version,
    _A.c.submitted_at, _A.c.accepted_at, _A.c.deadline, _A.c.decision_reason, _A.c.department_code,
)
_ORDER = (_A.c.deadline.asc().nulls_last(), _A.c.id)
_queue_statements: dict[tuple[Any, ...], Select[Any]] = {}


def queue(
    conn: Connection,
    scope: Scope,
    departments: frozenset[str] | None,
    *,
    state: str | None = None,
    due: str | None = None,
    today: date | None = None,
    limit: int = 50,
    after_id: int | None = None,
    q: str = "",
    new_first: bool = False,
) -> list[Row[Any]]:
    """Applications of the tenant ``scope`` waiting for these departments (all of the tenant's when
    ``departments`` is None), soonest deadline first — with ``new_first``, new cases (no deadline until
    accepted) before the rest, or "nulls last" would put them at the bottom of a long queue (#13 item 10).
    ``state`` narrows to one of the queue's states; ``due`` to overdue or due within three working days;
    ``q`` finds an application by its number, or by a part of the item's or the applicant's name.

    One Core statement (built once per shape, ``_queue_statement``), one round trip, rows of
    ``_QUEUE_COLUMNS``. The tenant filter is written in: the ORM guard only adds it to ORM entities."""
    assert not scope.subtree, "the queue is read in its own tenant's scope"
    states = (state,) if state in QUEUE_STATES else QUEUE_STATES
    q = q.strip()[:100]
    due = due if due in DUE_FILTERS else None
    stmt = _queue_statement(states, departments is not None, bool(q), due, after_id is not None,
                            new_first and due is None)
    params: dict[str, Any] = {"path": scope.path, "limit": limit}
    if departments is not None:
        params["deps"] = sorted(departments)
    if q:
        params["q"] = q
        params["like"] = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if due is not None:
        params["today"] = today = today or clock_today()
        params["soon"] = add_working_days(today, 3)
    if after_id is not None:
        params["after_id"] = after_id
    return list(conn.execute(stmt, params))


def _states(values: tuple[str, ...]) -> ColumnElement[bool]:
    """``state IN (…)`` with the states written into the statement (from ``QUEUE_STATES``, never input),
    so PostgreSQL proves the partial index's predicate (``QUEUE_PREDICATE``) in a generic plan too."""
    assert set(values) <= set(QUEUE_STATES), values
    return _A.c.state.in_([literal_column(f"'{v}'") for v in values])


def _queue_statement(states: tuple[str, ...], lead_only: bool, q: bool, due: str | None, after: bool,
                     new_first: bool) -> Select[Any]:
    key = (states, lead_only, q, due, after, new_first)
    found = _queue_statements.get(key)
    if found is not None:
        return found
    filters: list[ColumnElement[bool]] = [_A.c.tenant_path == bindparam("path")]
    if q:
        like: Any = bindparam("like")
        filters.append(or_(_A.c.number == bindparam("q"), _A.c.item_name.like(like, escape="\\"),
                           _A.c.applicant_name.like(like, escape="\\")))
    if due == "overdue":
        filters.append(_A.c.deadline < bindparam("today"))
    elif due == "soon":
        filters += [_A.c.deadline >= bindparam("today"), _A.c.deadline <= bindparam("soon")]
    if after:
        filters.append(_A.c.id > bindparam("after_id"))
    limit = bindparam("limit", type_=Integer)
    stmt: Select[Any] = select(*_QUEUE_COLUMNS).where(_states(states), *filters)
    if lead_only:
        deps: Any = bindparam("deps", expanding=True)

        def lead(wanted: tuple[str, ...]) -> Any:
            """The lead department's first ``limit`` rows of these states in the page's own order
            (ix_approval_applications_queue_due reads them in that order): a lead row of the page is
            among them, so the page costs the same at any number of applications."""
            first = (select(_A.c.id).where(_A.c.department_code.in_(deps), _states(wanted), *filters)
                     .order_by(*_ORDER).limit(limit).subquery())
            return select(first.c.id)

        # A UNION rather than "department OR has a task": each branch uses its own index. With new cases
        # first, their own first ``limit`` too: a new lead row of the page is among them; an older one
        # is among the first ``limit`` of all states (at most the new rows of the page come before it).
        branches = [lead(states)]
        fresh = tuple(s for s in states if s in NEW_STATES)
        if new_first and fresh and fresh != states:
            branches.append(lead(fresh))
        co = select(_T.c.application_id).where(_T.c.tenant_path == bindparam("path"),
                                               _T.c.department_code.in_(deps), _T.c.state == "pending")
        stmt = stmt.where(_A.c.id.in_(union(*branches, co)))
    order: tuple[Any, ...] = _ORDER
    if new_first:
        order = (sql_case((_states(NEW_STATES), 0), else_=1), *_ORDER)
    stmt = _queue_statements[key] = stmt.order_by(*order).limit(limit)
    return stmt


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
