"""JSON API of the supervision plugin, mounted at ``/api/t/{code}/supervision/``.

Cards: ``GET cards`` (cursor-paginated, filters), ``GET cards/{id}``, ``POST cards/{id}/<action>`` with
``{"version", "note"}``. Dashboards: ``GET dashboard`` (everything) and ``GET dashboard/<chart>`` for each
chart (cards, rates, trend, kinds), each its own route and response model; ``?subtree=0`` limits a
subtree supervisor to the tenant itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.api import api_doc, parse_body, parse_query, require
from plugins.supervision import services, web
from plugins.supervision.permissions import CARD_ACT, CARD_RESPOND, CARD_VIEW, DASHBOARD_VIEW
from plugins.supervision.schemas import (
    CHART_MODELS,
    CardActionIn,
    CardDetailOut,
    CardFilter,
    CardOut,
    CardPageOut,
    DashboardOut,
    DashboardQuery,
)


def _ctx(request: Request) -> Any:
    return request.state.ctx


def subtree_flag(request: Request) -> bool:
    return request.query_params.get("subtree", "1") not in ("0", "false", "no")


@api_doc(query=CardFilter, response=CardPageOut, summary="Cards visible here", tags=("supervision",))
@require(CARD_VIEW)
async def cards(request: Request) -> Any:
    """Cards the caller may see here, newest first: ``state`` (or ``open``), ``severity``, ``owned``,
    ``cursor``, ``limit``."""
    ctx = _ctx(request)
    flt = parse_query(request)
    return await ctx.platform.db.run(lambda: web.list_page(ctx.platform, ctx.actor, ctx.tenant, flt))


@api_doc(response=CardDetailOut, summary="One card", tags=("supervision",))
@require(CARD_VIEW, visible=web.card_visible)
async def card(request: Request) -> Any:
    """One card with its facts, history and the actions open to the caller."""
    ctx = _ctx(request)
    card_id = int(request.path_params["card_id"])
    return await ctx.platform.db.run(lambda: web.one_card(ctx.platform, ctx.actor, ctx.tenant, card_id))


def _action_endpoint(action: str) -> Callable[[Request], Awaitable[Any]]:
    perm = CARD_ACT if services.TRANSITIONS[action].by == "act" else CARD_RESPOND

    @api_doc(request=CardActionIn, response=CardOut, summary=services.TRANSITIONS[action].title_en,
             tags=("supervision",))
    @require(perm, visible=web.card_visible)
    async def endpoint(request: Request) -> Any:
        ctx = _ctx(request)
        body = await parse_body(request, CardActionIn)
        card_id = int(request.path_params["card_id"])
        return await ctx.platform.db.run(
            lambda: web.act_on_card(ctx.platform, ctx.actor, ctx.tenant, card_id, action, body))

    endpoint.__name__ = f"card_{action}"
    endpoint.__doc__ = f"{services.TRANSITIONS[action].title_en} a card: body {{version, note}}."
    return endpoint


@api_doc(query=DashboardQuery, response=DashboardOut, summary="Every dashboard figure",
         tags=("supervision",))
@require(DASHBOARD_VIEW)
async def dashboard_all(request: Request) -> Any:
    """Every dashboard figure for this tenant (or its subtree, for a subtree supervisor)."""
    ctx = _ctx(request)
    parse_query(request)
    sub = subtree_flag(request)
    return await ctx.platform.db.run(
        lambda: web.dashboard_part(ctx.platform, ctx.actor, ctx.tenant, "all", sub))


def _chart_endpoint(part: str) -> Callable[[Request], Awaitable[Any]]:
    @api_doc(query=DashboardQuery, response=CHART_MODELS[part], summary=f"The data behind the {part} chart",
             tags=("supervision",))
    @require(DASHBOARD_VIEW)
    async def endpoint(request: Request) -> Any:
        ctx = _ctx(request)
        parse_query(request)
        sub = subtree_flag(request)
        return await ctx.platform.db.run(
            lambda: web.dashboard_part(ctx.platform, ctx.actor, ctx.tenant, part, sub))

    endpoint.__name__ = f"dashboard_{part}"
    endpoint.__doc__ = f"The data behind one chart of the dashboard: {part}."
    return endpoint


def routes() -> list[BaseRoute]:
    out: list[BaseRoute] = [
        Route("/cards", cards, methods=["GET"]),
        Route("/cards/{card_id:int}", card, methods=["GET"]),
        Route("/dashboard", dashboard_all, methods=["GET"]),
    ]
    out += [Route(f"/dashboard/{part}", _chart_endpoint(part), methods=["GET"]) for part in CHART_MODELS]
    out += [Route(f"/cards/{{card_id:int}}/{a}", _action_endpoint(a), methods=["POST"])
            for a in services.TRANSITIONS]
    return out
