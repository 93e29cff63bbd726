"""CSRF protection for every state-changing request, in one middleware (``CsrfMiddleware``).

Every unsafe method (POST, PUT, PATCH, DELETE) that could ride on the browser's ambient credentials needs
this session's token, whatever its content type (none at all included): every page request, and every
API request that arrives with a live session cookie. The token travels in the ``X-CSRF-Token`` header
(JSON clients: ``/api/login`` in session mode and ``/api/me`` answer it) or as the ``csrf_token`` form
field (pages; in a multipart form it must come before the files — it is looked for in the first
``MULTIPART_TOKEN_WINDOW`` bytes, which are then handed on unchanged). Requests with a bearer token are
exempt by design: a token is never sent by a browser on its own, so a cross-site page cannot use it.

A logged-in request's token is an HMAC (settings ``secret_key``) of its session hash: bound to that
session, so a token from another session, or from before logout, is refused. A guest's token is a
signed double-submit value: a random nonce in the ``govhall_csrf`` cookie and the HMAC of it in the form,
so a cross-site page can neither read nor forge it (this guards the login and registration forms).
The token is put on ``request.state.ctx.csrf_token`` for templates.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import DomainError

CSRF_COOKIE = "govhall_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MULTIPART_TOKEN_WINDOW = 64 * 1024  # bytes of a multipart body the token field must appear within


class CsrfError(DomainError):
    """A form arrived without this session's token: answered 403, and nothing is changed."""

    status = 403
    code = "csrf"


@functools.lru_cache(maxsize=4096)  # a session's token is signed once per process, not per page
def _sign(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), f"csrf:{value}".encode(), hashlib.sha256).hexdigest()


def expected_token(secret: str, session_hash: str | None, guest_nonce: str | None) -> str:
    if session_hash:
        return _sign(secret, "session:" + session_hash)
    return _sign(secret, "guest:" + guest_nonce) if guest_nonce else ""


def prepare(request: Request, secret: str, secure: bool = False) -> str | None:
    """Set ``ctx.csrf_token``; returns a new guest nonce to set as a cookie, or None."""
    ctx = request.state.ctx
    new_nonce = None
    if ctx.actor.session_id:
        ctx.csrf_from(secret, ctx.actor.session_id, None)  # signed when first read (ctx.csrf_token)
        return None
    nonce = request.cookies.get(CSRF_COOKIE, "")
    if not (16 <= len(nonce) <= 64 and nonce.isalnum()):
        nonce = new_nonce = secrets.token_hex(16)
    ctx.csrf_from(secret, None, nonce)
    request.state.csrf_nonce = nonce
    if new_nonce:
        # core.web.middleware.AuthMiddleware adds these to the response.
        request.state.response_cookies = [
            f"{CSRF_COOKIE}={new_nonce}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
        ]
    return new_nonce


def guest_nonce(request: Request) -> str:
    return getattr(request.state, "csrf_nonce", "") or request.cookies.get(CSRF_COOKIE, "")


def expected_for(request: Request) -> str:
    """The token this request must carry: its session's, else its guest nonce's ("" when it has none)."""
    ctx = request.state.ctx
    secret = ctx.platform.settings["secret_key"]
    if ctx.actor.session_id:
        return expected_token(secret, ctx.actor.session_id, None)
    nonce = request.cookies.get(CSRF_COOKIE, "")
    return expected_token(secret, None, nonce) if nonce else ""


def token_ok(expected: str, sent: str) -> bool:
    return bool(expected) and bool(sent) and hmac.compare_digest(sent.encode(), expected.encode())


def refused() -> CsrfError:
    return CsrfError(
        "The request's security token is missing or wrong; reload the page and try again",
        "安全校验失败（缺少或错误的 CSRF 令牌），请刷新页面后重试",
        fields={FIELD: "missing or wrong / 缺少或错误"},
    )


def needs_token(scope: Scope) -> bool:
    """Unsafe, and could ride on a browser's ambient credentials: any page request, and an API request
    authenticated by its session cookie. Bearer-token requests are exempt (see the module docstring)."""
    if scope["method"] not in UNSAFE_METHODS:
        return False
    ctx = scope["state"]["ctx"]
    if ctx.actor.token_id is not None:  # a bearer token (a wrong one: a guest without credentials)
        return False
    return not ctx.api or bool(ctx.actor.session_id)


