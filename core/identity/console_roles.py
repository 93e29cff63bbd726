"""``/t/{code}/console/roles``: who holds which role here and from which grant; grant and revoke.

The rules are those of the CLI (core.access.grants): an administrator grants only inside what their own
grants cover, and only roles whose administrative (hall) permissions they hold.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.access import require
from core.access.grants import grant, holders_at, revoke
from core.db import Scope
from core.errors import DomainError
from core.hall import ROLES_MANAGE, ROLES_VIEW
from core.identity.service import require_account
from core.web.forms import form_data
from core.web.render import render


class GrantForm(BaseModel):
    action: str = Field(pattern="^(grant|revoke)$")
    username: str = Field(min_length=1, max_length=64)
    role: str = Field(min_length=1, max_length=64)
    subtree: bool = False


def _page(
    request: Request, *, errors: dict[str, str] | None = None, status: int = 200, done: str = ""
) -> Response:
    ctx = request.state.ctx
    tenant = ctx.tenant

    def load() -> list[Any]:
        with ctx.platform.db.session(Scope.system()) as s:  # ancestors' subtree grants apply here too
            return holders_at(s, ctx.platform.directory, tenant)

    held = load()
    templates = ctx.platform.access.templates
    roles = [templates.roles[r] for r in templates.grantable()]
    return render(
        request,
        "roles.html",
        {
            "held": held,
            "roles": roles,
            "errors": errors or {},
            "done": done,
            "may_manage": ctx.allowed(ROLES_MANAGE),
            "directory": ctx.platform.directory,
            "role_titles": {r.name: (r.title_zh, r.title_en) for r in templates.roles.values()},
        },
        status=status,
    )


@require(ROLES_VIEW)
async def roles_page(request: Request) -> Response:
    return _page(request, done=request.query_params.get("done", "")[:40])


@require(ROLES_MANAGE)
async def roles_change(request: Request) -> Response:
    ctx = request.state.ctx
    form = await form_data(request)
    try:
        data = GrantForm(
            action=str(form.get("action", "")),
            username=str(form.get("username", "")).strip(),
            role=str(form.get("role", "")),
            subtree=form.get("subtree") in ("on", "1", "true"),
        )
    except ValidationError as exc:
        return _page(
            request, errors={".".join(map(str, e["loc"])): e["msg"] for e in exc.errors()}, status=422
        )

    def change() -> None:
        with ctx.platform.db.transaction(Scope.system()) as s:
            account = require_account(s, data.username)
            if data.action == "grant":
                grant(
                    s,
                    ctx.platform,
                    account_id=account.id,
                    role=data.role,
                    tenant=ctx.tenant,
                    subtree=data.subtree,
                    actor=ctx.actor,
                )
            else:
                revoke(
                    s, ctx.platform, account_id=account.id, role=data.role, tenant=ctx.tenant, actor=ctx.actor
                )

    try:
        await ctx.platform.db.run(change)
    except DomainError as exc:
        message = exc.message_zh if ctx.lang == "zh-CN" else exc.message_en
        return _page(request, errors={"form": message, **exc.fields}, status=exc.status)
    return RedirectResponse(f"/t/{ctx.tenant.code}/console/roles?done={data.action}", status_code=303)


def routes() -> list[BaseRoute]:
    return [
        Route("/t/{tenant_code}/console/roles", roles_page, methods=["GET"], name="console_roles"),
        Route("/t/{tenant_code}/console/roles", roles_change, methods=["POST"], name="console_roles_change"),
    ]
