"""Issue #11: what one guest request for a cached hall page costs, counted rather than timed.

The bench (bench/bench_http.py, "hall guest ÷ bare JSON") measures it; this pins the causes found by
profiling it (docs/benchmarks.md), so they cannot come back unnoticed:

* no plugin hook is called (the page is cached per tenant, language and directory version);
* the chain parses the request once: one cookie parse, no query-string parse when there is none;
* no HMAC is signed (the CSRF token is signed when a page shows it, and a cached page does not);
* no ``MutableHeaders``: the security headers, the request id and the cookies are added to the raw
  header list, by two send wrappers in all (the security headers and the request context);
* the cached page's response carries exactly the headers ``HTMLResponse`` would give it.
"""

from __future__ import annotations

import asyncio
import hmac
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import starlette.datastructures
import starlette.requests
from starlette.responses import HTMLResponse

from core.web.hall import cached_page

CORE = str(Path(__file__).resolve().parents[3] / "core")
HALL = "/t/360102/"


def _scope(path: str, cookie: str = "") -> dict[str, Any]:
    headers = [(b"host", b"testserver"), (b"user-agent", b"wrk")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
            "scheme": "http", "server": ("testserver", 80), "client": ("127.0.0.1", 1), "root_path": "",
            "path": path, "raw_path": path.encode(), "query_string": b"", "headers": headers}


def _get(app: Any, path: str, cookie: str = "", on_start: Any = None) -> dict[str, Any]:
    """One request straight through the ASGI app; the response start message."""
    started: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            started.update(message)
            if on_start is not None:
                on_start()

    asyncio.run(app(_scope(path, cookie), receive, send))
    return started


@pytest.fixture
def hall_app(demo_client: Any) -> Iterator[Any]:
    """The full app over the demo data (13 plugins, several enabled at 360102), the guest hall page of
    360102 already in the cache."""
    app = demo_client.app
    first = _get(app, HALL)
    assert first["status"] == 200
    nonce = next(v.decode() for k, v in first["headers"] if k == b"set-cookie").split(";")[0]
    app.state.csrf_cookie = nonce
    assert _get(app, HALL, nonce)["status"] == 200
    yield app


def _counting(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, counts: Counter[str]) -> None:
    real = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)


@pytest.mark.parametrize("with_cookie", [False, True], ids=["first visit", "returning guest"])
def test_a_cached_guest_hall_page_calls_no_hook_parses_once_and_signs_nothing(
        hall_app: Any, monkeypatch: pytest.MonkeyPatch, with_cookie: bool) -> None:
    counts: Counter[str] = Counter()
    platform = hall_app.state.platform
    undo = platform.registry.pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: counts.update(["hook " + name]), lambda *a: None)
    _counting(monkeypatch, starlette.requests, "cookie_parser", counts)
    _counting(monkeypatch, starlette.requests, "QueryParams", counts)
    _counting(monkeypatch, hmac, "new", counts)
    real_init = starlette.datastructures.MutableHeaders.__init__

    def mutable_headers(self: Any, *args: Any, **kwargs: Any) -> None:
        counts["MutableHeaders"] += 1
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(starlette.datastructures.MutableHeaders, "__init__", mutable_headers)
    try:
        started = _get(hall_app, HALL, hall_app.state.csrf_cookie if with_cookie else "")
    finally:
        undo()
    assert started["status"] == 200
    names = [k for k, _ in started["headers"]]
    assert b"content-security-policy" in names and b"x-request-id" in names
    assert (b"set-cookie" in names) is not with_cookie  # a first visit gets its CSRF nonce cookie
    assert not [k for k in counts if k.startswith("hook ")], counts  # no plugin hook per cached page
    assert counts["cookie_parser"] == (1 if with_cookie else 0), counts  # parsed once by the chain
    assert counts["QueryParams"] == 0, counts  # no query string, nothing parsed
    assert counts["new"] == 0, counts  # no HMAC: the CSRF token is signed only when a page shows it
    assert counts["MutableHeaders"] == 0, counts  # headers go onto the raw list


def test_the_chain_has_two_send_wrappers(hall_app: Any) -> None:
    """When the response starts, govhall's own frames on the stack: the middleware layers awaiting and
    the send wrappers (nested functions). Only the security headers and the request context wrap
    ``send``; the outage answer, the body limit, the tenant, the actor and CSRF add nothing to it."""
    seen: list[list[str]] = []

    def look() -> None:
        frame = sys._getframe(1)
        ours = []
        while frame is not None:
            if frame.f_code.co_filename.startswith(CORE):
                ours.append(frame.f_code.co_qualname)
            frame = frame.f_back
        seen.append(ours)

    assert _get(hall_app, HALL, hall_app.state.csrf_cookie, on_start=look)["status"] == 200
    wrappers = [name for name in seen[0] if "<locals>" in name]
    assert sorted(wrappers) == ["ContextMiddleware.__call__.<locals>.send_wrapper",
                                "SecurityHeadersMiddleware.__call__.<locals>.with_headers"], seen[0]
    layers = [name for name in seen[0] if name.endswith("Middleware.__call__")]
    assert len(layers) == 7, layers  # security, context, input, body limit, tenant, auth, CSRF


def test_a_cached_page_has_the_headers_htmlresponse_gives_it() -> None:
    for page in (b"", b"<p>\xe5\x8a\x9e</p>", b"x" * 12345):
        made, cached = HTMLResponse(page), cached_page(page)
        assert (cached.status_code, cached.body, cached.raw_headers, cached.background) == (
            made.status_code, made.body, made.raw_headers, made.background)
