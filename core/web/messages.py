""""My messages" (every hall's messages to the account) and the workbench's messages (the account's
departments too): list with unread counts, open one (marks it read), mark all read. See core.messages."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core import messages as M
from core.access.guard import public
from core.db import Scope
from core.web.forms import read_form
from core.web.render import render

PAGE = 50


def _login(path: str) -> Response:
    return RedirectResponse(f"/login?next={path}", status_code=303)


def _before(request: Request) -> int | None:
    raw = request.query_params.get("before", "")
    return int(raw) if raw.isdigit() and len(raw) <= 18 else None


def _read_inbox(platform: Any, account_id: int, staff: bool, before: int | None) -> dict[str, Any]:
    # The inbox spans every hall (one login, every hall) but only this account's own rows and those of
    # its departments: the filter is the recipient, under the system scope.
    with platform.db.session(Scope.system()) as s:
        deps = M.department_ids_of(s, account_id) if staff else []
        rows = M.inbox(s, account_id, department_ids=deps, before=before, limit=PAGE + 1)
        unread = M.unread_count(s, account_id, deps)
        directory = platform.directory
        items = [{"m": m, "hall": directory.by_id.get(m.tenant_id),
                  "department": m.to_department_id is not None} for m in rows[:PAGE]]
        for m in rows:
            s.expunge(m)
    more = rows[PAGE].id + 1 if len(rows) > PAGE else None
    return {"items": items, "unread": unread, "next_before": more}


async def _inbox(request: Request, path: str, staff: bool) -> Response:
    ctx = request.state.ctx
    if ctx.actor.is_guest:
        return _login(path)
    if staff and ctx.actor.kind != "staff":
        from core.access.guard import Forbidden

        raise Forbidden("hall:workbench:view", "the workbench is for staff accounts")
    data = await ctx.platform.db.run(
        lambda: _read_inbox(ctx.platform, ctx.actor.account_id, staff, _before(request)))
    return render(request, "messages.html", {**data, "staff": staff, "base": path})


@public  # any logged-in account; guests are sent to log in
async def my_messages(request: Request) -> Response:
    return await _inbox(request, "/my/messages/", staff=False)


@public  # staff only: the account's and its departments' messages
async def workbench_messages(request: Request) -> Response:
    return await _inbox(request, "/workbench/messages/", staff=True)


@public  # the account's own (or its departments') message; another's answers 404
async def open_message(request: Request) -> Response:
    ctx = request.state.ctx
    if ctx.actor.is_guest:
        return _login("/my/messages/")
    raw = request.path_params["message_id"]
    if not raw.isdigit() or len(raw) > 18:
        from core.errors import NotFound

        raise NotFound("No such message", "没有这条消息", code="unknown_message")

    def work() -> dict[str, Any]:
        with ctx.platform.db.session(Scope.system()) as s:
            deps = M.department_ids_of(s, ctx.actor.account_id) if ctx.actor.kind == "staff" else []
            m = M.get(s, int(raw), ctx.actor.account_id, deps)
            M.mark_read(s, ctx.actor.account_id, [m.id], deps)
            s.commit()
            s.refresh(m)
            s.expunge(m)
            return {"m": m, "hall": ctx.platform.directory.by_id.get(m.tenant_id)}

    return render(request, "message.html", await ctx.platform.db.run(work))


@public  # marks the account's own messages read
async def mark_all_read(request: Request) -> Response:
    ctx = request.state.ctx
    if ctx.actor.is_guest:
        return _login("/my/messages/")
    form = await read_form(request)
    back = "/workbench/messages/" if form.get("back") == "workbench" else "/my/messages/"

    def work() -> None:
        with ctx.platform.db.session(Scope.system()) as s:
            deps = M.department_ids_of(s, ctx.actor.account_id) if back.startswith("/workbench") else []
            M.mark_read(s, ctx.actor.account_id, None, deps)
            s.commit()

    await ctx.platform.db.run(work)
    return RedirectResponse(back, status_code=303)


def unread_for(platform: Any, account_id: int, staff: bool) -> int:
    with platform.db.session(Scope.system()) as s:
        deps = M.department_ids_of(s, account_id) if staff else []
        return M.unread_count(s, account_id, deps)


def routes() -> list[BaseRoute]:
    return [
        Route("/my/messages/", my_messages, name="my_messages"),
        Route("/my/messages/read", mark_all_read, methods=["POST"], name="messages_read"),
        Route("/my/messages/{message_id}", open_message, name="message"),
        Route("/workbench/messages/", workbench_messages, name="workbench_messages"),
    ]
