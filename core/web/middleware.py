"""The middleware chain, as plain ASGI (Starlette's BaseHTTPMiddleware costs a task per request):

request id + log context + outage answer -> NUL refused -> body limit -> tenant resolved (unknown: 404)
-> actor authenticated -> CSRF -> router, where the plugin gate and the route's permission check run.
Only the first layer wraps ``send``; the others add to the request context and answer or pass on.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.db import counter
from core.db.outage import OUTAGE, is_unavailable
from core.logging import fast_log
from core.web.context import RequestContext
from core.web.i18n import LANG_COOKIE, pick_language

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_TENANT_PATH = re.compile(r"^/(api/)?t/([^/]+)(/|$)")
REQUEST = "govhall.request"  # scope["state"] key of the chain's shared Request (request_of)


def request_of(scope: Scope) -> Request:
    """The Request ContextMiddleware made for this scope (headers, cookies, query parsed once), or a new
    one where the chain did not run (a middleware tested alone)."""
    found = scope.get("state", {}).get(REQUEST)
    return found if found is not None and found.scope is scope else Request(scope)


class ContextMiddleware:
    """Request id, language, one JSON log line per request with tenant, actor, route, status and time;
    and the outage answer: "the database cannot be reached", raised anywhere inside (tenant directory,
    session look-up, handler) before the response started, becomes a 503 with Retry-After logged once
    per interval (core.db.outage, core.web.errors.unavailable_response) rather than a 500 and a traceback
    per request. A response already under way is left to fail as it would.

    The chain's other layers add nothing to what is sent: the cookies they set (the guest CSRF nonce,
    core.identity.csrf) go in ``scope["state"]["response_cookies"]`` and are added here, with the request
    id, in the one send wrapper the chain has (tests/core/web/test_request_cost.py counts them)."""

    def __init__(self, app: ASGIApp, platform: Any) -> None:
        self.app = app
        self.platform = platform

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # One Request for the whole chain (AuthMiddleware and the CSRF check read it too): its headers,
        # cookies and query string are parsed once, and the query string only when there is one.
        request = Request(scope)
        incoming = request.headers.get("x-request-id", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else os.urandom(16).hex()
        path: str = scope["path"]
        chosen = request.query_params.get("lang") if scope.get("query_string") else None
        lang = pick_language(chosen, request.cookies.get(LANG_COOKIE),
                             self.platform.settings["default_language"])
        ctx = RequestContext(platform=self.platform, request_id=request_id, api=path.startswith("/api/"),
                             lang=lang, lang_chosen=chosen if chosen in ("zh-CN", "en") else None)
        state = scope.setdefault("state", {})
        state["ctx"], state[REQUEST] = ctx, request
        status = 0  # 0 until the response starts
        added = [(b"x-request-id", request_id.encode("latin-1"))]
        if ctx.lang_chosen:
            added.append((b"set-cookie", f"{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax"
                          .encode("latin-1")))

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                cookies = state.get("response_cookies")
                message["headers"] = [
                    *(h for h in message.get("headers", ()) if h[0] != b"x-request-id"),
                    *added,
                    *((b"set-cookie", c.encode("latin-1")) for c in cookies or ()),
                ]
            await send(message)

        tally, token = counter.open_tally()
        try:
            try:
                await self.app(scope, receive, send_wrapper)
            except Exception as exc:
                if status or not is_unavailable(exc):
                    raise
                from core.web.errors import unavailable_response

                OUTAGE.failed(exc, "request")
                await unavailable_response(Request(scope, receive))(scope, receive, send_wrapper)
        finally:
            counter.close_tally(token)
            route = scope.get("route")
            status = status or 500
            fast_log(
                "error" if status >= 500 else "info",  # a 5xx is the server's fault: an error
                "request",
                request_id=request_id,
                method=scope["method"],
                path=path,
                route=getattr(route, "path", None),
                status=status,
                tenant=ctx.tenant.code if ctx.tenant else None,
                actor=ctx.actor.label,
                ms=round((time.perf_counter() - started) * 1000, 2),
                sql=tally.n,  # round trips to the database (core.db.counter)
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
                result = authenticate(request_of(scope))
                if hasattr(result, "__await__"):
                    result = await result
                ctx.actor = result
                chosen = ctx.lang_chosen
                if chosen and not result.is_guest and result.account_id is not None:
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
                # Cookies it set (the guest CSRF nonce) are sent by ContextMiddleware's send wrapper.
        await self.app(scope, receive, send)
