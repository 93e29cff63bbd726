"""HTML pages of the staff side: the handler's workbench (queue, case, actions), publicity, statistics."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import (
    Department,
    Invalid,
    NotFound,
    charts,
    form_data,
    form_error_pairs,
    render,
    require,
    translate,
)
from core.api import today as clock_today
from plugins.approval import handling, queries, services, stats
from plugins.approval import permissions as P
from plugins.approval.facts import case_facts, case_panels
from plugins.approval.models import ServiceItem, Suspension, UploadedMaterial
from plugins.approval.schemas import TransitionIn
from plugins.approval.services import STATE_TITLES
from plugins.approval.uploads import blob_path
from plugins.approval.webctx import form_int, handled_application, service_ctx, visible_to, who_for

# What the case page says after an action (#13 item 10): "受理成功" rather than a silent reload.
DONE_TITLES: dict[str, tuple[str, str]] = {
    "accept": ("已受理", "Accepted"), "refuse": ("已作出不予受理决定", "Refused to accept"),
    "correct": ("已发出补正通知", "Correction requested"), "review": ("已开始审查", "Review started"),
    "approve": ("已作出准予许可决定", "Approved"), "deny": ("已作出不予许可决定", "Denied"),
    "conclude": ("已办结", "Concluded"), "suspend": ("已进入特别程序，计时暂停", "Suspended"),
    "resume": ("已恢复计时", "Resumed"), "extend": ("已延长办理时限", "Limit extended"),
}


_names: dict[tuple[int, int, frozenset[str]], list[str]] = {}
_DEPARTMENTS = Department.__table__


def department_names(conn: Any, platform: Any, tenant_id: int, codes: Any) -> list[str]:
    """The departments' names at this hall (people see names, not codes, #13 item 9); a code without a
    row stays as it is. Kept per directory version: departments are written only by the tree loader,
    which bumps it, so every process sees a renamed department within a second."""
    codes = frozenset(codes)
    if not codes:
        return []
    key = (platform.directory.version, tenant_id, codes)
    found = _names.get(key)
    if found is None:
        names = dict(conn.execute(select(_DEPARTMENTS.c.code, _DEPARTMENTS.c.name).where(
            _DEPARTMENTS.c.tenant_id == tenant_id, _DEPARTMENTS.c.code.in_(sorted(codes)))).all())
        found = [names.get(code, code).strip() for code in sorted(codes)]
        if len(_names) >= 10_000:
            _names.clear()
        _names[key] = found
    return found


def _visible_to(c: Any, app: Any, tasks: list[Any]) -> None:
    visible_to(c.who.departments, app, tasks)


@require(P.APP_HANDLE)
async def workbench(request: Request) -> Response:
    ctx = request.state.ctx
    state = request.query_params.get("state") or None
    due = request.query_params.get("due") or None
    q = request.query_params.get("q", "").strip()[:100]

    def work() -> dict[str, Any]:
        # One Core statement on an autocommit read connection (queries.queue): new cases first, then
        # the soonest deadline; the department names from memory.
        with ctx.platform.db.read_connection(ctx.tenant.scope, stable_plan=True) as conn:
            who = who_for(conn, ctx)
            rows = queries.queue(conn, ctx.tenant.scope, who.departments, state=state, due=due, limit=100,
                                 q=q, new_first=not due)
            names = department_names(conn, ctx.platform, ctx.tenant.id, who.departments or ())
            return {"rows": queue_view(rows, ctx.lang), "departments": names}

    data = await ctx.platform.db.run(work)
    return render(
        request,
        "approval/workbench.html",
        {
            **data,
            "state": state,
            "due": due,
            "q": q,
            "state_names": _state_names(ctx.lang),
            "queue_states": queries.QUEUE_STATES,
        },
    )


def _state_names(lang: str) -> dict[str, str]:
    i = 0 if lang == "zh-CN" else 1
    return {state: titles[i] for state, titles in STATE_TITLES.items()}


def queue_view(rows: list[Any], lang: str) -> list[tuple[Any, str, int | None]]:
    """The page's rows, worked out once per page rather than per cell in the template: (row, mark,
    working days left). The mark is the row's class: overdue, soon (within three working days), new."""
    today = clock_today()
    out = []
    for a in rows:
        left = handling.remaining_days(a, today)
        if left is not None and left < 0:
            mark = "overdue"
        elif left is not None and left <= 3:
            mark = "soon"
        elif a.state in queries.NEW_STATES:
            mark = "new"
        else:
            mark = ""
        out.append((a, mark, left))
    return out


