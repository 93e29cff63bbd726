"""The one place exceptions become HTTP: JSON under /api/, pages in the user's language elsewhere; 503
with Retry-After while the database cannot be reached (``unavailable_response``, answered by
core.web.middleware.ContextMiddleware for whatever the chain raised before the response started)."""

from __future__ import annotations

import structlog
from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Receive, Scope, Send

from core.access.guard import Forbidden
from core.db.outage import OUTAGE, RETRY_AFTER_SECONDS, is_unavailable
from core.errors import DomainError
from core.web.render import json_error, render

log = structlog.get_logger("govhall.errors")

_TITLES = {
    400: ("Bad request", "请求有误"),
    401: ("Please log in", "请先登录"),
    403: ("Not allowed", "无权访问"),
    404: ("Not found", "页面不存在"),
    405: ("Method not allowed", "不支持的请求方式"),
    409: ("Conflict", "操作冲突"),
    422: ("Invalid input", "输入有误"),
    500: ("Server error", "服务器内部错误"),
    503: ("Temporarily unavailable", "系统暂时无法使用"),
}


def error_response(request: Request, status: int, code: str, message_en: str, message_zh: str = "",
                   fields: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Response:
    ctx = getattr(request.state, "ctx", None)
    api = ctx.api if ctx else request.url.path.startswith("/api/")
    zh = message_zh or message_en
    if api:
        message = zh if ctx and ctx.lang == "zh-CN" else message_en
        return json_error(status, code, message, fields, headers=headers)
    title_en, title_zh = _TITLES.get(status, _TITLES[400 if status < 500 else 500])
    response = render(request, "error.html", {
        "status": status, "code": code, "title_en": title_en, "title_zh": title_zh,
        "message_en": message_en, "message_zh": zh, "fields": fields or {},
        "request_id": ctx.request_id if ctx else "",
    }, status=status)
    response.headers.update(headers or {})
    return response


def unavailable_response(request: Request) -> Response:
    """503 while the database cannot be reached: the standard error shape, and when to try again."""
    return error_response(
        request, 503, "database_unavailable",
        "The service is temporarily unavailable; please try again in a minute. Nothing was changed.",
        "系统暂时无法使用，请稍后再试。本次操作未作任何更改。",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    return error_response(request, exc.status, exc.code, exc.message_en, exc.message_zh, exc.fields)


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ValidationError)
    fields = {".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in exc.errors()}
    return error_response(request, 422, "invalid", "The request has invalid fields",
                          "提交的内容有误，请检查标出的字段", fields)


async def on_forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Forbidden)
    ctx = request.state.ctx
    if exc.hide:
        return error_response(request, 404, "not_found", "Not found", "您访问的内容不存在")
    if ctx.actor.is_guest:
        if ctx.api:
            return error_response(request, 401, "unauthenticated", "Log in or send a bearer token",
                                  "请先登录")
        target = "/login?next=" + request.url.path
        return RedirectResponse(target, status_code=303)
    log.info("access.denied", permission=exc.permission, reason=exc.reason)
    perm = ctx.platform.registry.permissions.get(exc.permission)  # name it as people know it
    title_en, title_zh = (perm.title_en, perm.title_zh) if perm else (exc.permission, exc.permission)
    return error_response(request, 403, "forbidden",
                          f"You lack the permission “{title_en}” here ({exc.permission})",
                          f"您在此处没有“{title_zh}”的权限（{exc.permission}）")


async def on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(request, 404, "not_found", "This page does not exist", "您访问的页面不存在")
    if exc.status_code == 405:
        response = error_response(request, 405, "method_not_allowed", "Method not allowed",
                                  "不支持的请求方式")
        response.headers.update(exc.headers or {})
        response.headers["allow"] = ", ".join(sorted(allowed_methods(request)))
        return response
    return error_response(request, exc.status_code, "http_error", str(exc.detail), str(exc.detail))


def allowed_methods(request: Request) -> set[str]:
    """Every method some route takes at this path (Starlette's Allow names only the first route's, and a
    page may split GET and POST over two routes with two permissions)."""
    methods: set[str] = set()

    def walk(routes: list[BaseRoute], scope: Scope) -> None:
        for route in routes:
            match, child = route.matches(scope)
            if match == Match.NONE:
                continue
            if isinstance(route, Mount):
                inner = getattr(route.app, "app", route.app)  # a plugin gate wraps its Router
                walk(list(getattr(inner, "routes", [])), {**scope, **child})
            elif isinstance(route, Route):
                methods.update(route.methods or ())

    scope = dict(request.scope)  # a mount on the way here moved root_path: start again from the app's
    scope["root_path"] = scope.get("app_root_path", scope.get("root_path", ""))
    walk(list(request.app.routes), scope)
    return methods or {"GET", "HEAD"}


async def on_server_error(request: Request, exc: Exception) -> Response:
    if is_unavailable(exc):  # reached past ContextMiddleware's outage answer (raised while it was answering)
        OUTAGE.failed(exc, "request")
        return unavailable_response(request)
    log.exception("unhandled", exc_info=exc)
    return error_response(request, 500, "server_error",
                          "Something went wrong on our side; quote the request id when you report it",
                          "系统出现错误，请记下请求编号并联系我们")


async def not_found_app(scope: Scope, receive: Receive, send: Send) -> None:
    """ASGI app for an unknown tenant: the same 404 page as any missing page."""
    request = Request(scope, receive)
    response = error_response(request, 404, "tenant_not_found", "There is no hall with this code",
                              "没有这个行政区划代码对应的办事大厅")
    await response(scope, receive, send)


EXCEPTION_HANDLERS = {
    DomainError: on_domain_error,
    ValidationError: on_validation_error,
    Forbidden: on_forbidden,
    HTTPException: on_http_exception,
    Exception: on_server_error,
}
