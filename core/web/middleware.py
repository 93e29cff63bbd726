"""The middleware chain, as plain ASGI (Starlette's BaseHTTPMiddleware costs a task per request):

request id + log context -> tenant resolved (unknown: 404) -> actor authenticated -> router, where the
plugin gate and the route's permission check run.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import structlog
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.db.counter import counting
from core.web.context import RequestContext
from core.web.i18n import LANG_COOKIE, pick_language

log = structlog.get_logger("govhall.request")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_TENANT_PATH = re.compile(r"^/(api/)?t/([^/]+)(/|$)")


class ContextMiddleware:
    """Request id, language, one JSON log line per request with tenant, actor, route, status and time."""

    def __init__(self, app: ASGIApp, platform: Any) -> None:
        self.app = app
        self.platform = platform

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request = Request(scope)
        incoming = request.headers.get("x-request-id", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        path: str = scope["path"]
        lang = pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                             self.platform.settings["default_language"])
        ctx = RequestContext(platform=self.platform, request_id=request_id, api=path.startswith("/api/"),
                             lang=lang)
        scope.setdefault("state", {})["ctx"] = ctx
        status = 500
        remember_lang = request.query_params.get("lang") in ("zh-CN", "en")

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["x-request-id"] = request_id
                if remember_lang:
                    headers.append("set-cookie",
                                   f"{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax")
            await send(message)

        try:
            with counting() as sql:
                await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            emit = log.error if status >= 500 else log.info  # a 5xx is the server's fault: an error
            emit(
                "request",
                request_id=request_id,
                method=scope["method"],
                path=path,
                route=getattr(route, "path", None),
                status=status,
                tenant=ctx.tenant.code if ctx.tenant else None,
                actor=ctx.actor.label,
                ms=round((time.perf_counter() - started) * 1000, 2),
                sql=sql.n,  # round trips to the database (core.db.counter)
            )


class TenantMiddleware:
    """Resolve the tenant from ``/t/{code}/`` or ``/api/t/{code}/``, else from the Host map.
    An unknown code answers 404 before any handler runs; ``/t/{code}`` redirects to ``/t/{code}/``."""

    def __init__(self, app: ASGIApp, platform: Any, not_found: Any) -> None:
        self.app = app
        self.platform = platform
        self.not_found = not_found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ctx: RequestContext = scope["state"]["ctx"]
        match = _TENANT_PATH.match(scope["path"])
        if match:  # the directory only when needed: /healthz must answer while it cannot be loaded
            tenant = self.platform.directory.get(match.group(2))
            if tenant is None:
                await self.not_found(scope, receive, send)
                return
            ctx.tenant = tenant
        else:
            host = _host(scope)
            code = self.platform.settings["host_map"].get(host) if host else None
            if code:
                ctx.tenant = self.platform.directory.get(code)
        await self.app(scope, receive, send)


def _host(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"host":
            return str(value.decode("latin-1").split(":", 1)[0].lower())
    return ""


_NO_HEADER = ("/static/", "/healthz", "/favicon")  # no page header: no unread count to read


class AuthMiddleware:
    """Attach the actor: session cookie for pages, bearer token for the API (core.identity)."""

    def __init__(self, app: ASGIApp, platform: Any) -> None:
        self.app = app
        self.platform = platform

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            authenticate = self.platform.authenticate
            if authenticate is not None:
                ctx: RequestContext = scope["state"]["ctx"]
                request = Request(scope)
                result = authenticate(request)
                if hasattr(result, "__await__"):
                    result = await result
                ctx.actor = result
                chosen = request.query_params.get("lang")
                if chosen in ("zh-CN", "en") and not result.is_guest and result.account_id is not None:
                    from core.messages import remember_language

                    await self.platform.db.run(
                        lambda: remember_language(self.platform, result.account_id, chosen))
                if (not ctx.api and not result.is_guest and result.account_id is not None
                        and scope.get("method") == "GET" and not scope["path"].startswith(_NO_HEADER)):
                    from core.messages import cached_unread, unread_for_header

                    staff, account = result.kind == "staff", result.account_id
                    ctx.unread = cached_unread(account, staff)
                    if ctx.unread is None:  # no thread hop when the count is cached
                        ctx.unread = await self.platform.db.run(
                            lambda: unread_for_header(self.platform, account, staff))
                cookies = scope["state"].get("response_cookies")
                if cookies:  # e.g. the guest CSRF cookie set by core.identity
                    send = _add_cookies(send, cookies)
        await self.app(scope, receive, send)


def _add_cookies(send: Send, cookies: list[str]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for cookie in cookies:
                headers.append("set-cookie", cookie)
        await send(message)

    return wrapped
