"""CSRF protection for every state-changing form.

A logged-in request's token is an HMAC (settings ``secret_key``) of its session hash: bound to that
session, so a token from another session, or from before logout, is refused. A guest's token is a
signed double-submit value: a random nonce in the ``govhall_csrf`` cookie and the HMAC of it in the form,
so a cross-site page can neither read nor forge it (this guards the login and registration forms).
The token is put on ``request.state.ctx.csrf_token`` for templates.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from starlette.requests import Request

from core.errors import DomainError

CSRF_COOKIE = "govhall_csrf"
FIELD = "csrf_token"


class CsrfError(DomainError):
    """A form arrived without this session's token: answered 403, and nothing is changed."""

    status = 403
    code = "csrf"


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
        ctx.csrf_token = expected_token(secret, ctx.actor.session_id, None)
        return None
    nonce = request.cookies.get(CSRF_COOKIE, "")
    if not (16 <= len(nonce) <= 64 and nonce.isalnum()):
        nonce = new_nonce = secrets.token_hex(16)
    ctx.csrf_token = expected_token(secret, None, nonce)
    request.state.csrf_nonce = nonce
    if new_nonce:
        # core.web.middleware.AuthMiddleware adds these to the response.
        request.state.response_cookies = [
            f"{CSRF_COOKIE}={new_nonce}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
        ]
    return new_nonce


def guest_nonce(request: Request) -> str:
    return getattr(request.state, "csrf_nonce", "") or request.cookies.get(CSRF_COOKIE, "")


async def check(request: Request, form: Any) -> None:
    """Refuse (403 page, nothing changed) a form whose token does not match this session or guest."""
    ctx = request.state.ctx
    secret = ctx.platform.settings["secret_key"]
    sent = str(form.get(FIELD, "") if form is not None else "")
    if ctx.actor.session_id:
        expected = expected_token(secret, ctx.actor.session_id, None)
    else:
        nonce = request.cookies.get(CSRF_COOKIE, "")
        expected = expected_token(secret, None, nonce) if nonce else ""
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        raise CsrfError(
            "The form's security token is missing or wrong; reload the page and try again",
            "表单安全校验失败，请刷新页面后重试",
        )
