"""SegmentRouter (core/web/routing.py) answers every path exactly as Starlette's Router does (issue #14).

The index in front of the routes may only leave out routes that cannot match. Swept over every route of
the app — the core's and every plugin's, pages and API, through their mounts — with each template filled
in, with its trailing slash toggled, with one literal segment changed and with every method: the route
that takes the request (FULL, else the first PARTIAL, else none) must be the one the linear scan over all
routes picks. And through the app itself: a redirect for a missing slash, 404 and 405 as before.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.routing import BaseRoute, Match, Mount, Route, Router

from core.web.routing import SegmentRouter, literal_segments

METHODS = ("GET", "POST", "PUT", "DELETE")


def _fill(template: str) -> str:
    """A path the template matches: each parameter replaced by a value of its kind."""
    def value(m: re.Match[str]) -> str:
        kind = m.group(2) or "str"
        return {"int": "7", "path": "a/b.css", "float": "1.5", "uuid": "00000000-0000-0000-0000-000000000000"
                }.get(kind, "360102")
    return re.sub(r"\{(\w+)(?::(\w+))?\}", value, template)


def _pick(routes: list[BaseRoute], scope: dict[str, Any]) -> tuple[BaseRoute | None, Match]:
    partial = None
    for route in routes:
        match, _child = route.matches(scope)
        if match is Match.FULL:
            return route, match
        if match is Match.PARTIAL and partial is None:
            partial = route
    return (partial, Match.PARTIAL) if partial is not None else (None, Match.NONE)


def _scope(path: str, method: str) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "root_path": "", "headers": [],
            "query_string": b"", "path_params": {}}


def _routers(app: Any) -> list[tuple[str, Router]]:
    """The app's router and every router mounted under it (plugins' pages and API), with their prefixes."""
    found: list[tuple[str, Router]] = [("", app.router)]
    for route in app.router.routes:
        if isinstance(route, Mount):
            inner = getattr(route.app, "app", route.app)  # PluginGate(plugin, router)
            if isinstance(inner, Router):
                found.append((route.path, inner))
    return found


def _variants(template: str) -> list[str]:
    path = _fill(template)
    out = [path, path.rstrip("/") if path.endswith("/") and path != "/" else path + "/"]
    parts = path.split("/")
    for i, part in enumerate(parts):
        if part and part.isalpha():
            out.append("/".join([*parts[:i], part + "x", *parts[i + 1:]]))
    return out


def test_every_route_is_found_as_starlette_finds_it(app: Any) -> None:
    routers = _routers(app)
    assert isinstance(app.router, SegmentRouter)
    assert len(routers) > 10, "the plugins' mounted routers are swept too"
    checked = 0
    for _prefix, router in routers:
        assert isinstance(router, SegmentRouter), router
        for route in router.routes:
            if not isinstance(route, (Route, Mount)):
                continue
            for path in _variants(route.path if isinstance(route, Route) else route.path + "/x"):
                for method in METHODS:
                    scope = _scope(path, method)
                    expected = _pick(list(router.routes), scope)
                    got = _pick(router.candidates(path), scope)
                    assert got == expected, (path, method, expected, got)
                    checked += 1
    assert checked > 2000, checked


def test_literal_segments() -> None:
    assert literal_segments(Route("/t/{tenant_code}/login", lambda r: None)) == ["t", None, "login"]
    assert literal_segments(Route("/t/{tenant_code}/", lambda r: None)) == ["t"]
    assert literal_segments(Route("/static/{path:path}", lambda r: None)) == ["static"]
    assert literal_segments(Route("/{a}-{b}/x", lambda r: None)) == [None, "x"]
    assert literal_segments(Mount("", routes=[])) == []


def test_candidates_keep_declared_order_and_unreadable_routes() -> None:
    class Odd(BaseRoute):  # a route kind the index cannot read: a candidate for every path
        def matches(self, scope: Any) -> tuple[Match, dict[str, Any]]:
            return Match.NONE, {}

    odd = Odd()
    a = Route("/x/{id:int}", lambda r: None)
    b = Route("/{any}/7", lambda r: None)
    c = Route("/y/7", lambda r: None)
    router = SegmentRouter(routes=[a, odd, b, c])
    assert router.candidates("/x/7") == [a, odd, b]
    assert router.candidates("/y/7") == [odd, b, c]
    late = Route("/y/{n}", lambda r: None)
    router.routes.append(late)  # added later: the index is rebuilt
    assert router.candidates("/y/8") == [odd, late]


@pytest.mark.parametrize(("path", "method", "status"), [
    ("/t/360102", "GET", 308),  # the hall's own redirect to the slash
    ("/api/t/360102/hall/departments/fgw/", "GET", 307),  # Starlette's slash redirect, as before
    ("/t/360102/nosuchplugin/x", "GET", 404),
    ("/api/t/360102/approval/nosuch", "GET", 404),
    ("/api/t/360102/hall/departments/fgw", "DELETE", 405),
    ("/api/t/360102/hall/departments/fgw", "GET", 200),
])
def test_through_the_app(client: Any, path: str, method: str, status: int) -> None:
    r = client.request(method, path, follow_redirects=False)
    assert r.status_code == status, (path, r.status_code, r.text[:200])