def _case(request: Request) -> dict[str, Any]:
    ctx = request.state.ctx
    app_id = int(request.path_params["app_id"])
    with ctx.platform.db.read(ctx.tenant.scope) as s:
        c = service_ctx(request, s)
        app = services.load(s, app_id)
        tasks = services.tasks_of(s, app_id)
        _visible_to(c, app, tasks)
        return {
            "app": app,
            "item": s.get(ServiceItem, app.item_id),
            "tasks": tasks,
            "history": services.history(s, app_id),
            "findings": services.findings_of(s, app_id),
            "files": list(
                s.scalars(select(UploadedMaterial).where(UploadedMaterial.application_id == app_id))
            ),
            "suspensions": list(s.scalars(select(Suspension).where(Suspension.application_id == app_id))),
            "remaining": handling.remaining_days(app),
            "states": STATE_TITLES,
            "can_extend": ctx.allowed(P.APP_EXTEND),
            "can_handle": ctx.allowed(P.APP_HANDLE),
            "facts": case_facts(ctx.platform, ctx.tenant, app, "staff", s),
            "panels": case_panels(ctx.platform, ctx.tenant, app, ctx.allowed, s),
            "reused": services.reused_of(s, app_id),
        }


@require(P.APP_READ, visible=handled_application)
async def case_page(request: Request) -> Response:
    """The case file: readable by its handlers and by supervisors (read permission, e.g. through a subtree
    grant above); the action forms appear only to those who may handle it."""
    data = await request.state.ctx.platform.db.run(lambda: _case(request))
    done = request.query_params.get("done", "")
    data["done"] = DONE_TITLES.get(done)
    return render(request, "approval/case.html", data)


@require(P.APP_HANDLE, visible=handled_application)
async def case_action(request: Request) -> Response:
    """One action from the case page; the service checks the action's own permission and the version."""
    ctx = request.state.ctx
    form = await form_data(request)
    app_id, action = int(request.path_params["app_id"]), request.path_params["action"]
    try:
        body = TransitionIn(
            version=form_int(form, "version"),
            reason=str(form.get("reason", "")),
            remedies=str(form.get("remedies", "")),
            missing=[str(m) for m in form.getlist("missing")],
            procedure=str(form.get("procedure", "")),
            days=form_int(form, "days"),
        )
    except ValidationError as exc:
        pairs = form_error_pairs(exc)
        raise Invalid(
            "The form has invalid fields", "表单填写有误：" + "、".join(pairs),
            fields={k: en for k, (_zh, en) in pairs.items()},
            fields_zh={k: f"{zh}：{en}" for k, (zh, en) in pairs.items()},
        ) from None

    def work() -> None:
        with ctx.platform.db.transaction(ctx.tenant.scope) as s:
            c = service_ctx(request, s)
            _visible_to(c, services.load(s, app_id), services.tasks_of(s, app_id))
            handling.perform(s, c, app_id, action, body)

    await ctx.platform.db.run(work)
    return RedirectResponse(f"/t/{ctx.tenant.code}/approval/workbench/{app_id}?done={action}",
                            status_code=303)


@require(P.APP_READ, visible=handled_application)
async def case_file(request: Request) -> Response:
    """A material the applicant uploaded, checked against its recorded hash before it is served."""
    import hashlib

    from starlette.responses import Response as Raw

    ctx = request.state.ctx
    app_id, file_id = int(request.path_params["app_id"]), int(request.path_params["file_id"])

    def work() -> UploadedMaterial:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            row = s.get(UploadedMaterial, file_id)
            if row is None or row.application_id != app_id:
                raise NotFound("No such file", "没有这个文件")
            return row

    row = await ctx.platform.db.run(work)
    data = blob_path(ctx.platform.settings.data_dir, row.sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise Invalid(
            "The stored file does not match its hash", "存储的文件与登记的哈希不一致", code="tampered"
        )
    return Raw(
        data,
        media_type=row.content_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(row.filename)}"},
    )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@require(P.PUBLICITY_VIEW)