class CsrfMiddleware:
    """Refuse (403 ``csrf``, nothing read further, nothing changed) an unsafe request without this
    session's token; runs after authentication and before routing, so no handler can forget it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not needs_token(scope):
            await self.app(scope, receive, send)
            return
        from core.web.middleware import request_of

        request = request_of(scope)
        expected = expected_for(request)
        sent = ""  # a form's own field first (it belongs to the page that was posted), else the header
        ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if ctype == "application/x-www-form-urlencoded":
            sent, receive = await _urlencoded_token(receive)
        elif ctype == "multipart/form-data":
            sent, receive = await _multipart_token(request.headers["content-type"], receive)
        sent = sent or request.headers.get(HEADER, "")
        if not token_ok(expected, sent) and _routed(scope):
            exc = refused()
            from core.web.errors import error_response

            response = error_response(Request(scope, receive), exc.status, exc.code, exc.message_en,
                                      exc.message_zh, exc.fields)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _routed(scope: Scope) -> bool:
    """Whether some route takes this method at this path. One that does not is left to the router (404
    or 405 with Allow): it can change nothing, and its answer should say what is wrong."""
    from core.web.errors import allowed_methods

    return scope["method"] in allowed_methods(Request(scope))


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` that first hands on what was already read, unchanged."""

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return replay


async def _urlencoded_token(receive: Receive) -> tuple[str, Receive]:
    """The ``csrf_token`` field of a urlencoded form (the whole body: the body limit bounds it)."""
    messages: list[Message] = []
    body = b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    sent = ""
    for key, value in parse_qsl(body.decode("latin-1"), keep_blank_values=True):
        if key == FIELD:
            sent = value
            break
    return sent, _replay(messages, receive)


async def _multipart_token(content_type: str, receive: Receive) -> tuple[str, Receive]:
    """The ``csrf_token`` part of a multipart form, read from at most the first
    ``MULTIPART_TOKEN_WINDOW`` bytes; the files after it are not read here."""
    from python_multipart.multipart import MultipartParser, parse_options_header

    _, options = parse_options_header(content_type)
    boundary = options.get(b"boundary", b"")
    messages: list[Message] = []
    if not boundary:
        return "", _replay(messages, receive)
    state: dict[str, Any] = {"header": b"", "value": b"", "name": None, "token": None, "headers": []}

    def on_part_begin() -> None:
        state["headers"], state["name"], state["value"] = [], None, b""

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state["header"] += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state["headers"].append((state["header"].lower(), data[start:end]))
        state["header"] = b""

    def on_headers_finished() -> None:
        for name, value in state["headers"]:
            if name == b"content-disposition":
                _, params = parse_options_header(value)
                state["name"] = params.get(b"name", b"").decode("latin-1")

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if state["name"] == FIELD and len(state["value"]) < 200:
            state["value"] += data[start:end]

    def on_part_end() -> None:
        if state["name"] == FIELD and state["token"] is None:
            state["token"] = state["value"].decode("latin-1")

    parser = MultipartParser(boundary, {  # type: ignore[arg-type]
        "on_part_begin": on_part_begin, "on_header_field": on_header_field,
        "on_header_value": on_header_value, "on_headers_finished": on_headers_finished,
        "on_part_data": on_part_data, "on_part_end": on_part_end,
    })
    seen = 0
    while state["token"] is None and seen < MULTIPART_TOKEN_WINDOW:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        seen += len(chunk)
        try:
            parser.write(chunk[: max(0, MULTIPART_TOKEN_WINDOW - (seen - len(chunk)))])
        except Exception:  # a malformed body: no token found; the form parser answers for the rest
            break
        if not message.get("more_body", False):
            break
    return str(state["token"] or ""), _replay(messages, receive)


async def check(request: Request, form: Any = None) -> None:
    """Kept for code written before ``CsrfMiddleware`` (``core.api.check_csrf``): the middleware has
    already refused any unsafe request without the token before a handler runs, so this checks nothing."""
    return None
