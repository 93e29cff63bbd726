"""What pages and the API share: the acting ``Who`` from a request, scopes, uploads read from a form.

"My applications across every hall" is the one cross-tenant read a citizen makes. It runs in the
subtree scope of each root of the tree (never ``Scope.system()``), and its only other predicate is the
authenticated account id taken from the session, never from the request; so the guard and row-level
security still bound it to the network, and the account filter bounds it to the applicant's own rows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile
from starlette.requests import Request

from core.api import NotFound, Scope
from core.api import today as clock_today
from plugins.approval import queries
from plugins.approval.models import Application
from plugins.approval.services import Ctx, Who, load
from plugins.approval.uploads import Upload


def who_for(session: Session | Connection, ctx: Any) -> Who:
    """The request's actor as the services need it: name and ID number as of authentication (the actor
    cache keeps them at most a second), and for staff the departments they belong to at this tenant
    (none recorded: not limited to a department), cached per policy version by the access layer."""
    actor = ctx.actor
    departments = None
    if actor.account_id is not None and actor.kind == "staff" and ctx.tenant is not None:
        departments = ctx.platform.access.departments(session, actor.account_id, ctx.tenant.id) or None
    return Who(
        label=actor.label,
        account_id=actor.account_id,
        kind=actor.kind,
        allowed=ctx.allowed,
        departments=departments,
        name=actor.display_name,
        id_number=actor.id_number,
    )


def service_ctx(request: Request, session: Session | Connection, today: date | None = None) -> Ctx:
    ctx = request.state.ctx
    return Ctx(
        platform=ctx.platform, tenant=ctx.tenant, who=who_for(session, ctx),
        today=today or clock_today(ctx.platform),
    )


async def read_uploads(form: Any, max_mb: int) -> list[Upload]:
    """Files posted as ``file_<material code>``; read at most one byte past the limit (so an oversized
    file is refused without holding all of it in memory)."""
    out = []
    for key, value in form.multi_items():
        if not key.startswith("file_") or not isinstance(value, UploadFile) or not value.filename:
            continue
        data = await value.read(max_mb * 1024 * 1024 + 1)
        out.append(Upload(key.removeprefix("file_"), value.filename, data))
    return out


def my_applications(platform: Any, account_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """Every application of one applicant, in every hall, newest first (see the module docstring)."""
    rows: list[dict[str, Any]] = []
    for root in platform.directory.roots():
        with platform.db.session(Scope.below(root.id, root.path)) as s:
            for app in s.scalars(
                select(Application)
                .where(Application.applicant_account_id == account_id)
                .order_by(Application.submitted_at.desc())
                .limit(limit)
            ):
                tenant = platform.directory.by_id.get(app.tenant_id)
                rows.append({"app": app, "tenant": tenant})
    rows.sort(key=lambda r: r["app"].submitted_at, reverse=True)
    return rows[:limit]


def _app_id(request: Request) -> int:
    return int(request.path_params["app_id"])


async def own_application(request: Request) -> None:
    """``require(visible=...)`` for applicant routes: the application exists at this tenant and is the
    actor's own; anyone else's looks like a missing one (404 unknown_application)."""
    ctx = request.state.ctx
    app_id = _app_id(request)

    def check() -> None:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            app = load(s, app_id)
            if app.applicant_account_id != ctx.actor.account_id:
                raise NotFound("No such application here", "本级没有这个办件", code="unknown_application")

    await ctx.platform.db.run(check)


async def handled_application(request: Request) -> None:
    """``require(visible=...)`` for handler routes: the application exists at this tenant and is the
    work of one of the actor's departments (or the actor is not limited to departments)."""
    ctx = request.state.ctx
    app_id = _app_id(request)

    def check() -> None:
        # One statement (queries.case) on an autocommit read connection; the case page and API reuse what
        # it read (``request.state.approval_case``) instead of reading the application again.
        with ctx.platform.db.read_connection(ctx.tenant.scope, stable_plan=True) as s:  # by id
            found = queries.case(s, ctx.tenant.scope, app_id)
            if found is None:
                raise NotFound("No such application here", "本级没有这个办件", code="unknown_application")
            visible_to(who_for(s, ctx).departments, found[0], found[1])
            request.state.approval_case = found

    await ctx.platform.db.run(check)


def visible_to(departments: frozenset[str] | None, app: Any, tasks: list[Any]) -> None:
    """A handler sees the cases of their departments (lead or with a task); others look absent."""
    if departments is None or app.department_code in departments or any(
        t.department_code in departments for t in tasks
    ):
        return
    raise NotFound("No such application here", "本级没有这个办件", code="unknown_application")


def form_int(form: Any, name: str, default: int = 0) -> int:
    """A whole number from a posted form; anything else (text, a file) is ``-1`` so validation refuses
    it with a 422 naming the field instead of failing with a server error."""
    raw = form.get(name)
    if raw is None or raw == "":
        return default
    return int(raw) if isinstance(raw, str) and raw.isdigit() else -1
