"""The administration console of a tenant: the tree, plugin switches, role grants, the audit log.

The tree is browsed one node at a time (its children, paginated) and searched on the server with a limit,
so a province of 20,000 villages never ships its whole tree in one page. Plugin switches call
``core.tenancy.service.set_plugin_state`` — the same rules as the CLI — inside the subtree scope of the
node, which the administrator's grant covers (the route's permission check ran first).
"""

from __future__ import annotations

import bisect
import weakref
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.access import require
from core.audit import AuditEntry
from core.hall import AUDIT_VIEW, CONSOLE_VIEW, PLUGINS_MANAGE, ROLES_VIEW
from core.identity.service import actor_names
from core.labels import Labels
from core.tenancy.directory import Directory, Effective, TenantRef
from core.tenancy.models import LEVEL_TITLES, Level, PluginState
from core.tenancy.service import TenancyError, set_plugin_state
from core.web.api import query_id
from core.web.forms import read_form
from core.web.render import render

SEARCH_LIMIT = 50
CHILDREN_PAGE = 100
AUDIT_PAGE = 50


# -- the tree ---------------------------------------------------------------------------------------------

class _SearchIndex:
    """The snapshot's nodes sorted by path, so a subtree is one contiguous slice (``[path, path + "0")``),
    with the lower-cased English name computed once per snapshot rather than once per search."""

    def __init__(self, directory: Directory) -> None:
        rows = sorted(directory.by_id.values(), key=lambda t: t.path)
        self.paths = [t.path for t in rows]
        self.rows = [(t.code, t.name, t.name_en.lower(), t) for t in rows]


_INDEXES: weakref.WeakKeyDictionary[Directory, _SearchIndex] = weakref.WeakKeyDictionary()


def _index(directory: Directory) -> _SearchIndex:
    index = _INDEXES.get(directory)
    if index is None:
        index = _INDEXES[directory] = _SearchIndex(directory)
    return index


def search_subtree(directory: Directory, root: TenantRef, query: str, limit: int = SEARCH_LIMIT
                   ) -> tuple[list[TenantRef], bool]:
    """Nodes of ``root``'s subtree whose code starts with ``query`` or whose name contains it.

    Returns at most ``limit`` nodes (shallowest first) and whether more matched. Runs over the in-memory
    snapshot, touching only the subtree's slice: no database round trip, no whole tree sent to the page.
    """
    q = query.strip()
    if not q:
        return [], False
    q_low = q.lower()
    index = _index(directory)
    lo = bisect.bisect_left(index.paths, root.path)
    hi = bisect.bisect_left(index.paths, root.path + "0")
    hits = [t for code, name, name_en, t in index.rows[lo:hi]
            if code.startswith(q) or q in name or q_low in name_en]
    hits.sort(key=lambda t: (t.depth, t.code))
    return hits[:limit], len(hits) > limit


