"""Core pages: the hall of each tenant, the root redirect and the health check."""

from __future__ import annotations

import hmac
from collections import OrderedDict, defaultdict
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.access import require
from core.access.guard import public
from core.contracts import MenuEntry
from core.db.outage import OUTAGE, RETRY_AFTER_SECONDS, first_line, is_unavailable
from core.hall import HALL_VIEW
from core.web.render import render

log = structlog.get_logger(__name__)
FAVICON = Path(__file__).parent / "static" / "favicon.ico"
ENTRANCES = ("personal", "legal")
SECTIONS = ("approval", "public_service", "sunshine")


def visible_menu(request: Request) -> dict[str, list[MenuEntry]]:
    """Menu entries of the plugins enabled here, minus those whose permission the actor lacks."""
    ctx = request.state.ctx
    entries = ctx.platform.registry.menu(ctx.enabled, tenant=ctx.tenant, actor=ctx.actor)
    grouped: dict[str, list[MenuEntry]] = defaultdict(list)
    for entry in entries:
        if entry.permission and not ctx.allowed(entry.permission):
            continue
        grouped[entry.section].append(entry)
    return grouped


class HallPages:
    """Rendered hall pages, per (tenant, language, directory version) for guests and additionally per
    (policy version, actor, CSRF token) for a logged-in actor.

    What a hall page shows changes only when the tree, a plugin switch or a tenant setting changes (each
    moves the directory version), when grants change (the policy version: the menu is filtered by
    permission), or with the actor (name, kind, session, token) and the form token it carries — all in
    the key, so a stale page is never served. Menu entries must therefore depend only on the tenant, the
    actor and those versions, never on live data (core/hookspecs.py, ``govhall_menu_entries``). A
    revoked session is refused before this runs (authentication), so its pages are unreachable at once.
    Bounded LRU: 4,096 guest pages and 4,096 actor pages of ~10 KB.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._pages: OrderedDict[tuple[object, ...], bytes] = OrderedDict()

    def get(self, key: tuple[object, ...]) -> bytes | None:
        page = self._pages.get(key)
        if page is not None:
            self._pages.move_to_end(key)
        return page

    def put(self, key: tuple[object, ...], page: bytes) -> None:
        self._pages[key] = page
        if len(self._pages) > self.size:
            self._pages.popitem(last=False)


_HTML = b"text/html; charset=utf-8"


def cached_page(page: bytes) -> Response:
    """``HTMLResponse(page)`` for a page from the cache, its two headers made directly rather than
    derived again (the same bytes; tests/core/web/test_request_cost.py compares them)."""
    response = HTMLResponse.__new__(HTMLResponse)
    response.status_code, response.background, response.body = 200, None, page
    response.raw_headers = [(b"content-length", str(len(page)).encode()), (b"content-type", _HTML)]
    return response


def _page_cache(ctx: object, guest: bool) -> HallPages:
    caches = ctx.platform.page_caches  # type: ignore[attr-defined]
    name = "guest_pages" if guest else "actor_pages"
    cache = caches.get(name)
    if cache is None:
        cache = caches[name] = HallPages()
    return cache  # type: ignore[no-any-return]


@require(HALL_VIEW)
async def hall_home(request: Request) -> Response:
    ctx = request.state.ctx
    directory = ctx.platform.directory
    tenant = ctx.tenant
    guest = ctx.actor.is_guest
    cache = _page_cache(ctx, guest)
    key: tuple[object, ...] = (tenant.id, ctx.lang, directory.version)
    if not guest:
        key += (ctx.platform.access.version, ctx.actor, ctx.csrf_token, ctx.unread)
    page = cache.get(key)
    if page is not None:
        return cached_page(page)
    ancestors = directory.ancestors(tenant)[:-1]
    menu = visible_menu(request)
    response = render(request, "hall.html", {
        "ancestors": ancestors,
        "parent": ancestors[-1] if ancestors else None,
        "children": directory.kids(tenant),
        "menu": menu,
        "entrances": ENTRANCES,
        "sections": SECTIONS,
        "search": search_entry(menu),
        "contact_phone": ctx.platform.tenant_setting(tenant, "hall.contact_phone"),
    })
    if response.status_code == 200:
        cache.put(key, bytes(response.body))
    return response


def search_entry(menu: dict[str, list[MenuEntry]]) -> MenuEntry | None:
    """Where the hall's search box sends its query (``?q=``): the first ``search`` entry a plugin enabled
    here offers through ``govhall_menu_entries`` (lowest ``order``); no box when none does."""
    found = menu.get("search")
    return found[0] if found else None


@public  # the tree itself is public: every hall is a public page
async def find_hall(request: Request) -> Response:
    """Find a hall anywhere in the network by code or name (20,000 villages: nobody browses to theirs)."""
    from core.web.console import search_subtree

    ctx = request.state.ctx
    directory = ctx.platform.directory
    query = request.query_params.get("q", "")[:50]
    hits: list[object] = []
    more = False
    for top in directory.roots():
        found, cut = search_subtree(directory, top, query)
        hits.extend(found)
        more = more or cut
    return render(request, "halls.html", {"query": query, "hits": hits, "more": more,
                                          "roots": directory.roots()})


@public
async def root(request: Request) -> Response:
    ctx = request.state.ctx
    if ctx.tenant is not None:  # a host mapped to a tenant
        return RedirectResponse(f"/t/{ctx.tenant.code}/", status_code=302)
    roots = ctx.platform.directory.roots()
    if not roots:
        return render(request, "empty.html", {})
    return RedirectResponse(f"/t/{roots[0].code}/", status_code=302)


@public
async def healthz(request: Request) -> Response:
    """200 ``{"status": "ok"}`` when the database answers, else 503 ``{"status": "unavailable"}`` with
    Retry-After: terse, because anyone can call it. An operator who sends the ``health_token`` setting as
    a bearer token also gets the database's error, the outage so far and the directory version."""
    platform = request.state.ctx.platform

    def probe() -> None:
        with platform.db.engine.connect() as conn:
            conn.execute(text("SELECT 1 FROM tenants LIMIT 1"))

    error = ""
    try:
        await platform.db.run(probe)
        OUTAGE.ok()
    except Exception as exc:  # the point is to report it
        error = first_line(exc)
        if is_unavailable(exc):
            OUTAGE.failed(exc, "healthz")
        else:
            log.exception("healthz.failed")
    body: dict[str, Any] = {"status": "unavailable" if error else "ok"}
    if _is_operator(request, platform.settings["health_token"]):
        loaded = platform._directory  # the snapshot in memory, if any: never load it here
        version = loaded.version if loaded is not None else None
        body.update(database=error or "ok", outage=OUTAGE.status(), directory_version=version)
    headers = {"Cache-Control": "no-store"}
    if error:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return JSONResponse(body, status_code=503 if error else 200, headers=headers)


def _is_operator(request: Request, token: str) -> bool:
    sent = request.headers.get("authorization", "")
    return bool(token) and sent[:7].lower() == "bearer " and hmac.compare_digest(sent[7:].strip(), token)


@public
async def favicon(request: Request) -> Response:
    """Browsers ask every site for /favicon.ico; pages also link the SVG (static/favicon.svg)."""
    return FileResponse(FAVICON, media_type="image/x-icon",
                        headers={"Cache-Control": "public, max-age=604800"})


@public
async def tenant_slash(request: Request) -> Response:
    return RedirectResponse(f"/t/{request.path_params['tenant_code']}/", status_code=308)


def routes() -> list[BaseRoute]:
    return [
        Route("/", root),
        Route("/healthz", healthz),
        Route("/favicon.ico", favicon),
        Route("/halls", find_hall, name="find_hall"),
        Route("/t/{tenant_code}", tenant_slash),
        Route("/t/{tenant_code}/", hall_home, name="hall"),
    ]