async def publicity_page(request: Request) -> Response:
    ctx = request.state.ctx

    def work() -> list[dict[str, Any]]:
        with ctx.platform.db.session(ctx.tenant.scope) as s:
            return queries.publicity(s, limit=100)

    return render(request, "approval/publicity.html", {"rows": await ctx.platform.db.run(work)})


def stats_scope(request: Request) -> tuple[Any, bool]:
    """The tenant's own scope, or its subtree for a supervisor holding a subtree grant (asked for with
    ``?subtree=1``). Nobody gets a subtree by asking: the access layer mints it or returns None."""
    ctx = request.state.ctx
    if request.query_params.get("subtree") == "1":
        below = ctx.platform.access.subtree_scope(ctx.actor, ctx.tenant, P.STATS_VIEW)
        if below is not None:
            return below, True
    return ctx.tenant.scope, False


def parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(
            "Dates are YYYY-MM-DD", "日期格式应为 YYYY-MM-DD", fields={"date": value[:20]}
        ) from None


def figures(request: Request) -> dict[str, Any]:
    ctx = request.state.ctx
    scope, subtree = stats_scope(request)
    since, until = parse_day(request.query_params.get("since")), parse_day(request.query_params.get("until"))
    with ctx.platform.db.session(scope) as s:
        out = {
            "summary": stats.summary(s, scope, since, until),
            "subtree": subtree,
            "weekly": stats.weekly(s, scope, since, until),
        }
        out["children"] = (
            stats.by_child(s, scope, ctx.platform.directory, ctx.tenant, since, until) if subtree else []
        )
    return out


def week_label(week: str, lang: str) -> str:
    """``2026-W45`` as people read it: the week's Monday (11月2日当周 / week of 2 Nov)."""
    year, num = week.split("-W")
    monday = date.fromisocalendar(int(year), int(num), 1)
    if lang == "zh-CN":
        return f"{monday.month}月{monday.day}日当周"
    return f"week of {monday.day} {monday.strftime('%b')}"


@require(P.PUBLICITY_VIEW)  # the hall publishes its own figures (#13 item 13); the subtree needs STATS_VIEW
async def stats_page(request: Request) -> Response:
    ctx = request.state.ctx
    data = await ctx.platform.db.run(lambda: figures(request))
    data["can_subtree"] = ctx.platform.access.subtree_scope(ctx.actor, ctx.tenant, P.STATS_VIEW) is not None
    data["since"] = request.query_params.get("since", "")[:10]
    data["until"] = request.query_params.get("until", "")[:10]
    weekly = data["weekly"][-12:]
    data["week_chart"] = charts.bar_chart(
        translate(request, "Applications per week"),
        [week_label(w["week"], ctx.lang) for w in weekly],
        {
            translate(request, "Received"): [w["received"] for w in weekly],
            translate(request, "Concluded"): [w["concluded"] for w in weekly],
        },
    )
    if data["children"]:
        kids = data["children"]
        data["child_chart"] = charts.bar_chart(
            translate(request, "Completion and on-time rate by locality (%)"),
            [k["name"] for k in kids],
            {
                translate(request, "Completion rate"): [
                    round(k["completion_rate"] * 100, 1) if k["received"] else None for k in kids],
                translate(request, "On-time rate"): [  # nothing concluded: no rate, not 0 %
                    round(k["on_time_rate"] * 100, 1) if k["concluded"] else None for k in kids],
            },
            percent=True,
        )
    return render(request, "approval/stats.html", data)


def routes() -> list[BaseRoute]:
    return [
        Route("/workbench", workbench),
        Route("/workbench/{app_id:int}", case_page),
        Route("/workbench/{app_id:int}/files/{file_id:int}", case_file),
        Route("/workbench/{app_id:int}/{action:str}", case_action, methods=["POST"]),
        Route("/publicity", publicity_page),
        Route("/stats", stats_page),
    ]