def children_page(directory: Directory, tenant: TenantRef, page: int) -> tuple[list[TenantRef], int]:
    """One page of a node's direct children, and the number of pages."""
    kids = directory.kids(tenant)
    pages = max(1, -(-len(kids) // CHILDREN_PAGE))
    page = min(max(page, 1), pages)
    return kids[(page - 1) * CHILDREN_PAGE: page * CHILDREN_PAGE], pages


# -- plugin states ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PluginRow:
    """One plugin at one node, as the console shows it."""

    name: str
    title_zh: str
    title_en: str
    enabled: bool
    origin_kind: Literal["default", "required", "here", "locked_here", "inherited", "locked_above"]
    origin: TenantRef | None  # the node whose setting decided, when not the default
    explicit: str  # this node's own setting: "inherit", "on", "off", "on locked", "off locked"
    reason: str  # why a dependency forces it off (for logs)
    switchable: bool  # False when required or locked above
    off_dependencies: tuple[tuple[str, str], ...] = ()  # (zh, en) titles of the dependencies that are off


def plugin_rows(directory: Directory, tenant: TenantRef) -> list[PluginRow]:
    rows = []
    effective = directory.effective(tenant)
    own = directory.states.get(tenant.id, {})
    for name in sorted(directory.plugins):
        info = directory.plugins[name]
        eff: Effective = effective[name]
        origin = directory.get(eff.origin) if eff.origin != "default" else None
        kind = _origin_kind(eff, tenant, info.required)
        state = own.get(name)
        explicit = "inherit" if state is None else ("on" if state.enabled else "off") + (
            " locked" if state.locked else "")
        off = tuple((directory.plugins[d].title_zh, directory.plugins[d].title_en) for d in info.depends
                    if d in directory.plugins and not effective[d].enabled) if eff.reason else ()
        rows.append(PluginRow(name, info.title_zh, info.title_en, eff.enabled, kind, origin, explicit,
                              eff.reason, switchable=kind not in ("required", "locked_above"),
                              off_dependencies=off))
    return rows


def _origin_kind(eff: Effective, tenant: TenantRef, required: bool) -> Any:
    if required:
        return "required"
    if eff.origin == "default":
        return "default"
    if eff.origin == tenant.code:
        return "locked_here" if eff.locked else "here"
    return "locked_above" if eff.locked else "inherited"


class SwitchForm(BaseModel):
    plugin: str = Field(pattern=r"^[a-z][a-z0-9_]{1,30}$")
    state: Literal["on", "off", "inherit"]
    lock: bool = False
    # This node's own setting as the page showed it; when another administrator changed it meanwhile,
    # the switch is refused instead of silently overwriting their change.
    seen: Literal["inherit", "on", "off", "on locked", "off locked"] | None = None


def _explicit(row: PluginState | None) -> str:
    return "inherit" if row is None else ("on" if row.enabled else "off") + (" locked" if row.locked else "")


# -- pages ------------------------------------------------------------------------------------------------

def _node_context(request: Request, tenant: TenantRef) -> dict[str, Any]:
    ctx = request.state.ctx
    directory: Directory = ctx.platform.directory
    query = request.query_params.get("q", "")[:50]
    raw_page = request.query_params.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and len(raw_page) <= 9 else 1
    hits, more = search_subtree(directory, tenant, query)
    kids, pages = children_page(directory, tenant, page)
    return {
        "ancestors": directory.ancestors(tenant)[:-1],
        "level_title": LEVEL_TITLES.get(Level(tenant.level), (tenant.level, tenant.level)),
        "query": query, "hits": hits, "more_hits": more, "search_limit": SEARCH_LIMIT,
        "children": kids, "page": min(max(page, 1), pages), "pages": pages,
        "child_count": len(directory.children.get(tenant.id, [])),
        "plugins": plugin_rows(directory, tenant),
        "can_switch": ctx.allowed(PLUGINS_MANAGE),
        "can_roles": ctx.allowed(ROLES_VIEW),
        "can_audit": ctx.allowed(AUDIT_VIEW),
        "saved": request.query_params.get("saved", ""),
        "refused": None,
        "delivery_warning": (),  # console_home fills it in (one query)
        **_calendar_warning(ctx.platform),
    }


def _calendar_warning(platform: Any) -> dict[str, Any]:
    """A year without a State Council holiday notice, shown on the console (not only in a log line)."""
    from core import holidays

    missing = holidays.missing_notice_years(platform)
    return {"calendar_missing": missing,
            "calendar_warning": holidays.warning_parts(missing) if missing else ()}


def _delivery_warning(platform: Any, tenant: TenantRef) -> dict[str, Any]:
    """Messages this hall could not get out by SMS or e-mail (core.delivery gave up), on the console."""
    from core.clock import now
    from core.delivery import GAVE_UP_WINDOW, gave_up

    with platform.db.session(tenant.scope) as s:
        count, latest = gave_up(s, tenant.id, now(platform))
    if not count or latest is None:
        return {"delivery_warning": ()}
    days = GAVE_UP_WINDOW.days
    channel = {"sms": ("短信", "SMS"), "email": ("电子邮件", "e-mail")}.get(latest.channel,
                                                                          (latest.channel, latest.channel))
    error = (latest.last_error or "")[:200]
    return {"delivery_warning": (
        f"近 {days} 天有 {count} 条消息多次重试后仍未能发出（最近一次：{channel[0]}，{error}）。"
        "请检查本级的短信、电子邮件服务商设置。",
        f"{count} message deliveries gave up after repeated tries in the last {days} days (latest: "
        f"{channel[1]}, {error}). Check this hall's SMS and e-mail provider settings.")}


@require(CONSOLE_VIEW)
async def console_home(request: Request) -> Response:
    ctx = request.state.ctx
    tenant = ctx.tenant
    warning = await ctx.platform.db.run(lambda: _delivery_warning(ctx.platform, tenant))
    return render(request, "console/node.html", {**_node_context(request, tenant), **warning})


def apply_switch(platform: Any, tenant: TenantRef, form: SwitchForm, actor: str) -> str:
    """Switch one plugin at ``tenant`` inside its subtree scope (what the administrator's grant covers);
    the same rules as ``govhall plugins enable|disable|inherit`` (TenancyError when refused)."""
    hooks = platform.registry.hook_for(frozenset({form.plugin})) if form.plugin in platform.registry.plugins \
        else None
    platform.refresh()  # decide on the newest tree: another process may have switched something
    with platform.db.transaction(tenant.subtree_scope) as session:
        if form.seen is not None:
            row = session.scalar(select(PluginState).with_for_update().where(
                PluginState.tenant_id == tenant.id, PluginState.plugin == form.plugin))
            if (now := _explicit(row)) != form.seen:
                raise TenancyError(
                    f"someone else changed {form.plugin} here to {now!r} meanwhile; review it and try again",
                    f"插件 {form.plugin} 在此处的设置已被他人改为“{now}”，请核对后重试")
        message: str = set_plugin_state(session, platform.directory, tenant, form.plugin, form.state,
                                        lock=form.lock, actor=actor, hooks=hooks)
    platform.refresh(force=True)  # this process shows the change at once; others within watch_interval
    return message


@require(PLUGINS_MANAGE)
async def switch_plugin(request: Request) -> Response:
    """Switch one plugin at this node; a refused change re-renders the page with the reason (409)."""
    ctx = request.state.ctx
    tenant: TenantRef = ctx.tenant
    form = SwitchForm.model_validate(await read_form(request))
    try:
        await ctx.platform.db.run(lambda: apply_switch(ctx.platform, tenant, form, ctx.actor.label))
    except TenancyError as exc:
        page = _node_context(request, tenant)
        page["refused"] = {"zh": exc.message_zh, "en": str(exc), "plugin": form.plugin}
        return render(request, "console/node.html", page, status=409)
    return RedirectResponse(f"/t/{tenant.code}/console/?saved={form.plugin}#plugins", status_code=303)


def audit_page(session: Any, tenant: TenantRef, *, before: int | None, action: str,
               limit: int = AUDIT_PAGE) -> tuple[list[AuditEntry], int | None]:
    """Newest-first audit entries of ``tenant``'s subtree, keyset-paginated by entry id (the order of
    writing across chains; ``seq`` counts within one tenant's chain)."""
    stmt = select(AuditEntry).where(tenant.subtree_scope.predicate(AuditEntry.tenant_path))
    if before is not None:
        stmt = stmt.where(AuditEntry.id < before)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    rows = list(session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit + 1)))
    next_before = rows[limit - 1].id if len(rows) > limit else None
    return rows[:limit], next_before


