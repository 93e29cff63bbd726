""""My space" (one login, every hall) and the staff workbench shell.

Both pages are shells: their content comes from the plugins' menu entries (section ``my`` and
``workbench``), gathered per hall with the plugins enabled there and the actor's permissions there.

"My messages" (core.web.messages) reads the core inbox across every hall; both pages show its unread
count. Plugins tell people things through ``core.api.notify`` (core.messages).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, NoMatchFound, Route

from core.access.guard import public
from core.contracts import MenuEntry
from core.db import Scope
from core.tenancy.directory import TenantRef
from core.web.messages import unread_for
from core.web.render import render

WORKBENCH_HALLS = 50  # a clerk holds roles in a handful of halls; more is an administrator


def entries_at(request: Request, tenant: TenantRef, section: str) -> list[MenuEntry]:
    """Menu entries of ``section`` offered by the plugins enabled at ``tenant``, permission-filtered there."""
    ctx = request.state.ctx
    platform = ctx.platform
    enabled = platform.enabled(tenant)
    out = []
    for e in platform.registry.menu(enabled, tenant=tenant, actor=ctx.actor):
        if e.section != section:
            continue
        if e.permission and not platform.access.check(ctx.actor, tenant, e.permission).allowed:
            continue
        out.append(e)
    return out


def _login_redirect(path: str) -> Response:
    return RedirectResponse(f"/login?next={path}", status_code=303)


@public  # any logged-in account; guests are sent to log in below
async def my_space(request: Request) -> Response:
    ctx = request.state.ctx
    if ctx.actor.is_guest:
        return _login_redirect("/my/")
    directory = ctx.platform.directory
    hall = directory.get(request.query_params.get("hall", "")) or (directory.roots() or [None])[0]
    find = request.query_params.get("find", "").strip()[:50]
    hits: list[TenantRef] = []
    if find:  # the hall finder by name or code (#13 item 11): nobody knows their division code
        from core.web.console import search_subtree

        for top in directory.roots():
            hits.extend(search_subtree(directory, top, find, limit=20)[0])
    no_match = bool(find) and not hits
    if len(hits) == 1:
        hall, hits = hits[0], []
    return render(request, "my.html", {
        "find": find, "hits": hits[:20], "no_match": no_match,
        "hall": hall, "ancestors": directory.ancestors(hall)[:-1] if hall else [],
        "children": directory.kids(hall) if hall else [],
        "entries": entries_at(request, hall, "my") if hall else [],
        "account_url": _account_url(request),
        "unread": await ctx.platform.db.run(lambda: unread_for(ctx.platform, ctx.actor.account_id, False)),
    })


def _account_url(request: Request) -> str | None:
    """The identity package's own account page, when it offers one (route name ``account``)."""
    try:
        return str(request.app.url_path_for("account"))
    except NoMatchFound:
        return None


def grant_tenants(platform: Any, account_id: int) -> list[TenantRef]:
    """The halls where the account holds a role (its own grant rows; subtree grants count at their root)."""
    from core.access.grants import grants_of

    # The system scope reads across halls, but only this account's own grant rows (one login, every hall).
    with platform.db.session(Scope.system()) as session:
        ids = dict.fromkeys(g.tenant_id for g in grants_of(session, account_id))
    found = [platform.directory.by_id[i] for i in ids if i in platform.directory.by_id]
    return sorted(found, key=lambda t: t.path)[:WORKBENCH_HALLS]


@public  # staff only; others get the 403 page, guests are sent to log in
async def workbench(request: Request) -> Response:
    ctx = request.state.ctx
    if ctx.actor.is_guest:
        return _login_redirect("/workbench/")
    if ctx.actor.kind != "staff":
        from core.access.guard import Forbidden

        raise Forbidden("hall:workbench:view", "the workbench is for staff accounts")
    halls = await ctx.platform.db.run(lambda: grant_tenants(ctx.platform, ctx.actor.account_id))
    boards = [(h, entries_at(request, h, "workbench")) for h in halls]
    unread = await ctx.platform.db.run(lambda: unread_for(ctx.platform, ctx.actor.account_id, True))
    return render(request, "workbench.html", {"boards": boards, "unread": unread})


@public
async def my_slash(request: Request) -> Response:
    return RedirectResponse("/my/", status_code=308)


def routes() -> list[BaseRoute]:
    return [
        Route("/my/", my_space, name="my"),
        Route("/my", my_slash),
        Route("/workbench/", workbench, name="workbench"),
    ]
