"""JSON API of the supervision plugin, mounted at ``/api/t/{code}/supervision/``.

Cards: ``GET cards`` (cursor-paginated, filters), ``GET cards/{id}``, ``POST cards/{id}/<action>`` with
``{"version", "note"}``. Dashboards: ``GET dashboard`` (everything) and ``GET dashboard/<chart>`` for each
chart (cards, rates, trend, kinds); ``?subtree=0`` limits a subtree supervisor to the tenant itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from core.access import require
from core.web.api import api_doc, parse_body, validate
from plugins.supervision import services, web
from plugins.supervision.permissions import CARD_ACT, CARD_RESPOND, CARD_VIEW, DASHBOARD_VIEW
from plugins.supervision.schemas import CardActionIn, CardFilter, CardOut


def _ctx(request: Request) -> Any:
    return request.state.ctx


def subtree_flag(request: Request) -> bool:
    return request.query_params.get("subtree", "1") not in ("0", "false", "no")


@api_doc(query=CardFilter, response=CardOut, paginated=True, summary="Cards visible here",
         tags=("supervision",))
@require(CARD_VIEW)
async def cards(request: Request) -> Response:
    """Cards the caller may see here, newest first: ``state`` (or ``open``), ``severity``, ``owned``,
    ``cursor``, ``limit``."""
    ctx = _ctx(request)
    flt = validate(CardFilter, dict(request.query_params))
    data = await ctx.platform.db.run(lambda: web.list_page(ctx.platform, ctx.actor, ctx.tenant, flt))
    return JSONResponse(data)


@api_doc(response=CardOut, summary="One card", tags=("supervision",))
@require(CARD_VIEW)
async def card(request: Request) -> Response:
    """One card with its facts, history and the actions open to the caller."""
    ctx = _ctx(request)
    card_id = int(request.path_params["card_id"])
    return JSONResponse(await ctx.platform.db.run(lambda: web.one_card(ctx.platform, ctx.actor, ctx.tenant,
                                                                       card_id)))


def _action_endpoint(action: str) -> Callable[[Request], Awaitable[Response]]:
    perm = CARD_ACT if services.TRANSITIONS[action].by == "act" else CARD_RESPOND

    @api_doc(request=CardActionIn, response=CardOut, summary=services.TRANSITIONS[action].title_en,
             tags=("supervision",))
    @require(perm)
    async def endpoint(request: Request) -> Response:
        ctx = _ctx(request)
        body = await parse_body(request, CardActionIn)
        card_id = int(request.path_params["card_id"])
        data = await ctx.platform.db.run(
            lambda: web.act_on_card(ctx.platform, ctx.actor, ctx.tenant, card_id, action, body))
        return JSONResponse(data)

    endpoint.__name__ = f"card_{action}"
    endpoint.__doc__ = f"{services.TRANSITIONS[action].title_en} a card: body {{version, note}}."
    return endpoint


@api_doc(summary="Every dashboard figure", tags=("supervision",))
@require(DASHBOARD_VIEW)
async def dashboard_all(request: Request) -> Response:
    """Every dashboard figure for this tenant (or its subtree, for a subtree supervisor)."""
    ctx = _ctx(request)
    sub = subtree_flag(request)
    return JSONResponse(await ctx.platform.db.run(
        lambda: web.dashboard_part(ctx.platform, ctx.actor, ctx.tenant, "all", sub)))


@api_doc(summary="The data behind one chart", tags=("supervision",))
@require(DASHBOARD_VIEW)
async def dashboard_chart(request: Request) -> Response:
    """The data behind one chart: cards, rates, trend or kinds."""
    ctx = _ctx(request)
    part, sub = request.path_params["chart"], subtree_flag(request)
    return JSONResponse(await ctx.platform.db.run(
        lambda: web.dashboard_part(ctx.platform, ctx.actor, ctx.tenant, part, sub)))


def routes() -> list[BaseRoute]:
    out: list[BaseRoute] = [
        Route("/cards", cards, methods=["GET"]),
        Route("/cards/{card_id:int}", card, methods=["GET"]),
        Route("/dashboard", dashboard_all, methods=["GET"]),
        Route("/dashboard/{chart}", dashboard_chart, methods=["GET"]),
    ]
    out += [Route(f"/cards/{{card_id:int}}/{a}", _action_endpoint(a), methods=["POST"])
            for a in services.TRANSITIONS]
    return out
