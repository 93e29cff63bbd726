"""JSON login for the API: ``POST /api/login`` answers a session (cookie and value) or a bearer token."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.access.guard import public
from core.db import Scope
from core.errors import Invalid, Unauthenticated
from core.identity.csrf import expected_token
from core.identity.login import Credentials, authenticate_password, open_session, session_cookie
from core.identity.sessions import SESSION_COOKIE, create_token, digest, revoke_session
from core.web.api import OutModel, Reply, api_doc, read_json


class ApiLogin(Credentials):
    mode: Literal["session", "token"] = "session"
    token_name: str = Field(default="api", min_length=1, max_length=64)
    scopes: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=lambda: ["*"], max_length=200)
    days: int = Field(default=30, ge=1, le=366)


class SessionOut(OutModel):
    mode: Literal["session"]
    session: str = Field(description=f"The session; also set as the {SESSION_COOKIE} cookie")
    username: str
    kind: str
    expires_in_days: int
    csrf_token: str = Field(description="Send as the X-CSRF-Token header with every unsafe request that "
                                        "carries the session cookie")


class TokenOut(OutModel):
    mode: Literal["token"]
    token: str = Field(description="Send as Authorization: Bearer <token>; shown once")
    name: str
    scopes: list[str]
    expires_at: str
    username: str


class LogoutIn(BaseModel):
    session: str | None = Field(default=None, max_length=200,
                                description=f"The session to end (default: the {SESSION_COOKIE} cookie)")


class LogoutOut(OutModel):
    logged_out: bool


class MeOut(OutModel):
    account_id: int
    username: str
    kind: str
    display_name: str
    token_scopes: list[str]
    csrf_token: str = Field(description="For a session-cookie client: send as the X-CSRF-Token header "
                                        "with every unsafe request (empty for a bearer token)")


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


@api_doc(request=ApiLogin, response=SessionOut, others={201: TokenOut},
         summary="Log in: a session (200, also set as a cookie) or, with mode=token, a bearer token (201)")
@public
async def api_login(request: Request) -> Any:
    """Password login for API clients; failed attempts are throttled per account and address."""
    ctx = request.state.ctx
    data = ApiLogin.model_validate(await _body(request))
    account = await authenticate_password(request, data)
    if data.mode == "session":
        raw = await open_session(request, account)
        cookie = session_cookie(ctx.platform, raw)
        return Reply(
            {
                "mode": "session",
                "session": raw,
                "username": account.username,
                "kind": account.kind,
                "expires_in_days": ctx.platform.settings["session_days"],
                "csrf_token": expected_token(ctx.platform.settings["secret_key"], digest(raw), None),
            },
            finish=lambda response: response.set_cookie(**cookie),
        )

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
    return Reply(
        {
            "mode": "token",
            "token": raw,
            "name": data.token_name,
            "scopes": scopes,
            "expires_at": expires,
            "username": account.username,
        },
        status=201,
    )


@api_doc(response=MeOut, summary="Who the request is authenticated as (401 for a guest or a bad token)")
@public
async def api_me(request: Request) -> Any:
    """The account behind the session cookie or bearer token, and the token's scopes."""
    ctx = request.state.ctx
    actor = ctx.actor
    if actor.is_guest:
        raise Unauthenticated("Log in or send a bearer token", "请先登录")
    return {
        "account_id": actor.account_id,
        "username": actor.username,
        "kind": actor.kind,
        "display_name": actor.display_name,
        "token_scopes": list(actor.token_scopes),
        "csrf_token": ctx.csrf_token if actor.session_id else "",
    }


@api_doc(request=LogoutIn, response=LogoutOut, summary="End a session (the cookie's, or the one sent)")
@public
async def api_logout(request: Request) -> Any:
    """End the session sent as a cookie or as ``{"session": ...}`` (JSON, so not forgeable cross-site)."""
    ctx = request.state.ctx
    data = LogoutIn.model_validate(await _body(request))
    raw = data.session or request.cookies.get(SESSION_COOKIE) or ""
    if raw:

        def end() -> None:
            with ctx.platform.db.transaction(Scope.system()) as s:
                revoke_session(s, raw)

        await ctx.platform.db.run(end)
    return Reply({"logged_out": bool(raw)},
                 finish=lambda response: response.delete_cookie(SESSION_COOKIE, path="/"))


def routes() -> list[BaseRoute]:
    return [
        Route("/api/login", api_login, methods=["POST"], name="api_login"),
        Route("/api/logout", api_logout, methods=["POST"], name="api_logout"),
        Route("/api/me", api_me, methods=["GET"], name="api_me"),
    ]
