"""HTML pages of the supervision plugin (Chinese first): card list, card detail with its actions, the
dashboard with server-side SVG charts. Mounted at ``/t/{code}/supervision/``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.api import read_form, render, require, validate
from plugins.supervision import charts, services, web
from plugins.supervision.api import subtree_flag
from plugins.supervision.contracts import KINDS_OF_POWER
from plugins.supervision.models import OPEN_STATES, SEVERITIES, SEVERITY_TITLES, STATE_TITLES
from plugins.supervision.permissions import CARD_ACT, CARD_RESPOND, CARD_VIEW, DASHBOARD_VIEW
from plugins.supervision.schemas import CardActionIn, CardFilter

COMMON = {"severity_titles": SEVERITY_TITLES, "state_titles": STATE_TITLES, "severities": SEVERITIES,
          "kind_titles": {code: (zh, en) for code, zh, en in KINDS_OF_POWER},
          "open_states": OPEN_STATES, "transitions": services.TRANSITIONS}


@require(CARD_VIEW)
async def index(request: Request) -> Response:
    ctx = request.state.ctx
    flt = validate(CardFilter, dict(request.query_params))
    data = await ctx.platform.db.run(lambda: web.list_page(ctx.platform, ctx.actor, ctx.tenant, flt))
    return render(request, "supervision/cards.html", {**COMMON, **data, "filter": flt,
                                                      "can_dashboard": ctx.allowed(DASHBOARD_VIEW)})


@require(CARD_VIEW, visible=web.card_visible)
async def card(request: Request) -> Response:
    ctx = request.state.ctx
    card_id = int(request.path_params["card_id"])
    data = await ctx.platform.db.run(lambda: web.card_page(ctx.platform, ctx.actor, ctx.tenant, card_id))
    return render(request, "supervision/card.html", {**COMMON, "card": data})


def _action_page(action: str) -> Callable[[Request], Awaitable[Response]]:
    perm = CARD_ACT if services.TRANSITIONS[action].by == "act" else CARD_RESPOND

    @require(perm, visible=web.card_visible)
    async def endpoint(request: Request) -> Response:
        ctx = request.state.ctx
        form = await read_form(request)
        body = validate(CardActionIn, {"version": form.get("version"), "note": form.get("note", "")})
        card_id = int(request.path_params["card_id"])
        await ctx.platform.db.run(
            lambda: web.act_on_card(ctx.platform, ctx.actor, ctx.tenant, card_id, action, body))
        return RedirectResponse(f"/t/{ctx.tenant.code}/supervision/cards/{card_id}", status_code=303)

    endpoint.__name__ = f"card_{action}_page"
    return endpoint


@require(DASHBOARD_VIEW)
async def dashboard_page(request: Request) -> Response:
    ctx = request.state.ctx
    sub = subtree_flag(request)
    data = await ctx.platform.db.run(
        lambda: web.dashboard_part(ctx.platform, ctx.actor, ctx.tenant, "all", sub))
    svgs = {name: Markup(draw(data[name], ctx.lang)) for name, draw in charts.CHARTS.items()}
    return render(request, "supervision/dashboard.html", {**COMMON, "data": data, "svgs": svgs})


@require(DASHBOARD_VIEW)
async def chart_svg(request: Request) -> Response:
    ctx = request.state.ctx
    name, sub = request.path_params["chart"], subtree_flag(request)
    draw = charts.CHARTS.get(name)
    data: dict[str, Any] = await ctx.platform.db.run(
        lambda: web.dashboard_part(ctx.platform, ctx.actor, ctx.tenant, name if draw else "?", sub))
    assert draw is not None  # dashboard_part raised NotFound otherwise
    return Response(draw(data, ctx.lang), media_type="image/svg+xml")


def routes() -> list[BaseRoute]:
    out: list[BaseRoute] = [
        Route("/", index, methods=["GET"]),
        Route("/cards/{card_id:int}", card, methods=["GET"]),
        Route("/dashboard", dashboard_page, methods=["GET"]),
        Route("/dashboard/{chart}.svg", chart_svg, methods=["GET"]),
    ]
    out += [Route(f"/cards/{{card_id:int}}/{a}", _action_page(a), methods=["POST"])
            for a in services.TRANSITIONS]
    return out
