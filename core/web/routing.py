"""Routing that looks only at the routes a path can reach (issue #14: speed on every path).

Starlette's ``Router`` tries its routes one by one, each a regular expression: with fourteen plugins a
handler's case (``/api/t/{code}/approval/applications/{id}``) went through about forty of them, about
60 µs — an eighth of the request's CPU — before any of govhall's own work. ``SegmentRouter`` is the
same router with an index in front: the literal path segments of each route's template (``t``,
``approval``, ``applications`` …) are put in a trie, and a request tries, **in their declared order**,
only the routes whose literal segments its own path has at those positions. Everything after that —
which route matches first, partial matches (405), the trailing-slash redirect, the 404 — is
Starlette's own logic over that shorter list, so the answer to every request is the one ``Router``
gives; ``tests/core/web/test_routing.py`` checks that over every route of the app and near misses.

A segment with a parameter, an empty one (a trailing slash) and everything from a ``{…:path}``
parameter on constrain nothing, and a route the index does not understand (a ``Host``, a custom route
class) is a candidate for every path, so the index can only leave out routes that cannot match.
"""

from __future__ import annotations

from typing import Any

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, Mount, Route, Router, WebSocketRoute
from starlette.types import Receive, Scope, Send

_Node = dict[str, Any]  # {"lit": {segment: node}, "any": node | None, "here": [route index, ...]}


def _node() -> _Node:
    return {"lit": {}, "any": None, "here": []}


def literal_segments(route: BaseRoute) -> list[str | None] | None:
    """The route's template as segments: the literal text, or None where anything may stand; None for a
    route the index cannot read (a candidate for every path)."""
    if not isinstance(route, (Route, WebSocketRoute, Mount)):
        return None
    path = route.path
    out: list[str | None] = []
    for segment in path.split("/")[1:]:
        if ":path}" in segment:
            break  # a path parameter spans segments: nothing after it is positional
        out.append(segment if segment and "{" not in segment else None)
    while out and out[-1] is None:
        out.pop()
    return out


class SegmentRouter(Router):
    """``starlette.routing.Router`` that tries only the routes a path's literal segments can reach."""

    _index: _Node | None = None
    _indexed: tuple[int, int] = (0, 0)

    def _build(self) -> _Node:
        root = _node()
        for i, route in enumerate(self.routes):
            segments = literal_segments(route)
            node = root
            for segment in segments or ():
                if segment is None:
                    node["any"] = node["any"] or _node()
                    node = node["any"]
                else:
                    node = node["lit"].setdefault(segment, _node())
            node["here"].append(i)
        self._index, self._indexed = root, (id(self.routes), len(self.routes))
        return root

    def candidates(self, route_path: str) -> list[BaseRoute]:
        """The routes that may match ``route_path``, in declared order."""
        index = self._index
        if index is None or self._indexed != (id(self.routes), len(self.routes)):
            index = self._build()
        segments = route_path.split("/")[1:]
        found: list[int] = []
        stack: list[tuple[_Node, int]] = [(index, 0)]
        while stack:
            node, depth = stack.pop()
            found.extend(node["here"])
            if depth < len(segments):
                child = node["lit"].get(segments[depth])
                if child is not None:
                    stack.append((child, depth + 1))
                if node["any"] is not None:
                    stack.append((node["any"], depth + 1))
        found.sort()
        routes = self.routes
        return [routes[i] for i in found]

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await super().app(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        route_path = get_route_path(scope)
        partial = None
        partial_scope: Any = None
        for route in self.candidates(route_path):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is not None:
            scope["route"] = partial
            scope.update(partial_scope)
            await partial.handle(scope, receive, send)
            return
        if scope["type"] == "http" and self.redirect_slashes and route_path != "/":
            # Starlette's own slash redirect, over every route (rare: a miss), so it is exactly its answer.
            await super().app(scope, receive, send)
            return
        await self.default(scope, receive, send)
