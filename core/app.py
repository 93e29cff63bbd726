"""create_app(settings) -> Starlette: the middleware chain and every route, core and plugin.

Plugin routes are mounted at ``/t/{code}/<plugin>/`` (pages) and ``/api/t/{code}/<plugin>/`` (JSON) behind
the plugin gate; every plugin endpoint must declare its permission (start-up fails otherwise).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import structlog
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from core.access.guard import object_check, required_permission
from core.db.outage import OUTAGE, is_unavailable
from core.identity.csrf import CsrfMiddleware
from core.logging import configure_logging
from core.platform import Platform
from core.registry import PluginError
from core.settings import Settings
from core.web import api_docs, hall
from core.web.errors import EXCEPTION_HANDLERS, not_found_app
from core.web.inputs import InputMiddleware
from core.web.limits import BodyLimitMiddleware
from core.web.middleware import AuthMiddleware, ContextMiddleware, TenantMiddleware
from core.web.render import Renderer
from core.web.routing import SegmentRouter
from core.web.security import SecurityHeadersMiddleware

log = structlog.get_logger(__name__)
STATIC = Path(__file__).parent / "web" / "static"


class GovhallApp(Starlette):
    """Starlette with the security headers outside everything, Starlette's own error middleware included,
    so even a 500 page carries them (core.web.security)."""

    https = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The same routes and lifespan behind an index of their literal segments (core.web.routing).
        self.router = SegmentRouter(self.router.routes, lifespan=kwargs.get("lifespan"))

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeadersMiddleware(super().build_middleware_stack(), https=self.https)


def plugin_static(platform: Platform) -> list[BaseRoute]:
    """``/static/p/<plugin>/`` for each plugin that ships a ``static/`` folder beside its templates: its
    stylesheets and scripts, since pages carry no inline script (and inline style only with the nonce)."""
    mounts: list[BaseRoute] = []
    for plugin, dirs in platform.registry.declared("govhall_template_dirs").items():
        for d in dirs or []:
            folder = Path(d).parent / "static"
            if folder.is_dir():
                mounts.append(Mount(f"/static/p/{plugin}", app=StaticFiles(directory=folder),
                                    name=f"static_{plugin}"))
                break
    return mounts


class PluginGate:
    """404 for a plugin's routes where the plugin is not enabled at the request's tenant."""

    def __init__(self, plugin: str, app: ASGIApp) -> None:
        self.plugin = plugin
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ctx = scope["state"]["ctx"]
        if ctx.tenant is None or self.plugin not in ctx.platform.enabled(ctx.tenant):
            await not_found_app(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _check_declared(plugin: str, routes: list[BaseRoute]) -> None:
    for route in routes:
        if isinstance(route, Mount):
            _check_declared(plugin, list(route.routes))
            continue
        endpoint = getattr(route, "endpoint", None)
        if endpoint is not None and required_permission(endpoint) is None:
            raise PluginError(f"plugin {plugin!r}: route {getattr(route, 'path', route)!r} declares no "
                              "permission (wrap its endpoint with core.access.require)")
        path = str(getattr(route, "path", ""))
        if endpoint is not None and ":int}" in path and object_check(endpoint) is None:
            # An id in the path names an object: who may see it is checked before anything else.
            raise PluginError(f"plugin {plugin!r}: route {path!r} names an object but declares no "
                              "check of it (core.access.require(..., visible=...))")


def plugin_mounts(platform: Platform) -> tuple[list[BaseRoute], list[BaseRoute]]:
    pages: list[BaseRoute] = []
    api: list[BaseRoute] = []
    for hook, prefix, out in (("govhall_routes", "/t/{tenant_code}/", pages),
                              ("govhall_api_routes", "/api/t/{tenant_code}/", api)):
        for plugin, routes in platform.registry.declared(hook).items():
            if not routes:
                continue
            _check_declared(plugin, routes)
            gate = PluginGate(plugin, SegmentRouter(routes=routes))
            out.append(Mount(prefix + plugin, app=gate, name=plugin))
    return pages, api


def core_routes() -> list[BaseRoute]:
    from core.identity import views as identity_views
    from core.web import console, console_calendar, messages, my

    return [*hall.routes(), *identity_views.routes(), *api_docs.routes(), *console.routes(), *my.routes(),
            *messages.routes(), *console_calendar.routes()]


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> Starlette:
    platform = platform or Platform.start(settings)
    configure_logging(platform.settings)
    registry = platform.registry
    platform.renderer = Renderer(
        registry.template_dirs(), [d.parent / "locale" for d in registry.template_dirs()],
        timezone=platform.settings["timezone"],
    )
    from core.identity import install as install_identity

    install_identity(platform)
    pages, api = plugin_mounts(platform)
    routes: list[BaseRoute] = [
        *core_routes(),
        *api,
        *pages,
        *plugin_static(platform),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    app = GovhallApp(
        routes=routes,
        middleware=[
            Middleware(ContextMiddleware, platform=platform),  # also: the database is away -> 503
            Middleware(InputMiddleware),  # NUL in path or query: 422 before anything reads them
            Middleware(BodyLimitMiddleware, platform=platform),  # 413 before anything reads too much
            Middleware(TenantMiddleware, platform=platform, not_found=not_found_app),
            Middleware(AuthMiddleware, platform=platform),
            Middleware(CsrfMiddleware),  # every unsafe request riding on a cookie carries the token
        ],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=_lifespan(platform),
    )
    app.https = bool(platform.settings["https"])
    app.state.platform = platform
    return app


def _lifespan(platform: Platform) -> Any:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            platform.directory  # load before the first request  # noqa: B018
        except Exception as exc:  # start anyway and answer 503 until the database is back
            if not is_unavailable(exc):
                raise
            OUTAGE.failed(exc, "start-up")
        platform.listen()  # its thread reconnects by itself while the database is away
        watcher = asyncio.create_task(_watch(platform))
        for start in list(platform.on_start):
            start()
        try:
            yield
        finally:
            watcher.cancel()
            for stop in list(platform.on_stop):
                stop()
            platform.close()

    return lifespan


async def _watch(platform: Platform) -> None:
    """Notice tenant, plugin and setting changes made by other processes within ``watch_interval``; while
    the PostgreSQL listener is up (changes arrive as notices, core.db.notify), only every FALLBACK_SECONDS."""
    from core.db.notify import FALLBACK_SECONDS

    interval = platform.settings["watch_interval"]
    polled = 0.0
    while True:
        await asyncio.sleep(interval)
        if platform.listening and time.monotonic() - polled < FALLBACK_SECONDS:
            continue
        polled = time.monotonic()
        try:
            await asyncio.to_thread(platform.refresh)
            for watcher in list(platform.watchers):
                await asyncio.to_thread(watcher)
            OUTAGE.ok()  # the database answered: an outage, if any, is over
        except Exception as exc:  # keep watching; the next round may succeed
            if is_unavailable(exc):
                OUTAGE.failed(exc, "watcher")
            else:
                log.exception("watch.failed")


def current_platform(request: Request) -> Platform:
    return request.state.ctx.platform  # type: ignore[no-any-return]
