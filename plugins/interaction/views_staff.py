"""Staff pages: the duty team's ticket list and ticket page (accept, dispatch, answer, call back and close,
approve extensions, link duplicates), and a handler's work sent to their tenant or department (answer,
ask for more time). Bad input re-renders the page with the errors named, changing nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pydantic import ValidationError
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import (
    Department,
    DomainError,
    Invalid,
    NotFound,
    departments_of,
    form_data,
    read_form,
    render,
    require,
)
from plugins.interaction import attachments, kb, services
from plugins.interaction import permissions as P
from plugins.interaction.models import TicketAssignment
from plugins.interaction.schemas import (
    ActIn,
    CallbackIn,
    DecideIn,
    DispatchIn,
    ExtensionIn,
    LinkIn,
    ReplyIn,
    TicketQuery,
)
from plugins.interaction.web import common, ctx, errors_of, max_mb, run, status_of, ticket_here

# -- the duty team --------------------------------------------------------------------------------------


@require(P.VIEW)
async def tickets(request: Request) -> Response:
    c = ctx(request)
    try:
        q = TicketQuery.model_validate(
            {k: v for k, v in request.query_params.items() if k in ("state", "kind")}
            | {"overdue": request.query_params.get("overdue") == "1"}
        )
    except ValidationError:
        q = TicketQuery()
    rows = await run(
        request,
        lambda s: services.listing(
            s, c.platform, c.tenant, state=q.state, kind=q.kind, overdue=q.overdue, limit=100
        ),
        write=False,
    )
    return render(request, "interaction/tickets.html", common(request, rows=rows, q=q))


def _targets(request: Request) -> list[Any]:
    """Where this hall may dispatch: itself, the tenants below it and its parent, where interaction is on."""
    c = ctx(request)
    d = c.platform.directory
    parent = d.by_id.get(c.tenant.parent_id) if c.tenant.parent_id else None
    out = [c.tenant, *d.kids(c.tenant)] + ([parent] if parent else [])
    return [t for t in out if "interaction" in c.platform.enabled(t)]


def _target_options(request: Request, s: Any) -> list[tuple[str, str]]:
    """(value ``tenant:department``, label) for the dispatch select; names, never codes."""
    zh = ctx(request).lang == "zh-CN"
    targets = _targets(request)
    ids = [t.id for t in targets]
    depts = s.scalars(select(Department).where(Department.tenant_id.in_(ids)).order_by(Department.code)).all()
    out = []
    for t in targets:
        tname = t.name if zh else (t.name_en or t.name)
        out.append((f"{t.code}:", tname))
        out += [
            (f"{t.code}:{dp.code}", f"{tname} · {dp.name if zh else (dp.name_en or dp.name)}")
            for dp in depts
            if dp.tenant_id == t.id
        ]
    return out


def _wide_scope(request: Request) -> Any:
    c = ctx(request)
    parent = c.platform.directory.by_id.get(c.tenant.parent_id) if c.tenant.parent_id else None
    return (parent or c.tenant).subtree_scope


async def _ticket_page(request: Request, status: int = 200, **extra: Any) -> Response:
    c = ctx(request)
    tid = int(request.path_params["ticket_id"])

    def load(s: Any) -> dict[str, Any]:
        t = services.get(s, c.tenant, tid)
        d = c.platform.directory
        assignments = [(a, d.by_id.get(a.tenant_id)) for a in services.assignments_of(s, t)]
        zh = c.lang == "zh-CN"
        ids = {t.tenant_id, *(a.tenant_id for a, _ in assignments)}
        dept_names = {
            f"{dp.tenant_id}:{dp.code}": dp.name if zh else (dp.name_en or dp.name)
            for dp in s.scalars(select(Department).where(Department.tenant_id.in_(ids)))
        }
        return common(
            request,
            t=t,
            steps=services.history(s, t),
            links=services.links(s, t),
            assignments=assignments,
            dept_names=dept_names,
            targets=_target_options(request, s),
            can_manage=c.allowed(P.MANAGE),
            kb_entry=kb.entry_of(s, t),
            kb_draft=kb.draft(t) if kb.can_publish(t) else None,
            files=attachments.of(s, t),
            file_base=f"/t/{c.tenant.code}/interaction/tickets/{t.id}/files",
            **extra,
        )

    data = await run(request, load, write=False, scope=_wide_scope(request))
    return render(request, "interaction/ticket.html", data, status=status)


@require(P.VIEW, visible=ticket_here)
async def ticket(request: Request) -> Response:
    return await _ticket_page(request)


ACTS: dict[str, Any] = {
    "accept": ActIn,
    "reject": ActIn,
    "dispatch": DispatchIn,
    "reply": ReplyIn,
    "callback": CallbackIn,
    "decide": DecideIn,
    "link": LinkIn,
}


def _act(action: str) -> Any:
    """The endpoint of one duty-team action on a ticket (one route each: no free-form action segment)."""

    @require(P.MANAGE, visible=ticket_here)
    async def endpoint(request: Request) -> Response:
        c = ctx(request)
        tid = int(request.path_params["ticket_id"])
        files: list[Any] = []
        form: dict[str, Any]
        if action == "reply":
            raw = await form_data(request, max_file_mb=max_mb(request))
            form = {k: v for k, v in raw.items() if k != "csrf_token" and isinstance(v, str)}
        else:
            form = await read_form(request)
        if action == "dispatch":
            tenant_code, _, dept = str(form.pop("target", "")).partition(":")
            form.update(tenant_code=tenant_code, department_code=dept)
        if action == "decide":
            form["approve"] = form.get("approve") == "1"
        try:
            data = ACTS[action].model_validate(form)
            if action == "reply":
                files = attachments.check(await attachments.read_files(raw, max_mb(request)), max_mb(request))
            await run(
                request,
                lambda s: _do(request, s, services.get(s, c.tenant, tid), action, data, files),
                scope=_wide_scope(request),
            )
        except (ValidationError, DomainError) as exc:
            return await _ticket_page(
                request, status=status_of(exc), errors=errors_of(request, exc), form=form
            )
        return RedirectResponse(f"/t/{c.tenant.code}/interaction/tickets/{tid}", status_code=303)

    endpoint.__name__ = f"ticket_{action}"
    return endpoint


def _do(request: Request, s: Any, t: Any, action: str, data: Any, files: list[Any]) -> None:
    c = ctx(request)
    who, platform, tenant = c.actor.label, c.platform, c.tenant
    if action == "accept":
        services.accept(s, tenant, t, data.version, who, data.note)
    elif action == "reject":
        services.reject(s, tenant, t, data.version, who, data.note)
    elif action == "dispatch":
        target = platform.directory.get(data.tenant_code)
        if target is None or target.id not in {x.id for x in _targets(request)}:
            raise Invalid(
                "Choose where to dispatch",
                "请选择转办对象",
                code="bad_target",
                fields={"tenant_code": "unknown"},
                fields_zh={"tenant_code": "无效"},
            )
        services.dispatch(s, platform, tenant, t, target, data.department_code, data.version, who, data.note)
    elif action == "reply":
        if t.version != data.version:
            raise services.stale()
        services.reply(s, platform, tenant, t, None, data.reply, who)
        attachments.store(s, platform, t, files, "reply", who)
    elif action == "callback":
        services.callback(s, platform, tenant, t, data.version, data.result, data.note, who)
    elif action == "decide":
        services.decide_extension(s, platform, tenant, t, data.version, data.approve, data.note, who)
    elif action == "link":
        services.link(s, tenant, t, data.other_number, data.kind, who)


# -- handlers: work sent to this tenant or my department ------------------------------------------------


def _my_departments(request: Request, s: Any) -> list[str] | None:
    c = ctx(request)
    if c.allowed(P.MANAGE):
        return None
    return [d.code for d in departments_of(s, c.actor.account_id or -1, c.tenant.id)]


@require(P.HANDLE)
async def work(request: Request) -> Response:
    c = ctx(request)
    rows = await run(
        request, lambda s: services.open_assignments(s, c.tenant, _my_departments(request, s)), write=False
    )
    return render(request, "interaction/work.html", common(request, rows=rows))


def _assignment(request: Request, s: Any) -> TicketAssignment:
    """An assignment of this tenant visible to the caller (their department, the tenant as a whole, or any
    for the duty team); anything else answers like a missing one."""
    c = ctx(request)
    a = s.get(TicketAssignment, int(request.path_params["assignment_id"]))
    mine = _my_departments(request, s)
    if a is None or a.tenant_id != c.tenant.id or (mine is not None and a.department_code not in [*mine, ""]):
        raise NotFound("No such assignment here", "本级没有该转办件", code="unknown_assignment")
    return a


async def assignment_visible(request: Request) -> None:
    """``require(visible=...)``: see ``_assignment``."""
    await run(request, lambda s: _assignment(request, s), write=False)


async def _span_of(request: Request) -> Any:
    c = ctx(request)
    a = await run(request, lambda s: _assignment(request, s), write=False)
    source = c.platform.directory.by_id[a.ticket_tenant_id]
    return source, services.span(c.platform, c.tenant, source).subtree_scope


async def _work_page(request: Request, status: int = 200, **extra: Any) -> Response:
    source, scope = await _span_of(request)

    def load(s: Any) -> dict[str, Any]:
        a = _assignment(request, s)
        t = services.get(s, source, a.ticket_id)
        return common(
            request,
            a=a,
            t=t,
            source=source,
            steps=services.history(s, t),
            files=attachments.of(s, t),
            file_base=f"/t/{ctx(request).tenant.code}/interaction/work/{a.id}/files",
            **extra,
        )

    return render(
        request,
        "interaction/work_item.html",
        await run(request, load, write=False, scope=scope),
        status=status,
    )


@require(P.HANDLE, visible=assignment_visible)
async def work_item(request: Request) -> Response:
    return await _work_page(request)


def _work_act(action: str) -> Any:
    """The endpoint of one handler action on an assignment: ``reply`` or ``extension``."""

    @require(P.HANDLE, visible=assignment_visible)
    async def endpoint(request: Request) -> Response:
        return await _work_do(request, action)

    endpoint.__name__ = f"work_{action}"
    return endpoint


async def _work_do(request: Request, action: str) -> Response:
    c = ctx(request)
    source, scope = await _span_of(request)
    raw = await form_data(request, max_file_mb=max_mb(request))
    form = {k: v for k, v in raw.items() if k != "csrf_token" and isinstance(v, str)}

    def do(s: Any, data: Any, files: list[Any]) -> None:
        a = _assignment(request, s)
        t = services.get(s, source, a.ticket_id)
        if action == "reply":
            if t.version != data.version:
                raise services.stale()
            services.reply(s, c.platform, source, t, a, data.reply, c.actor.label)
            attachments.store(s, c.platform, t, files, "reply", c.actor.label)
        else:
            services.request_extension(s, t, data.version, data.days, data.note, c.actor.label)

    try:
        data = (ReplyIn if action == "reply" else ExtensionIn).model_validate(form)
        files = (
            attachments.check(await attachments.read_files(raw, max_mb(request)), max_mb(request))
            if action == "reply"
            else []
        )
        await run(request, lambda s: do(s, data, files), scope=scope)
    except (ValidationError, DomainError) as exc:
        return await _work_page(request, status=status_of(exc), errors=errors_of(request, exc), form=form)
    return RedirectResponse(
        f"/t/{c.tenant.code}/interaction/work/{request.path_params['assignment_id']}", status_code=303
    )


def _file_response(row: Any, data: bytes) -> Response:
    return Response(
        data,
        media_type=row.content_type,
        headers={
            "content-disposition": f"attachment; filename*=UTF-8''{quote(row.filename)}",
            "x-content-type-options": "nosniff",
        },
    )


@require(P.VIEW, visible=ticket_here)
async def ticket_file(request: Request) -> Response:
    c = ctx(request)
    tid, fid = int(request.path_params["ticket_id"]), int(request.path_params["file_id"])
    row, data = await run(
        request, lambda s: attachments.read(s, c.platform, services.get(s, c.tenant, tid), fid), write=False
    )
    return _file_response(row, data)


@require(P.HANDLE, visible=assignment_visible)
async def work_file(request: Request) -> Response:
    """A file of a ticket dispatched here: the submitter's, or one sent with a reply."""
    c = ctx(request)
    source, scope = await _span_of(request)
    fid = int(request.path_params["file_id"])

    def work(s: Any) -> Any:
        a = _assignment(request, s)
        return attachments.read(s, c.platform, services.get(s, source, a.ticket_id), fid)

    row, data = await run(request, work, write=False, scope=scope)
    return _file_response(row, data)


def routes() -> list[BaseRoute]:
    return [
        Route("/tickets", tickets),
        Route("/tickets/{ticket_id:int}/files/{file_id:int}", ticket_file),
        Route("/work/{assignment_id:int}/files/{file_id:int}", work_file),
        Route("/tickets/{ticket_id:int}", ticket),
        *[Route(f"/tickets/{{ticket_id:int}}/{a}", _act(a), methods=["POST"]) for a in ACTS],
        Route("/work", work),
        Route("/work/{assignment_id:int}", work_item),
        *[
            Route(f"/work/{{assignment_id:int}}/{a}", _work_act(a), methods=["POST"])
            for a in ("reply", "extension")
        ],
    ]
