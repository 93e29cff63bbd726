"""One body size limit for every route, counted while the body streams in (issue #10 item 4).

``BodyLimitMiddleware`` sits right after the request context and the input checks, before
authentication, the CSRF check and any handler. A request whose declared ``Content-Length`` is over
the limit is refused at once, without reading a byte of the body; otherwise the bytes are counted as
they arrive, and the first chunk past the limit raises ``BodyTooLarge`` — whoever is reading (the CSRF
check, a form or JSON parser) stops there, and the answer is 413 ``body_too_large`` in the standard
error shape. The limit is ``MAX_BODY_BYTES`` (1 MiB) for every body but a multipart form, whose limit is
the ``upload_max_mb`` setting (all files of one form together); one file's own limit and the number of
parts are enforced by the form parser while it streams (core.web.forms.form_data).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import DomainError

MAX_BODY_BYTES = 1024 * 1024  # every body that is not a multipart upload: JSON, urlencoded forms, anything
BODYLESS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class BodyTooLarge(DomainError):
    status = 413
    code = "body_too_large"


def too_large(limit: int, what: str = "body", field: str = "body") -> BodyTooLarge:
    mib = f"{limit / 1024 / 1024:g} MiB" if limit >= 1024 * 1024 else f"{limit} bytes"
    zh = "请求体" if what == "body" else "文件"
    return BodyTooLarge(f"The {what} is larger than {mib}", f"{zh}超过 {mib}",
                        fields={field: f"larger than {mib} / 超过 {mib}"})


def body_limit(scope: Scope, upload_bytes: int) -> int:
    """The limit for this request's body: the upload limit for a multipart form, else 1 MiB."""
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            if value[:19].lower() == b"multipart/form-data":
                return upload_bytes
            break
    return MAX_BODY_BYTES


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, platform: object) -> None:
        self.app = app
        self.platform = platform

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in BODYLESS:
            await self.app(scope, receive, send)
            return
        settings = self.platform.settings  # type: ignore[attr-defined]
        limit = body_limit(scope, int(settings["upload_max_mb"]) * 1024 * 1024)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, too_large(limit))
            return
        seen = 0

        async def counting() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise too_large(limit)
            return message

        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, watch)
        except BodyTooLarge as exc:  # raised while a middleware (the CSRF check) was reading
            if started:
                raise
            await _refuse(scope, receive, send, exc)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


async def _refuse(scope: Scope, receive: Receive, send: Send, exc: DomainError) -> None:
    from core.web.errors import error_response

    response = error_response(Request(scope, receive), exc.status, exc.code, exc.message_en, exc.message_zh,
                              exc.fields, headers={"connection": "close"})
    await response(scope, receive, send)
