"""JSON API of the feeds plugin, under ``/api/t/{code}/feeds/``.

* ``POST batches`` — a sending system delivers records of one stream (authenticated by its credential in
  ``X-Feed-Client`` / ``X-Feed-Secret``, not by a person's session); the answer has one result per record.
* ``GET batches``, ``GET batches/{id}`` — what arrived and the per-record errors.
* ``GET|POST sources``, ``POST sources/{id}/revoke`` — the sending systems and their credentials.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from core.api import DomainError, api_doc, parse_body, parse_query, require, run_scoped, tenant_object
from plugins.feeds import permissions as P
from plugins.feeds import services
from plugins.feeds.models import Batch, Source
from plugins.feeds.schemas import (
    BatchDetailOut,
    BatchIn,
    BatchList,
    BatchQuery,
    BatchResultOut,
    SourceIn,
    SourceList,
    SourceOut,
    SourceRevokeIn,
)
from plugins.feeds.streams import STREAMS


class Unauthorised(DomainError):
    status = 401

    def __init__(self) -> None:
        super().__init__(
            "Unknown sending system or wrong credential", "未知的报送系统或凭证错误", code="unknown_source"
        )


_run = run_scoped  # core.api: a session of the tenant (or a scope) in the thread pool


def batch_out(b: Batch, lang: str = "zh-CN") -> dict[str, Any]:
    st = STREAMS.get(b.stream)
    title = (st.title_zh if lang == "zh-CN" else st.title_en) if st else b.stream
    return {
        "id": b.id,
        "stream": b.stream,
        "stream_title": title,
        "channel": b.channel,
        "sender": b.sender,
        "received_at": b.received_at,
        "total": b.total,
        "inserted": b.inserted,
        "updated": b.updated,
        "unchanged": b.unchanged,
        "stale": b.stale,
        "rejected": b.rejected,
    }


def source_out(r: Source, secret: str | None = None) -> dict[str, Any]:
    return {
        "id": r.id,
        "client_id": r.client_id,
        "department_code": r.department_code,
        "title": r.title,
        "streams": list(r.streams or []),
        "state": r.state,
        "version": r.version,
        "secret": secret,
    }


@api_doc(
    request=BatchIn,
    response=BatchResultOut,
    status=201,
    summary="Deliver a batch of records as a registered sending system",
)
@require(P.PUSH)
async def push(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, BatchIn)
    client_id = request.headers.get("x-feed-client", "")[:40]
    secret = request.headers.get("x-feed-secret", "")[:200]

    def work(s: Any) -> dict[str, Any]:
        try:
            src = services.authenticate(s, ctx.tenant, client_id, secret, data.stream)
        except services.Unauthenticated:
            raise Unauthorised() from None
        feed = services.receive(
            s,
            ctx.platform,
            ctx.tenant,
            data.stream,
            data.records,
            channel="api",
            sender=f"{src.title} ({src.client_id})",
            department=src.department_code,
        )
        out = batch_out(services.batch(s, ctx.tenant, feed.batch_id), ctx.lang)
        out["results"] = [
            {"row": o.row, "status": o.status, "key": o.key, "errors": o.errors} for o in feed.outcomes
        ]
        return out

    return await _run(request, work, write=True)


@api_doc(response=BatchList, query=BatchQuery, summary="Batches received at this tenant, newest first")
@require(P.VIEW)
async def list_batches(request: Request) -> Any:
    ctx = request.state.ctx
    q = parse_query(request, BatchQuery)

    def work(s: Any) -> dict[str, Any]:
        rows = services.batches(s, ctx.tenant, stream=q.stream, before=q.before)
        nxt = str(rows[-1].id) if len(rows) == 50 else None
        return {"items": [batch_out(b, ctx.lang) for b in rows], "next_cursor": nxt}

    return await _run(request, work)


batch_here = tenant_object(
    Batch, "feed_batch_id", "No such batch here", "本级没有该批次", code="unknown_batch"
)
source_here = tenant_object(
    Source, "feed_source_id", "No such sending system here", "本级没有该报送系统", code="unknown_source"
)


@api_doc(response=BatchDetailOut, summary="One batch with its rejected records")
@require(P.VIEW, visible=batch_here)
async def get_batch(request: Request) -> Any:
    ctx = request.state.ctx
    bid = int(request.path_params["feed_batch_id"])

    def work(s: Any) -> dict[str, Any]:
        out = batch_out(services.batch(s, ctx.tenant, bid), ctx.lang)
        out["errors"] = [
            {"row": e.row, "record_key": e.record_key, "field": e.field, "message": e.message}
            for e in services.errors(s, ctx.tenant, bid)
        ]
        return out

    return await _run(request, work)


@api_doc(response=SourceList, summary="This tenant's sending systems (no secrets)")
@require(P.MANAGE)
async def list_sources(request: Request) -> Any:
    ctx = request.state.ctx
    return await _run(
        request,
        lambda s: {"items": [source_out(r) for r in services.sources(s, ctx.tenant)], "next_cursor": None},
    )


@api_doc(
    request=SourceIn,
    response=SourceOut,
    status=201,
    summary="Register a sending system; its secret is in this answer only",
)
@require(P.MANAGE)
async def create_source(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, SourceIn)

    def work(s: Any) -> dict[str, Any]:
        row, secret = services.create_source(
            s,
            ctx.tenant,
            department=data.department,
            title=data.title,
            streams=data.streams,
            actor=ctx.actor.label,
        )
        return source_out(row, secret)

    return await _run(request, work, write=True)


@api_doc(request=SourceRevokeIn, response=SourceOut, summary="Revoke a sending system's credential")
@require(P.MANAGE, visible=source_here)
async def revoke_source(request: Request) -> Any:
    ctx = request.state.ctx
    data = await parse_body(request, SourceRevokeIn)
    sid = int(request.path_params["feed_source_id"])
    return await _run(
        request,
        lambda s: source_out(services.revoke_source(s, ctx.tenant, sid, data.version, actor=ctx.actor.label)),
        write=True,
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/batches", push, methods=["POST"]),
        Route("/batches", list_batches, methods=["GET"]),
        Route("/batches/{feed_batch_id:int}", get_batch, methods=["GET"]),
        Route("/sources", list_sources, methods=["GET"]),
        Route("/sources", create_source, methods=["POST"]),
        Route("/sources/{feed_source_id:int}/revoke", revoke_source, methods=["POST"]),
    ]
