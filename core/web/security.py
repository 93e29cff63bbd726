"""Security policy every response and every URL goes through: one headers middleware, one URL check.

* ``SecurityHeadersMiddleware`` wraps the whole application (outside Starlette's error middleware, so a
  500 page carries them too) and sets on every HTTP response — pages, JSON, error pages, redirects,
  downloads, static files — a Content-Security-Policy that forbids inline script and ``javascript:`` URLs,
  ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` (with CSP ``frame-ancestors 'none'``),
  ``Referrer-Policy: same-origin``, a Permissions-Policy and, with ``https`` on, HSTS. The policy allows
  scripts and styles only from this site's files (``/static/...``); a ``<style>`` a template still needs
  carries the per-request nonce (``{{ csp_nonce }}``), never an inline script.
* ``safe_url(value)`` is the one answer to "may this be a link?": an absolute http(s) URL or a path on
  this site. ``SafeUrl`` is the pydantic type for every URL a user or an administrator enters (checked at
  input), and the Jinja filter ``safe_url`` checks it again where a template puts a stored value into
  ``href``/``src``/``action``/``formaction`` (a refused one renders as ``#``), so a ``javascript:`` URL
  stored before this check, or by another path, is inert.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_SCHEMES = frozenset({"http", "https"})
MAX_URL = 300  # characters of a URL people enter (the catalogue's form_url column)
REFUSED_URL = "#"  # what the template filter renders instead of an unsafe URL

URL_RULE_EN = "must be an http:// or https:// address, or a path on this site starting with /"
URL_RULE_ZH = "须为 http:// 或 https:// 开头的网址，或以 / 开头的本站路径"


def safe_url(value: Any) -> str | None:
    """``value`` (stripped) when it is an absolute http(s) URL with a host, or a same-site path
    (``/x``, not ``//host``); otherwise None. Control characters and backslashes are refused outright:
    browsers drop or reinterpret them, which is how ``java\\tscript:`` and ``/\\host`` get through."""
    if value is None:
        return None
    text = str(value).strip()
    if not text or "\\" in text or any(ord(c) < 32 or ord(c) == 127 for c in text):
        return None
    if text.startswith("/"):
        return text if not text.startswith("//") else None
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an invalid IPv6 host
        return None
    if parts.scheme.lower() in SAFE_SCHEMES and parts.netloc:
        return text
    return None


def check_url(value: str) -> str:
    """The pydantic validator behind ``SafeUrl``: empty (no link) or a safe URL, else a field error."""
    if value == "":
        return value
    checked = safe_url(value)
    if checked is None:
        raise ValueError(f"{URL_RULE_ZH} / {URL_RULE_EN}")
    return checked


URL_CHECK = AfterValidator(check_url)
# Every URL field of an input model is a SafeUrl (tests/core/web/test_security_sweep.py checks it).
SafeUrl = Annotated[str, Field(max_length=MAX_URL), URL_CHECK]


def url_filter(value: Any) -> str:
    """Jinja ``|safe_url``: the URL when it passes ``safe_url``, else ``#`` (empty stays empty)."""
    if value is None or value == "":
        return ""
    return safe_url(value) or REFUSED_URL


# -- headers ----------------------------------------------------------------------------------------------

def content_security_policy(nonce: str) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",  # no inline script, no eval, no javascript: URLs
        f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


STATIC_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000; includeSubDomains"


_CSP_HEAD, _CSP_TAIL = (part.encode("latin-1") for part in content_security_policy("\0").split("\0"))


class SecurityHeadersMiddleware:
    """The security headers on every HTTP response; a per-request nonce for the few inline styles
    (``scope["state"]["csp_nonce"]``, ``{{ csp_nonce }}`` in templates).

    The headers are encoded once; per response, whatever the app set under the same names is dropped
    and ours appended, in one pass over the raw header list (no MutableHeaders per header)."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.https = https
        fixed = dict(STATIC_HEADERS, **({"strict-transport-security": HSTS} if https else {}))
        self._fixed = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in fixed.items()]
        self._names = frozenset(k for k, _ in self._fixed) | {b"content-security-policy"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce
        fixed, names = self._fixed, self._names

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *(h for h in message.get("headers", ()) if h[0].lower() not in names),
                    (b"content-security-policy", _CSP_HEAD + nonce.encode("latin-1") + _CSP_TAIL),
                    *fixed,
                ]
            await send(message)

        await self.app(scope, receive, with_headers)
