"""What the HTML views and the JSON API both do for a request: blocking database work, run through
``platform.db.run``; the endpoints only parse input and shape the answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from core.api import Forbidden, NotFound, actor_names, department_names
from plugins.supervision import dashboard, queries, services
from plugins.supervision.permissions import CARD_ACT, CARD_RESPOND, CARD_VIEW, DASHBOARD_VIEW
from plugins.supervision.schemas import CardActionIn, CardFilter
from plugins.supervision.visibility import CardView, card_view, may_act, may_respond

if TYPE_CHECKING:
    from core.api import Actor, Platform, Scope, TenantRef


def view_of(platform: Platform, actor: Actor, tenant: TenantRef) -> CardView:
    view = card_view(platform, platform.db.session, actor, tenant)
    if view is None:  # @require(CARD_VIEW) normally stops this earlier
        raise Forbidden(CARD_VIEW.name, "no card view here")
    return view


def list_page(platform: Platform, actor: Actor, tenant: TenantRef, flt: CardFilter) -> dict[str, Any]:
    view = view_of(platform, actor, tenant)
    with platform.db.session(view.scope) as s:
        cards, cursor = queries.list_cards(s, view, flt, tenant)
        return {"items": [queries.card_json(platform, c) for c in cards], "next_cursor": cursor,
                "mode": view.mode, "departments": list(view.departments)}


async def card_visible(request: Request) -> None:
    """``require(visible=...)`` for card routes: the card is in the caller's view here, else the same
    404 as a card that does not exist — before the action, the version or the note is looked at."""
    ctx = request.state.ctx
    card_id = int(request.path_params["card_id"])

    def check() -> None:
        view = view_of(ctx.platform, ctx.actor, ctx.tenant)
        with ctx.platform.db.session(view.scope) as s:
            queries.visible_card(s, view, card_id)

    await ctx.platform.db.run(check)


def one_card(platform: Platform, actor: Actor, tenant: TenantRef, card_id: int) -> dict[str, Any]:
    view = view_of(platform, actor, tenant)
    with platform.db.session(view.scope) as s:
        card = queries.visible_card(s, view, card_id)
        act, respond = queries.allowed_actions(platform, s, actor, card)
        out = queries.card_json(platform, card, act=act, respond=respond)
        out["history"] = [{"at": h.at.isoformat(), "actor": h.actor, "action": h.action,
                           "from_state": h.from_state, "to_state": h.to_state, "note": h.note,
                           "owner_path": h.owner_path} for h in services.history(s, card)]
        return out


def card_page(platform: Platform, actor: Actor, tenant: TenantRef, card_id: int) -> dict[str, Any]:
    """``one_card`` with the names the page shows instead of codes (#13 item 9)."""
    out = one_card(platform, actor, tenant, card_id)
    view = view_of(platform, actor, tenant)
    with platform.db.session(view.scope) as s:
        names = actor_names(s, [h["actor"] for h in out["history"]])
        card = queries.visible_card(s, view, card_id)
        depts = department_names(s, [(card.tenant_id, card.department_code or "")])
    for h in out["history"]:
        h["actor_name"] = names.get(h["actor"], "")
    out["tenant"] = platform.directory.by_id.get(card.tenant_id)
    out["owner"] = platform.directory.by_id.get(card.owner_tenant_id)
    out["department_name"] = depts.get((card.tenant_id, card.department_code or ""), "")
    return out


def act_on_card(platform: Platform, actor: Actor, tenant: TenantRef, card_id: int, action: str,
                body: CardActionIn) -> dict[str, Any]:
    """Authorise against the card itself (owning tier for supervisors, department for responders), then
    apply the transition; 404 if the actor cannot see the card at all."""
    transition = services.TRANSITIONS.get(action)
    if transition is None:
        raise NotFound(f"Unknown action {action!r}", f"未知的操作“{action}”")
    view = view_of(platform, actor, tenant)
    with platform.db.transaction(view.scope) as s:
        card = queries.visible_card(s, view, card_id)
        if transition.by == "act" and not may_act(platform, actor, card):
            raise Forbidden(CARD_ACT.name, f"card {card_id} is owned by another tier")
        if transition.by == "respond" and not may_respond(platform, s, actor, card):
            raise Forbidden(CARD_RESPOND.name, f"card {card_id} is not on your department's work")
        services.apply(platform, s, card, action, version=body.version, note=body.note, actor=actor.label)
        return queries.card_json(platform, card)


def dashboard_scope(platform: Platform, actor: Actor, tenant: TenantRef, subtree: bool) -> Scope:
    sub = platform.access.subtree_scope(actor, tenant, DASHBOARD_VIEW) if subtree else None
    return sub or tenant.scope


def dashboard_part(platform: Platform, actor: Actor, tenant: TenantRef, part: str,
                   subtree: bool) -> dict[str, Any]:
    scope = dashboard_scope(platform, actor, tenant, subtree)
    with platform.db.session(scope) as s:
        if part == "cards":
            data = dashboard.cards_by_severity_state(s, scope)
        elif part == "rates":
            data = dashboard.rates_by_subordinate(platform, s, tenant, scope)
        elif part == "trend":
            data = dashboard.trend_by_week(platform, s, tenant, scope)
        elif part == "kinds":
            data = dashboard.kinds_of_power(platform, s, tenant, scope)
        elif part == "all":
            return dashboard.everything(platform, s, tenant, scope)
        else:
            raise NotFound(f"There is no chart {part!r}", f"没有名为“{part}”的图表")
    return {"tenant": tenant.code, "subtree": scope.subtree, **data}
