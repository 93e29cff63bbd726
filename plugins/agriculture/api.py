"""JSON API of the agriculture plugin, under ``/api/t/{code}/agriculture/``: traceability here, prices,
posts and the 12316 desk in api_market.py.

Public: ``GET trace/{code}`` (an unknown or malformed code answers 404 with the reason). Producers:
register, create lots, append events, issue certificates. The bureau: list and decide producers
(``version`` required: 409 ``stale_version`` when someone acted first). Errors use
``{"error": {"code", "message", "fields"}}``.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.api import NotFound, api_doc, page_model, parse_body, require, run_scoped, tenant_object
from plugins.agriculture import permissions as P
from plugins.agriculture import producers, trace
from plugins.agriculture.models import EVENT_KINDS, PRODUCER_KINDS, PRODUCER_STATES, Lot, LotEvent, Producer
from plugins.agriculture.schemas import (
    CertificateOut,
    DecisionIn,
    EventIn,
    EventOut,
    LotIn,
    LotOut,
    ProducerIn,
    ProducerOut,
    ReceiveIn,
    TraceOut,
)
from plugins.agriculture.views import lot_visible

producer_here = tenant_object(
    Producer, "producer_id", "No such producer here", "本级没有该生产主体", code="unknown_producer"
)


run = run_scoped  # core.api: a session of the tenant (or a scope) in the thread pool


def _title(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    zh, en = table.get(key, (key, key))
    return zh if lang == "zh-CN" else en


def producer_out(p: Producer, platform: Any, lang: str) -> dict[str, Any]:
    t = platform.directory.by_id.get(p.tenant_id)
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "kind_title": _title(PRODUCER_KINDS, p.kind, lang),
        "state": p.state,
        "state_title": _title(PRODUCER_STATES, p.state, lang),
        "tenant_code": t.code if t else "",
        "version": p.version,
    }


def lot_out(lot: Lot, producer_name: str, platform: Any) -> dict[str, Any]:
    t = platform.directory.by_id.get(lot.tenant_id)
    return {
        "id": lot.id,
        "code": lot.code,
        "product": lot.product,
        "quantity": lot.quantity,
        "unit": lot.unit,
        "producer_name": producer_name,
        "tenant_code": t.code if t else "",
    }


def event_out(e: LotEvent, wrong: set[int], lang: str) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind,
        "kind_title": _title(EVENT_KINDS, e.kind, lang),
        "occurred_on": e.occurred_on,
        "place": e.place,
        "data": dict(e.data or {}),
        "corrects_id": e.corrects_id,
        "reason": e.reason,
        "wrong": e.id in wrong,
    }


@api_doc(response=TraceOut, summary="Resolve a trace code: product, producer, certificate and the chain")
@require(P.TRACE)
async def trace_code(request: Request) -> Any:
    ctx = request.state.ctx
    raw = request.path_params["code"][:60]

    def work(s: Any) -> dict[str, Any]:
        a = trace.lookup(s, raw, home=ctx.tenant.subtree_scope)
        if a.lot is None or a.producer is None:
            zh, en = a.problem or ("", "")
            raise NotFound(
                en, zh, code="unknown_code" if a.status == "unknown" else "bad_code", fields={"code": en}
            )
        cert = a.certificate
        return {
            "code": a.code,
            "found": True,
            "product": a.lot.product,
            "quantity": a.lot.quantity,
            "unit": a.lot.unit,
            "producer_name": a.producer.name,
            "producer_kind": _title(PRODUCER_KINDS, a.producer.kind, ctx.lang),
            "certificate": {"number": cert.number, "issued_on": cert.issued_on, "lot_code": a.lot.code}
            if cert
            else None,
            "events": [event_out(e, a.wrong, ctx.lang) for e in a.events],
            "chain": [chain_out(c, a, ctx) for c in a.chain],
        }

    def read() -> dict[str, Any]:
        # A read session over the network (lineage crosses counties), as the public page does.
        with ctx.platform.db.read(trace.network_scope(ctx.platform, ctx.tenant)) as s:
            return work(s)

    return await ctx.platform.db.run(read)


def chain_out(c: trace.ChainLot, a: trace.TraceAnswer, ctx: Any) -> dict[str, Any]:
    """A lot of the chain: public fields only (for another county's lot that is all there is)."""
    t = ctx.platform.directory.by_id.get(c.tenant_id)
    cert = a.certificates.get(c.lot.id)
    return {
        "code": c.lot.code,
        "product": c.lot.product,
        "hops": c.hops,
        "direction": c.direction,
        "producer_name": c.producer_name,
        "county": "" if t is None else (t.name if ctx.lang == "zh-CN" else t.name_en or t.name),
        "foreign": c.foreign,
        "certificate": {"number": cert.number, "issued_on": cert.issued_on, "lot_code": c.lot.code}
        if cert
        else None,
        "events": [
            {
                "kind": e.kind,
                "kind_title": _title(EVENT_KINDS, e.kind, ctx.lang),
                "occurred_on": e.occurred_on,
            }
            for e in c.events
            if e.kind != "correction" and e.id not in a.wrong
        ],
    }


@api_doc(request=ProducerIn, response=ProducerOut, status=201, summary="Register a producer in this county")
@require(P.PRODUCE)
async def register(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, ProducerIn)
    return await run(
        request,
        lambda s: producer_out(
            producers.register(s, ctx.tenant, data, account_id=ctx.actor.account_id, actor=ctx.actor.label),
            ctx.platform,
            ctx.lang,
        ),
        write=True,
    )


@api_doc(response=page_model(ProducerOut), summary="Producers registered in this county (one page)")
@require(P.BUREAU_VIEW)
async def list_producers(request: Request) -> Any:
    ctx = request.state.ctx
    state = request.query_params.get("state", "")
    state = state if state in PRODUCER_STATES else ""
    rows = await run(
        request,
        lambda s: [
            producer_out(p, ctx.platform, ctx.lang) for p in producers.listing(s, ctx.tenant, state or None)
        ],
    )
    return {"items": rows, "next_cursor": None}


@api_doc(request=DecisionIn, response=ProducerOut, summary="Confirm or reject a pending producer")
@require(P.BUREAU, visible=producer_here)
async def decide(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, DecisionIn)
    pid = int(request.path_params["producer_id"])
    return await run(
        request,
        lambda s: producer_out(
            producers.decide(s, ctx.tenant, pid, data, actor=ctx.actor.label), ctx.platform, ctx.lang
        ),
        write=True,
    )


@api_doc(request=LotIn, response=LotOut, status=201, summary="Create a lot of one of my confirmed producers")
@require(P.PRODUCE, visible=producer_here)
async def create_lot(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, LotIn)
    pid = int(request.path_params["producer_id"])

    def work(s: Any) -> dict[str, Any]:
        producer = producers.confirmed_of(s, ctx.tenant, ctx.actor.account_id, pid)
        return lot_out(
            trace.create_lot(s, ctx.tenant, producer, data, actor=ctx.actor.label),
            producer.name,
            ctx.platform,
        )

    return await run(request, work, write=True)


@api_doc(
    request=ReceiveIn,
    response=LotOut,
    status=201,
    summary="Receive a lot shipped to one of my producers (any county): a new lot linked to it",
)
@require(P.PRODUCE, visible=producer_here)
async def receive(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, ReceiveIn)
    pid = int(request.path_params["producer_id"])

    def work(s: Any) -> dict[str, Any]:
        producer = producers.confirmed_of(s, ctx.tenant, ctx.actor.account_id, pid)
        return lot_out(
            trace.receive(s, ctx.platform, ctx.tenant, producer, data, actor=ctx.actor.label),
            producer.name,
            ctx.platform,
        )

    return await run(request, work, write=True)


def _lot(s: Any, request: Request) -> Lot:
    return trace.lot_here(s, request.state.ctx.tenant, int(request.path_params["lot_id"]))


@api_doc(
    request=EventIn,
    response=EventOut,
    status=201,
    summary="Append an event to a lot (order checked; corrections declare an old event wrong)",
)
@require(P.PRODUCE, visible=lot_visible)
async def add_event(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, EventIn)
    return await run(
        request,
        lambda s: event_out(
            trace.record(s, ctx.platform, ctx.tenant, _lot(s, request), data, actor=ctx.actor.label),
            set(),
            ctx.lang,
        ),
        write=True,
    )


@api_doc(response=CertificateOut, status=201, summary="Issue the compliance certificate of a tested lot")
@require(P.PRODUCE, visible=lot_visible)
async def certificate(request: Request) -> Any:
    ctx = request.state.ctx

    def work(s: Any) -> dict[str, Any]:
        lot = _lot(s, request)
        c = trace.issue_certificate(s, ctx.platform, ctx.tenant, lot, promise="", actor=ctx.actor.label)
        return {"number": c.number, "issued_on": c.issued_on, "lot_code": lot.code}

    return await run(request, work, write=True)


def routes() -> list[BaseRoute]:
    from plugins.agriculture import api_market

    return [
        Route("/trace/{code}", trace_code, methods=["GET"]),
        Route("/producers", register, methods=["POST"]),
        Route("/producers", list_producers, methods=["GET"]),
        Route("/producers/{producer_id:int}/decision", decide, methods=["POST"]),
        Route("/producers/{producer_id:int}/lots", create_lot, methods=["POST"]),
        Route("/producers/{producer_id:int}/receipts", receive, methods=["POST"]),
        Route("/lots/{lot_id:int}/events", add_event, methods=["POST"]),
        Route("/lots/{lot_id:int}/certificate", certificate, methods=["POST"]),
        *api_market.routes(),
    ]
