"""The ``require`` decorator: a route's permission, checked before its handler runs."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core.contracts import Permission

Endpoint = Callable[[Request], Awaitable[Response]]
# Raises NotFound unless the route's object (named by its path) exists at the request's tenant and the
# actor may see it: another owner's or tenant's object looks exactly like a missing one.
ObjectCheck = Callable[[Request], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str  # the grant that allowed it, or why nothing did
    version: int = 0  # the policy version the decision was made under (0: not policy-dependent)


class Forbidden(Exception):
    """The actor may not do this here. ``hide`` answers 404 where existence itself is private."""

    def __init__(self, permission: str, reason: str = "", *, hide: bool = False) -> None:
        super().__init__(f"{permission}: {reason}")
        self.permission = permission
        self.reason = reason
        self.hide = hide


def require(permission: Permission, *, hide: bool = False,
            visible: ObjectCheck | None = None) -> Callable[[Endpoint], Endpoint]:
    """Declare and enforce the permission a route needs at the request's tenant.

    Guests lacking the permission are sent to log in (pages) or get 401 (API); others get 403, or 404
    with ``hide=True``. ``visible(request)`` checks the object the path names (ownership, tenancy,
    department) right after the permission and before the handler reads anything else — the version,
    the state or the body — so another's object answers exactly as a missing one. A route with an id in
    its path must declare it (core.app refuses it otherwise).
    """

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            ctx = request.state.ctx
            decision = ctx.platform.access.check(ctx.actor, ctx.tenant, permission.name)
            if not decision.allowed:
                raise Forbidden(permission.name, decision.reason, hide=hide)
            if visible is not None:
                await visible(request)
            return await endpoint(request)

        guarded.__govhall_permission__ = permission.name  # type: ignore[attr-defined]
        guarded.__govhall_visible__ = visible  # type: ignore[attr-defined]
        return guarded

    return decorate


def public(endpoint: Endpoint) -> Endpoint:
    """Mark a core route that needs no tenant permission (health check, login form, static)."""
    endpoint.__govhall_permission__ = ""  # type: ignore[attr-defined]
    return endpoint


def object_check(endpoint: Any) -> ObjectCheck | None:
    """The ``visible`` check an endpoint declared through ``require``, if any."""
    return getattr(endpoint, "__govhall_visible__", None)


def required_permission(endpoint: Any) -> str | None:
    """The permission an endpoint declared ('' for public), or None if it declared nothing."""
    return getattr(endpoint, "__govhall_permission__", None)
