"""JSON login for the API: ``POST /api/login`` answers a session (cookie and value) or a bearer token."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from core.access.guard import public
from core.db import Scope
from core.errors import Invalid, Unauthenticated
from core.identity.login import Credentials, authenticate_password, open_session, session_cookie
from core.identity.sessions import SESSION_COOKIE, create_token, revoke_session
from core.web.api import read_json


class ApiLogin(Credentials):
    mode: Literal["session", "token"] = "session"
    token_name: str = Field(default="api", min_length=1, max_length=64)
    scopes: list[str] = Field(default_factory=lambda: ["*"], max_length=200)
    days: int = Field(default=30, ge=1, le=366)


async def _body(request: Request) -> dict[str, object]:
    # JSON only: a cross-site form cannot send application/json without a CORS preflight, which we never
    # allow. The shared reader bounds size, depth, NUL and integers (core.web.api.read_json).
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise Invalid(
            "send the body as application/json", "请求体须为 JSON", fields={"body": "application/json"}
        )
    data = await read_json(request)
    if not isinstance(data, dict):
        raise Invalid("the body must be a JSON object", "请求体须为 JSON 对象", fields={"body": "object"})
    return data


@public
async def api_login(request: Request) -> Response:
    ctx = request.state.ctx
    data = ApiLogin.model_validate(await _body(request))
    account = await authenticate_password(request, data)
    if data.mode == "session":
        raw = await open_session(request, account)
        response = JSONResponse(
            {
                "mode": "session",
                "session": raw,
                "username": account.username,
                "kind": account.kind,
                "expires_in_days": ctx.platform.settings["session_days"],
            }
        )
        response.set_cookie(**session_cookie(ctx.platform, raw))
        return response

    def issue() -> tuple[str, list[str], str]:
        with ctx.platform.db.transaction(Scope.system()) as s:
            from core.identity.models import Account

            acc = s.get(Account, account.id)
            assert acc is not None
            row, raw = create_token(
                s,
                acc,
                name=data.token_name,
                scopes=data.scopes,
                days=data.days,
                known_permissions=ctx.platform.registry.permissions,
            )
            return raw, list(row.scopes), row.expires_at.isoformat()

    raw, scopes, expires = await ctx.platform.db.run(issue)
    return JSONResponse(
        {
            "mode": "token",
            "token": raw,
            "name": data.token_name,
            "scopes": scopes,
            "expires_at": expires,
            "username": account.username,
        },
        status_code=201,
    )


@public
async def api_me(request: Request) -> Response:
    """Who the request is authenticated as (401 for a guest or a bad token)."""
    actor = request.state.ctx.actor
    if actor.is_guest:
        raise Unauthenticated("Log in or send a bearer token", "请先登录")
    return JSONResponse(
        {
            "account_id": actor.account_id,
            "username": actor.username,
            "kind": actor.kind,
            "display_name": actor.display_name,
            "token_scopes": list(actor.token_scopes),
        }
    )


@public
async def api_logout(request: Request) -> Response:
    """End the session sent as a cookie or as ``{"session": ...}`` (JSON, so not forgeable cross-site)."""
    ctx = request.state.ctx
    data = await _body(request)
    raw = str(data.get("session") or request.cookies.get(SESSION_COOKIE) or "")
    if raw:

        def end() -> None:
            with ctx.platform.db.transaction(Scope.system()) as s:
                revoke_session(s, raw)

        await ctx.platform.db.run(end)
    response = JSONResponse({"logged_out": bool(raw)})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def routes() -> list[BaseRoute]:
    return [
        Route("/api/login", api_login, methods=["POST"], name="api_login"),
        Route("/api/logout", api_logout, methods=["POST"], name="api_logout"),
        Route("/api/me", api_me, methods=["GET"], name="api_me"),
    ]
