"""JSON API of market prices, supply and demand and the 12316 desk, under ``/api/t/{code}/agriculture/``.

Prices of this tenant and below (the province reads its whole subtree), with anomaly marks; the bureau
enters prices one by one or imports a batch (all or nothing, each bad row named). Posts: list, create,
matches nearest first, contact through the platform (no phone number in any answer). 12316: ask, the
experts' queue, answer (``version``: 409 when someone answered first), the published knowledge base.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.api import (
    ImportFile,
    Scope,
    add_calendar_days,
    api_doc,
    page_model,
    parse_body,
    parse_query,
    require,
    today,
)
from plugins.agriculture import desk, market, prices
from plugins.agriculture import permissions as P
from plugins.agriculture.api import run
from plugins.agriculture.models import Post, Price, Question
from plugins.agriculture.schemas import (
    AnswerIn,
    ContactIn,
    ImportOut,
    PostIn,
    PostOut,
    PostQuery,
    PriceIn,
    PriceOut,
    PriceQuery,
    QuestionIn,
    QuestionOut,
    SearchQuery,
    SentOut,
    Strict,
)


class PriceImportIn(Strict):
    rows: list[PriceIn] = Field(min_length=1, max_length=5000)


def province_scope(platform: Any, tenant: Any) -> Scope:
    """Posts and the knowledge base are read across the whole province the hall belongs to."""
    root = platform.directory.get(tenant.path.split("/")[0]) or tenant
    return Scope.below(root.id, root.path)


def _code(platform: Any, tenant_id: int) -> str:
    t = platform.directory.by_id.get(tenant_id)
    return t.code if t else ""


def price_out(p: Price, platform: Any, anomalies: set[int]) -> dict[str, Any]:
    return {
        "id": p.id,
        "day": p.day,
        "product": p.product,
        "market": p.market,
        "price": prices.yuan(p.price_cents),
        "unit": p.unit,
        "tenant_code": _code(platform, p.tenant_id),
        "anomaly": p.id in anomalies,
    }


def post_out(p: Post, platform: Any, dist: int | None = None) -> dict[str, Any]:
    return {
        "id": p.id,
        "kind": p.kind,
        "product": p.product,
        "quantity": p.quantity,
        "unit": p.unit,
        "note": p.note,
        "poster_name": p.poster_name,
        "tenant_code": _code(platform, p.tenant_id),
        "distance": dist,
    }


def question_out(q: Question, platform: Any) -> dict[str, Any]:
    return {
        "id": q.id,
        "title": q.title,
        "body": q.body,
        "asked_on": q.asked_on,
        "due_on": q.due_on,
        "escalated": q.escalated_path is not None,
        "answer": q.answer,
        "answered_on": q.answered_on,
        "published": q.published,
        "tenant_code": _code(platform, q.tenant_id),
        "version": q.version,
    }


def price_rows(s: Any, platform: Any, product: str, days: int) -> tuple[list[Price], set[int]]:
    since = add_calendar_days(today(platform), -days)
    rows = prices.recent(s, product, since)
    return rows, {r["id"] for r in prices.anomalous_rows(s, platform, since)}


@api_doc(
    query=PriceQuery,
    response=page_model(PriceOut),
    summary="Market prices here and below, with anomaly marks",
)
@require(P.PRICE_VIEW)
async def list_prices(request: Request) -> Any:
    ctx = request.state.ctx
    q = parse_query(request, PriceQuery)

    def work(s: Any) -> list[dict[str, Any]]:
        rows, marks = price_rows(s, ctx.platform, q.product, q.days)
        return [price_out(p, ctx.platform, marks) for p in rows]

    return {"items": await run(request, work, scope=ctx.tenant.subtree_scope), "next_cursor": None}


@api_doc(request=PriceIn, response=PriceOut, status=201, summary="Enter a day's market price")
@require(P.BUREAU)
async def add_price(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, PriceIn)
    return await run(
        request,
        lambda s: price_out(prices.add(s, ctx.tenant, data, actor=ctx.actor.label), ctx.platform, set()),
        write=True,
    )


@api_doc(request=PriceImportIn, response=ImportOut, summary="Import a batch of prices: all or nothing")
@require(P.BUREAU)
async def import_prices(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, PriceImportIn)
    file = ImportFile("request", [(n, r.model_dump()) for n, r in enumerate(data.rows, start=1)])
    n = await run(
        request, lambda s: prices.import_file(s, ctx.tenant, file, actor=ctx.actor.label), write=True
    )
    return {"imported": n}


@api_doc(query=PostQuery, response=page_model(PostOut), summary="Open supply and demand posts here and below")
@require(P.POST_VIEW)
async def list_posts(request: Request) -> Any:
    ctx = request.state.ctx
    q = parse_query(request, PostQuery)
    rows = await run(
        request,
        lambda s: [post_out(p, ctx.platform) for p in market.listing(s, q.kind, q.product)],
        scope=ctx.tenant.subtree_scope,
    )
    return {"items": rows, "next_cursor": None}


@api_doc(request=PostIn, response=PostOut, status=201, summary="Post supply or demand")
@require(P.POST)
async def create_post(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, PostIn)
    return await run(
        request,
        lambda s: post_out(
            market.create(s, ctx.tenant, data, account_id=ctx.actor.account_id, name=ctx.actor.display_name),
            ctx.platform,
        ),
        write=True,
    )


async def post_visible(request: Request) -> None:
    """A post anywhere in the hall's province; else 404."""
    ctx = request.state.ctx
    pid = int(request.path_params["post_id"])
    await run(request, lambda s: market.get(s, pid), scope=province_scope(ctx.platform, ctx.tenant))