@require(AUDIT_VIEW)
async def audit_log(request: Request) -> Response:
    ctx = request.state.ctx
    tenant: TenantRef = ctx.tenant
    before = query_id(request, "before")
    action = request.query_params.get("action", "")[:100].strip()

    labels = ctx.platform.registry.labels

    def load() -> tuple[list[dict[str, Any]], int | None]:
        with ctx.platform.db.session(tenant.subtree_scope) as session:
            rows, nxt = audit_page(session, tenant, before=before, action=action)
            names = actor_names(session, [r.actor for r in rows])
            return [_audit_row(ctx.platform.directory, labels, names, ctx.lang, r) for r in rows], nxt

    rows, next_before = await ctx.platform.db.run(load)
    # The filter is chosen by name (a plugin's title), never typed as an action code; a prefix given in
    # the address (a link to "plugin.switch" entries) stays selectable under its own name.
    choices = sorted(((f"{key}.", labels.name(key, ctx.lang)) for key in labels.plugin_titles),
                     key=lambda c: c[1])
    if action and action not in {value for value, _name in choices}:
        choices.insert(0, (action, labels.action(action, ctx.lang)))
    return render(request, "console/audit.html", {
        "rows": rows, "next_before": next_before, "before": before, "action": action,
        "action_choices": choices,
        "ancestors": ctx.platform.directory.ancestors(tenant)[:-1],
    })


def _audit_row(directory: Directory, labels: Labels, names: dict[str, str], lang: str,
               r: AuditEntry) -> dict[str, Any]:
    """One entry as people read it (names, never keys); the raw record kept for auditors."""
    code = r.tenant_path.rsplit("/", 1)[-1]
    plugin = r.action.split(".", 1)[0]
    raw = ", ".join(f"{k}: {v}" for k, v in (r.details or {}).items())
    return {"seq": r.seq, "id": r.id, "at": r.at.strftime("%Y-%m-%d %H:%M:%S"),
            "actor": names.get(r.actor) or labels.actor(r.actor, lang),
            "action": labels.action(r.action, lang),
            "tenant": directory.get(code), "tenant_code": code, "target": labels.target(r.target, lang),
            "details": "；".join(f"{k}：{v}" for k, v in labels.details(r.details, lang, plugin)),
            "raw": f"{r.actor} · {r.action} · {r.target}" + (f" · {raw}" if raw else "")}


def routes() -> list[BaseRoute]:
    return [
        Route("/t/{tenant_code}/console/", console_home, name="console"),
        Route("/t/{tenant_code}/console/plugins", switch_plugin, methods=["POST"], name="console_plugins"),
        Route("/t/{tenant_code}/console/audit", audit_log, name="console_audit"),
    ]