@api_doc(
    response=page_model(PostOut), summary="Matches of a post: the other side, same product, nearest first"
)
@require(P.POST_VIEW, visible=post_visible)
async def post_matches(request: Request) -> Any:
    ctx = request.state.ctx
    pid = int(request.path_params["post_id"])
    rows = await run(
        request,
        lambda s: [post_out(p, ctx.platform, d) for p, d in market.matches(s, market.get(s, pid))],
        scope=province_scope(ctx.platform, ctx.tenant),
    )
    return {"items": rows, "next_cursor": None}


@api_doc(request=ContactIn, response=SentOut, status=201, summary="Contact a poster through the platform")
@require(P.POST, visible=post_visible)
async def contact(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, ContactIn)
    pid = int(request.path_params["post_id"])

    def work(s: Any) -> dict[str, Any]:
        mid = market.contact(
            s,
            ctx.platform,
            market.get(s, pid),
            account_id=ctx.actor.account_id,
            name=ctx.actor.display_name,
            message=data.message,
        )
        return {"message_id": mid}

    return await run(request, work, write=True, scope=province_scope(ctx.platform, ctx.tenant))


@api_doc(
    request=QuestionIn, response=QuestionOut, status=201, summary="Ask the 12316 desk (photos on the page)"
)
@require(P.ASK)
async def ask(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, QuestionIn)
    return await run(
        request,
        lambda s: question_out(
            desk.ask(
                s,
                ctx.platform,
                ctx.tenant,
                data,
                [],
                account_id=ctx.actor.account_id,
                name=ctx.actor.display_name,
            ),
            ctx.platform,
        ),
        write=True,
    )


@api_doc(response=page_model(QuestionOut), summary="Unanswered 12316 questions for this tenant's experts")
@require(P.ANSWER)
async def open_questions(request: Request) -> Any:
    ctx = request.state.ctx
    rows = await run(
        request,
        lambda s: [question_out(q, ctx.platform) for q in desk.for_experts(s, ctx.tenant)],
        scope=ctx.tenant.subtree_scope,
    )
    return {"items": rows, "next_cursor": None}


async def question_visible(request: Request) -> None:
    ctx = request.state.ctx
    qid = int(request.path_params["question_id"])
    await run(request, lambda s: desk.get_for_expert(s, ctx.tenant, qid), scope=ctx.tenant.subtree_scope)


@api_doc(request=AnswerIn, response=QuestionOut, summary="Answer a 12316 question, optionally publishing it")
@require(P.ANSWER, visible=question_visible)
async def answer(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, AnswerIn)
    qid = int(request.path_params["question_id"])
    return await run(
        request,
        lambda s: question_out(
            desk.answer(s, ctx.platform, ctx.tenant, qid, data, actor=ctx.actor.label), ctx.platform
        ),
        write=True,
        scope=ctx.tenant.subtree_scope,
    )


@api_doc(query=SearchQuery, response=page_model(QuestionOut), summary="Search the published 12316 answers")
@require(P.KNOWLEDGE)
async def knowledge(request: Request) -> Any:
    ctx = request.state.ctx
    q = parse_query(request, SearchQuery)
    rows = await run(
        request,
        lambda s: [question_out(x, ctx.platform) for x in desk.knowledge(s, q.q)],
        scope=province_scope(ctx.platform, ctx.tenant),
    )
    return {"items": rows, "next_cursor": None}


def routes() -> list[BaseRoute]:
    return [
        Route("/prices", list_prices, methods=["GET"]),
        Route("/prices", add_price, methods=["POST"]),
        Route("/prices/import", import_prices, methods=["POST"]),
        Route("/posts", list_posts, methods=["GET"]),
        Route("/posts", create_post, methods=["POST"]),
        Route("/posts/{post_id:int}/matches", post_matches, methods=["GET"]),
        Route("/posts/{post_id:int}/contact", contact, methods=["POST"]),
        Route("/questions", ask, methods=["POST"]),
        Route("/questions", open_questions, methods=["GET"]),
        Route("/questions/{question_id:int}/answer", answer, methods=["POST"]),
        Route("/knowledge", knowledge, methods=["GET"]),
    ]
